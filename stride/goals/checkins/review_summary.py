"""The check-in summary a manager's review shows (registered with
``stride.org.checkin_summary``): a fixed number of queries, whatever the history's length
(a review's period is a year: at most 53 weeks are read)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from stride.access.audit import AuditTarget, audit_reads
from stride.access.viewer import Viewer
from stride.goals.models import KeyResultUpdate
from stride.goals.selectors import (
    READ_CHECKIN,
    checkin_authors_q,
    checkins_visible_to,
    objective_visibility_q,
)
from stride.lib.weeks import current_week_start, iso_label, week_start
from stride.org.checkin_summary import (
    HEADLINE_CHARS,
    HEADLINES,
    CheckinHeadline,
    CheckinSummary,
    MoodMonth,
)
from stride.org.models import Person

#: A period longer than this is cut to its last weeks (a review's period is a year).
MAX_WEEKS = 60


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= HEADLINE_CHARS else text[: HEADLINE_CHARS - 1].rstrip() + "…"


def _streaks(weeks: set[date], last: date) -> tuple[int, int]:
    """(the run of weeks ending with ``last`` — or the week before, while ``last``'s is
    still to come —, the longest run)."""
    cursor = last if last in weeks else last - timedelta(weeks=1)
    current = 0
    while cursor in weeks:
        current += 1
        cursor -= timedelta(weeks=1)
    longest = run = 0
    previous: date | None = None
    for week in sorted(weeks):
        run = run + 1 if previous is not None and week - previous == timedelta(weeks=1) else 1
        longest = max(longest, run)
        previous = week
    return current, longest


def review_checkin_summary(
    viewer: Viewer, person: Person, start: date, end: date, now: datetime
) -> CheckinSummary | None:
    """``person``'s check-ins of the weeks from ``start`` (or their hire date) to ``end``
    (or this week, where they live), as ``viewer`` may read them; None when they may not.
    The check-ins whose mood or words it shows are audited as read (one entry)."""
    if person.pk == viewer.person_id or not (
        Person.objects.filter(checkin_authors_q(viewer), pk=person.pk).exists()
    ):
        return None
    first = week_start(max(start, person.hire_date or start))
    last = min(week_start(end), current_week_start(now, person.zone))
    first = max(first, last - timedelta(weeks=MAX_WEEKS - 1))
    expected = (last - first).days // 7 + 1 if last >= first else 0
    rows = list(
        checkins_visible_to(viewer, audit=False)
        .filter(person_id=person.pk, week_start__gte=first, week_start__lte=last)
        .order_by("-week_start")
        .values_list("id", "week_start", "mood", "problems", "plans")
    )
    weeks = {row[1] for row in rows}
    current, longest = _streaks(weeks, last)
    moods: dict[date, list[int]] = defaultdict(list)
    for _id, week, mood, _problems, _plans in rows:
        moods[week.replace(day=1)].append(mood)
    headlines = [
        CheckinHeadline(week, _short(problems), _short(plans))
        for _id, week, _mood, problems, plans in rows
        if problems.strip() or plans.strip()
    ][:HEADLINES]
    updated = (
        KeyResultUpdate.objects.filter(checkin_id__in=[row[0] for row in rows])
        .filter(objective_visibility_q(viewer, prefix="key_result__objective__"))
        .values("key_result_id")
        .distinct()
        .count()
        if rows
        else 0
    )
    shown: list[AuditTarget] = [
        ("goals.checkin", str(checkin_id), f"{person.name} — {iso_label(week)}")
        for checkin_id, week, *_rest in rows
    ]
    audit_reads(actor=viewer, action=READ_CHECKIN, targets=shown)
    return CheckinSummary(
        start=first,
        end=last,
        weeks_expected=expected,
        weeks_checked_in=len(weeks),
        current_streak=current,
        longest_streak=longest,
        mood_months=[
            MoodMonth(month, round(sum(values) / len(values), 1), len(values))
            for month, values in sorted(moods.items())
        ],
        headlines=headlines,
        key_results_updated=updated,
    )
