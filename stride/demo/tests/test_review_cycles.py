"""The demo's review history: what the demo's people find in the closed and open cycles."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from stride.demo import generator
from stride.demo.generator import generate
from stride.org.models import Person
from stride.reviews import services
from stride.reviews.models import (
    CycleParticipant,
    DevelopmentItem,
    Phase,
    RatingChange,
    ReviewCycle,
    ReviewerAssignment,
    ReviewResponse,
)
from stride.reviews.selectors import answering_questions

TODAY = date(2025, 11, 26)


@pytest.fixture
def demo(db: None) -> generator.Summary:
    return generate(seed=7, people=40, weeks=2, today=TODAY)


def _pk(email: str) -> int:
    return Person.objects.get(email=email).pk


def _latest_closed() -> ReviewCycle:
    return ReviewCycle.objects.filter(status=ReviewCycle.Status.CLOSED).latest("launched_at")


def _review_of(cycle: ReviewCycle, email: str) -> CycleParticipant:
    return CycleParticipant.objects.get(cycle=cycle, person__email=email)


def _submitted(participant: CycleParticipant, relationship: str) -> list[int]:
    return list(
        ReviewResponse.objects.filter(
            participant=participant, relationship=relationship, submitted_at__isnull=False
        ).values_list("author_id", flat=True)
    )


def test_the_demo_has_two_closed_cycles_and_one_open(demo: generator.Summary) -> None:
    cycles = list(ReviewCycle.objects.order_by("launched_at").values_list("name", "status"))
    assert cycles == [
        ("2024 annual review", "closed"),
        ("2025 mid-year review", "closed"),
        ("2025 annual review", "launched"),
    ]
    everyone = Person.objects.count()
    assert all(c.participants.count() == everyone for c in ReviewCycle.objects.all())


def test_employees_latest_closed_review_has_exactly_two_peer_reviews_one_by_peer(
    demo: generator.Summary,
) -> None:
    review = _review_of(_latest_closed(), generator.EMPLOYEE_EMAIL)
    authors = _submitted(review, "peer")
    assert len(authors) == 2
    assert _pk(generator.PEER_EMAIL) in authors
    # A third nominated peer declined, so the two are all there is.
    declined = review.reviewers.get(status=ReviewerAssignment.Status.DECLINED)
    assert declined.decline_reason and declined.reviewer_id not in authors


def test_managers_latest_closed_review_has_an_upward_review_from_each_report(
    demo: generator.Summary,
) -> None:
    review = _review_of(_latest_closed(), generator.MANAGER_EMAIL)
    authors = _submitted(review, "upward")
    reports = set(Person.objects.filter(manager__email=generator.MANAGER_EMAIL).values_list("pk"))
    assert len(authors) >= 3
    assert {(a,) for a in authors} == reports


def test_closed_reviews_are_answered_rated_calibrated_shared_and_acknowledged(
    demo: generator.Summary,
) -> None:
    cycle = _latest_closed()
    employee = _review_of(cycle, generator.EMPLOYEE_EMAIL)
    assert _submitted(employee, "self") == [employee.person_id]
    assert _submitted(employee, "manager") == [_pk(generator.MANAGER_EMAIL)]
    participants = CycleParticipant.objects.filter(cycle=cycle)
    assert not participants.filter(final_rating__isnull=True).exists()
    assert not participants.filter(final_potential__isnull=True).exists()
    assert not participants.filter(proposed_rating__isnull=True).exists()
    assert not participants.filter(acknowledged_at__isnull=True).exists()
    assert employee.acknowledgement
    changes = RatingChange.objects.filter(participant__cycle=cycle)
    assert changes.count() == 2 and all(c.reason for c in changes)
    for change in changes:
        assert change.participant.final_rating == change.to_rating != change.from_rating
        assert change.participant.final_reason == change.reason
    # Every submitted answer set answers each question its relationship must answer.
    for response in ReviewResponse.objects.filter(participant__cycle=cycle):
        questions = answering_questions(cycle.template_version_id, response.relationship)
        missing = [
            q.prompt for q in questions if services._unanswered(q, response.answers.get(str(q.pk)))
        ]
        assert not missing, (response.relationship, missing)


def test_the_open_cycle_gives_the_demo_people_work_today(demo: generator.Summary) -> None:
    cycle = ReviewCycle.objects.get(status=ReviewCycle.Status.LAUNCHED)
    noon = datetime.combine(TODAY, time(12), tzinfo=UTC)
    employee = _review_of(cycle, generator.EMPLOYEE_EMAIL)
    for phase in (Phase.SELF_ASSESSMENT, Phase.PEER_NOMINATION, Phase.PEER_REVIEWS):
        services.require_phase_open(employee, phase, now=noon)  # raises when closed
    services.require_phase_open(employee, Phase.MANAGER_REVIEW, now=noon)
    draft = ReviewResponse.objects.get(participant=employee, relationship="self")
    assert draft.submitted_at is None and draft.answers
    assert not employee.reviewers.filter(relationship="peer").exists()  # to nominate
    asked = ReviewerAssignment.objects.get(
        participant__cycle=cycle,
        reviewer__email=generator.PEER_EMAIL,
        participant__person__email=generator.PARTNER_EMAIL,
    )
    assert asked.status == ReviewerAssignment.Status.APPROVED
    assert not ReviewResponse.objects.filter(
        participant__cycle=cycle, author__email=generator.PEER_EMAIL
    ).exists()


def test_the_employee_has_a_development_plan(demo: generator.Summary) -> None:
    items = DevelopmentItem.objects.filter(person__email=generator.EMPLOYEE_EMAIL)
    assert items.count() == 3
    assert {i.status for i in items} == {"in_progress", "not_started", "done"}
    assert all(i.cycle == _latest_closed() for i in items)
