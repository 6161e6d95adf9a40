"""``notify`` knows no domain app: apps register their jobs and delivery kinds with it."""

from __future__ import annotations

import ast
from pathlib import Path

NOTIFY = Path(__file__).resolve().parents[1]
DOMAIN_APPS = ("goals", "reviews", "feedback", "sales", "insight", "demo")


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from stride import goals`` names the app in the imported names instead.
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def test_nothing_under_notify_imports_a_domain_app() -> None:
    files = sorted(NOTIFY.rglob("*.py"))
    assert len(files) > 10  # the walk really found notify's modules, tests included
    offenders = [
        f"{path.relative_to(NOTIFY.parent)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if any(
            module == f"stride.{app}" or module.startswith(f"stride.{app}.") for app in DOMAIN_APPS
        )
    ]
    assert offenders == []
