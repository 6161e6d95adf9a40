"""Calibration (issue 7, item 8): reads, scoped by the viewer.

Who calibrates a cycle (``calibration_scope``):

- HR admins, for the whole cycle;
- a manager of managers: someone whose reporting subtree holds the manager (at the launch)
  of at least one participant, below themselves. They calibrate the participants in their
  subtree.

Nobody calibrates their own review, and everyone else gets 404 from every page and API
operation here. Calibrators see, per person, the manager's proposal, their final rating,
how many calibrators agreed, questioned or had no view, and *who* questioned: calibration
is a meeting among named colleagues, not an anonymous survey. The rating distributions
count named people whose ratings the same page lists one by one, so they are not
suppressed below the anonymity threshold (that rule is for peer and upward answers).

Every read here costs a fixed number of queries, whatever the cycle's size: the list is
paginated, distributions and the 9-box are aggregate queries, and the 9-box names at most
``NINE_BOX_NAMES`` people a box (one query ranks every cell's people).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils.translation import gettext as _

from stride.access.audit import audited, target_of
from stride.access.viewer import Viewer
from stride.lib import cycle_dates
from stride.org.models import Person, Team
from stride.reviews.models import (
    CalibrationReaction,
    CycleParticipant,
    CyclePhase,
    JobLevel,
    OverallRating,
    Phase,
    Potential,
    ReviewCycle,
)

#: Participants a page of the calibration list shows.
PAGE_SIZE = 50
#: People a 9-box cell names (the rest are counted).
NINE_BOX_NAMES = 25
#: Groups (teams, managers, levels) a distribution shows, the largest first.
DISTRIBUTION_ROWS = 30
#: The 9-box's performance bands: final rating 1–2 low, 3 moderate, 4–5 high.
PERFORMANCE_BANDS = {1: "low", 2: "moderate", 3: "high"}
RATINGS = [int(v) for v in OverallRating.values]
POTENTIALS = [int(v) for v in Potential.values]
_LEVEL = "person__job_level_assignment__level"


@dataclass(frozen=True)
class CalibrationScope:
    """A cycle and the participants the viewer calibrates in it."""

    viewer: Viewer
    cycle: ReviewCycle
    whole_cycle: bool  # an HR admin

    def participants(self) -> QuerySet[CycleParticipant]:
        qs = CycleParticipant.objects.filter(cycle=self.cycle)
        if self.viewer.person_id is not None:
            qs = qs.exclude(person_id=self.viewer.person_id)
        if not self.whole_cycle:
            qs = qs.filter(self.viewer.subtree_q("person__", include_self=False))
        return qs

    @property
    def open(self) -> bool:
        """Whether ratings may still change (a launched cycle; each review until shared)."""
        return self.cycle.status == ReviewCycle.Status.LAUNCHED


def _running_cycle(cycle_id: int) -> ReviewCycle | None:
    return (
        ReviewCycle.objects.exclude(status=ReviewCycle.Status.DRAFT)
        .select_related("template_version")
        .filter(pk=cycle_id)
        .first()
    )


def is_calibrator(viewer: Viewer, cycle: ReviewCycle) -> bool:
    """HR admins; or a manager with a participant's manager (at the launch) below them."""
    if viewer.is_hr_admin:
        return True
    if viewer.person is None:
        return False
    return (
        CycleParticipant.objects.filter(cycle=cycle)
        .filter(viewer.subtree_q("manager__", include_self=False))
        .exists()
    )


def calibration_scope(viewer: Viewer, cycle_id: int) -> CalibrationScope:
    """The viewer's calibration of a launched or closed cycle; 404 for anyone who does not
    calibrate it."""
    cycle = _running_cycle(cycle_id)
    if cycle is None or not is_calibrator(viewer, cycle):
        raise Http404
    return CalibrationScope(viewer, cycle, whole_cycle=viewer.is_hr_admin)


def calibration_participant(
    viewer: Viewer, review_id: int
) -> tuple[CalibrationScope, CycleParticipant]:
    """A review (cycle participant) the viewer calibrates, with its scope; 404 otherwise
    (one's own review included)."""
    cycle_id = (
        CycleParticipant.objects.filter(pk=review_id).values_list("cycle_id", flat=True).first()
    )
    if cycle_id is None:
        raise Http404
    scope = calibration_scope(viewer, cycle_id)
    found = (
        scope.participants()
        .select_related("cycle__template_version", "person", "manager", "team")
        .filter(pk=review_id)
        .first()
    )
    if found is None:
        raise Http404
    return scope, found


