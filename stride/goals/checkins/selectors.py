"""Reads of weekly check-ins, scoped by the viewer.

Who may see a check-in is decided once, in ``goals.selectors.checkin_visibility_q``: the
author, the author's whole manager chain, the accountability partner they chose and HR
admins. A check-in can carry key-result updates of objectives the viewer may *not* see (a
partner and a private objective): those are filtered out here, by
``objective_visibility_q``, wherever a check-in's key-result updates are shown.

Every function here runs a fixed number of queries, whatever the size of the team or the
length of the history (the team page reads one bounded window of check-ins).

Reads of someone else's check-in are audited by ``checkins_visible_to`` each time a page
or an API answer fetches them (one entry naming the check-ins it showed); the team page,
which reads values rather than check-ins, audits the ones whose mood it shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from stride.access.audit import AuditTarget, audit_reads, audited, target_of
from stride.access.viewer import Viewer
from stride.goals.health import ObjectiveHealth, objective_health
from stride.goals.models import CheckIn, CheckInComment, KeyResult, KeyResultUpdate, Objective
from stride.goals.selectors import (
    READ_CHECKIN,
    audit_objectives_read,
    checkin_authors_q,
    checkins_visible_to,
    objective_visibility_q,
    objectives_visible_to,
)
from stride.lib.weeks import current_week_start, iso_label, local_today
from stride.org.models import Person
from stride.org.selectors import people_visible_to, subtree_of

# The team page reads this many weeks of check-ins; a longer streak shows as "26+".
STREAK_WINDOW_WEEKS = 26
MOOD_TREND_WEEKS = 8
# Objectives that ended this recently still show on the team page (so a miss is seen).
RECENTLY_ENDED_DAYS = 28

UTC = ZoneInfo("UTC")


# --- one check-in ---------------------------------------------------------------------


def visible_kr_updates(viewer: Viewer) -> Prefetch[str, QuerySet[KeyResultUpdate], str]:
    """Prefetch a check-in's key-result updates into ``visible_kr_updates``, keeping only
    those of objectives the viewer may see."""
    return Prefetch(
        "kr_updates",
        queryset=KeyResultUpdate.objects.filter(
            objective_visibility_q(viewer, prefix="key_result__objective__")
        )
        .select_related("key_result__objective")
        .order_by("at", "id"),
        to_attr="visible_kr_updates",
    )


def reported_updates(checkin: CheckIn) -> list[KeyResultUpdate]:
    """What the check-in finally says about each key result it mentions (a re-submission
    in the same week appends a newer entry; the newest wins), in key-result order.

    Reads the ``visible_kr_updates`` prefetch, so it costs no query."""
    latest: dict[int, KeyResultUpdate] = {}
    for update in getattr(checkin, "visible_kr_updates", []):
        latest[update.key_result_id] = update
    return sorted(
        latest.values(),
        key=lambda u: (u.key_result.objective_id, u.key_result.position, u.key_result_id),
    )


def checkins_with_details(viewer: Viewer) -> QuerySet[CheckIn]:
    """Check-ins the viewer may see, with the person and the visible key-result updates."""
    return checkins_visible_to(viewer).prefetch_related(visible_kr_updates(viewer))


def checkin_detail_for_viewer(viewer: Viewer, checkin_id: int) -> CheckIn:
    """One check-in with its comments and visible key-result updates, or 404; a read by
    anyone but the author is audited (by ``checkins_visible_to``)."""
    checkin = (
        checkins_with_details(viewer)
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=CheckInComment.objects.select_related("author").order_by(
                    "created_at", "id"
                ),
            )
        )
        .filter(pk=checkin_id)
        .first()
    )
    if checkin is None:
        raise Http404
    return checkin


@dataclass(frozen=True)
class Neighbour:
    """The same person's nearest earlier or later check-in: only its id and week, which
    show none of its content (so fetching it is not an audited read)."""

    checkin_id: int
    week_start: date

    @property
    def label(self) -> str:
        return iso_label(self.week_start)


def neighbours(viewer: Viewer, checkin: CheckIn) -> tuple[Neighbour | None, Neighbour | None]:
    """The check-ins of the same person just before and just after ``checkin`` that the
    viewer may see (weeks without a check-in are skipped). Two queries."""
    same_person = checkins_visible_to(viewer, audit=False).filter(person_id=checkin.person_id)
    earlier = (
        same_person.filter(week_start__lt=checkin.week_start)
        .order_by("-week_start")
        .values_list("pk", "week_start")
        .first()
    )
    later = (
        same_person.filter(week_start__gt=checkin.week_start)
        .order_by("week_start")
        .values_list("pk", "week_start")
        .first()
    )
    return (
        Neighbour(*earlier) if earlier is not None else None,
        Neighbour(*later) if later is not None else None,
    )


def checkin_summary_for_viewer(viewer: Viewer, checkin_id: int) -> CheckIn:
    """One check-in (with its person, nothing else), or 404 when the viewer may not see it.
    It is a lookup that shows none of the check-in's content (to comment on it, or to list
    its comments), so it is not audited; ``comments_for_viewer`` audits what it shows."""
    checkin = checkins_visible_to(viewer, audit=False).filter(pk=checkin_id).first()
    if checkin is None:
        raise Http404
    return checkin


def comments_for_viewer(viewer: Viewer, checkin: CheckIn) -> QuerySet[CheckInComment]:
    """Comments of a check-in the viewer can see (the caller fetched it with a selector).
    The comments on someone else's check-in are part of it: fetching them audits a read
    of that check-in."""
    qs = (
        CheckInComment.objects.filter(checkin_id=checkin.pk)
        .filter(checkin__in=checkins_visible_to(viewer, audit=False).values("pk"))
        .select_related("author")
        .order_by("created_at", "id")
    )
    if checkin.person_id == viewer.person_id:
        return qs
    target = target_of(checkin)
    return audited(qs, actor=viewer, action=READ_CHECKIN, target=lambda _comment: target)


# --- lists ----------------------------------------------------------------------------


def checkin_list(
    viewer: Viewer,
    *,
    person_id: int | None = None,
    week_start: date | None = None,
    shared_with_me: bool = False,
) -> QuerySet[CheckIn]:
    """Check-ins the viewer may see, newest week first, optionally narrowed."""
    qs = checkins_with_details(viewer)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if week_start is not None:
        qs = qs.filter(week_start=week_start)
    if shared_with_me:
        qs = qs.filter(person__checkin_preference__partner_id=viewer.person_id)
    return qs.order_by("-week_start", "person__name", "id")


def my_checkins(viewer: Viewer) -> QuerySet[CheckIn]:
    """The viewer's own check-ins, newest first, with how many comments each has."""
    return (
        checkins_visible_to(viewer)
        .filter(person_id=viewer.require_person().pk)
        .annotate(comment_count=Count("comments"))
        .order_by("-week_start")
    )


