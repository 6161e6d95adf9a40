"""A review's overall score, free of Django so it can be tested and reused anywhere.

Weights live at two levels, both stated on the template:

- each **section** has a weight: its share of the overall score;
- each scored **question** (an anchored rating or a competency rating) has a weight within
  its section.

A rating is first placed on 0…1 along its own scale: ``(value − lowest) / (highest −
lowest)``, so a 3 on a 1–5 scale and a 2 on a 1–3 scale both count as 0.5. A section's
score is the weight-normalised mean of its *answered* scored questions; the overall score is
the weight-normalised mean of the sections that have at least one answered scored question.
Parts that were not answered (or hold no rating at all, such as text questions) are left
out of both the sum and the weights, and the result lists them, so a page can say "scored
on 3 of 4 sections; Values was not answered". With nothing answered there is no score
(``None``), never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RatedQuestion:
    """A scored question with its scale and, if answered, the rating given."""

    key: str
    weight: Decimal
    lowest: int
    highest: int
    value: int | None = None

    @property
    def answered(self) -> bool:
        return self.value is not None

    def fraction(self) -> float:
        """The rating on 0…1 along the question's scale."""
        if self.value is None:
            raise ValueError(f"question {self.key} was not answered")
        if not self.lowest <= self.value <= self.highest:
            raise ValueError(
                f"question {self.key}: {self.value} is off the scale {self.lowest}–{self.highest}"
            )
        span = self.highest - self.lowest
        return 1.0 if span == 0 else (self.value - self.lowest) / span


@dataclass(frozen=True)
class ScoredSection:
    key: str
    weight: Decimal
    questions: Sequence[RatedQuestion]


@dataclass(frozen=True)
class SectionScore:
    key: str
    weight: Decimal
    score: float | None  # None: no scored question of the section was answered
    answered: int
    scored: int  # how many scored questions the section has


@dataclass(frozen=True)
class Score:
    """The overall score on 0…1 (None when nothing scored was answered), each section's
    score, and which sections were used and which were left out."""

    value: float | None
    sections: list[SectionScore] = field(default_factory=list)

    @property
    def used(self) -> list[str]:
        return [s.key for s in self.sections if s.score is not None]

    @property
    def left_out(self) -> list[str]:
        return [s.key for s in self.sections if s.score is None and s.scored]

    @property
    def complete(self) -> bool:
        """True when every scored question of every section was answered."""
        return all(s.answered == s.scored for s in self.sections)


def _weighted_mean(parts: Sequence[tuple[Decimal, float]]) -> float | None:
    total = sum((w for w, _v in parts), Decimal(0))
    if not parts or total <= 0:
        return None
    return sum(float(w) * v for w, v in parts) / float(total)


def section_score(section: ScoredSection) -> SectionScore:
    answered = [q for q in section.questions if q.answered]
    score = _weighted_mean([(q.weight, q.fraction()) for q in answered])
    return SectionScore(
        key=section.key,
        weight=section.weight,
        score=score,
        answered=len(answered),
        scored=len(section.questions),
    )


def overall_score(sections: Sequence[ScoredSection]) -> Score:
    """The overall score from the answered parts only (see the module docstring)."""
    scores = [section_score(s) for s in sections]
    value = _weighted_mean([(s.weight, s.score) for s in scores if s.score is not None])
    return Score(value=value, sections=scores)


def normalised_weights(weights: Sequence[Decimal]) -> list[float]:
    """Each weight's share of the total (what a template page shows as a percentage)."""
    total = sum(weights, Decimal(0))
    if total <= 0:
        return [0.0 for _w in weights]
    return [float(w / total) for w in weights]
