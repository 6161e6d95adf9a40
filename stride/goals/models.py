"""Objectives, key results, their value history, and weekly check-ins.

Invariants kept by ``goals.services`` (never by ``save()``):
- a key result's ``current`` always equals the value of its newest ``KeyResultUpdate``
  (every change of value is appended there, so history and projections are possible);
- one check-in per person per ISO week, ``week_start`` being the Monday of that week in
  the person's own time zone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stride.lib import scoring
from stride.lib.scoring import clamp_progress


class Objective(models.Model):
    class Level(models.TextChoices):
        COMPANY = "company", _("Company")
        TEAM = "team", _("Team")
        PERSONAL = "personal", _("Personal")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        TEAM = "team", _("Team")
        PRIVATE = "private", _("Private")

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")
        ACHIEVED = "achieved", _("Achieved")
        MISSED = "missed", _("Missed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level, default=Level.PERSONAL)
    owner = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        related_name="objectives",
        help_text=_("Who is accountable; for company and team objectives, their lead."),
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("aligned to"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility, default=Visibility.PUBLIC
    )
    # The owner's own reading; achieved/missed are derived from progress and the period.
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ON_TRACK)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_end", "title"]
        indexes = [
            models.Index(fields=["owner", "period_end"], name="objective_owner_period"),
            models.Index(fields=["team", "period_end"], name="objective_team_period"),
            models.Index(fields=["level", "period_end"], name="objective_level_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="objective_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def progress(self) -> float:
        """Weight-normalised mean of the key results' progress, in [0, 1].

        Uses ``key_results.all()`` so callers that prefetched pay no query."""
        krs = self.key_results.all()
        return scoring.weighted_progress((kr.weight, kr.progress()) for kr in krs)

    def effective_status(self, today: date) -> str:
        """Achieved once every key result is reached; missed when the period is over and it
        was not; otherwise the owner's own reading (``stride.lib.scoring`` holds the rule)."""
        return scoring.effective_status(
            progress=self.progress(), status=self.status, period_end=self.period_end, today=today
        )


class KeyResult(models.Model):
    class Kind(models.TextChoices):
        NUMBER = "number", _("Number")
        PERCENT = "percent", _("Percent")
        CURRENCY = "currency", _("Currency")
        MILESTONE = "milestone", _("Milestone")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.NUMBER)
    unit = models.CharField(
        _("unit"),
        max_length=16,
        blank=True,
        help_text=_("ISO currency code for currency key results."),
    )
    start = models.DecimalField(_("start"), max_digits=18, decimal_places=4, default=Decimal(0))
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    current = models.DecimalField(_("current"), max_digits=18, decimal_places=4, default=Decimal(0))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    position = models.PositiveSmallIntegerField(default=0)
    # When the key result was set up: its pace is measured from this moment, not from the
    # period's start (``stride.lib.scoring.objective_health``). Not ``auto_now_add``, so an
    # import or the demo can date it.
    created_at = models.DateTimeField(_("set up at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["objective_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def direction(self) -> str:
        return "decreasing" if self.target < self.start else "increasing"

    def progress(self, value: Decimal | None = None) -> float:
        return clamp_progress(
            start=self.start, target=self.target, current=self.current if value is None else value
        )


class KeyResultUpdate(models.Model):
    """One change of a key result's value. Appended, never edited."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="updates")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey("org.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    checkin = models.ForeignKey(
        "goals.CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="kr_updates"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["key_result_id", "at", "id"]
        indexes = [models.Index(fields=["key_result", "at"], name="krupdate_kr_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__lte=10),
                name="krupdate_confidence_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.value}"


class CheckIn(models.Model):
    class Mood(models.IntegerChoices):
        AWFUL = 1, _("Awful")
        BAD = 2, _("Bad")
        OKAY = 3, _("Okay")
        GOOD = 4, _("Good")
        GREAT = 5, _("Great")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="checkins")
    week_start = models.DateField(help_text=_("Monday of the ISO week, in the person's zone."))
    progress = models.TextField(_("progress"), blank=True)
    plans = models.TextField(_("plans"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    mood = models.PositiveSmallIntegerField(_("mood"), choices=Mood)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-week_start", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "week_start"], name="checkin_one_per_week"),
            models.CheckConstraint(
                condition=models.Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_5"
            ),
        ]
        indexes = [models.Index(fields=["week_start", "person"], name="checkin_week_person")]

    def __str__(self) -> str:
        iso = self.week_start.isocalendar()
        return f"{self.person} — {iso.year}-W{iso.week:02d}"

    @property
    def iso_week(self) -> str:
        iso = self.week_start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"


class CheckInComment(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["checkin_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class CheckInPreference(models.Model):
    """A person's check-in settings: accountability partner and reminder time (local)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    person = models.OneToOneField(
        "org.Person", on_delete=models.CASCADE, related_name="checkin_preference"
    )
    partner = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_of",
        verbose_name=_("accountability partner"),
    )
    reminder_weekday = models.PositiveSmallIntegerField(
        _("reminder day"), choices=Weekday, default=Weekday.FRIDAY
    )
    reminder_time = models.TimeField(_("reminder time"), default="15:00")
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)

    def __str__(self) -> str:
        return f"Check-in settings of {self.person}"
