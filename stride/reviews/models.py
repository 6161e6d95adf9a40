"""Review templates (versioned), the competency framework, and review cycles.

A template's content lives in its *versions*: sections holding questions, each question
with the relationships that answer it and, for an anchored rating, its scale. A cycle
launches with one version; a version used by a launched cycle is never changed again —
the services copy it into a new version before any edit (``services._editable_version``),
so editing a template never changes a cycle already launched.

The competency framework is one list of competencies. Each describes, for every job level,
what that competency looks like at that level; a competency question is rated on the job
levels, and a person's expected level is their own job level.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """Who answers a question about the person reviewed."""

    SELF = "self", _("Self")
    MANAGER = "manager", _("Manager")
    PEER = "peer", _("Peer")
    UPWARD = "upward", _("Direct report (upward)")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Anchored rating")
    TEXT = "text", _("Text")
    LIST = "list", _("List (accomplishments)")
    COMPETENCY = "competency", _("Competency rating")
    GOAL_RESULTS = "goal_results", _("Goal results")
    IMPROVEMENT_AREAS = "improvement_areas", _("Areas to improve")
    NEXT_GOALS = "next_goals", _("Goals for the next period")


#: Kinds whose answer is a rating and so counts towards the overall score.
SCORED_KINDS = frozenset({QuestionKind.RATING, QuestionKind.COMPETENCY})


# --- competencies ------------------------------------------------------------------------


class JobLevel(models.Model):
    """A rung of the career ladder (``rank`` 1 is the most junior)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class PersonJobLevel(models.Model):
    """A person's job level, set by HR; it is their expected level in every competency.

    Kept here rather than on ``org.Person``: only reviews read it, and the HR import needs
    no new column for it."""

    person = models.OneToOneField(
        "org.Person", on_delete=models.CASCADE, related_name="job_level_assignment"
    )
    level = models.ForeignKey(JobLevel, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.level_id}"


