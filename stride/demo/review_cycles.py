"""The demo's review history: two closed cycles and one open, dated from ``today``.

Cycles are created and launched through the review services as the demo's HR admin (so
the participants and upward reviewers are the launch's own snapshot); the answers, peer
nominations, ratings and sign-offs of a whole organisation are then written in bulk
(``stride.lib.bulk``), as the rest of the demo is: the services validate and audit one
answer at a time. employee@'s own self-assessment and manager@'s review of them in the
latest closed cycle go through the services (with ``now`` inside their phase), so the
demo's answers are checked against the template like any user's.

What the demo's people find:

- in the latest closed cycle, employee@'s review has exactly two submitted peer reviews
  (peer@'s and partner@'s; a third peer declined), so its peer section is suppressed;
  manager@'s own review has an upward review from each of their direct reports;
- every participant of a closed cycle has a proposed and final rating and potential, a
  couple changed in calibration with a reason, shared and acknowledged;
- in the open cycle, self-assessment and peer nomination are open, and peer, upward and
  manager reviews are too: employee@ has a self-assessment half written and peers to
  nominate, peer@ is asked to review partner@, manager@ has reviews to write.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from stride.access.viewer import viewer_for_person
from stride.demo import content
from stride.lib.bulk import db_value, insert_rows
from stride.org.models import Person
from stride.reviews import services
from stride.reviews.models import (
    CalibrationReaction,
    CycleParticipant,
    DevelopmentItem,
    Phase,
    QuestionKind,
    RatingChange,
    Relationship,
    ReviewCycle,
    ReviewerAssignment,
    ReviewResponse,
    ReviewTemplate,
    TemplateQuestion,
)

TEMPLATE_NAME = "Annual performance review"
# The demo logins the cycles are arranged around (``stride.demo.generator`` casts them).
LOGINS = ("manager@example.com", "employee@example.com", "peer@example.com", "partner@example.com")
R = Relationship
_APPROVED = ReviewerAssignment.Status.APPROVED


@dataclass(frozen=True)
class CyclePlan:
    name: str
    phases: dict[str, tuple[date, date]]
    closed: bool


def closed_phases(start: date) -> dict[str, tuple[date, date]]:
    """Six weeks and a half of a cycle, starting on ``start``."""
    day = timedelta(days=1)
    return {
        Phase.SELF_ASSESSMENT: (start, start + 13 * day),
        Phase.PEER_NOMINATION: (start, start + 13 * day),
        Phase.PEER_REVIEWS: (start + 7 * day, start + 20 * day),
        Phase.MANAGER_REVIEW: (start + 14 * day, start + 27 * day),
        Phase.CALIBRATION: (start + 28 * day, start + 34 * day),
        Phase.SHARING: (start + 35 * day, start + 48 * day),
    }


def open_phases(today: date) -> dict[str, tuple[date, date]]:
    """A cycle whose answering phases are all open on ``today`` (wherever people live):
    self-assessment and nomination end in five days; peer, upward and manager reviews
    started two days ago."""
    day = timedelta(days=1)
    return {
        Phase.SELF_ASSESSMENT: (today - 9 * day, today + 5 * day),
        Phase.PEER_NOMINATION: (today - 9 * day, today + 5 * day),
        Phase.PEER_REVIEWS: (today - 2 * day, today + 12 * day),
        Phase.MANAGER_REVIEW: (today - 2 * day, today + 19 * day),
        Phase.CALIBRATION: (today + 20 * day, today + 26 * day),
        Phase.SHARING: (today + 27 * day, today + 40 * day),
    }


def plans(today: date) -> list[CyclePlan]:
    """The older closed cycle, the latest closed one, the open one (in launch order)."""
    older = today - timedelta(days=340)
    latest = today - timedelta(days=160)
    return [
        CyclePlan(f"{older.year} annual review", closed_phases(older), closed=True),
        CyclePlan(f"{latest.year} mid-year review", closed_phases(latest), closed=True),
        CyclePlan(f"{today.year} annual review", open_phases(today), closed=False),
    ]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


# --- answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Question:
    id: str
    kind: str
    points: int
    by: frozenset[str]


def _questions(version_id: int) -> list[_Question]:
    rows = TemplateQuestion.objects.filter(section__version_id=version_id).prefetch_related(
        "points"
    )
    return [
        _Question(str(q.pk), q.kind, len(q.points.all()), frozenset(q.answered_by)) for q in rows
    ]


def _answers(
    rng: random.Random, questions: Sequence[_Question], relationship: str, level: int
) -> dict[str, dict[str, Any]]:
    """Believable answers of one reviewer: ratings around ``level`` (1–5), text from the
    demo's phrases, for the questions ``relationship`` answers."""
    texts = content.REVIEW_TEXTS[relationship]
    out: dict[str, dict[str, Any]] = {}
    for q in questions:
        if relationship not in q.by:
            continue
        rating: int | None = None
        text, items = "", []
        if q.kind == QuestionKind.RATING:
            rating = max(1, min(q.points, level + rng.choice((-1, 0, 0, 0, 1))))
        elif q.kind == QuestionKind.COMPETENCY:
            rating = max(1, min(5, level + rng.choice((-1, 0, 0, 1))))
            text = rng.choice(content.REVIEW_COMPETENCY_NOTES) if rng.random() < 0.4 else ""
        elif q.kind == QuestionKind.TEXT:
            text = rng.choice(texts)
        elif q.kind == QuestionKind.IMPROVEMENT_AREAS:
            text = rng.choice(content.REVIEW_IMPROVEMENTS)
        elif q.kind == QuestionKind.LIST:
            items = rng.sample(content.REVIEW_ACCOMPLISHMENTS, 3)
        elif q.kind == QuestionKind.NEXT_GOALS:
            items = rng.sample(content.REVIEW_NEXT_GOALS, 2)
        elif q.kind == QuestionKind.GOAL_RESULTS:
            text = rng.choice(content.REVIEW_GOAL_COMMENTS) if rng.random() < 0.7 else ""
        if rating is not None or text or items:
            out[q.id] = {"rating": rating, "text": text, "items": items}
    return out


