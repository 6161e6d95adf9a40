"""Pages of sharing and sign-off: share, acknowledge, the meeting invitation, the PDF, and
the cycle's results for HR.

The share and acknowledge forms live on the review page (``reviews/includes/
sign_off.html``); they post here and come back to it, with what went wrong as a message
at the top. Who may do what is decided by ``selectors.review_for_viewer`` (the parties)
and the services in ``sign_off`` (404 for the wrong party, 409-style refusals otherwise).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from stride.access.viewer import Viewer
from stride.lib.exports import csv_bytes, xlsx_bytes
from stride.lib.input import InvalidInput, parse, problems_from_django
from stride.reviews import results, selectors, sign_off
from stride.reviews.review_pdf import review_pdf
from stride.reviews.schemas import ReviewAcknowledge, ReviewShare

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    return viewer


def sign_off_context(packet: selectors.ReviewPacket, *, now: datetime) -> dict[str, Any]:
    """What ``reviews/includes/sign_off.html`` needs, for the review page's parties (not
    for a peer's or report's request page)."""
    if packet.relationship in selectors.ANONYMOUS:
        return {}
    return {"sign_off": sign_off.sign_off_for(packet.role, now=now)}


def _local_moment(text: str, zone: Any) -> str:
    """A ``datetime-local`` field's value (no offset) as the moment it names where the
    manager lives, written with its offset for the schema; anything else as sent, for the
    schema to refuse with its message."""
    text = text.strip()
    if not text:
        return ""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        return text
    if naive.tzinfo is not None:
        return text
    return naive.replace(tzinfo=zone).isoformat()


def _problems(exc: InvalidInput | ValidationError) -> list[str]:
    problems = exc.problems if isinstance(exc, InvalidInput) else problems_from_django(exc)
    return [p.msg for p in problems]


@login_required
@require_POST
def review_share(request: HttpRequest, review_id: int) -> HttpResponse:
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    zone = viewer.require_person().zone
    meeting = _local_moment(request.POST.get("meeting_at", ""), zone)
    data: dict[str, Any] = {"meeting_at": meeting or None}
    minutes = request.POST.get("meeting_minutes", "").strip()
    if minutes:
        data["meeting_minutes"] = minutes
    try:
        parsed = parse(ReviewShare, data)
        sign_off.review_share(viewer=viewer, role=role, **parsed.model_dump())
    except (InvalidInput, ValidationError) as exc:
        for text in _problems(exc):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Shared with %(name)s: they will get an e-mail.")
            % {"name": role.participant.person.name},
        )
    return redirect("reviews:review", review_id=review_id)


@login_required
@require_POST
def review_acknowledge(request: HttpRequest, review_id: int) -> HttpResponse:
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    try:
        parsed = parse(ReviewAcknowledge, {"comment": request.POST.get("comment", "")})
        sign_off.review_acknowledge(viewer=viewer, role=role, comment=parsed.comment)
    except (InvalidInput, ValidationError) as exc:
        for text in _problems(exc):
            messages.error(request, text)
    else:
        messages.success(request, _("Acknowledged: your manager will see it."))
    return redirect("reviews:review", review_id=review_id)


def ics_response(participant: Any) -> HttpResponse:
    response = HttpResponse(
        sign_off.meeting_ics(participant), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{sign_off.meeting_filename(participant)}"'
    )
    return response


@login_required
@require_safe
def review_meeting(request: HttpRequest, review_id: int) -> HttpResponse:
    """The review meeting's invitation: for the manager, and for the person once shared."""
    role = selectors.review_for_viewer(_viewer(request), review_id)
    return ics_response(sign_off.meeting_for_viewer(role))


@login_required
@require_safe
def review_pdf_download(request: HttpRequest, review_id: int) -> HttpResponse:
    """The review as PDF: for the manager, and for the person once shared."""
    viewer = _viewer(request)
    role = sign_off.pdf_for_viewer(selectors.review_for_viewer(viewer, review_id))
    now = timezone.now()
    packet = selectors.review_packet(viewer, role, now=now)
    body = review_pdf(packet, sign_off.sign_off_for(role, now=now))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="review-{review_id}.pdf"'
    return response


def _results(request: HttpRequest, cycle_id: int) -> tuple[Any, list[str], Any]:
    viewer = _viewer(request)
    cycle = selectors.cycle_for_viewer(viewer, cycle_id)
    return cycle, results.results_header(), results.cycle_results(viewer, cycle)


@login_required
@require_safe
def cycle_results_csv(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle's results for HR as CSV, one row per participant."""
    cycle, header, rows = _results(request, cycle_id)
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-results.csv"'
    return response


@login_required
@require_safe
def cycle_results_xlsx(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle's results for HR as an Excel workbook, one row per participant."""
    cycle, header, rows = _results(request, cycle_id)
    response = HttpResponse(xlsx_bytes(_("Results"), header, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-results.xlsx"'
    return response
