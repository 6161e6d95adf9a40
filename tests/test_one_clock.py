"""One frozen clock (issue 5, 3(e)), checked rather than described: tests set the time only
through ``stride.testing.clock`` (the ``clock`` fixture or ``pytest.mark.clock``). No test
module outside ``stride/testing/`` imports time-machine or asks for its ``time_machine``
fixture, so there is no second copy of the clock machinery to drift from the first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO / "stride" / "testing"
MODULE = "time_machine"


def suite_modules() -> list[Path]:
    """Every module the test suite is made of: test files, conftest files and the helpers
    beside them in a ``tests`` folder, apart from the shared ones in ``stride/testing/``."""
    found = {
        path
        for root in (REPO / "stride", REPO / "tests")
        for path in root.rglob("*.py")
        if path.name.startswith("test_")
        or path.name == "conftest.py"
        or "tests" in path.relative_to(REPO).parts
    }
    found.add(REPO / "conftest.py")
    return sorted(path for path in found if SHARED not in path.parents)


def offences(source: str) -> list[tuple[int, str]]:
    """``(line, what)`` for every import of time-machine and every request for its fixture
    (a test or fixture argument, ``getfixturevalue`` or ``usefixtures``) in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {alias.name}")
                for alias in node.names
                if alias.name.split(".")[0] == MODULE
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == MODULE:
            found.append((node.lineno, f"from {node.module} import"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            found += [
                (node.lineno, f"{node.name}({MODULE})")
                for argument in arguments
                if argument.arg == MODULE
            ]
        elif isinstance(node, ast.Call):
            found += [
                (node.lineno, f"call with {MODULE!r}")
                for argument in node.args
                if isinstance(argument, ast.Constant) and argument.value == MODULE
            ]
    return found


def test_there_are_test_modules_to_check() -> None:
    paths = suite_modules()
    assert len(paths) >= 50
    assert Path(__file__).resolve() in paths
    assert not any(SHARED in path.parents for path in paths)


@pytest.mark.parametrize("path", suite_modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_test_module_drives_time_machine_itself(path: Path) -> None:
    found = [f"{path.relative_to(REPO)}:{line} {what}" for line, what in offences(path.read_text())]
    assert not found, f"set the time with the shared clock (stride.testing.clock): {found}"


@pytest.mark.parametrize(
    "snippet",
    [
        "import time_machine",
        "import time_machine as tm",
        "from time_machine import travel",
        "def test_late(time_machine): pass",
        "def test_late(cast, *, time_machine): pass",
        "async def test_late(time_machine): pass",
        "@pytest.fixture\ndef late(time_machine): return time_machine",
        "pytestmark = pytest.mark.usefixtures('time_machine')",
        "def test_late(request): request.getfixturevalue('time_machine')",
        "time_machine = importlib.import_module('time_machine')",
    ],
)
def test_the_rule_catches_each_way_of_reaching_time_machine(snippet: str) -> None:
    assert offences(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "from stride.testing import Clock, NOW",
        "def test_late(clock): clock.shift(timedelta(days=1))",
        "pytestmark = pytest.mark.clock",
        "import time",
    ],
)
def test_the_rule_lets_the_shared_clock_through(snippet: str) -> None:
    assert offences(snippet) == []
