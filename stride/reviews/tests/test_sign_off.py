"""Sharing and sign-off: the manager shares (with a meeting as a calendar invitation), the
person acknowledges with a comment, the review exports to PDF and the cycle's results to
CSV and XLSX."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.notify.tests.conftest import CaptureCallbacks, immediate_tasks
from stride.reviews import selectors, services, sign_off
from stride.reviews.models import CycleParticipant, Phase, ReviewerAssignment, ReviewResponse
from stride.testing import Cast, Clock
from stride.testing.reviews import (
    complete_answers,
    launch_cycle,
    make_template,
    submit_self_assessment,
)

pytestmark = pytest.mark.clock
__all__ = ["immediate_tasks"]

MANAGER_WORDS = "Manager words Heron"
SELF_WORDS = "Self words Avocet"
PEER_WORDS = "Peer words Bittern"
REASON = "Calibrated up: shipped the launch"


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def review(cast: Cast, clock: Clock) -> CycleParticipant:
    """Alice's review: both sides submitted, a peer's answer written, a final rating set,
    and the clock on the first day of the sharing phase."""
    cycle = launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])
    participant = cycle.participants.get(person=cast.alice)
    for author, relationship, words in (
        (cast.alice, "self", SELF_WORDS),
        (cast.manager, "manager", MANAGER_WORDS),
    ):
        viewer = cast.viewer(author)
        answers = complete_answers(cycle, relationship, words)
        proposal: dict[str, Any] = (
            {"overall_rating": 4, "potential": 2} if relationship == "manager" else {}
        )
        services.review_draft_save(
            viewer=viewer,
            participant=participant,
            relationship=relationship,
            answers=answers,
            **proposal,
        )
        services.review_submit(viewer=viewer, participant=participant, relationship=relationship)
    # A peer's answer: it must never reach the PDF or the export.
    ReviewerAssignment.objects.create(
        participant=participant,
        reviewer=cast.bob,
        relationship="peer",
        status=ReviewerAssignment.Status.APPROVED,
    )
    ReviewResponse.objects.create(
        participant=participant,
        relationship="peer",
        author=cast.bob,
        answers={"1": {"rating": None, "text": PEER_WORDS, "items": []}},
        submitted_at=clock.now,
    )
    CycleParticipant.objects.filter(pk=participant.pk).update(
        proposed_rating=3, potential=2, final_rating=4, final_potential=3, final_reason=REASON
    )
    sharing = cycle.phases.get(kind=Phase.SHARING)
    clock.move_to(
        datetime.combine(sharing.starts_on, datetime.min.time(), UTC) + timedelta(hours=9)
    )
    return CycleParticipant.objects.get(pk=participant.pk)


def role_of(cast: Cast, person: Any, review: CycleParticipant) -> selectors.ReviewRole:
    return selectors.review_for_viewer(cast.viewer(person), review.pk)


def meeting_time() -> datetime:
    from django.utils import timezone

    return (timezone.now() + timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)


# --- services ------------------------------------------------------------------------------


def test_sharing_sets_the_meeting_audits_and_refuses_a_second_time(
    cast: Cast, review: CycleParticipant
) -> None:
    at = meeting_time()
    sign_off.review_share(
        viewer=cast.viewer(cast.manager),
        role=role_of(cast, cast.manager, review),
        meeting_at=at,
        meeting_minutes=45,
    )
    review.refresh_from_db()
    assert review.shared_at is not None and review.meeting_at == at
    assert review.meeting_minutes == 45
    entry = AuditEntry.objects.get(action="review.share")
    assert entry.actor_id == cast.manager.pk and entry.target_id == str(review.pk)
    with pytest.raises(ValidationError, match="already shared"):
        sign_off.review_share(
            viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, review)
        )


def test_the_person_cannot_share_and_nobody_shares_before_the_sharing_phase(
    cast: Cast, review: CycleParticipant, clock: Clock
) -> None:
    with pytest.raises(Http404):
        sign_off.review_share(
            viewer=cast.viewer(cast.alice), role=role_of(cast, cast.alice, review)
        )
    clock.move_to(clock_now_minus(days=10))
    with pytest.raises(ValidationError, match="sharing phase begins"):
        sign_off.review_share(
            viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, review)
        )
    assert CycleParticipant.objects.get(pk=review.pk).shared_at is None


def clock_now_minus(*, days: int) -> datetime:
    from django.utils import timezone

    return timezone.now() - timedelta(days=days)


def test_a_meeting_in_the_past_is_refused(cast: Cast, review: CycleParticipant) -> None:
    with pytest.raises(ValidationError, match="still ahead"):
        sign_off.review_share(
            viewer=cast.viewer(cast.manager),
            role=role_of(cast, cast.manager, review),
            meeting_at=clock_now_minus(days=1),
        )


def test_sharing_needs_the_managers_review_submitted(cast: Cast, clock: Clock) -> None:
    cycle = launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])
    submit_self_assessment(cast, cycle, cast.bob)
    participant = cycle.participants.get(person=cast.bob)
    sharing = cycle.phases.get(kind=Phase.SHARING)
    clock.move_to(
        datetime.combine(sharing.starts_on, datetime.min.time(), UTC) + timedelta(hours=9)
    )
    with pytest.raises(ValidationError, match="Submit your review first"):
        sign_off.review_share(
            viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, participant)
        )


def test_acknowledging_once_with_a_comment_audited_without_the_words(
    cast: Cast, review: CycleParticipant
) -> None:
    alice = cast.viewer(cast.alice)
    with pytest.raises(ValidationError, match="not shared"):
        sign_off.review_acknowledge(viewer=alice, role=role_of(cast, cast.alice, review))
    sign_off.review_share(
        viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, review)
    )
    with pytest.raises(Http404):
        sign_off.review_acknowledge(
            viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, review)
        )
    sign_off.review_acknowledge(
        viewer=alice, role=role_of(cast, cast.alice, review), comment="Fair, thanks Plover"
    )
    review.refresh_from_db()
    assert review.acknowledged_at is not None and review.acknowledgement == "Fair, thanks Plover"
    entry = AuditEntry.objects.get(action="review.acknowledge")
    assert entry.actor_id == cast.alice.pk
    assert "Plover" not in json.dumps(entry.changes)
    with pytest.raises(ValidationError, match="already acknowledged"):
        sign_off.review_acknowledge(viewer=alice, role=role_of(cast, cast.alice, review))


# --- the e-mail and the invitation ---------------------------------------------------------


def test_the_person_gets_an_email_with_the_meeting_invitation_through_the_outbox(
    cast: Cast,
    review: CycleParticipant,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    at = meeting_time()
    with django_capture_on_commit_callbacks(execute=True):
        sign_off.review_share(
            viewer=cast.viewer(cast.manager),
            role=role_of(cast, cast.manager, review),
            meeting_at=at,
            meeting_minutes=60,
        )
    sent = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(sent) == 1
    message = sent[0].message()
    assert "Walk cycle" in sent[0].subject
    assert "Mia Manager has shared your review" in sent[0].body
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == f"review-{review.pk}-meeting.ics"
    ics = part.get_payload(decode=True).decode()
    assert "METHOD:REQUEST" in ics
    assert f"UID:review-{review.pk}@" in ics
    start = at.astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in ics
    assert f"DTEND:{start + timedelta(minutes=60):%Y%m%dT%H%M%S}Z" in ics
    unfolded = ics.replace("\r\n ", "")
    assert 'ORGANIZER;CN="Mia Manager":mailto:manager@example.com' in unfolded
    assert "mailto:alice@example.com" in unfolded and "ATTENDEE" in unfolded
    # Sent once: the delivery is recorded once per review.
    from stride.notify.models import Delivery

    assert (
        Delivery.objects.filter(key=sign_off.shared_key(review.pk), sent_at__isnull=False).count()
        == 1
    )


def test_without_a_meeting_the_email_has_no_invitation(
    cast: Cast,
    review: CycleParticipant,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sign_off.review_share(
            viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, review)
        )
    (sent,) = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert not [p for p in sent.message().walk() if p.get_content_type() == "text/calendar"]


def test_a_long_non_latin_name_is_folded_and_escaped_in_the_invitation(
    cast: Cast, review: CycleParticipant
) -> None:
    CycleParticipant.objects.filter(pk=review.pk).update(
        meeting_at=meeting_time(), shared_at=meeting_time()
    )
    review = CycleParticipant.objects.select_related("person", "manager", "cycle").get(pk=review.pk)
    review.person.name = "Zoë Ångström, 李雷; Ωmega " * 4
    ics = sign_off.meeting_ics(review).decode()
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    assert "Zoë Ångström\\, 李雷\\; Ωmega" in ics.replace("\r\n ", "")


# --- pages -----------------------------------------------------------------------------------


def test_manager_shares_on_the_page_and_the_person_acknowledges(
    cast: Cast, review: CycleParticipant
) -> None:
    url = reverse("reviews:review", args=[review.pk])
    manager, alice = cast.client(cast.manager), cast.client(cast.alice)
    page = manager.get(url).content.decode()
    assert "Share with Alice Report" in page and "disabled" not in page.split("Share with")[0][-80:]
    assert "Final, after calibration" in page and REASON in page
    before = alice.get(url).content.decode()
    assert "has not shared this review with you yet" in before
    assert REASON not in before and "Final, after calibration" not in before
    assert alice.get(reverse("reviews:pdf", args=[review.pk])).status_code == 404

    shared = manager.post(
        reverse("reviews:share", args=[review.pk]),
        {"meeting_at": "2027-01-05T10:30", "meeting_minutes": "45"},
        follow=True,
    ).content.decode()
    assert "Shared with Alice Report" in shared and "Shared on" in shared
    review.refresh_from_db()
    # 10:30 where the manager lives.
    assert review.meeting_at == datetime(2027, 1, 5, 10, 30, tzinfo=cast.manager.zone)
    assert "Jan. 5, 2027 at 10:30 (Europe/Berlin), 45 minutes." in shared

    again = manager.post(reverse("reviews:share", args=[review.pk]), {}, follow=True)
    assert "already shared" in again.content.decode()

    after = alice.get(url).content.decode()
    assert "Final, after calibration" in after and REASON in after and "Acknowledge" in after
    assert reverse("reviews:meeting", args=[review.pk]) in after
    alice.post(reverse("reviews:acknowledge", args=[review.pk]), {"comment": "Fair <b>Plover</b>"})
    seen = manager.get(url).content.decode()
    assert "Acknowledged on" in seen and "Fair &lt;b&gt;Plover&lt;/b&gt;" in seen


def test_a_bad_meeting_length_is_shown_and_nothing_is_shared(
    cast: Cast, review: CycleParticipant
) -> None:
    manager = cast.client(cast.manager)
    page = manager.post(
        reverse("reviews:share", args=[review.pk]),
        {"meeting_at": "2027-01-05T10:30", "meeting_minutes": "5"},
        follow=True,
    ).content.decode()
    assert "Enter 15 or more." in page
    assert CycleParticipant.objects.get(pk=review.pk).shared_at is None


def test_the_meeting_file_is_for_the_parties_only(cast: Cast, review: CycleParticipant) -> None:
    url = reverse("reviews:meeting", args=[review.pk])
    assert cast.client(cast.manager).get(url).status_code == 404  # no meeting yet
    sign_off.review_share(
        viewer=cast.viewer(cast.manager),
        role=role_of(cast, cast.manager, review),
        meeting_at=meeting_time(),
    )
    for person in (cast.manager, cast.alice):
        answer = cast.client(person).get(url)
        assert answer["Content-Type"].startswith("text/calendar")
        assert b"BEGIN:VEVENT" in answer.content
    for person in (cast.bob, cast.hr, cast.outsider):
        assert cast.client(person).get(url).status_code == 404


# --- the PDF -----------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_holds_the_review_as_its_viewer_sees_it_and_no_peer_answer(
    cast: Cast, review: CycleParticipant
) -> None:
    from stride.reviews.review_pdf import unicode_font

    type(cast.alice).objects.filter(pk=cast.alice.pk).update(name="Zoë Ångström Ωmega 李雷")
    url = reverse("reviews:pdf", args=[review.pk])
    answer = cast.client(cast.manager).get(url)
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "Zoë Ångström" in text
    if unicode_font() is not None:
        assert "Ωmega" in text
    assert MANAGER_WORDS in text and SELF_WORDS in text
    assert "Exceeds expectations" in text and REASON in text
    assert PEER_WORDS not in text and "Bob" not in text
    # The person, once shared: the same, with the outcome.
    sign_off.review_share(
        viewer=cast.viewer(cast.manager), role=role_of(cast, cast.manager, review)
    )
    mine = pdf_text(cast.client(cast.alice).get(url).content)
    assert "Exceeds expectations" in mine and MANAGER_WORDS in mine and PEER_WORDS not in mine
    for person in (cast.bob, cast.hr, cast.outsider):
        assert cast.client(person).get(url).status_code == 404


# --- the cycle's results ------------------------------------------------------------------------


def test_hr_exports_the_results_as_csv_and_xlsx_without_peer_answers(
    cast: Cast, review: CycleParticipant
) -> None:
    CycleParticipant.objects.filter(pk=review.pk).update(final_reason='=HYPERLINK("x")')
    hr = cast.client(cast.hr)
    cycle_page = hr.get(reverse("reviews:cycle_detail", args=[review.cycle_id])).content.decode()
    csv_url = reverse("reviews:cycle_results_csv", args=[review.cycle_id])
    xlsx_url = reverse("reviews:cycle_results_xlsx", args=[review.cycle_id])
    assert csv_url in cycle_page and xlsx_url in cycle_page
    body = hr.get(csv_url).content.decode("utf-8-sig")
    rows = {r["E-mail"]: r for r in csv.DictReader(io.StringIO(body))}
    alice = rows["alice@example.com"]
    assert alice["Person"] == "Alice Report" and alice["Manager"] == "Mia Manager"
    assert alice["Final rating"] == "4 Exceeds expectations"
    assert alice["Proposed rating"] == "3 Meets expectations"
    assert alice["Final potential"] == "3 High"
    assert alice["Reason"] == '\'=HYPERLINK("x")'
    assert alice["Manager review submitted (UTC)"] and not rows["bob@example.com"]["Final rating"]
    assert PEER_WORDS not in body and "Bob Report" in body  # bob as a participant only
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(hr.get(xlsx_url).content))
    sheet = book["Results"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Person" and len(values) == len(rows) + 1
    assert '\'=HYPERLINK("x")' in values[1] + values[2] + values[3]
    assert AuditEntry.objects.filter(action="review_cycle.results_export").count() == 2
    for person in (cast.manager, cast.alice):
        assert cast.client(person).get(csv_url).status_code == 404


def test_the_results_export_costs_the_same_queries_for_any_cycle_size(
    cast: Cast, review: CycleParticipant
) -> None:
    from stride.testing.builders import add_reports

    hr = cast.client(cast.hr)
    url = reverse("reviews:cycle_results_csv", args=[review.cycle_id])
    hr.get(url)
    with CaptureQueriesContext(connection) as small:
        hr.get(url)
    cycle = launch_cycle(cast, make_template(cast, name="Bigger"), team_ids=[cast.product.pk])
    add_reports(cast.manager, 6, prefix="more")
    bigger = launch_cycle(cast, make_template(cast, name="Biggest"), team_ids=[cast.product.pk])
    assert bigger.participants.count() > cycle.participants.count()
    url = reverse("reviews:cycle_results_csv", args=[bigger.pk])
    with CaptureQueriesContext(connection) as large:
        hr.get(url)
    assert len(large) == len(small)


# --- the API ---------------------------------------------------------------------------------


def test_the_api_shares_and_acknowledges_with_404_409_and_422(
    cast: Cast, review: CycleParticipant
) -> None:
    share = f"/api/v1/reviews/{review.pk}/share"
    acknowledge = f"/api/v1/reviews/{review.pk}/acknowledge"
    manager, alice = cast.client(cast.manager), cast.client(cast.alice)
    assert post_json(alice, share, {}).status_code == 404
    assert post_json(cast.client(cast.bob), share, {}).status_code == 404
    bad = post_json(manager, share, {"meeting_minutes": 500})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "meeting_minutes"
    no_offset = post_json(manager, share, {"meeting_at": "2027-01-05T10:30:00"})
    assert no_offset.status_code == 422
    assert no_offset.json()["detail"][0]["loc"][-1] == "meeting_at"
    early = post_json(acknowledge_client := alice, acknowledge, {})
    assert early.status_code == 409 and "not shared" in early.json()["detail"][0]["msg"]
    at = meeting_time()
    done = post_json(manager, share, {"meeting_at": at.isoformat(), "meeting_minutes": 30})
    assert done.status_code == 200
    assert done.json()["shared_at"] and done.json()["meeting_minutes"] == 30
    assert post_json(manager, share, {}).status_code == 409
    assert post_json(manager, acknowledge, {}).status_code == 404
    ok = post_json(acknowledge_client, acknowledge, {"comment": "  Thanks  "})
    assert ok.status_code == 200 and ok.json()["acknowledgement"] == "Thanks"
    assert post_json(alice, acknowledge, {"comment": "again"}).status_code == 409


def test_the_progress_export_is_formula_safe_too(cast: Cast, review: CycleParticipant) -> None:
    type(cast.alice).objects.filter(pk=cast.alice.pk).update(name="=cmd|' /C calc'!A0")
    body = cast.client(cast.hr).get(reverse("reviews:cycle_export", args=[review.cycle_id]))
    names = [r["name"] for r in csv.DictReader(io.StringIO(body.content.decode()))]
    assert "'=cmd|' /C calc'!A0" in names and "=cmd|' /C calc'!A0" not in names
