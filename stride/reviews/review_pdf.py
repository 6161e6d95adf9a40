"""A review as a PDF, for the person (once shared) and their manager.

It holds what the review page shows its viewer (``selectors.review_packet``): their own
answers, the other party's once both have submitted, goal results, the final rating and
its reason (``sign_off.SignOff.shows_final``) and the acknowledgement. Peer and upward
answers are never in it.

Rendered with fpdf2 (pure Python). Text is set in DejaVu Sans, embedded, when the machine
has it (Debian's ``fonts-dejavu-core``, which covers Latin, Greek and Cyrillic); without
it, in the PDF core font Helvetica, with characters it cannot show replaced by "?", so an
unusual name never breaks the export. Characters neither font has (CJK ideographs in DejaVu)
are left out of the page, not an error.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from stride.reviews.models import OverallRating, Potential, Relationship
from stride.reviews.selectors import QuestionRow, ReviewPacket
from stride.reviews.sign_off import SignOff

logger = logging.getLogger(__name__)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)
FAMILY = "DejaVu"


@cache
def unicode_font() -> tuple[Path, Path] | None:
    """DejaVu Sans and DejaVu Sans Bold, when installed."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def _when(moment: datetime | None, zone: Any) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def review_pdf(packet: ReviewPacket, sign_off: SignOff) -> bytes:
    """The review as its viewer (a party to it) may see it, as PDF bytes."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    participant = packet.role.participant
    person = participant.person
    viewer_is_manager = packet.relationship == Relationship.MANAGER
    zone = participant.manager.zone if viewer_is_manager and participant.manager else person.zone

    pdf = FPDF(format="A4")
    pdf.set_title(_("Review of %(person)s") % {"person": person.name})
    pdf.set_creator("Stride")
    font = unicode_font()
    if font is not None:
        pdf.add_font(FAMILY, "", str(font[0]))
        pdf.add_font(FAMILY, "B", str(font[1]))
        family = FAMILY
    else:
        family = "Helvetica"

    def clean(text: str) -> str:
        if font is not None:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, *, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.multi_cell(
            width, size * 0.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, markdown=False
        )
        pdf.ln(gap)

    def pair(label: str, value: str) -> None:
        if value:
            line(f"{label}: {value}")

    line(_("Review of %(person)s") % {"person": person.name}, size=18, bold=True, gap=3)
    pair(_("Cycle"), participant.cycle.name)
    pair(_("Person"), f"{person.name} <{person.email}>")
    if participant.manager is not None:
        pair(_("Manager"), participant.manager.name)
    pair(_("Shared on"), _when(participant.shared_at, zone))
    pair(_("Meeting"), _when(participant.meeting_at, zone))
    pdf.ln(2)

    def rows(title: str, shown: list[QuestionRow], submitted_at: datetime | None) -> None:
        line(title, size=14, bold=True, gap=1)
        if submitted_at is not None:
            line(_("Submitted on %(day)s") % {"day": _when(submitted_at, zone)}, size=9)
        section = None
        for row in shown:
            question = row.question
            if question.section.title != section:
                section = question.section.title
                line(section, size=12, bold=True, gap=1)
            line(question.prompt, bold=True, gap=0.5)
            answer = row.answer
            rating = answer.get("rating")
            if rating:
                label = next((c.label for c in row.scale if c.value == rating), "")
                line(f"{_('Rating')}: {rating}. {label}".rstrip(". "))
            for item in answer.get("items") or []:
                line(f"• {item}")
            if answer.get("text"):
                line(str(answer["text"]))
            for goal in row.goals:
                line(f"{goal.title} — {round(goal.progress * 100)}% ({goal.status})", size=9)
            if not (rating or answer.get("items") or answer.get("text") or row.goals):
                line(_("Not answered."), size=9)
            pdf.ln(1)

    mine_title = _("Manager's review") if viewer_is_manager else _("Self-assessment")
    other_title = _("Self-assessment") if viewer_is_manager else _("Manager's review")
    rows(mine_title, packet.rows, packet.mine.submitted_at if packet.mine else None)
    if packet.other is not None:
        rows(other_title, packet.other_rows, packet.other.submitted_at)
    else:
        line(other_title + ": " + _("shown once you have both submitted."), size=9)

    if sign_off.shows_final:
        line(_("Outcome"), size=14, bold=True, gap=1)
        final = participant.final_rating
        pair(
            _("Final rating"),
            f"{final}. {OverallRating(final).label}" if final else _("not settled yet"),
        )
        if viewer_is_manager and participant.final_potential:
            pair(_("Final potential"), str(Potential(participant.final_potential).label))
        pair(_("Reason"), participant.final_reason)
    if participant.acknowledged_at is not None:
        line(_("Acknowledgement"), size=14, bold=True, gap=1)
        pair(_("Acknowledged on"), _when(participant.acknowledged_at, zone))
        pair(_("Comment"), participant.acknowledgement)
    return bytes(pdf.output())
