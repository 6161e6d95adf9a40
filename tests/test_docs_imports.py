"""docs/importing-people.md lists the column names the import recognises; check it against
the import's own field list, so neither can drift from the other."""

from __future__ import annotations

import re
from pathlib import Path

from stride.org.importer import FIELDS

DOC = Path(__file__).resolve().parent.parent / "docs" / "importing-people.md"


def test_the_aliases_table_is_the_one_the_import_uses() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \| (yes)? *\| ([^|]*) \|$", DOC.read_text(), re.MULTILINE)
    documented = {name: (bool(required), aliases.strip()) for name, required, aliases in rows}
    assert documented == {f.name: (f.required, ", ".join(f.aliases)) for f in FIELDS}