class _AnswerPool:
    """A few answer sets per relationship and level, drawn from again and again: a whole
    organisation's answers without building (and serialising) each one afresh."""

    VARIANTS = 8

    def __init__(self, rng: random.Random, questions: Sequence[_Question]) -> None:
        self.rng = rng
        self.questions = questions
        self.sets: dict[tuple[str, int], list[str]] = {}

    def pick(self, relationship: str, level: int) -> str:
        key = (relationship, level)
        if key not in self.sets:
            self.sets[key] = [
                json.dumps(_answers(self.rng, self.questions, relationship, level))
                for _ in range(self.VARIANTS)
            ]
        return self.rng.choice(self.sets[key])


# --- the organisation as the cycles see it ---------------------------------------------------


@dataclass
class _Org:
    ids: dict[str, int]  # demo login e-mail → person id


class _Writer:
    """Rows of one cycle, inserted in bulk at the end."""

    def __init__(self, rng: random.Random, questions: Sequence[_Question]) -> None:
        self.assignments: list[tuple[Any, ...]] = []
        self.responses: list[tuple[Any, ...]] = []
        self.pool = _AnswerPool(rng, questions)
        self.stored: dict[datetime | None, Any] = {}

    def _db(self, value: datetime | None) -> Any:
        if value not in self.stored:
            self.stored[value] = db_value(value)
        return self.stored[value]

    def assign(self, participant: int, reviewer: int, relationship: str, status: str) -> None:
        self.assignments.append((participant, reviewer, relationship, status, ""))

    def respond(
        self,
        participant: int,
        relationship: str,
        author: int,
        level: int,
        submitted: datetime | None,
        updated: datetime,
        answers: dict[str, Any] | None = None,
    ) -> None:
        """A response with answers from the pool at ``level`` (or these ``answers``)."""
        text = self.pool.pick(relationship, level) if answers is None else json.dumps(answers)
        row = (participant, relationship, author, text, self._db(updated), self._db(submitted))
        self.responses.append(row)

    def flush(self, created: datetime) -> None:
        at = db_value(created)
        insert_rows(
            ReviewerAssignment,
            ["participant", "reviewer", "relationship", "status", "decline_reason", "created_at"],
            ((*row, at) for row in self.assignments),
        )
        insert_rows(
            ReviewResponse,
            ["participant", "relationship", "author", "answers", "updated_at", "submitted_at"],
            self.responses,
        )


