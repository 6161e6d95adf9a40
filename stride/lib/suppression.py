"""Small-cell suppression: which cells of a breakdown may be shown without letting anyone
single out fewer than ``k`` respondents, free of Django.

A *record* is one answer (a submitted review) with the respondent who gave it and its
values on some dimensions (the reviewed person's team and job level, the relationship).
A *cell* is a filter combination: each dimension fixed to a value or left open (``ANY``);
its records are those matching the filter, its respondents the distinct people who gave
them. A record's value is never None (that is ``ANY``): a missing value needs a value of
its own, or the record would sit in a parent cell and in none of its children, and the
parent minus the children would single it out. ``decide`` refuses None. A cell is shown
only when

1. it has at least ``k`` respondents;
2. no two shown cells can be subtracted to isolate fewer than ``k`` people: when one
   shown cell's records lie inside another's *by data* (not only by filter — a job level
   whose people all sit in one team is nested in that team), the records left over hold 0
   or at least ``k`` respondents; and when one shown cell's respondents lie inside
   another's, at most 0 or at least ``k`` respondents are left over. Otherwise the
   smaller cell is suppressed;
3. within each breakdown (a cell split along one open dimension), the suppressed children
   hold 0 or at least ``k`` respondents between them — else more children are suppressed,
   smallest first — since their total is the parent minus the shown children. A
   suppressed parent whose children along a dimension are all shown could be rebuilt from
   them, so one of them is suppressed too (and then the rule above applies).

The rules are applied again until nothing changes, over *every* filter combination at
once, so the answers to two different requests (team, then team and level) never
subtract to fewer than ``k``. Cost: each record belongs to ``2^d`` cells (``d``
dimensions, three in reviews), and a cell is compared only with the cells that could hold
it — the ``2^d`` cells of one of its records, or those of its rarest respondent whose
size is within ``k`` of its own — never with every other cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

#: A dimension left open in a cell's key.
ANY: None = None
#: A value on which a cell's records differ (see ``_Cell.constant``).
_MIXED = object()

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Record:
    respondent: Hashable
    values: Mapping[str, Hashable]


@dataclass
class _Cell:
    key: Key
    records: list[int] = field(default_factory=list)
    respondents: set[Hashable] = field(default_factory=set)
    # Per dimension: the value every record of the cell shares, or _MIXED.
    constant: list[object] = field(default_factory=list)


@dataclass
class Suppression:
    """The decision for every cell: look a filter up with ``cell()``."""

    dimensions: tuple[str, ...]
    k: int
    respondents: dict[Key, int]
    shown: set[Key]

    def key(self, filters: Mapping[str, Hashable | None]) -> Key:
        unknown = set(filters) - set(self.dimensions)
        if unknown:
            raise KeyError(f"unknown dimensions: {sorted(unknown)}")
        return tuple(filters.get(d, ANY) for d in self.dimensions)

    def is_shown(self, filters: Mapping[str, Hashable | None]) -> bool:
        return self.key(filters) in self.shown

    def count(self, filters: Mapping[str, Hashable | None]) -> int | None:
        """The cell's respondents when it is shown; None when suppressed (or empty)."""
        key = self.key(filters)
        return self.respondents[key] if key in self.shown else None


def _keys_of(values: Sequence[Hashable], fixed: Sequence[bool]) -> Iterable[Key]:
    """The keys of every cell a record with ``values`` belongs to: each dimension fixed to
    its value or open, save those that every cell must fix."""
    choices = [(v,) if must else (v, ANY) for v, must in zip(values, fixed, strict=True)]
    return product(*choices)


