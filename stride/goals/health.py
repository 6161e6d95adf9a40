"""A goal's health as every page and the API tell it: one rule, one set of words.

``objective_health`` applies the rule of ``stride.lib.scoring.objective_health`` (pace
from each key result's set-up, a grace period, risk = the owner says so or the projection
misses by more than the margin) to an objective read with its key results prefetched: it
costs no query. The owner's status and the computed reading are told as one story: one
badge whose words and colour come from both (never a green "On track" beside a red
"Behind pace"), and a sentence that says who says what. docs/goals.md explains the rule
to users and administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from stride.goals.models import KeyResult, Objective
from stride.lib import scoring

State = Literal[
    "achieved",
    "missed",
    "off_track",
    "at_risk",
    "falling_short",
    "behind",
    "on_track",
    "too_early",
    "not_started",
]
Tone = Literal["ok", "warn", "bad", "neutral"]
TONES: dict[str, Tone] = {
    "achieved": "ok",
    "on_track": "ok",
    "missed": "bad",
    "off_track": "bad",
    "at_risk": "warn",
    "falling_short": "warn",
    "behind": "warn",
    "too_early": "neutral",
    "not_started": "neutral",
}

# The badge of each state, translated when read (``ObjectiveHealth.label``).
LABELS: dict[str, str] = {
    "achieved": gettext_noop("Achieved"),
    "missed": gettext_noop("Missed"),
    "off_track": gettext_noop("Off track"),
    "at_risk": gettext_noop("At risk"),
    "falling_short": gettext_noop("On track, but projected to fall short"),
    "behind": gettext_noop("On track, but behind pace"),
    "on_track": gettext_noop("On track"),
    "too_early": gettext_noop("On track · too early to tell"),
    "not_started": gettext_noop("On track · not started yet"),
}


def _percent(share: float) -> int:
    return round(share * 100)


@dataclass(frozen=True)
class ObjectiveHealth:
    """The rule's answer for one objective, with the words every page and the API use."""

    health: scoring.Health
    owner_status: str  # the status the owner chose
    paced_from: date  # the earliest day a key result's pace counts from

    @property
    def status(self) -> str:
        return self.health.status

    @property
    def reading(self) -> scoring.Reading | None:
        return self.health.reading

    @property
    def expected(self) -> float:
        return self.health.expected

    @property
    def projected(self) -> float | None:
        return self.health.projected

    @property
    def at_risk(self) -> bool:
        return self.health.at_risk

    @property
    def reason(self) -> scoring.RiskReason | None:
        return self.health.reason

    @property
    def state(self) -> State:
        """One state from the owner's status and the computed reading together."""
        status = self.health.status
        if status in ("achieved", "missed", "off_track", "at_risk"):
            return status  # type: ignore[return-value]
        if self.health.reason == "projection":
            return "falling_short"
        if self.health.reading is None:
            return "not_started"
        if self.health.reading == "too_early":
            return "too_early"
        if self.health.reading == "behind":
            return "behind"
        return "on_track"

    @property
    def tone(self) -> Tone:
        return TONES[self.state]

    @property
    def label(self) -> str:
        """The badge: the owner's word, qualified by the numbers where they disagree."""
        # Only the one label shown is translated: a list of 50 goals asks for 100 labels.
        return _(LABELS[self.state])

    @property
    def numbers(self) -> str:
        """What the numbers say, in words."""
        h = self.health
        if h.status == "achieved":
            return _("every key result reached")
        if h.status == "missed":
            return _("the period ended at %(actual)s%% done") % {"actual": _percent(h.progress)}
        if h.reading is None:
            return _("the period has not started yet")
        if h.reading == "too_early":
            return _(
                "too early to tell: set up less than %(days)s days ago (%(actual)s%% done)"
            ) % {"days": scoring.GRACE_DAYS, "actual": _percent(h.progress)}
        done = {"actual": _percent(h.progress), "expected": _percent(h.expected)}
        if h.reading == "behind":
            text = _(
                "%(points)s points behind the expected pace (%(actual)s%% done, "
                "%(expected)s%% expected by now)"
            ) % {"points": _percent(h.expected) - _percent(h.progress), **done}
        elif h.reading == "ahead":
            text = _("ahead of pace (%(actual)s%% done, %(expected)s%% expected by now)") % done
        else:
            text = _("on pace (%(actual)s%% done, %(expected)s%% expected by now)") % done
        if h.projected is not None and h.projected < 1 - scoring.RISK_MARGIN:
            text += "; " + self.projection
        return text

    @property
    def projection(self) -> str:
        projected = self.health.projected
        if projected is None:
            return ""
        return _("projected to reach %(projected)s%% of the target by the period end") % {
            "projected": _percent(projected)
        }

    @property
    def summary(self) -> str:
        """One sentence: who says what. ``Owner: On track · 12 points behind …``."""
        if self.health.status in ("achieved", "missed"):
            return f"{self.label}: {self.numbers}"
        owner = str(Objective.Status(self.owner_status).label)
        return _("Owner: %(owner)s · %(numbers)s") % {"owner": owner, "numbers": self.numbers}

    @property
    def why(self) -> str:
        """Why the goal is at risk (empty when it is not): what the team page lists."""
        if self.health.reason == "owner":
            return _("The owner says “%(status)s”.") % {
                "status": Objective.Status(self.owner_status).label
            }
        if self.health.reason == "missed":
            return _("Missed: the period ended before the target was reached.")
        if self.health.reason == "projection":
            return _(
                "At the rate kept so far it would reach %(projected)s%% of the target by the "
                "period end (at risk below %(limit)s%%)."
            ) % {
                "projected": _percent(self.health.projected or 0.0),
                "limit": _percent(1 - scoring.RISK_MARGIN),
            }
        return ""


def objective_health(objective: Objective, *, today: date, zone: ZoneInfo) -> ObjectiveHealth:
    """The health of an objective read with its key results prefetched (no query).

    ``today`` and each key result's set-up day are read in ``zone`` (the viewer's)."""
    key_results = [
        scoring.KeyResultPace(
            weight=kr.weight,
            progress=kr.progress(),
            set_up=kr.created_at.astimezone(zone).date(),
            projectable=kr.kind != KeyResult.Kind.MILESTONE,
        )
        for kr in objective.key_results.all()
    ]
    paced_from = min(
        (max(kr.set_up, objective.period_start) for kr in key_results),
        default=objective.period_start,
    )
    health = scoring.objective_health(
        key_results=key_results,
        status=objective.status,
        period_start=objective.period_start,
        period_end=objective.period_end,
        today=today,
    )
    return ObjectiveHealth(health, objective.status, min(paced_from, objective.period_end))