def _peer_pool(rows: Sequence[tuple[int, int, int | None]]) -> dict[int | None, list[int]]:
    """Person ids under each manager (at the launch)."""
    by_manager: dict[int | None, list[int]] = {}
    for _pk, person, manager in rows:
        by_manager.setdefault(manager, []).append(person)
    return by_manager


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def add_review_cycles(*, hr: Person, today: date, seed: int) -> dict[str, int]:
    """The demo's three cycles on the "Annual performance review" template (see the
    module's docstring). Returns how many cycles and answers were written."""
    viewer = viewer_for_person(hr)
    template = ReviewTemplate.objects.get(name=TEMPLATE_NAME)
    org = _Org(ids=dict(Person.objects.filter(email__in=LOGINS).values_list("email", "pk")))
    written = {"cycles": 0, "responses": 0}
    cycle_plans = plans(today)
    for index, plan in enumerate(cycle_plans):
        cycle = services.cycle_create(
            viewer=viewer,
            name=plan.name,
            template_id=template.pk,
            phases=[
                {"kind": kind, "starts_on": start, "ends_on": end}
                for kind, (start, end) in plan.phases.items()
            ],
            max_peers=5,
        )
        cycle = services.cycle_launch(viewer=viewer, cycle=cycle)
        launched = _at(plan.phases[Phase.SELF_ASSESSMENT][0], 8)
        ReviewCycle.objects.filter(pk=cycle.pk).update(created_at=launched, launched_at=launched)
        rng = random.Random(f"{seed}/reviews/{index}")
        latest_closed = plan.closed and not cycle_plans[index + 1].closed
        if plan.closed:
            written["responses"] += _closed_cycle(
                cycle, plan, rng, org, hr=hr, latest=latest_closed, light=not latest_closed
            )
            ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.CLOSED)
        else:
            written["responses"] += _open_cycle(cycle, plan, rng, org, today=today)
        # Written in bulk, past the services: the progress page's cached counts go too.
        services.work_changed(cycle.pk)
        written["cycles"] += 1
        if latest_closed:
            _development_plan(cycle, org, hr=hr, today=today)
    return written


def _closed_cycle(
    cycle: ReviewCycle,
    plan: CyclePlan,
    rng: random.Random,
    org: _Org,
    *,
    hr: Person,
    latest: bool,
    light: bool,
) -> int:
    questions = _questions(cycle.template_version_id)
    rows = list(
        CycleParticipant.objects.filter(cycle=cycle).values_list("pk", "person_id", "manager_id")
    )
    participant_of = {person: pk for pk, person, _m in rows}
    under = _peer_pool(rows)
    level = {person: rng.choice((2, 3, 3, 3, 4, 4, 5)) for _pk, person, _m in rows}
    phases = plan.phases
    self_at = _at(phases[Phase.SELF_ASSESSMENT][0] + timedelta(days=9))
    peer_at = _at(phases[Phase.PEER_REVIEWS][0] + timedelta(days=8))
    manager_at = _at(phases[Phase.MANAGER_REVIEW][0] + timedelta(days=9))
    employee = org.ids["employee@example.com"]
    manager = org.ids["manager@example.com"]
    peer, partner = org.ids["peer@example.com"], org.ids["partner@example.com"]
    writer = _Writer(rng, questions)
    # Peers: up to three colleagues under the same manager (two in the lighter, older cycle).
    wanted = 2 if light else 3
    for pk, person, boss in rows:
        if latest and person == employee:
            others = [p for p in under[boss] if p not in {employee, peer, partner}]
            writer.assign(pk, peer, R.PEER, _APPROVED)
            writer.assign(pk, partner, R.PEER, _APPROVED)
            if others:  # a third peer was on leave: declined, so two answered
                writer.assignments.append(
                    (pk, others[0], R.PEER, ReviewerAssignment.Status.DECLINED, "On leave then.")
                )
            chosen = [peer, partner]
        else:
            pool = [p for p in under.get(boss, []) if p != person]
            chosen = rng.sample(pool, min(wanted, len(pool)))
            for reviewer in chosen:
                writer.assign(pk, reviewer, R.PEER, _APPROVED)
        for reviewer in chosen:
            writer.respond(pk, R.PEER, reviewer, level[person], peer_at, peer_at)
    # Upward: the launch assigned each participant's direct reports; most answered (all of
    # manager@'s, so their review shows an aggregate).
    upward = ReviewerAssignment.objects.filter(
        participant__cycle=cycle, relationship=R.UPWARD
    ).values_list("participant_id", "participant__person_id", "reviewer_id")
    for pk, person, reviewer in upward:
        if person == manager or rng.random() < (0.6 if light else 0.85):
            writer.respond(pk, R.UPWARD, reviewer, level[person], peer_at, peer_at)
    # Self-assessments and managers' reviews, all submitted (employee@'s through the services).
    for pk, person, boss in rows:
        if latest and person == employee:
            continue
        writer.respond(pk, R.SELF, person, min(5, level[person] + 1), self_at, self_at)
        if boss is not None:
            writer.respond(pk, R.MANAGER, boss, level[person], manager_at, manager_at)
    writer.flush(_at(phases[Phase.PEER_NOMINATION][0], 9))
    count = len(writer.responses)
    if latest:
        count += _employee_review_through_services(
            cycle, participant_of[employee], questions, rng, org, level[employee], phases
        )
    _ratings(cycle, plan, rng, level, org, hr=hr, latest=latest, participant_of=participant_of)
    return count


