"""Calibration's writes: calibrators' reactions before the meeting, and rating changes.

Who may call them is decided by ``calibration.calibration_participant`` (404 for anyone
who does not calibrate the review); these functions keep the rules about *when*, write in
one transaction and record the audit entry.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stride.access.audit import audit_write
from stride.reviews.calibration import (
    CalibrationScope,
    calibration_phase,
    reactions_open,
    refusal_to_change,
)
from stride.reviews.models import CalibrationReaction, CycleParticipant, RatingChange


@transaction.atomic
def calibration_react(
    *,
    scope: CalibrationScope,
    participant: CycleParticipant,
    reaction: str,
    comment: str = "",
    now: datetime | None = None,
) -> CalibrationReaction:
    """A calibrator's reaction to the manager's proposal, replacing their earlier one.
    Taken from the proposal until the calibration phase ends (where the calibrator
    lives), and never once the review is shared."""
    viewer = scope.viewer
    refused = refusal_to_change(participant)
    if refused is None and not reactions_open(
        viewer, calibration_phase(participant.cycle), now=now or timezone.now()
    ):
        refused = _("The calibration phase is over: reactions are closed.")
    if refused is not None:
        raise ValidationError({"reaction": refused})
    found, created = CalibrationReaction.objects.update_or_create(
        participant=participant,
        calibrator_id=viewer.person_id,
        defaults={"reaction": reaction, "comment": comment},
    )
    audit_write(
        actor=viewer,
        action="review.calibration.react",
        target=participant,
        changes={"reaction": reaction, "comment": comment, "created": created},
    )
    return found


@transaction.atomic
def calibration_change(
    *,
    scope: CalibrationScope,
    participant: CycleParticipant,
    rating: int,
    potential: int | None,
    reason: str,
) -> RatingChange:
    """Change a review's final rating or potential (``potential`` None keeps it), with a
    reason. Allowed while the cycle is launched and the review not yet shared; the change
    is kept (``RatingChange``), its reason copied to the review for the manager, and
    audited with what it changed from and to."""
    refused = refusal_to_change(participant)
    if refused is not None:
        raise ValidationError({"rating": refused})
    locked = CycleParticipant.objects.select_for_update().get(pk=participant.pk)
    if locked.shared_at is not None:  # shared while the form was open
        raise ValidationError({"rating": refusal_to_change(locked) or ""})
    from_rating = locked.final_rating if locked.final_rating is not None else locked.proposed_rating
    from_potential = (
        locked.final_potential if locked.final_potential is not None else locked.potential
    )
    if potential is not None and not participant.cycle.template_version.asks_potential:
        raise ValidationError({"potential": _("This cycle's template does not ask for potential.")})
    to_potential = potential if potential is not None else from_potential
    if (rating, to_potential) == (from_rating, from_potential):
        raise ValidationError(
            {"rating": _("That is already the final rating and potential: change one of them.")}
        )
    change = RatingChange.objects.create(
        participant=locked,
        changed_by=scope.viewer.person,
        from_rating=from_rating,
        to_rating=rating,
        from_potential=from_potential,
        to_potential=to_potential,
        reason=reason,
    )
    locked.final_rating = rating
    locked.final_potential = to_potential
    locked.final_reason = reason
    locked.save(update_fields=["final_rating", "final_potential", "final_reason"])
    participant.final_rating, participant.final_potential = rating, to_potential
    participant.final_reason = reason
    audit_write(
        actor=scope.viewer,
        action="review.calibration.change",
        target=locked,
        changes={
            "rating": [from_rating, rating],
            "potential": [from_potential, to_potential],
            "reason": reason,
        },
    )
    return change
