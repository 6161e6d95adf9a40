"""Architecture rules of the goal pages and API, written as checks rather than prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GOALS = Path(__file__).resolve().parents[1]
READERS = [
    "views.py",
    "api.py",
    "display.py",
    "forms.py",
    "checkins/views.py",
    "checkins/api.py",
    "checkins/forms.py",
]


@pytest.mark.parametrize("name", READERS)
def test_pages_and_the_api_read_only_through_selectors(name: str) -> None:
    # An unscoped ``Model.objects`` lookup here could show what the viewer may not see.
    source = (GOALS / name).read_text()
    assert not re.search(r"\b[A-Z]\w*\.objects\b", source), f"{name} reads a model directly"


def test_no_template_loads_a_script_from_elsewhere() -> None:
    for template in (GOALS / "templates" / "goals").rglob("*.html"):
        if "checkins" in template.parts:
            continue
        text = template.read_text()
        assert not re.search(r"""src=["'](https?:)?//""", text), template.name
