"""Reads of goals and check-ins, scoped by the viewer.

Objective visibility:
- public: every signed-in person;
- team: members of the objective's team (a personal objective's team is its owner's),
  plus the owner, the owner's managers and HR admins;
- private: the owner, the owner's managers (the whole chain above) and HR admins.

Check-in visibility: the author, the author's managers (whole chain), the accountability
partner the author chose, and HR admins.

Lists (a person's or a team's goals, the alignment tree, value history) run a fixed number
of queries whatever the number of objectives, key results and updates: key results come
by prefetch, history in one query for all shown key results, hidden ancestors in one
recursive query.

Reads are audited here, not in views: someone else's private objective (with its key
results and value history) and someone else's check-in (text, mood, key-result notes,
comments) leave an entry for every page or answer that shows them (see
``access.audit.audited``). Reading one's own records leaves none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from stride.access.audit import AuditTarget, audit_read, audit_reads, audited, target_of
from stride.access.viewer import Viewer
from stride.goals.models import CheckIn, KeyResult, KeyResultUpdate, Objective
from stride.lib.scoring import Period
from stride.org.goal_results import GoalResult
from stride.org.models import Person, Team
from stride.org.selectors import people_visible_to, subtree_of

V = Objective.Visibility
READ_PRIVATE_OBJECTIVE = "objective.read_private"
READ_CHECKIN = "checkin.read"


def objective_visibility_q(viewer: Viewer, prefix: str = "") -> Q:
    """The filter behind ``objectives_visible_to``, reusable through a relation prefix."""
    if viewer.person is None:
        return Q(pk__in=[])
    if viewer.is_hr_admin:
        return Q()
    me = viewer.person
    own_or_managed = Q(**{f"{prefix}owner__path__startswith": me.path})
    public = Q(**{f"{prefix}visibility": V.PUBLIC})
    team = Q(**{f"{prefix}visibility": V.TEAM})
    if me.team_id is not None:
        team &= Q(**{f"{prefix}team_id": me.team_id}) | Q(
            **{f"{prefix}team__isnull": True, f"{prefix}owner__team_id": me.team_id}
        )
    else:
        team = Q(pk__in=[])
    return public | own_or_managed | team


def is_sensitive_objective(viewer: Viewer, objective: Objective) -> bool:
    """Someone else's private objective: reading it (its key results and history too)
    is audited."""
    return objective.visibility == V.PRIVATE and objective.owner_id != viewer.person_id


def _private_objective_target(viewer: Viewer) -> Callable[[Objective], AuditTarget | None]:
    def target(objective: Objective) -> AuditTarget | None:
        return target_of(objective) if is_sensitive_objective(viewer, objective) else None

    return target


def audit_objectives_read(viewer: Viewer, objectives: Iterable[Objective]) -> None:
    """Audit the objectives a page shows that are someone else's private ones."""
    target = _private_objective_target(viewer)
    found = [t for o in objectives if (t := target(o)) is not None]
    audit_reads(actor=viewer, action=READ_PRIVATE_OBJECTIVE, targets=found)


def objectives_visible_to(viewer: Viewer, *, audit: bool = True) -> QuerySet[Objective]:
    """Objectives the viewer may see, with owner, team and key results loaded.

    Every evaluation audits the private objectives of others it fetched, so each page and
    answer built on this names what it showed. ``audit=False`` is for a caller that shows
    only some of the rows it reads and audits those itself (``audit_objectives_read``)."""
    qs = (
        Objective.objects.filter(objective_visibility_q(viewer))
        .select_related("owner", "team", "parent")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
        )
    )
    if not audit:
        return qs
    return audited(
        qs, actor=viewer, action=READ_PRIVATE_OBJECTIVE, target=_private_objective_target(viewer)
    )


def objective_for_viewer(viewer: Viewer, objective_id: int) -> Objective:
    """One objective, or 404. Someone else's private objective is a sensitive read: each
    look by a manager or HR admin leaves an audit entry (``objectives_visible_to``)."""
    objective = objectives_visible_to(viewer).filter(pk=objective_id).first()
    if objective is None:
        raise Http404
    return objective