def checkin_author_for_viewer(viewer: Viewer, person_id: int) -> Person:
    """The person whose check-ins the viewer may read (themselves, someone below them, one
    who chose them as partner; anyone for HR admins), or 404: for anyone else the person's
    check-in history does not exist, even when it is empty. One query."""
    person = (
        people_visible_to(viewer).filter(checkin_authors_q(viewer)).filter(pk=person_id).first()
    )
    if person is None:
        raise Http404
    return person


def person_checkins(viewer: Viewer, person: Person) -> QuerySet[CheckIn]:
    """One person's check-ins the viewer may see, newest first, with how many comments
    each has; fetching someone else's is an audited read."""
    return (
        checkins_visible_to(viewer)
        .filter(person_id=person.pk)
        .annotate(comment_count=Count("comments"))
        .order_by("-week_start")
    )


def shared_with_me(viewer: Viewer) -> QuerySet[CheckIn]:
    """Check-ins of people who chose the viewer as their accountability partner."""
    return (
        checkins_visible_to(viewer)
        .filter(person__checkin_preference__partner_id=viewer.require_person().pk)
        .exclude(person_id=viewer.require_person().pk)
        .annotate(comment_count=Count("comments"))
        .order_by("-week_start", "person__name", "id")
    )


# --- the check-in form ----------------------------------------------------------------


@dataclass(frozen=True)
class WeekContext:
    """The viewer's current week (in their zone), its check-in if any, and last week's."""

    week_start: date
    today: date
    current: CheckIn | None
    previous: CheckIn | None

    @property
    def label(self) -> str:
        return iso_label(self.week_start)


def week_context(viewer: Viewer, now: datetime) -> WeekContext:
    """This week and last week for the viewer, in one query."""
    person = viewer.require_person()
    this_week = current_week_start(now, person.zone)
    last_week = this_week - timedelta(weeks=1)
    found = {
        c.week_start: c
        for c in checkins_visible_to(viewer).filter(
            person_id=person.pk, week_start__in=[this_week, last_week]
        )
    }
    return WeekContext(
        week_start=this_week,
        today=local_today(now, person.zone),
        current=found.get(this_week),
        previous=found.get(last_week),
    )


