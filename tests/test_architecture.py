"""Architecture rules written as checks rather than prose (see DESIGN.md, "Layout").

- Views, API handlers and forms never query models directly: reads go through selectors
  that take the viewer, writes through services. A direct ``Model.objects``, a
  ``get_object_or_404``, a ``_base_manager`` or raw SQL in those files is how an unscoped
  lookup of someone else's data would slip in.
- Apps depend downwards only. That rule is import-linter's contract in ``pyproject.toml``
  (``make lint`` runs it); ``test_the_layer_contract_holds`` runs it here too, so a broken
  layer fails the suite as well as the lint.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "stride"
HANDLER_FILES = sorted(
    {
        *ROOT.glob("*/views.py"),
        *ROOT.glob("*/*/views.py"),
        *ROOT.glob("*/api.py"),
        *ROOT.glob("*/*/api.py"),
        *ROOT.glob("*/forms.py"),
        *ROOT.glob("*/views_*.py"),
        *ROOT.glob("*/api_*.py"),
        *ROOT.glob("*/*_forms.py"),
        *ROOT.glob("*/*/forms.py"),
        ROOT / "views.py",
        ROOT / "api.py",
    }
)
# Attribute names that reach the database around the viewer's scope.
FORBIDDEN_ATTRIBUTES = {"objects", "_default_manager", "_base_manager", "raw", "extra", "cursor"}
# Names that do the same when called or imported.
FORBIDDEN_NAMES = {"get_object_or_404", "get_list_or_404", "RawSQL", "connection", "connections"}


def test_there_are_handler_files_to_check() -> None:
    assert len(HANDLER_FILES) >= 10


def offences(source: str) -> list[tuple[int, str]]:
    """``(line, what)`` for every direct database access in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in FORBIDDEN_NAMES:
                    found.append((node.lineno, f"import {alias.name}"))
    return found


@pytest.mark.parametrize("path", HANDLER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_api_handlers_and_forms_make_no_direct_model_queries(path: Path) -> None:
    found = [f"{path.relative_to(ROOT)}:{line} {what}" for line, what in offences(path.read_text())]
    assert not found, f"query through a selector or service instead: {found}"


@pytest.mark.parametrize(
    "snippet",
    [
        "Objective.objects.get(pk=1)",
        "Objective._base_manager.get(pk=1)",
        "from django.shortcuts import get_object_or_404",
        "get_object_or_404(Objective, pk=1)",
        "Objective.objects.raw('select 1')",
        "from django.db import connection\nconnection.cursor()",
        "from django.db.models.expressions import RawSQL",
    ],
)
def test_the_rule_catches_each_kind_of_direct_query(snippet: str) -> None:
    assert offences(snippet)


def test_the_layer_contract_holds() -> None:
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT.parent / "pyproject.toml")) == 0