def decide(
    records: Sequence[Record],
    dimensions: Sequence[str],
    k: int,
    *,
    fixed: Iterable[str] = (),
) -> Suppression:
    """Which cells over ``dimensions`` may be shown (see the module's rules). ``fixed``
    names dimensions every published cell filters on (no cell leaves them open)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    dims = tuple(dimensions)
    must = [d in set(fixed) for d in dims]
    cells: dict[Key, _Cell] = {}
    record_keys: list[list[Key]] = []
    for index, record in enumerate(records):
        values = [record.values[d] for d in dims]
        if any(v is ANY for v in values):
            # None is ``ANY``: such a record would sit in its parent cells but in no child,
            # so the parent minus its shown children would single it out.
            missing = [d for d, v in zip(dims, values, strict=True) if v is ANY]
            raise ValueError(
                f"record {index} has None for {', '.join(missing)}: None means 'any' in a "
                "cell, so give a missing value a value of its own (such as 'none')"
            )
        keys = list(_keys_of(values, must))
        record_keys.append(keys)
        for key in keys:
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = _Cell(key)
            cell.records.append(index)
            cell.respondents.add(record.respondent)
    shown = {key for key, cell in cells.items() if len(cell.respondents) >= k}

    # Breakdowns: parent key → dimension → its children's keys.
    children: dict[Key, dict[int, list[Key]]] = defaultdict(lambda: defaultdict(list))
    for key in cells:
        for i, value in enumerate(key):
            if value is not ANY and not must[i]:
                parent = (*key[:i], ANY, *key[i + 1 :])
                children[parent][i].append(key)
    # What a cell's records share on an open dimension: the value of its only child.
    for key, cell in cells.items():
        cell.constant = list(key)
        for i, kids in children[key].items():
            cell.constant[i] = kids[0][i] if len(kids) == 1 else _MIXED
    # Cells by respondent, to find the cells whose respondents may contain another's.
    by_respondent: dict[Hashable, list[Key]] = defaultdict(list)
    for key, cell in cells.items():
        for person in cell.respondents:
            by_respondent[person].append(key)

    def size(key: Key) -> int:
        return len(cells[key].respondents)

    def left_over(outer: _Cell, inner: _Cell) -> int:
        """Respondents of ``outer``'s records that are not ``inner``'s records."""
        if len(outer.respondents) - len(inner.respondents) >= k:
            return k  # at least this many people are only in ``outer``
        if len(outer.records) == len(inner.records):
            return 0
        mine = set(inner.records)
        return len({records[r].respondent for r in outer.records if r not in mine})

    def holds(outer: _Cell, inner: _Cell) -> bool:
        """Whether ``inner``'s records all match ``outer``'s filter."""
        return all(
            want is ANY or have == want
            for want, have in zip(outer.key, inner.constant, strict=True)
        )

    def nested_pass() -> bool:
        changed = False
        for key in sorted(shown, key=size):
            if key not in shown:
                continue
            inner = cells[key]
            # Cells holding this one's records are among its first record's cells.
            for other in record_keys[inner.records[0]]:
                if other == key or other not in shown:
                    continue
                outer = cells[other]
                if len(outer.records) < len(inner.records) or not holds(outer, inner):
                    continue
                if len(outer.records) == len(inner.records) and size(other) < size(key):
                    continue
                if 0 < left_over(outer, inner) < k:
                    shown.discard(key)
                    changed = True
                    break
            if key not in shown:
                continue
            # Respondent sets nested by data, within k of each other in size.
            rarest = min(inner.respondents, key=lambda p: len(by_respondent[p]))
            for other in by_respondent[rarest]:
                if other == key or other not in shown:
                    continue
                extra = size(other) - size(key)
                if 0 < extra < k and inner.respondents <= cells[other].respondents:
                    shown.discard(key)
                    changed = True
                    break
        return changed

    def complementary_pass() -> bool:
        changed = False
        for parent, breakdowns in children.items():
            for kids in breakdowns.values():
                hidden_people: set[Hashable] = set()
                visible = []
                for kid in kids:
                    if kid in shown:
                        visible.append(kid)
                    else:
                        hidden_people |= cells[kid].respondents
                if not hidden_people and parent not in shown and visible:
                    # A suppressed parent would be the sum of its shown children.
                    smallest = min(visible, key=size)
                    shown.discard(smallest)
                    visible.remove(smallest)
                    hidden_people |= cells[smallest].respondents
                    changed = True
                visible.sort(key=size)
                while 0 < len(hidden_people) < k and visible:
                    smallest = visible.pop(0)
                    shown.discard(smallest)
                    hidden_people |= cells[smallest].respondents
                    changed = True
        return changed

    while True:
        # Both passes run every round; stop when neither changed anything.
        changed = complementary_pass()
        changed = nested_pass() or changed
        if not changed:
            break
    return Suppression(
        dimensions=dims,
        k=k,
        respondents={key: len(cell.respondents) for key, cell in cells.items()},
        shown=shown,
    )
