"""Small-cell suppression: no shown cell, alone or subtracted from another, stands for
fewer than k respondents."""

from __future__ import annotations

import random
from collections.abc import Hashable

import pytest

from stride.lib.suppression import Record, decide

DIMS = ["team", "level", "rel"]


def rec(respondent: Hashable, team: str, level: int | str = 1, rel: str = "peer") -> Record:
    return Record(respondent, {"team": team, "level": level, "rel": rel})


def test_a_cell_with_fewer_than_k_respondents_is_suppressed() -> None:
    result = decide([rec("a", "x"), rec("b", "x"), rec("a", "x")], DIMS, 3)
    assert result.count({"team": "x"}) is None
    assert not result.is_shown({})
    shown = decide([rec(p, "x") for p in "abc"], DIMS, 3)
    assert shown.count({"team": "x"}) == 3 and shown.count({}) == 3


def test_a_breakdown_never_leaves_fewer_than_k_suppressed() -> None:
    # Team x has 3 respondents, team y 1: the whole minus x would be y's one person.
    records = [rec(p, "x") for p in "abc"] + [rec("d", "y")]
    result = decide(records, DIMS, 3)
    assert result.is_shown({})
    assert not result.is_shown({"team": "x"}) and not result.is_shown({"team": "y"})


def test_complementary_suppression_hides_the_smallest_sibling_first() -> None:
    records = (
        [rec(p, "x") for p in "abcdef"]
        + [rec(p, "y") for p in "ghi"]
        + [rec(p, "z") for p in "jklm"]
        + [rec("n", "w")]
    )
    result = decide(records, DIMS, 3)
    assert result.is_shown({"team": "x"}) and result.is_shown({"team": "z"})
    # w (1) alone would be isolated: y (3, the smallest shown) is hidden with it.
    assert not result.is_shown({"team": "w"}) and not result.is_shown({"team": "y"})


def test_cells_nested_by_data_differ_by_zero_or_at_least_k() -> None:
    # Every level-2 record is in team x: level 2 = x minus x's level-1 person.
    records = [rec(p, "x", 2) for p in "abc"] + [rec("d", "x", 1)]
    records += [rec(p, "y", 1) for p in "efgh"]
    result = decide(records, DIMS, 3)
    assert result.is_shown({"team": "x"})
    assert not result.is_shown({"level": 2})


def test_nested_respondent_sets_one_apart_are_suppressed() -> None:
    # Cells whose filters do not nest, but whose people do: {a,b,c} ⊂ {a,b,c,d}.
    records = [rec(p, "x", 1, "peer") for p in "abc"] + [rec(p, "y", 2, "upward") for p in "abcd"]
    records += [rec(p, "z", 3, "peer") for p in "efghij"]
    result = decide(records, DIMS, 3)
    shown = [k for k in result.shown if result.respondents[k] in (3, 4)]
    for small in shown:
        for big in shown:
            assert not (result.respondents[big] - result.respondents[small] == 1 and small != big)


def test_no_two_shown_cells_subtract_to_fewer_than_k_on_random_data() -> None:
    """Brute force over every pair of shown cells whose records nest."""
    rng = random.Random(7)
    for _round in range(20):
        records = [
            rec(rng.randrange(12), rng.choice("xyz"), rng.randint(1, 3), rng.choice(["p", "u"]))
            for _ in range(rng.randint(5, 30))
        ]
        result = decide(records, DIMS, 3)

        def members(key: tuple[Hashable, ...], records: list[Record] = records) -> set[int]:
            return {
                i
                for i, r in enumerate(records)
                if all(v is None or r.values[d] == v for d, v in zip(DIMS, key, strict=True))
            }

        for key in result.shown:
            assert result.respondents[key] >= 3
            mine = members(key)
            for other in result.shown:
                theirs = members(other)
                if mine < theirs:
                    left = {records[i].respondent for i in theirs - mine}
                    assert len(left) == 0 or len(left) >= 3, (key, other, left)


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        decide([], DIMS, 0)


def test_a_record_without_a_value_is_refused_since_none_means_any() -> None:
    # Seven people: three at level 1, three at level 2, one without a level. Were None
    # accepted, the last would sit in the whole but in no level's cell, both levels would
    # be shown, and 7 − 3 − 3 would single them out.
    records = [rec(p, "x", 1) for p in "abc"] + [rec(p, "x", 2) for p in "def"]
    lone = Record("g", {"team": "x", "level": None, "rel": "peer"})
    with pytest.raises(ValueError, match=r"None for level.*own"):
        decide([*records, lone], DIMS, 3)
    # With a value of its own the lone record is a (suppressed) child of the whole, so
    # one more level is suppressed with it.
    named = decide([*records, rec("g", "x", "none")], DIMS, 3)
    assert named.is_shown({}) and named.count({}) == 7
    assert not named.is_shown({"level": "none"})
    assert not (named.is_shown({"level": 1}) and named.is_shown({"level": 2}))