def can_edit_objective(viewer: Viewer, objective: Objective) -> bool:
    """The owner, the owner's managers and HR admins may change an objective."""
    return viewer.is_hr_admin or viewer.is_self_or_manager_of(objective.owner)


def may_set_company_objectives(viewer: Viewer) -> bool:
    """Company objectives are set by HR admins and the head of the organisation (someone
    with no manager); keeping one you were given is not restricted."""
    return viewer.is_hr_admin or (viewer.person is not None and viewer.person.manager_id is None)


def objective_for_editor(viewer: Viewer, objective_id: int) -> Objective:
    """The objective if the viewer may edit it; 404 when they may not even see it,
    and also 404 when they may only read it (editing is not theirs to know about)."""
    objective = objective_for_viewer(viewer, objective_id)
    if not can_edit_objective(viewer, objective):
        raise Http404
    return objective


def key_result_for_viewer(viewer: Viewer, key_result_id: int) -> KeyResult:
    kr = (
        KeyResult.objects.select_related("objective__owner", "objective__team")
        .filter(objective_visibility_q(viewer, prefix="objective__"), pk=key_result_id)
        .first()
    )
    if kr is None:
        raise Http404
    if is_sensitive_objective(viewer, kr.objective):
        audit_read(actor=viewer, action="key_result.read_private", target=kr)
    return kr


def key_result_for_editor(viewer: Viewer, key_result_id: int) -> KeyResult:
    kr = key_result_for_viewer(viewer, key_result_id)
    if not can_edit_objective(viewer, kr.objective):
        raise Http404
    return kr


# --- lists of objectives ----------------------------------------------------------------

LEVEL_ORDER: dict[str, int] = {
    Objective.Level.COMPANY: 0,
    Objective.Level.TEAM: 1,
    Objective.Level.PERSONAL: 2,
}
UTC = ZoneInfo("UTC")
# A detail page lists at most this many value updates (newest first).
UPDATES_SHOWN = 500


def period_q(period: Period, *, today: date, prefix: str = "") -> Q:
    """Objectives whose period overlaps ``period``; for "active", those not over by today."""
    if period.start is None or period.end is None:
        return Q(**{f"{prefix}period_end__gte": today})
    return Q(**{f"{prefix}period_start__lte": period.end, f"{prefix}period_end__gte": period.start})


def objectives_listed_for(viewer: Viewer) -> QuerySet[Objective]:
    """``objectives_visible_to`` plus ``parent_visible``: whether the viewer may also see
    the objective each one is aligned to, so no page or API answer names a hidden parent.
    (The check reads the joined parent row: no query per row.)"""
    # Judged on the parent row the query joins anyway, not by a subquery: PostgreSQL may
    # run an EXISTS here as one hashed scan of every visible objective (111k rows at
    # 10,000 people) even when the outer query wants one page.
    parent_q = Q(parent__isnull=False)
    if not viewer.is_hr_admin:
        parent_q &= objective_visibility_q(viewer, prefix="parent__")
    return objectives_visible_to(viewer).annotate(
        parent_visible=Case(When(parent_q, then=Value(True)), default=Value(False))
    )


def with_owner_and_parent_refs(qs: QuerySet[Objective]) -> QuerySet[Objective]:
    """``qs`` reading only the owner's id and name and the parent's id of each objective
    (what a list answers of them) instead of both whole rows: building those two model
    instances per objective was a third of the objectives API's time."""
    owner_rest = [f.name for f in Person._meta.concrete_fields if f.name not in ("id", "name")]
    parent_rest = [f.name for f in Objective._meta.concrete_fields if f.name != "id"]
    return qs.defer(
        *(f"owner__{name}" for name in owner_rest),
        *(f"parent__{name}" for name in parent_rest),
    )


def visible_parent(objective: Objective) -> Objective | None:
    """The parent of an objective read through ``objectives_listed_for``, if visible."""
    if objective.parent_id is None or not getattr(objective, "parent_visible", False):
        return None
    return objective.parent