def calibrated_cycles(viewer: Viewer) -> list[ReviewCycle]:
    """The launched cycles the viewer calibrates, newest first (for "My reviews")."""
    running = ReviewCycle.objects.filter(status=ReviewCycle.Status.LAUNCHED)
    if viewer.is_hr_admin:
        return list(running.order_by("-launched_at", "-id"))
    if viewer.person is None or not viewer.person.path:
        return []
    below = CycleParticipant.objects.filter(
        viewer.subtree_q("manager__", include_self=False)
    ).values("cycle_id")
    return list(running.filter(pk__in=below).order_by("-launched_at", "-id"))


# --- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationFilters:
    team_id: int | None = None
    manager_id: int | None = None
    level_id: int | None = None

    def apply(self, qs: QuerySet[CycleParticipant]) -> QuerySet[CycleParticipant]:
        if self.team_id is not None:
            qs = qs.filter(team_id=self.team_id)
        if self.manager_id is not None:
            qs = qs.filter(manager_id=self.manager_id)
        if self.level_id is not None:
            qs = qs.filter(**{f"{_LEVEL}_id": self.level_id})
        return qs


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


@dataclass(frozen=True)
class FilterChoices:
    teams: list[Choice]
    managers: list[Choice]
    levels: list[Choice]


def filter_choices(scope: CalibrationScope) -> FilterChoices:
    """The teams, managers and job levels of the participants in scope (three queries)."""
    qs = scope.participants()
    teams = (
        qs.filter(team__isnull=False)
        .values_list("team_id", "team__name")
        .distinct()
        .order_by("team__name")
    )
    managers = (
        qs.filter(manager__isnull=False)
        .values_list("manager_id", "manager__name")
        .distinct()
        .order_by("manager__name")
    )
    levels = JobLevel.objects.order_by("rank").values_list("pk", "name")
    return FilterChoices(
        teams=[Choice(pk, name) for pk, name in teams],
        managers=[Choice(pk, name) for pk, name in managers],
        levels=[Choice(pk, name) for pk, name in levels],
    )


# --- rows --------------------------------------------------------------------------------


@dataclass
class CalibrationRow:
    """One participant as calibrators see them."""

    participant: CycleParticipant
    level: str
    final_rating: int | None  # the proposal unless calibration changed it
    final_potential: int | None
    counts: dict[str, int]
    questioned_by: list[str]
    mine: CalibrationReaction | None

    @property
    def changed(self) -> bool:
        p = self.participant
        return (self.final_rating, self.final_potential) != (p.proposed_rating, p.potential)

    @property
    def final_rating_label(self) -> str:
        return str(OverallRating(self.final_rating).label) if self.final_rating else ""

    @property
    def proposed_rating_label(self) -> str:
        rating = self.participant.proposed_rating
        return str(OverallRating(rating).label) if rating else ""


def _reactions() -> Prefetch[str, QuerySet[CalibrationReaction], str]:
    return Prefetch(
        "reactions",
        queryset=CalibrationReaction.objects.select_related("calibrator").order_by(
            "calibrator__name", "id"
        ),
    )


def calibration_list(
    scope: CalibrationScope, filters: CalibrationFilters
) -> QuerySet[CycleParticipant]:
    """The participants in scope that match the filters, by name, with what a row shows.
    Evaluating it (a page of it) records one audit entry naming the reviews read."""
    qs = (
        filters.apply(scope.participants())
        .select_related("person", "manager", "team", _LEVEL)
        .prefetch_related(_reactions())
        .order_by("person__name", "id")
    )
    return audited(
        qs, actor=scope.viewer, action="review.calibration.read", target=lambda p: target_of(p)
    )


def calibration_row(viewer: Viewer, participant: CycleParticipant) -> CalibrationRow:
    """A participant read through ``calibration_list`` (or with its reactions and level
    fetched), as a row."""
    counts = {value: 0 for value in CalibrationReaction.Reaction.values}
    questioned, mine = [], None
    for reaction in participant.reactions.all():
        counts[reaction.reaction] += 1
        if reaction.reaction == CalibrationReaction.Reaction.QUESTION:
            questioned.append(reaction.calibrator.name)
        if reaction.calibrator_id == viewer.person_id:
            mine = reaction
    assignment = getattr(participant.person, "job_level_assignment", None)
    return CalibrationRow(
        participant=participant,
        level=assignment.level.name if assignment is not None else "",
        final_rating=_final(participant.final_rating, participant.proposed_rating),
        final_potential=_final(participant.final_potential, participant.potential),
        counts=counts,
        questioned_by=questioned,
        mine=mine,
    )


def _final(final: int | None, proposed: int | None) -> int | None:
    return final if final is not None else proposed


