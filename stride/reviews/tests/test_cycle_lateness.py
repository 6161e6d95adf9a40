"""HR follows who is late per phase and team, and nudges them: one e-mail through the
outbox, audited, at most once a day per person."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.notify.models import Delivery
from stride.notify.tests.conftest import CaptureCallbacks, immediate_tasks
from stride.reviews import selectors, services
from stride.reviews.models import ReviewCycle
from stride.testing import Cast, Clock
from stride.testing.clock import NOW
from stride.testing.reviews import launch_cycle, make_template, submit_self_assessment

pytestmark = pytest.mark.clock
__all__ = ["immediate_tasks"]


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    return launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])


def test_progress_counts_submitted_and_late_self_assessments_per_team(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    submit_self_assessment(cast, cycle, cast.alice)
    [before] = selectors.cycle_progress(cycle, now=NOW)
    assert (before.self_submitted, before.self_late) == (1, 0)
    clock.move_to(NOW + timedelta(days=8))
    [after] = selectors.cycle_progress(cycle, now=NOW + timedelta(days=8))
    assert (after.participants, after.self_submitted, after.self_late) == (4, 1, 3)
    client = cast.client(cast.hr)
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.pk])).content.decode()
    assert "<strong>3</strong>" in page and "Nudge" in page
    detail = client.get(f"/api/v1/review-cycles/{cycle.pk}").json()
    assert detail["progress"]["by_team"][0]["self_late"] == 3
    export = client.get(reverse("reviews:cycle_export", args=[cycle.pk])).content.decode()
    statuses = {
        r["email"]: r["self_assessment_status"] for r in csv.DictReader(io.StringIO(export))
    }
    assert statuses["alice@example.com"] == "submitted"
    assert statuses["bob@example.com"] == "late"


def test_a_nudge_sends_one_email_is_audited_and_waits_a_day(
    cast: Cast,
    cycle: ReviewCycle,
    clock: Clock,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    clock.move_to(NOW + timedelta(days=8))
    bob = selectors.participant_to_nudge(
        cast.viewer(cast.hr), cycle.participants.get(person=cast.bob).pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client(cast.hr).post(
            reverse("reviews:participant_nudge", args=[bob.pk]), {"phase": "self_assessment"}
        )
    assert response.status_code == 302
    [sent] = [m for m in mail.outbox if m.to == ["bob@example.com"]]
    assert "HR reminds you that your self-assessment" in sent.body
    assert AuditEntry.objects.filter(action="review_cycle.nudge", actor=cast.hr).count() == 1
    # The same day: refused (by page and API alike); nothing more is queued.
    with pytest.raises(ValidationError, match="already nudged today"):
        services.participant_nudge(
            viewer=cast.viewer(cast.hr), participant=bob, phase="self_assessment"
        )
    again = cast.client(cast.hr).post(
        f"/api/v1/review-participants/{bob.pk}/nudges",
        data=json.dumps({"phase": "self_assessment"}),
        content_type="application/json",
    )
    assert again.status_code == 409
    assert Delivery.objects.filter(person=cast.bob, key__startswith="review-nudge:").count() == 1
    clock.move_to(NOW + timedelta(days=9))
    tomorrow = cast.client(cast.hr).post(
        f"/api/v1/review-participants/{bob.pk}/nudges",
        data=json.dumps({"phase": "self_assessment"}),
        content_type="application/json",
    )
    assert tomorrow.status_code == 201 and tomorrow.json()["person_id"] == cast.bob.pk


def test_work_that_is_not_late_cannot_be_nudged(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    hr = cast.viewer(cast.hr)
    alice = selectors.participant_to_nudge(hr, cycle.participants.get(person=cast.alice).pk)
    with pytest.raises(ValidationError, match="not late"):
        services.participant_nudge(viewer=hr, participant=alice, phase="self_assessment")
    submit_self_assessment(cast, cycle, cast.alice)
    clock.move_to(NOW + timedelta(days=8))
    alice = selectors.participant_to_nudge(hr, alice.pk)
    with pytest.raises(ValidationError, match="not late"):
        services.participant_nudge(viewer=hr, participant=alice, phase="self_assessment")
    assert not Delivery.objects.filter(key__startswith="review-nudge:").exists()