class Competency(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class CompetencyLevel(models.Model):
    """What ``competency`` looks like at ``job_level``."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="levels")
    job_level = models.ForeignKey(JobLevel, on_delete=models.CASCADE, related_name="+")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competency", "job_level"], name="competency_level_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency_id}@{self.job_level_id}"


# --- templates ---------------------------------------------------------------------------


class ReviewTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    template = models.ForeignKey(ReviewTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whether the manager also proposes the person's potential (the 9-box's other axis).
    asks_potential = models.BooleanField(_("ask the manager for potential"), default=True)

    class Meta:
        ordering = ["template_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class TemplateSection(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The section's share of the overall score (see ``stride.lib.review_scoring``).
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class TemplateQuestion(models.Model):
    section = models.ForeignKey(TemplateSection, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=32, choices=QuestionKind)
    prompt = models.CharField(_("question"), max_length=200)
    help_text = models.TextField(_("help text"), blank=True)
    # The question's weight within its section (scored kinds only).
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    position = models.PositiveSmallIntegerField(default=0)
    by_self = models.BooleanField(default=False)
    by_manager = models.BooleanField(default=False)
    by_peer = models.BooleanField(default=False)
    by_upward = models.BooleanField(default=False)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.prompt

    @property
    def answered_by(self) -> list[str]:
        return [r for r in Relationship.values if getattr(self, f"by_{r}")]

    @property
    def is_scored(self) -> bool:
        return self.kind in SCORED_KINDS


class ScalePoint(models.Model):
    """One point of an anchored rating scale: its value (1 … n), label and description."""

    question = models.ForeignKey(TemplateQuestion, on_delete=models.CASCADE, related_name="points")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="scale_point_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


# --- overall rating and potential --------------------------------------------------------


class OverallRating(models.IntegerChoices):
    """The overall rating a manager proposes and calibration settles (the 9-box's
    performance axis: 1–2 low, 3 moderate, 4–5 high)."""

    DOES_NOT_MEET = 1, _("Does not meet expectations")
    PARTIALLY_MEETS = 2, _("Partially meets expectations")
    MEETS = 3, _("Meets expectations")
    EXCEEDS = 4, _("Exceeds expectations")
    FAR_EXCEEDS = 5, _("Far exceeds expectations")


class Potential(models.IntegerChoices):
    """The manager's view of how far and how fast the person can grow."""

    LOW = 1, _("Low")
    MODERATE = 2, _("Moderate")
    HIGH = 3, _("High")


# --- cycles ------------------------------------------------------------------------------


class Phase(models.TextChoices):
    """A cycle's phases, in the order they run."""

    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    PEER_NOMINATION = "peer_nomination", _("Peer nomination and approval")
    PEER_REVIEWS = "peer_reviews", _("Peer and upward reviews")
    MANAGER_REVIEW = "manager_review", _("Manager review")
    CALIBRATION = "calibration", _("Calibration")
    SHARING = "sharing", _("Sharing and sign-off")


PHASE_ORDER: list[str] = list(Phase.values)


def new_work_version() -> int:
    """A fresh ``ReviewCycle.work_version``: random, not counted, so that a database
    rebuilt or restored from a backup never meets counts cached from another one under the
    same version."""
    return secrets.randbits(62)


class ReviewCycle(models.Model):
    """A round of reviews run on one template version. Launching fixes the version and
    the participants: from then on the services copy the version before any edit of its
    template, and people who join later are not added."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="cycles"
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    # Who takes part, as HR chose them: people in these teams (any team when none), hired
    # before this date (when set), with one of these statuses.
    teams = models.ManyToManyField("org.Team", blank=True, related_name="+")
    hired_before = models.DateField(null=True, blank=True)
    statuses = models.JSONField(default=list)
    # How many peers each participant nominates (and their manager approves).
    min_peers = models.PositiveSmallIntegerField(_("fewest peers"), default=3)
    max_peers = models.PositiveSmallIntegerField(_("most peers"), default=8)
    # Changes, inside the writer's transaction, whenever the work the progress page counts
    # changes (answers submitted, peers nominated, approved, removed or declined, a phase
    # reopened): the page's per-team counts are cached under it, so every web process
    # agrees on when they are stale (``selectors.lateness_by_team``).
    work_version = models.BigIntegerField(default=new_work_version, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CyclePhase(models.Model):
    """One dated phase of a cycle. Work for it is due by the end of ``ends_on`` where
    each person lives."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=32, choices=Phase)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="cycle_phase_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.kind}"