def objectives_of_person(
    viewer: Viewer, person: Person, period: Period, *, today: date
) -> QuerySet[Objective]:
    """The objectives ``person`` owns that the viewer may see, for ``period``."""
    return (
        objectives_listed_for(viewer)
        .filter(period_q(period, today=today), owner=person)
        .order_by("period_end", "title", "id")
    )


@dataclass
class PersonGoals:
    person: Person
    objectives: list[Objective]


@dataclass
class TeamGoals:
    team: Team
    team_objectives: list[Objective]
    people: list[PersonGoals]
    page: int = 1
    has_next: bool = False


TEAM_PEOPLE_PER_PAGE = 20


def team_goals(
    viewer: Viewer,
    team: Team,
    period: Period,
    *,
    today: date,
    page: int = 1,
    per_page: int = TEAM_PEOPLE_PER_PAGE,
) -> TeamGoals:
    """The team's own objectives and, for one page of its members (by name), their personal
    objectives that the viewer may see. Three queries whatever the size of the team; a team
    of thousands is read a page of people at a time."""
    page = max(1, page)
    members = list(
        Person.objects.filter(team=team)
        .exclude(status=Person.Status.LEFT)
        .order_by("name", "id")[(page - 1) * per_page : page * per_page + 1]
    )
    has_next = len(members) > per_page
    members = members[:per_page]
    objectives = (
        objectives_listed_for(viewer)
        .filter(period_q(period, today=today))
        .filter(
            Q(level=Objective.Level.TEAM, team=team)
            | Q(level=Objective.Level.PERSONAL, owner_id__in=[m.pk for m in members])
        )
        .order_by("period_end", "title", "id")
    )
    team_objectives: list[Objective] = []
    by_person: dict[int, PersonGoals] = {m.pk: PersonGoals(m, []) for m in members}
    for objective in objectives:
        if objective.level == Objective.Level.TEAM:
            team_objectives.append(objective)
        else:
            by_person[objective.owner_id].objectives.append(objective)
    team_objectives.sort(key=lambda o: (o.period_end, o.title.lower(), o.pk))
    return TeamGoals(team, team_objectives, list(by_person.values()), page=page, has_next=has_next)


# --- alignment --------------------------------------------------------------------------


@dataclass
class AlignmentNode:
    objective: Objective
    children: list[AlignmentNode] = field(default_factory=list)
    # Visible personal objectives aligned here, when the tree leaves that level out.
    personal_count: int = 0


@dataclass
class AlignmentTree:
    """Company objectives at the roots; objectives whose nearest visible ancestor is not
    in view (or that align to nothing) in ``unaligned``."""

    roots: list[AlignmentNode]
    unaligned: list[AlignmentNode]
    size: int


def _tree_order(objective: Objective) -> tuple[int, str, int]:
    return (LEVEL_ORDER.get(objective.level, 9), objective.title.lower(), objective.pk)


