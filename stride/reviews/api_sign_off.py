"""API: sharing a review and acknowledging it (issue 7, item 9).

Routes join ``stride.reviews.api.router`` (imported at the bottom of that module).
"""

# No ``from __future__ import annotations``: django-ninja reads the handlers' annotations.
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from stride.access.viewer import Viewer
from stride.lib.ids import Id
from stride.reviews import selectors, sign_off
from stride.reviews.api import router
from stride.reviews.models import CycleParticipant
from stride.reviews.schemas import ReviewAcknowledge, ReviewShare


class SignOffOut(Schema):
    review_id: int
    shared_at: datetime | None = Field(description="When the manager shared the review.")
    meeting_at: datetime | None = Field(description="When the review meeting starts.")
    meeting_minutes: int = Field(description="The meeting's length in minutes.")
    acknowledged_at: datetime | None = Field(description="When the person acknowledged it.")
    acknowledgement: str = Field(description="The person's comment on acknowledging.")


def _viewer(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    return viewer


def _out(participant: CycleParticipant) -> dict[str, Any]:
    return {
        "review_id": participant.pk,
        "shared_at": participant.shared_at,
        "meeting_at": participant.meeting_at,
        "meeting_minutes": participant.meeting_minutes,
        "acknowledged_at": participant.acknowledged_at,
        "acknowledgement": participant.acknowledgement,
    }


@router.post(
    "/reviews/{review_id}/share",
    response=SignOffOut,
    summary="Share a review with the person (their manager)",
)
def review_share(request: HttpRequest, review_id: Id, payload: ReviewShare) -> dict[str, Any]:
    """The manager at the launch shares the review, once their review is submitted and
    the cycle's sharing phase has begun, optionally with a meeting; the person gets an
    e-mail with the meeting as a calendar invitation. The person and anyone else get 404;
    sharing again, too early, before submitting, in a closed cycle or with a meeting in
    the past or more than a year ahead answers 409."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    return _out(sign_off.review_share(viewer=viewer, role=role, **payload.model_dump()))


@router.post(
    "/reviews/{review_id}/acknowledge",
    response=SignOffOut,
    summary="Acknowledge your shared review, with an optional comment",
)
def review_acknowledge(
    request: HttpRequest, review_id: Id, payload: ReviewAcknowledge
) -> dict[str, Any]:
    """The person acknowledges their review once it is shared, once (409 before it is
    shared and after acknowledging); their manager and anyone else get 404."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    return _out(sign_off.review_acknowledge(viewer=viewer, role=role, comment=payload.comment))
