"""Architecture rules written as checks rather than prose (see DESIGN.md, "Layout").

- Views and API handlers never query models directly: reads go through selectors that take
  the viewer, writes through services. A direct ``Model.objects`` in those files is how an
  unscoped lookup of someone else's data would slip in.
- Apps depend downwards only: ``org`` and ``access`` import no domain app; no app imports
  ``insight``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "stride"
HANDLER_FILES = sorted(
    [
        *ROOT.glob("*/views.py"),
        *ROOT.glob("*/*/views.py"),
        *ROOT.glob("*/api.py"),
        *ROOT.glob("*/*/api.py"),
        ROOT / "views.py",
        ROOT / "api.py",
    ]
)
DOMAIN_APPS = ("goals", "reviews", "feedback", "sales", "insight", "notify", "demo")


def test_there_are_handler_files_to_check() -> None:
    assert len(HANDLER_FILES) >= 6


@pytest.mark.parametrize("path", HANDLER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_api_handlers_make_no_direct_model_queries(path: Path) -> None:
    tree = ast.parse(path.read_text())
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}
    ]
    assert not offenders, f"query through a selector or service instead: {offenders}"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("app", ["org", "access"])
def test_foundation_apps_import_no_domain_app(app: str) -> None:
    offenders = []
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts:
            continue
        for module in imported_modules(path):
            if any(module.startswith(f"stride.{domain}") for domain in DOMAIN_APPS):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, offenders


def test_no_app_reads_insight() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "insight" not in path.parts
        and any(m.startswith("stride.insight") for m in imported_modules(path))
    ]
    assert not offenders, offenders