class CycleParticipant(models.Model):
    """A person reviewed in a launched cycle, with their manager, team and job level as
    they were at the launch."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    manager = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The job level at the launch: analytics break answers down by it, and a level read
    # live could be moved for one person to subtract their answers from a published cell.
    job_level = models.ForeignKey(
        JobLevel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The manager's proposal, written with their review and fixed when they submit it.
    proposed_rating = models.PositiveSmallIntegerField(
        _("proposed overall rating"), null=True, blank=True, choices=OverallRating
    )
    potential = models.PositiveSmallIntegerField(
        _("potential"), null=True, blank=True, choices=Potential
    )
    # Calibration's outcome: the proposal unless a calibrator changed it (``RatingChange``
    # keeps every change with its reason; the latest reason is copied here for the manager).
    final_rating = models.PositiveSmallIntegerField(
        _("final overall rating"), null=True, blank=True, choices=OverallRating
    )
    final_potential = models.PositiveSmallIntegerField(
        _("final potential"), null=True, blank=True, choices=Potential
    )
    final_reason = models.TextField(_("reason for the final rating"), blank=True)
    # Sharing and sign-off.
    shared_at = models.DateTimeField(null=True, blank=True)
    meeting_at = models.DateTimeField(_("review meeting"), null=True, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=30)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.TextField(_("comment on acknowledging"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="cycle_participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.person_id}"


class PhaseReopening(models.Model):
    """HR let one participant hand in a phase's work after its deadline, until the end of
    ``until`` (in their time zone)."""

    participant = models.ForeignKey(
        CycleParticipant, on_delete=models.CASCADE, related_name="reopenings"
    )
    kind = models.CharField(max_length=32, choices=Phase)
    until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "kind"], name="phase_reopening_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.kind} until {self.until}"


# --- answers -----------------------------------------------------------------------------


class ReviewResponse(models.Model):
    """One reviewer's answers about one participant, in one relationship: the person's
    self-assessment, their manager's review. A draft until ``submitted_at`` is set; after
    that it never changes.

    ``answers`` maps a question's id (as text) to ``{"rating": int | None, "text": str,
    "items": [str, …]}``: only the questions this relationship answers, checked by the
    services against the cycle's template version."""

    participant = models.ForeignKey(
        CycleParticipant, on_delete=models.CASCADE, related_name="responses"
    )
    relationship = models.CharField(max_length=16, choices=Relationship)
    author = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "relationship", "author"], name="review_response_unique"
            ),
        ]
        indexes = [
            # Whether an answer was submitted, read from the index alone: the progress
            # page's counts never read the wide rows with their JSON answers.
            models.Index(
                fields=["participant", "relationship", "author", "submitted_at"],
                name="review_response_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship} review of participant {self.participant_id}"


class ReviewerAssignment(models.Model):
    """Someone who reviews a participant as a peer or from below (``upward``).

    Peers are nominated by the participant and approved, removed or added by their
    manager; upward reviewers are the participant's direct reports at the launch, approved
    from the start. A reviewer may decline with a reason. Which answers a reviewer wrote
    is never shown: their ``ReviewResponse`` rows are read only in aggregate (issue 7,
    item 6), and the audit entries of their writes name no author."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        REMOVED = "removed", _("Removed")

    participant = models.ForeignKey(
        CycleParticipant, on_delete=models.CASCADE, related_name="reviewers"
    )
    reviewer = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    relationship = models.CharField(max_length=16, choices=Relationship)
    status = models.CharField(max_length=16, choices=Status, default=Status.NOMINATED)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "reviewer"], name="reviewer_assignment_unique"
            ),
        ]
        indexes = [
            # The progress page's peer counts and "every approved reviewer answered",
            # read from the index alone.
            models.Index(
                fields=["participant", "status", "relationship", "reviewer"],
                name="reviewer_assignment_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship} reviewer of participant {self.participant_id}"


# --- calibration -------------------------------------------------------------------------


class CalibrationReaction(models.Model):
    """A calibrator's reaction to a proposed rating, before the calibration meeting."""

    class Reaction(models.TextChoices):
        AGREE = "agree", _("Agree")
        QUESTION = "question", _("Question")
        NO_VIEW = "no_view", _("No view")

    participant = models.ForeignKey(
        CycleParticipant, on_delete=models.CASCADE, related_name="reactions"
    )
    calibrator = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    reaction = models.CharField(max_length=16, choices=Reaction)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "calibrator"], name="calibration_reaction_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reaction} on participant {self.participant_id}"


class RatingChange(models.Model):
    """One change calibration made to a participant's rating or potential, with its
    reason (required). The participant's ``final_*`` fields hold the result."""

    participant = models.ForeignKey(
        CycleParticipant, on_delete=models.CASCADE, related_name="rating_changes"
    )
    changed_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_rating = models.PositiveSmallIntegerField(null=True, blank=True, choices=OverallRating)
    to_rating = models.PositiveSmallIntegerField(null=True, blank=True, choices=OverallRating)
    from_potential = models.PositiveSmallIntegerField(null=True, blank=True, choices=Potential)
    to_potential = models.PositiveSmallIntegerField(null=True, blank=True, choices=Potential)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"rating change on participant {self.participant_id}"


# --- growth ------------------------------------------------------------------------------


class DevelopmentItem(models.Model):
    """One item of a person's development plan, kept by the person and their manager."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="development_items"
    )
    # The review it came out of, when it did.
    cycle = models.ForeignKey(
        ReviewCycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    growth_area = models.CharField(_("growth area"), max_length=200)
    actions = models.TextField(_("actions"), blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.growth_area