def _ancestor_links(ids: Iterable[int]) -> dict[int, int | None]:
    """``{id: parent_id}`` for the given objectives and every objective above them, in one
    recursive query. Only ids travel: it places visible objectives under their nearest
    visible ancestor and shows nothing of the hidden ones in between."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = connection.ops.quote_name(Objective._meta.db_table)
    placeholders = ", ".join(["%s"] * len(wanted))
    # Only the table name and placeholders are formatted in; the ids travel as parameters.
    # UNION (not UNION ALL) stops at rows already seen, so a cycle cannot loop forever.
    sql = (
        f"WITH RECURSIVE chain(id, parent_id) AS ("  # noqa: S608
        f" SELECT id, parent_id FROM {table} WHERE id IN ({placeholders})"
        f" UNION SELECT o.id, o.parent_id FROM {table} o JOIN chain c ON o.id = c.parent_id"
        f") SELECT id, parent_id FROM chain"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        return {row[0]: row[1] for row in cursor.fetchall()}


def alignment_tree(
    viewer: Viewer, period: Period, *, today: date, levels: Sequence[str] | None = None
) -> AlignmentTree:
    """Company → team → personal objectives for ``period`` as the viewer may see them.

    A child whose parent is hidden from the viewer (or outside the period) hangs under its
    nearest ancestor that is in view, or among the unaligned. Built from one query of
    visible objectives (plus their key results), and one more for the ids of hidden
    ancestors when there are any: never a query per node."""
    listed = objectives_visible_to(viewer).filter(period_q(period, today=today))
    if levels is not None:
        listed = listed.filter(level__in=levels)
    objectives = sorted(listed, key=_tree_order)
    nodes = {o.pk: AlignmentNode(o) for o in objectives}
    if levels is not None and Objective.Level.PERSONAL not in levels:
        counts = personal_objective_counts(viewer, period, today=today, parent_ids=list(nodes))
        for parent_id, count in counts.items():
            nodes[parent_id].personal_count = count
    links = _ancestor_links(
        o.parent_id for o in objectives if o.parent_id is not None and o.parent_id not in nodes
    )
    roots: list[AlignmentNode] = []
    unaligned: list[AlignmentNode] = []
    for objective in objectives:
        anchor = _nearest_in_view(objective, nodes, links)
        node = nodes[objective.pk]
        if anchor is not None:
            nodes[anchor].children.append(node)
        elif objective.level == Objective.Level.COMPANY:
            roots.append(node)
        else:
            unaligned.append(node)
    # A cycle in the data (which the services refuse, but an import might bring) would
    # leave its members reachable from nowhere; show them rather than lose them.
    reached: set[int] = set()
    stack = [*roots, *unaligned]
    while stack:
        node = stack.pop()
        if node.objective.pk in reached:
            continue
        reached.add(node.objective.pk)
        stack.extend(node.children)
    for objective in objectives:
        if objective.pk not in reached:
            nodes[objective.pk].children = []
            unaligned.append(nodes[objective.pk])
    return AlignmentTree(roots, unaligned, len(objectives))


def personal_objective_counts(
    viewer: Viewer, period: Period, *, today: date, parent_ids: list[int]
) -> dict[int, int]:
    """How many personal objectives the viewer may see are aligned to each of
    ``parent_ids``, for ``period``: one grouped query through the parent index, reading
    only those objectives' children, not every personal objective of the organisation."""
    if not parent_ids:
        return {}
    rows = (
        Objective.objects.filter(
            objective_visibility_q(viewer),
            period_q(period, today=today),
            level=Objective.Level.PERSONAL,
            parent_id__in=parent_ids,
        )
        .values("parent_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["parent_id"]: row["count"] for row in rows}


def _nearest_in_view(
    objective: Objective, nodes: dict[int, AlignmentNode], links: dict[int, int | None]
) -> int | None:
    seen = {objective.pk}
    current = objective.parent_id
    while current is not None and current not in seen:
        if current in nodes:
            return current
        seen.add(current)
        current = links.get(current)
    return None


def objective_alignment(
    viewer: Viewer, objective: Objective
) -> tuple[Objective | None, list[Objective]]:
    """The objective's parent (None when there is none or the viewer may not see it) and
    its children the viewer may see, with their key results, in one query (plus one)."""
    q = Q(parent_id=objective.pk)
    if objective.parent_id is not None:
        q |= Q(pk=objective.parent_id)
    parent: Objective | None = None
    children: list[Objective] = []
    for other in objectives_visible_to(viewer).filter(q).exclude(pk=objective.pk):
        if other.pk == objective.parent_id:
            parent = other
        else:
            children.append(other)
    children.sort(key=_tree_order)
    return parent, children


# --- value history --------------------------------------------------------------------


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def key_result_history(
    viewer: Viewer, objectives: Sequence[Objective], *, zone: ZoneInfo = UTC
) -> dict[int, list[tuple[datetime, Decimal]]]:
    """``{key_result_id: [(at, value), …]}`` for the key results of ``objectives`` (read
    with their key results prefetched), oldest first, limited to each objective's period.

    One query for all of them, however many objectives, key results and updates."""
    owner_of = {kr.pk: o for o in objectives for kr in o.key_results.all()}
    if not owner_of:
        return {}
    since = _day_start(min(o.period_start for o in objectives), zone)
    until = _day_start(max(o.period_end for o in objectives) + timedelta(days=1), zone)
    rows = (
        KeyResultUpdate.objects.filter(
            objective_visibility_q(viewer, prefix="key_result__objective__"),
            key_result_id__in=list(owner_of),
            at__gte=since,
            at__lt=until,
        )
        .order_by("key_result_id", "at", "id")
        .values_list("key_result_id", "at", "value")
    )
    history: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for kr_id, at, value in rows:
        objective = owner_of[kr_id]
        start = _day_start(objective.period_start, zone)
        end = _day_start(objective.period_end + timedelta(days=1), zone)
        if start <= at < end:
            history[kr_id].append((at, value))
    return dict(history)


def _updates_visible_to(viewer: Viewer) -> QuerySet[KeyResultUpdate]:
    """Key-result updates of objectives the viewer may see, each annotated with
    ``checkin_shared``: False when the update was written in a check-in the viewer may not
    read. Its value is the objective's business; its note and confidence belong to the
    check-in, so callers show them only when ``checkin_shared`` (see ``checkin_details``)."""
    readable_checkin = CheckIn.objects.filter(
        checkin_visibility_q(viewer), pk=OuterRef("checkin_id")
    )
    qs = (
        KeyResultUpdate.objects.filter(
            objective_visibility_q(viewer, prefix="key_result__objective__")
        )
        .select_related("author")
        .annotate(
            checkin_shared=Case(
                When(Q(checkin__isnull=True) | Exists(readable_checkin), then=Value(True)),
                default=Value(False),
            )
        )
    )
    # A note and confidence shown from someone else's check-in are that check-in's
    # content: the read is audited against the check-in.
    return audited(qs, actor=viewer, action=READ_CHECKIN, target=_checkin_note_target(viewer))


def _checkin_note_target(viewer: Viewer) -> Callable[[KeyResultUpdate], AuditTarget | None]:
    def target(update: KeyResultUpdate) -> AuditTarget | None:
        if (
            update.checkin_id is None
            or not getattr(update, "checkin_shared", False)
            or update.author_id == viewer.person_id
        ):
            return None
        label = f"{update.author} — key-result note of {update.at:%Y-%m-%d}"
        return ("goals.checkin", str(update.checkin_id), label)

    return target


def checkin_details(update: KeyResultUpdate) -> tuple[str, int | None, int | None]:
    """(note, confidence, check-in id) of an update as its viewer may see them."""
    if update.checkin_id is None or getattr(update, "checkin_shared", False):
        return update.note, update.confidence, update.checkin_id
    return "", None, None


def key_result_updates_of_objective(
    viewer: Viewer, objective: Objective, *, limit: int = UPDATES_SHOWN
) -> list[KeyResultUpdate]:
    """The value updates of an objective's key results, newest first, with their authors;
    notes and confidence from check-ins the viewer may not read are blanked."""
    updates = list(
        _updates_visible_to(viewer)
        .filter(key_result__objective_id=objective.pk)
        .order_by("-at", "-id")[:limit]
    )
    for update in updates:
        # Only in memory, for display; these objects are never saved.
        update.note, update.confidence, update.checkin_id = checkin_details(update)
    return updates


def key_result_updates(viewer: Viewer, key_result: KeyResult) -> QuerySet[KeyResultUpdate]:
    """One key result's history, oldest first (the key result read through a selector).
    Show notes and confidence through ``checkin_details``."""
    return _updates_visible_to(viewer).filter(key_result_id=key_result.pk).order_by("at", "id")


# --- choices for the goal form ------------------------------------------------------------


def parent_choices(
    viewer: Viewer, *, today: date, owner: Person | None, editing: Objective | None = None
) -> QuerySet[Objective]:
    """What an objective may align to: visible company and team objectives, and visible
    personal objectives of its owner and the owner's managers, whose period has not ended
    (plus the current parent of the objective being edited, while visible). The service
    applies the same rule to any input (``services._may_align_to``)."""
    allowed = Q(level__in=[Objective.Level.COMPANY, Objective.Level.TEAM])
    if owner is not None:
        allowed |= Q(owner_id__in=[*owner.ancestor_ids, owner.pk])
    allowed &= Q(period_end__gte=today)
    if editing is not None and editing.parent_id is not None:
        allowed |= Q(pk=editing.parent_id)
    qs = (
        Objective.objects.filter(objective_visibility_q(viewer))
        .filter(allowed)
        .select_related("owner")
        .annotate(
            level_order=Case(
                *(When(level=level, then=Value(order)) for level, order in LEVEL_ORDER.items()),
                default=Value(9),
            )
        )
        .order_by("level_order", "title", "id")
    )
    if editing is not None:
        qs = qs.exclude(pk=editing.pk)
    # The choices name objectives by title: a private one of someone else is a read.
    return audited(
        qs, actor=viewer, action=READ_PRIVATE_OBJECTIVE, target=_private_objective_target(viewer)
    )


def owner_choices(viewer: Viewer) -> QuerySet[Person]:
    """Whom the viewer may set objectives for: HR admins anyone still here; managers
    themselves and their reporting subtree; everyone else only themselves."""
    if viewer.person is None:
        return Person.objects.none()
    if viewer.is_hr_admin:
        qs = people_visible_to(viewer)
    else:
        qs = subtree_of(viewer, viewer.person, include_self=True)
    return qs.exclude(status=Person.Status.LEFT).order_by("name", "id")


def checkin_authors_q(viewer: Viewer) -> Q:
    """A filter for people whose check-ins the viewer may read: themselves and everyone
    below them, those who chose them as accountability partner; HR admins everyone."""
    if viewer.person is None:
        return Q(pk__in=[])
    if viewer.is_hr_admin:
        return Q()
    return viewer.subtree_q() | Q(checkin_preference__partner_id=viewer.person.pk)


def checkin_visibility_q(viewer: Viewer, prefix: str = "") -> Q:
    if viewer.person is None:
        return Q(pk__in=[])
    if viewer.is_hr_admin:
        return Q()
    # Who the viewer may read, as a subquery of people: the check-in table is then reached
    # through its (person, week) index. An OR across joins here made the database scan
    # every check-in (0.9 s for a first-line manager at 10,000 people).
    authors = Person.objects.filter(checkin_authors_q(viewer)).values("pk")
    return Q(**{f"{prefix}person_id__in": authors})


def checkin_read_target(viewer: Viewer) -> Callable[[CheckIn], AuditTarget | None]:
    """Someone else's check-in is a sensitive record; one's own is not."""

    def target(checkin: CheckIn) -> AuditTarget | None:
        return target_of(checkin) if checkin.person_id != viewer.person_id else None

    return target


def checkins_visible_to(viewer: Viewer, *, audit: bool = True) -> QuerySet[CheckIn]:
    """Check-ins the viewer may see. Every evaluation audits the ones of others it fetched
    (``values()`` rows are not audited: such callers audit what they show themselves).
    ``audit=False`` is for lookups that show none of the check-in's content."""
    qs = CheckIn.objects.filter(checkin_visibility_q(viewer)).select_related("person")
    if not audit:
        return qs
    return audited(
        qs,
        actor=viewer,
        action=READ_CHECKIN,
        target=checkin_read_target(viewer),
    )


def goal_results(viewer: Viewer, person: Person, start: date, end: date) -> list[GoalResult]:
    """``person``'s objectives overlapping ``start``…``end`` that the viewer may see, with
    progress and status: what a review's goal-results question shows (registered with
    ``stride.org.goal_results``). Two queries: the objectives, their key results."""
    today = timezone.localdate()
    period = Period(key=f"{start.isoformat()}..{end.isoformat()}", start=start, end=end)
    objectives = objectives_of_person(viewer, person, period, today=today).prefetch_related(
        "key_results"
    )
    return [
        GoalResult(
            objective_id=o.pk,
            title=o.title,
            period_start=o.period_start,
            period_end=o.period_end,
            progress=o.progress(),
            status=o.effective_status(today),
        )
        for o in objectives
    ]