def _employee_review_through_services(
    cycle: ReviewCycle,
    participant_id: int,
    questions: Sequence[_Question],
    rng: random.Random,
    org: _Org,
    level: int,
    phases: dict[str, tuple[date, date]],
) -> int:
    """employee@'s self-assessment and manager@'s review of it, written as they would be
    (the cycle is still launched when this runs)."""
    participant = CycleParticipant.objects.select_related("cycle__template_version", "person").get(
        pk=participant_id
    )
    for relationship, email, phase, boost in (
        (R.SELF, "employee@example.com", Phase.SELF_ASSESSMENT, 1),
        (R.MANAGER, "manager@example.com", Phase.MANAGER_REVIEW, 0),
    ):
        viewer = viewer_for_person(Person.objects.get(pk=org.ids[email]))
        now = _at(phases[phase][0] + timedelta(days=8), 14)
        answers = _answers(rng, questions, relationship, min(5, level + boost))
        # The manager proposes what ``_ratings`` later writes for everyone (it overwrites).
        proposal = (
            {
                "overall_rating": min(5, level + boost),
                "potential": 2 if participant.cycle.template_version.asks_potential else None,
            }
            if relationship == R.MANAGER
            else {}
        )
        services.review_draft_save(
            viewer=viewer,
            participant=participant,
            relationship=relationship,
            answers=[{"question_id": int(k), **v} for k, v in answers.items()],
            now=now,
            **proposal,
        )
        services.review_submit(
            viewer=viewer, participant=participant, relationship=relationship, now=now
        )
    return 2