def calibration_row_for(scope: CalibrationScope, review_id: int) -> CalibrationRow:
    """One participant's row (after a reaction or a change)."""
    participant = calibration_list(scope, CalibrationFilters()).filter(pk=review_id).first()
    if participant is None:
        raise Http404
    return calibration_row(scope.viewer, participant)


# --- distributions and the 9-box ---------------------------------------------------------


def _with_finals(qs: QuerySet[CycleParticipant]) -> Any:
    """``qs`` with ``rating`` and ``grown`` (potential): the final values, or the
    proposal's where calibration changed nothing."""
    return qs.annotate(
        rating=Coalesce("final_rating", "proposed_rating"),
        grown=Coalesce("final_potential", "potential"),
    )


@dataclass
class DistributionRow:
    key: int | None
    label: str
    counts: list[int] = field(default_factory=lambda: [0] * len(RATINGS))
    unrated: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts) + self.unrated

    @property
    def cells(self) -> list[tuple[int, int]]:
        """(rating, count) for each rating, lowest first."""
        return list(zip(RATINGS, self.counts, strict=True))


@dataclass
class Distribution:
    by: str  # team, manager, level
    rows: list[DistributionRow]
    more: int  # groups left out (the smallest)

    @property
    def widest(self) -> int:
        return max((c for r in self.rows for c in r.counts), default=0) or 1


#: What each distribution groups by, and where the groups' names are.
_GROUPS: dict[str, tuple[str, Any, str]] = {
    "team": ("team_id", Team, "name"),
    "manager": ("manager_id", Person, "name"),
    "level": (f"{_LEVEL}_id", JobLevel, "name"),
}


def distribution(scope: CalibrationScope, filters: CalibrationFilters, by: str) -> Distribution:
    """Final ratings counted per team, manager or job level: the ``DISTRIBUTION_ROWS``
    largest groups, and how many more there are (two queries: the counts, grouped by the
    group's id alone, then the names of the groups shown)."""
    key, model, name = _GROUPS[by]
    found = (
        _with_finals(filters.apply(scope.participants()))
        .values(key, "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    groups: dict[int | None, DistributionRow] = {}
    for entry in found:
        row = groups.setdefault(entry[key], DistributionRow(entry[key], ""))
        if entry["rating"] is None:
            row.unrated += entry["n"]
        else:
            row.counts[RATINGS.index(entry["rating"])] += entry["n"]
    ordered = sorted(groups.values(), key=lambda r: (-r.total, r.key or 0))
    shown = ordered[:DISTRIBUTION_ROWS]
    names = dict(
        model.objects.filter(pk__in=[r.key for r in shown if r.key is not None]).values_list(
            "pk", name
        )
    )
    for row in shown:
        row.label = names.get(row.key, "")
    shown.sort(key=lambda r: (-r.total, r.label))
    return Distribution(by, shown, len(ordered) - len(shown))


def distributions(scope: CalibrationScope, filters: CalibrationFilters) -> list[Distribution]:
    return [distribution(scope, filters, by) for by in _GROUPS]


@dataclass(frozen=True)
class BoxPerson:
    review_id: int
    person_id: int
    name: str


@dataclass
class NineBoxCell:
    performance: int  # 1 low (rating 1–2), 2 moderate (3), 3 high (4–5)
    potential: int  # 1 … 3
    count: int = 0
    people: list[BoxPerson] = field(default_factory=list)

    @property
    def performance_label(self) -> str:
        return PERFORMANCE_BANDS[self.performance]

    @property
    def more(self) -> int:
        return self.count - len(self.people)


@dataclass
class NineBox:
    rows: list[list[NineBoxCell]]  # high potential first, each low → high performance
    unplaced: int  # in scope without a rating or a potential yet

    @property
    def cells(self) -> list[NineBoxCell]:
        return [cell for row in self.rows for cell in row]


#: The final ratings in each performance band.
BAND_RATINGS = {1: (1, 2), 2: (3,), 3: (4, 5)}


def _band(rating: int) -> int:
    return next(band for band, ratings in BAND_RATINGS.items() if rating in ratings)


def nine_box(scope: CalibrationScope, filters: CalibrationFilters) -> NineBox:
    """Performance (the final rating) against potential: each cell's count and up to
    ``NINE_BOX_NAMES`` names, by name. Three queries whatever the cycle: the counts, the
    first people of every cell at once, their names."""
    base = _with_finals(filters.apply(scope.participants()))
    cells = {(b, p): NineBoxCell(b, p) for b in PERFORMANCE_BANDS for p in POTENTIALS}
    unplaced = 0
    for entry in base.values("rating", "grown").annotate(n=Count("id")).order_by():
        if entry["rating"] is None or entry["grown"] is None:
            unplaced += entry["n"]
        else:
            cells[(_band(entry["rating"]), entry["grown"])].count += entry["n"]
    # Each cell's first people (by when they joined the cycle: ranking integers is much
    # cheaper than ranking names over a whole cycle), then their names, shown by name.
    ranked = (
        base.filter(rating__isnull=False, grown__isnull=False)
        .annotate(
            band=Case(
                *(When(rating__in=r, then=Value(b)) for b, r in BAND_RATINGS.items()),
                output_field=IntegerField(),
            )
        )
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("band"), F("grown")], order_by=[F("id").asc()]
            )
        )
        .filter(place__lte=NINE_BOX_NAMES)
    )
    placed = {pk: (band, grown) for pk, band, grown in ranked.values_list("pk", "band", "grown")}
    named = (
        CycleParticipant.objects.filter(pk__in=placed)
        .order_by("person__name", "id")
        .values_list("pk", "person_id", "person__name")
    )
    for pk, person_id, name in named:
        cells[placed[pk]].people.append(BoxPerson(pk, person_id, name))
    rows = [[cells[(b, p)] for b in PERFORMANCE_BANDS] for p in reversed(POTENTIALS)]
    return NineBox(rows, unplaced)


