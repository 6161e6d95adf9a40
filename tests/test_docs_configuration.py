"""docs/configuration.md says what Stride reads, and Stride reads what it says.

The tables there are what an administrator configures Stride from, so they are checked
against the code rather than trusted: every environment variable the settings module or a
command reads is documented, every documented one is read somewhere, the documented
defaults are the ones in the code, and a value Stride cannot use stops it with one line.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from whitenoise.compress import Compressor

from stride.demo.management.commands.serve import Command as ServeCommand

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "configuration.md"
SETTINGS = REPO / "stride" / "settings.py"
COMMANDS = sorted((REPO / "stride").glob("*/management/commands/*.py"))
COMMANDS_SECTION = "## Read by the commands, not by the settings"
READERS = {"env_str", "env_bool", "env_int", "env_list", "env_choice", "env_zone"}
STRIDE = Path(sys.executable).parent / "stride"


def documented(text: str) -> dict[str, str]:
    """Each table row's variable and the default column's text."""
    rows: dict[str, str] = {}
    for match in re.finditer(r"^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|", text, re.MULTILINE):
        rows[match.group(1)] = match.group(2).strip()
    return rows


def reads(path: Path) -> dict[str, object]:
    """The variables a module reads through stride.lib.env or os.environ, with the default
    where it is a literal (``None`` where it is computed)."""
    found: dict[str, object] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_reader = isinstance(func, ast.Name) and func.id in READERS
        is_environ = (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "environ"
        )
        name = node.args[0]
        if (is_reader or is_environ) and isinstance(name, ast.Constant):
            try:
                default = ast.literal_eval(node.args[1]) if len(node.args) > 1 else None
            except ValueError:
                default = None
            found[str(name.value)] = default
    return found


DOC_TEXT = DOC.read_text()
SETTINGS_PART, COMMANDS_PART = DOC_TEXT.split(COMMANDS_SECTION)
SETTINGS_DOCUMENTED = documented(SETTINGS_PART)
COMMANDS_DOCUMENTED = documented(COMMANDS_PART)
SETTINGS_READ = reads(SETTINGS)
COMMANDS_READ = {name: d for path in COMMANDS for name, d in reads(path).items()}


def test_every_variable_the_settings_read_is_documented_and_every_documented_one_is_read():
    assert set(SETTINGS_READ) == set(SETTINGS_DOCUMENTED)


def test_every_variable_a_command_reads_is_documented_among_the_commands_variables():
    assert set(COMMANDS_READ) - set(SETTINGS_READ) <= set(COMMANDS_DOCUMENTED)


def test_every_variable_documented_for_the_commands_is_read_somewhere():
    sources = [
        *REPO.glob("stride/**/*.py"),
        *REPO.glob("tests/**/*.py"),
        REPO / "Makefile",
    ]
    text = "\n".join(path.read_text() for path in sources)
    for name in COMMANDS_DOCUMENTED:
        assert re.search(rf"\b{name}\b", text), f"{name} is documented but nothing reads it"


def expected_default(default: object) -> str | None:
    """How the docs spell a literal default; None where the docs explain it in words."""
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, int):
        return str(default)
    if isinstance(default, list):
        return ",".join(default) or None
    if isinstance(default, str):
        return default or None
    return None


@pytest.mark.parametrize(
    ("name", "default", "table"),
    [pytest.param(n, d, SETTINGS_DOCUMENTED, id=n) for n, d in SETTINGS_READ.items()]
    + [
        pytest.param(n, d, COMMANDS_DOCUMENTED, id=n)
        for n, d in COMMANDS_READ.items()
        if n in COMMANDS_DOCUMENTED
    ],
)
def test_the_documented_default_is_the_one_in_the_code(name, default, table):
    spelled = expected_default(default)
    if spelled is None:
        return
    first = re.match(r"`([^`]*)`", table[name])
    assert first, f"{name}'s default is not given as a value: {table[name]!r}"
    assert first.group(1) == spelled


def test_stride_serve_binds_to_the_documented_host_port_and_workers_by_default(monkeypatch):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    parser = ServeCommand().create_parser("stride", "serve")
    assert f"`{parser.get_default('host')}`" == COMMANDS_DOCUMENTED["HOST"]
    assert f"`{parser.get_default('port')}`" == COMMANDS_DOCUMENTED["PORT"]
    assert f"`{parser.get_default('workers')}`" == COMMANDS_DOCUMENTED["WEB_CONCURRENCY"]


def test_stride_serve_takes_its_address_from_host_and_says_so_in_its_help(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    parser = ServeCommand().create_parser("stride", "serve")
    assert parser.get_default("host") == "0.0.0.0"
    assert "default 0.0.0.0" in parser.format_help()
    assert "HOST" in ServeCommand.help


def stride_check(tmp_path: Path, **bad: str) -> subprocess.CompletedProcess[str]:
    """``stride check`` in a fresh process whose environment holds ``bad``."""
    env = {**os.environ, "STRIDE_DATA_DIR": str(tmp_path), **bad}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [str(STRIDE), "check"], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_docs_show_the_very_line_a_bad_setting_prints(tmp_path):
    line = stride_check(tmp_path, DEBUG="maybe").stderr.strip()
    assert f"`{line}`" in DOC_TEXT


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("DEBUG", "maybe", "true/false"),
        ("CACHE_URL", "memcached://127.0.0.1:11211", "redis://"),
        ("LOG_LEVEL", "loud", "DEBUG/INFO/WARNING/ERROR/CRITICAL"),
    ],
)
def test_a_bad_setting_stops_stride_with_one_line_naming_the_variable(
    tmp_path, name, value, allowed
):
    done = stride_check(tmp_path, **{name: value})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"stride: {name} must be")
    assert allowed in lines[0]


def test_collected_static_files_get_the_brotli_copy_the_docs_promise(tmp_path):
    assert "Brotli `.br` copy" in DOC_TEXT
    script = tmp_path / "app.js"
    script.write_text("function stride() { return 'weekly check-ins'; }\n" * 200)
    written = set(Compressor(quiet=True).compress(str(script)))
    assert str(script) + ".br" in written
    assert str(script) + ".gz" in written