def _ratings(
    cycle: ReviewCycle,
    plan: CyclePlan,
    rng: random.Random,
    level: dict[int, int],
    org: _Org,
    *,
    hr: Person,
    latest: bool,
    participant_of: dict[int, int],
) -> None:
    """Proposed and final ratings and potential for everyone; two changed in calibration
    (with their reasons); shared, met about and acknowledged."""
    phases = plan.phases
    groups: dict[tuple[int, int], list[int]] = {}
    for person, pk in participant_of.items():
        potential = rng.choice((1, 2, 2, 2, 3)) if level[person] >= 3 else rng.choice((1, 1, 2))
        groups.setdefault((level[person], potential), []).append(pk)
    sharing = phases[Phase.SHARING][0]
    common = {
        "shared_at": _at(sharing + timedelta(days=1), 9),
        "meeting_at": _at(sharing + timedelta(days=3), 14),
        "acknowledged_at": _at(sharing + timedelta(days=5), 11),
    }
    for (rating, potential), pks in groups.items():
        for chunk in _chunks(pks):
            CycleParticipant.objects.filter(pk__in=chunk).update(
                proposed_rating=rating,
                potential=potential,
                final_rating=rating,
                final_potential=potential,
                **common,
            )
    CycleParticipant.objects.filter(pk=participant_of[org.ids["employee@example.com"]]).update(
        acknowledgement=rng.choice(content.REVIEW_ACKNOWLEDGEMENTS)
    )
    calibrated = _at(phases[Phase.CALIBRATION][0] + timedelta(days=2), 15)
    changes = content.REVIEW_RATING_CHANGES if latest else content.REVIEW_RATING_CHANGES[:1]
    for email, (step, reason) in zip(
        ("partner@example.com", "peer@example.com"), changes, strict=False
    ):
        pk = participant_of[org.ids[email]]
        row = CycleParticipant.objects.get(pk=pk)
        before = row.proposed_rating or 3
        after = max(1, min(5, before + step))
        if after == before:
            after = before - 1 if before > 1 else before + 1
        RatingChange.objects.create(
            participant=row,
            changed_by=hr,
            from_rating=before,
            to_rating=after,
            from_potential=row.potential,
            to_potential=row.potential,
            reason=reason,
        )
        CycleParticipant.objects.filter(pk=pk).update(final_rating=after, final_reason=reason)
    RatingChange.objects.filter(participant__cycle=cycle).update(created_at=calibrated)
    if latest:
        reactions = [
            CalibrationReaction(
                participant_id=participant_of[org.ids[email]],
                calibrator=hr,
                reaction=reaction,
                comment=comment,
            )
            for email, reaction, comment in content.REVIEW_REACTIONS
        ]
        CalibrationReaction.objects.bulk_create(reactions)
        CalibrationReaction.objects.filter(participant__cycle=cycle).update(updated_at=calibrated)


def _open_cycle(
    cycle: ReviewCycle, plan: CyclePlan, rng: random.Random, org: _Org, *, today: date
) -> int:
    """Work under way: about half the self-assessments submitted, peers chosen and approved
    for everyone but employee@ (who nominates today), some peer and upward reviews in."""
    questions = _questions(cycle.template_version_id)
    rows = list(
        CycleParticipant.objects.filter(cycle=cycle).values_list("pk", "person_id", "manager_id")
    )
    under = _peer_pool(rows)
    employee = org.ids["employee@example.com"]
    peer, partner = org.ids["peer@example.com"], org.ids["partner@example.com"]
    logins = set(org.ids.values())
    yesterday = _at(today - timedelta(days=1), 11)
    writer = _Writer(rng, questions)
    for pk, person, boss in rows:
        level = rng.choice((2, 3, 3, 4, 4, 5))
        if person == employee:
            # Half written: the accomplishments and a rating, saved as a draft.
            draft = _answers(rng, questions, R.SELF, level)
            kept = dict(list(draft.items())[:3])
            writer.respond(pk, R.SELF, person, level, None, yesterday, answers=kept)
            continue
        if person not in logins and rng.random() < 0.5:
            writer.respond(pk, R.SELF, person, level, yesterday, yesterday)
        pool = [p for p in under.get(boss, []) if p != person]
        if person == partner:
            chosen = [peer, *[p for p in pool if p not in {peer, employee}][:2]]
        else:
            chosen = rng.sample(pool, min(3, len(pool)))
        for reviewer in chosen:
            writer.assign(pk, reviewer, R.PEER, _APPROVED)
            if reviewer not in logins and rng.random() < 0.3:
                writer.respond(pk, R.PEER, reviewer, level, yesterday, yesterday)
    writer.flush(_at(plan.phases[Phase.PEER_NOMINATION][0] + timedelta(days=2), 9))
    return len(writer.responses)


def _development_plan(cycle: ReviewCycle, org: _Org, *, hr: Person, today: date) -> None:
    """employee@'s development plan, agreed after the latest closed cycle."""
    employee = org.ids["employee@example.com"]
    manager = org.ids["manager@example.com"]
    DevelopmentItem.objects.bulk_create(
        DevelopmentItem(
            person_id=employee,
            cycle=cycle,
            growth_area=area,
            actions=actions,
            due_on=today + timedelta(days=days),
            status=status,
            created_by_id=manager,
        )
        for area, actions, days, status in content.REVIEW_DEVELOPMENT_ITEMS
    )
    DevelopmentItem.objects.filter(person_id=employee).update(
        created_at=timezone.now() - timedelta(days=120)
    )