# --- when reactions and changes are taken --------------------------------------------------


def calibration_phase(cycle: ReviewCycle) -> CyclePhase | None:
    return CyclePhase.objects.filter(cycle=cycle, kind=Phase.CALIBRATION).first()


def reactions_open(viewer: Viewer, phase: CyclePhase | None, *, now: datetime) -> bool:
    """Reactions are taken until the calibration phase ends where the calibrator lives."""
    if phase is None or viewer.person is None:
        return False
    return cycle_dates.is_open(
        now, ends_on=phase.ends_on, zone=viewer.person.zone, reopened_until=None
    )


def refusal_to_change(participant: CycleParticipant) -> str | None:
    """Why calibration may not change this review now (None when it may)."""
    if participant.cycle.status != ReviewCycle.Status.LAUNCHED:
        return _("This review cycle is closed: its ratings no longer change.")
    if participant.shared_at is not None:
        return _("This review has been shared with the person: its rating no longer changes.")
    # The manager's submit fixes the proposal as the final rating; before it, the
    # proposal is a draft that submitting would copy over any change.
    if participant.final_rating is None:
        return _("The manager has not submitted their proposal yet.")
    return None


# --- the outcome on the review page ----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What calibration made of the manager's proposal, for the review page."""

    proposed_rating: int | None
    proposed_potential: int | None
    final_rating: int | None
    final_potential: int | None
    reason: str  # the latest change's, when the final differs from the proposal

    @property
    def changed(self) -> bool:
        return (self.final_rating, self.final_potential) != (
            self.proposed_rating,
            self.proposed_potential,
        )

    @staticmethod
    def label(rating: int | None) -> str:
        return str(OverallRating(rating).label) if rating else ""

    @property
    def proposed_rating_label(self) -> str:
        return self.label(self.proposed_rating)

    @property
    def final_rating_label(self) -> str:
        return self.label(self.final_rating)

    @property
    def proposed_potential_label(self) -> str:
        return str(Potential(self.proposed_potential).label) if self.proposed_potential else ""

    @property
    def final_potential_label(self) -> str:
        return str(Potential(self.final_potential).label) if self.final_potential else ""


def outcome_for(participant: CycleParticipant, relationship: str) -> Outcome | None:
    """The proposal, the final rating and the reason, for the manager at the launch (from
    their submitted proposal on) and for the person once the review is shared; None for
    anyone else or before the manager submits. The person never sees the potential (a
    talent-planning judgement for managers and calibrators). No query: it reads the
    participant in hand."""
    if participant.proposed_rating is None or participant.final_rating is None:
        return None  # no proposal, or the manager's still a draft
    if relationship == "self" and participant.shared_at is None:
        return None
    if relationship not in ("self", "manager"):
        return None
    outcome = Outcome(
        proposed_rating=participant.proposed_rating,
        proposed_potential=participant.potential,
        final_rating=_final(participant.final_rating, participant.proposed_rating),
        final_potential=_final(participant.final_potential, participant.potential),
        reason="",
    )
    if relationship == "self":
        # Compare ratings only, so a change of potential alone shows no reason either.
        outcome = Outcome(
            **{**outcome.__dict__, "proposed_potential": None, "final_potential": None}
        )
    if outcome.changed:
        return Outcome(**{**outcome.__dict__, "reason": participant.final_reason})
    return outcome
