"""The overall score uses only the parts that were answered, and says which."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stride.lib.review_scoring import (
    RatedQuestion,
    ScoredSection,
    normalised_weights,
    overall_score,
)

D = Decimal


def q(key: str, value: int | None, *, weight: str = "1", lowest: int = 1, highest: int = 5):
    return RatedQuestion(key=key, weight=D(weight), lowest=lowest, highest=highest, value=value)


def test_ratings_are_placed_on_their_own_scale_before_they_are_combined() -> None:
    score = overall_score([ScoredSection("a", D(1), [q("x", 3), q("y", 2, highest=3)])])
    assert score.value == pytest.approx(0.5)


def test_question_weights_apply_within_a_section_and_section_weights_across() -> None:
    results = ScoredSection("results", D(3), [q("goals", 5, weight="3"), q("quality", 1)])
    values = ScoredSection("values", D(1), [q("teamwork", 3)])
    score = overall_score([results, values])
    # results: (3·1 + 1·0) / 4 = 0.75; values: 0.5; overall: (3·0.75 + 1·0.5) / 4
    assert score.sections[0].score == pytest.approx(0.75)
    assert score.value == pytest.approx(0.6875)


def test_unanswered_parts_are_left_out_and_named_not_counted_as_zero() -> None:
    results = ScoredSection("results", D(3), [q("goals", 5), q("quality", None)])
    values = ScoredSection("values", D(1), [q("teamwork", None)])
    score = overall_score([results, values])
    assert score.value == pytest.approx(1.0)
    assert score.used == ["results"]
    assert score.left_out == ["values"]
    assert not score.complete


def test_nothing_answered_means_no_score() -> None:
    score = overall_score([ScoredSection("a", D(1), [q("x", None)])])
    assert score.value is None and score.left_out == ["a"]


def test_a_section_without_ratings_is_neither_used_nor_left_out() -> None:
    score = overall_score(
        [ScoredSection("text only", D(5), []), ScoredSection("r", D(1), [q("x", 5)])]
    )
    assert score.value == 1.0 and score.used == ["r"] and score.left_out == [] and score.complete


def test_a_rating_off_the_scale_is_an_error_not_a_score() -> None:
    with pytest.raises(ValueError, match="off the scale"):
        overall_score([ScoredSection("a", D(1), [q("x", 6)])])


def test_weights_as_shares() -> None:
    assert normalised_weights([D(3), D(1)]) == [0.75, 0.25]
    assert normalised_weights([D(0)]) == [0.0]