@dataclass(frozen=True)
class KeyResultRow:
    """One key result on the check-in form, with what to prefill."""

    key_result: KeyResult
    last_confidence: int | None
    # What this week's check-in already reported, when editing it.
    reported: KeyResultUpdate | None

    @property
    def confidence(self) -> int | None:
        if self.reported is not None and self.reported.confidence is not None:
            return self.reported.confidence
        return self.last_confidence

    @property
    def note(self) -> str:
        return self.reported.note if self.reported is not None else ""


def checkin_form_rows(viewer: Viewer, week: WeekContext) -> list[KeyResultRow]:
    """The key results of the viewer's own active objectives (in period, not closed),
    each with its current value and the last confidence given for it."""
    person = viewer.require_person()
    last_confidence = (
        KeyResultUpdate.objects.filter(key_result=OuterRef("pk"), confidence__isnull=False)
        .order_by("-at", "-id")
        .values("confidence")[:1]
    )
    key_results = (
        KeyResult.objects.filter(
            objective__owner_id=person.pk,
            objective__period_start__lte=week.today,
            objective__period_end__gte=week.today,
        )
        .exclude(objective__status__in=[Objective.Status.ACHIEVED, Objective.Status.MISSED])
        .select_related("objective")
        .annotate(last_confidence=Subquery(last_confidence))
        .order_by("objective__period_end", "objective__title", "objective_id", "position", "id")
    )
    # What this week's check-in (if any) already reported: the same one query whether or
    # not there is one yet, so the page's cost does not depend on the day of the week.
    reported: dict[int, KeyResultUpdate] = {}
    this_week = KeyResultUpdate.objects.filter(
        checkin__person_id=person.pk, checkin__week_start=week.week_start
    ).order_by("at", "id")
    for update in this_week:
        reported[update.key_result_id] = update
    return [
        KeyResultRow(
            key_result=kr,
            last_confidence=kr.last_confidence,
            reported=reported.get(kr.pk),
        )
        for kr in key_results
    ]


# --- the manager's team page ----------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    person: Person
    week_start: date  # this week, in the member's own zone
    checkin_id: int | None  # this week's check-in
    streak: int
    streak_capped: bool
    last_mood: int | None
    last_week_start: date | None
    last_checkin_id: int | None = None  # the latest check-in up to this week

    @property
    def checked_in(self) -> bool:
        return self.checkin_id is not None

    @property
    def week_label(self) -> str:
        return iso_label(self.week_start)

    @property
    def last_week_label(self) -> str:
        return iso_label(self.last_week_start) if self.last_week_start else ""


@dataclass(frozen=True)
class GoalAtRisk:
    objective: Objective
    health: ObjectiveHealth  # ``health.why`` says why it is listed

    @property
    def reason(self) -> str:
        """``owner``, ``missed`` or ``projection`` (``lib.scoring.objective_health``)."""
        return self.health.reason or ""

    @property
    def progress(self) -> float:
        return self.health.health.progress

    @property
    def expected(self) -> float:
        return self.health.expected


@dataclass(frozen=True)
class MoodWeek:
    week_start: date
    mean: float | None
    count: int

    @property
    def label(self) -> str:
        return iso_label(self.week_start)


@dataclass
class TeamStatus:
    whole_subtree: bool
    members: list[TeamMember] = field(default_factory=list)
    at_risk: list[GoalAtRisk] = field(default_factory=list)
    mood_trend: list[MoodWeek] = field(default_factory=list)

    @property
    def checked_in_count(self) -> int:
        return sum(1 for m in self.members if m.checked_in)

    @property
    def has_mood_data(self) -> bool:
        return any(w.count for w in self.mood_trend)


def streak(weeks: set[date], this_week: date) -> int:
    """Consecutive ISO weeks with a check-in, ending this week or, while this week's is
    still to come, last week."""
    cursor = this_week if this_week in weeks else this_week - timedelta(weeks=1)
    count = 0
    while cursor in weeks:
        count += 1
        cursor -= timedelta(weeks=1)
    return count


def objective_risk(objective: Objective, today: date, zone: ZoneInfo) -> GoalAtRisk | None:
    """The objective with its health when it is at risk by the one rule every goal page and
    the API apply (``goals.health``): the owner says at risk or off track, it was missed,
    or its projection misses the target by more than the margin. None otherwise.

    Uses the prefetched key results, so it costs no query."""
    health = objective_health(objective, today=today, zone=zone)
    return GoalAtRisk(objective, health) if health.at_risk else None


def team_status(viewer: Viewer, *, now: datetime, whole_subtree: bool = False) -> TeamStatus:
    """Check-in status of the viewer's direct reports (or whole subtree): who checked in
    this week (each in their own zone), streaks, last mood, goals at risk and the mean
    mood per week over the last eight weeks. Four queries, whatever the team's size or
    the length of its history."""
    me = viewer.require_person()
    result = TeamStatus(whole_subtree=whole_subtree)
    people_qs = subtree_of(viewer, me).exclude(status=Person.Status.LEFT)
    if not whole_subtree:
        people_qs = people_qs.filter(manager_id=me.pk)
    people = list(people_qs.order_by("name", "id"))
    if not people:
        return result
    people_ids = people_qs.values("pk")

    # Any zone's "this week" is within a week of UTC's, so this window covers everyone's.
    window_start = current_week_start(now, UTC) - timedelta(weeks=STREAK_WINDOW_WEEKS + 1)
    weeks_of: dict[int, dict[date, tuple[int, int]]] = defaultdict(dict)
    rows = (
        checkins_visible_to(viewer)
        .filter(person_id__in=people_ids, week_start__gte=window_start)
        .values_list("id", "person_id", "week_start", "mood")
    )
    for checkin_id, person_id, week, mood in rows:
        weeks_of[person_id][week] = (checkin_id, mood)
    names = {p.pk: p.name for p in people}
    shown: list[AuditTarget] = []

    for person in people:
        this_week = current_week_start(now, person.zone)
        mine = weeks_of.get(person.pk, {})
        run = streak(set(mine), this_week)
        last = max((w for w in mine if w <= this_week), default=None)
        if last is not None:
            shown.append(_checkin_target(mine[last][0], names[person.pk], last))
        result.members.append(
            TeamMember(
                person=person,
                week_start=this_week,
                checkin_id=mine[this_week][0] if this_week in mine else None,
                streak=min(run, STREAK_WINDOW_WEEKS),
                streak_capped=run >= STREAK_WINDOW_WEEKS,
                last_mood=mine[last][1] if last is not None else None,
                last_week_start=last,
                last_checkin_id=mine[last][0] if last is not None else None,
            )
        )

    my_week = current_week_start(now, me.zone)
    trend_weeks = [my_week - timedelta(weeks=k) for k in range(MOOD_TREND_WEEKS - 1, -1, -1)]
    moods: dict[date, list[int]] = defaultdict(list)
    in_trend = set(trend_weeks)
    for person_id, mine in weeks_of.items():
        for week, (checkin_id, mood) in mine.items():
            moods[week].append(mood)
            if week in in_trend:
                shown.append(_checkin_target(checkin_id, names[person_id], week))
    # The moods shown (each member's last, and those behind the weekly means) are read
    # from the reports' check-ins: one entry naming them. Streaks show only that a
    # check-in exists.
    audit_reads(actor=viewer, action=READ_CHECKIN, targets=shown)
    result.mood_trend = [
        MoodWeek(
            week_start=week,
            mean=round(sum(moods[week]) / len(moods[week]), 2) if moods[week] else None,
            count=len(moods[week]),
        )
        for week in trend_weeks
    ]

    today = local_today(now, me.zone)
    # Only the goals at risk are shown, so only those are audited.
    objectives = objectives_visible_to(viewer, audit=False).filter(
        owner_id__in=people_ids,
        period_start__lte=today,
        period_end__gte=today - timedelta(days=RECENTLY_ENDED_DAYS),
    )
    result.at_risk = _at_risk(objectives, today, me.zone)
    audit_objectives_read(viewer, (risk.objective for risk in result.at_risk))
    return result


def _checkin_target(checkin_id: int, name: str, week: date) -> AuditTarget:
    # The label a check-in gives itself (``CheckIn.__str__``), without loading it.
    return ("goals.checkin", str(checkin_id), f"{name} — {iso_label(week)}")


def _at_risk(objectives: Iterable[Objective], today: date, zone: ZoneInfo) -> list[GoalAtRisk]:
    found = [risk for o in objectives if (risk := objective_risk(o, today, zone)) is not None]
    # Worst first: missed, then what the owner says is off track or at risk, then what
    # only the projection flags (lowest projection first).
    severity = {"missed": 0, "off_track": 1, "at_risk": 2, "falling_short": 3}
    found.sort(
        key=lambda r: (
            severity.get(r.health.state, 9),
            r.health.projected if r.health.projected is not None else 1.0,
            r.objective.owner.name,
            r.objective.title,
        )
    )
    return found
