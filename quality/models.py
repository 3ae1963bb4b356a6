"""Quality models (docs/quality.md): scorecards, evaluations, their answers, disputes and
the weekly QA sample.

Moved out of ``calls`` without moving data: each keeps its table (``db_table`` names the
``calls_*`` table it was created as), see ``quality/migrations/0001_initial.py``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agents.models import Operator
from calls.models import Call
from projects.models import Project


class Scorecard(models.Model):
    """A project's QA scorecard, one version of it: weighted criteria, some critical.

    A version that has evaluations is frozen (``quality.services``): changing it makes
    the next version, so every evaluation keeps the criteria it was scored against.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="scorecards", verbose_name=_("project")
    )
    # A context: Django's own "name" (a person's, "имя") would win in Russian.
    name = models.CharField(pgettext_lazy("scorecard", "name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(
        pgettext_lazy("scorecard", "active"),
        default=True,
        help_text=_("The version new evaluations and the sampling job use."),
    )
    valid_from = models.DateField(
        _("valid from"), help_text=_("Local date of the project from which it applies.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        db_table = "calls_scorecard"
        ordering = ["project", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "version"], name="scorecard_version_once"
            ),
            # One live version per scorecard name; also "the project's active scorecards".
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(is_active=True),
                name="scorecard_one_active_version",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="scorecard_version_positive"),
        ]

    def __str__(self):
        return f"{self.project.code}: {self.name} v{self.version}"


class ScorecardCriterion(models.Model):
    """One line of a scorecard; ``weight`` counts when it applies, ``is_critical`` zeroes the
    call when it is not met."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scorecard")
    )
    name = models.CharField(pgettext_lazy("criterion", "name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveIntegerField(_("weight"))
    is_critical = models.BooleanField(_("critical"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        db_table = "calls_scorecardcriterion"
        ordering = ["scorecard", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "name"], name="criterion_name_once"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
        ]

    def __str__(self):
        if self.is_critical:
            return gettext("%(name)s (%(weight)s, critical)") % {
                "name": self.name,
                "weight": self.weight,
            }
        return f"{self.name} ({self.weight})"


class Evaluation(models.Model):
    """A QA evaluator's scoring of one call against one scorecard version.

    ``draft`` -> ``submitted`` (score stored) -> ``disputed`` -> ``final``. The score is
    computed by ``quality.scoring.score`` from the answers, never typed.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        DISPUTED = "disputed", _("Disputed")
        FINAL = "final", _("Final")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("call")
    )
    scorecard = models.ForeignKey(
        Scorecard,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("scorecard"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qa_evaluations",
        verbose_name=_("evaluator"),
        help_text=_("Who scores it: assigned by the sampling job, or the submitter."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    critical_failed = models.BooleanField(_("critical criterion failed"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        db_table = "calls_evaluation"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A call is scored once per scorecard version; a dispute changes that evaluation.
            models.UniqueConstraint(fields=["call", "scorecard"], name="evaluation_once_per_call"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "disputed", "final"]),
                name="evaluation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="evaluation_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(score__isnull=False) & Q(submitted_at__isnull=False)),
                name="evaluation_submitted_has_score",
            ),
        ]
        indexes = [
            # The QA reports: "counted evaluations of these projects' calls" go through the
            # call; the evaluator's queue: "my drafts".
            models.Index(fields=["evaluator", "status"], name="evaluation_queue_idx"),
        ]

    def __str__(self):
        return gettext("%(call)s by %(scorecard)s v%(version)s (%(status)s)") % {
            "call": self.call,
            "scorecard": self.scorecard.name,
            "version": self.scorecard.version,
            "status": self.get_status_display(),
        }


class EvaluationAnswer(models.Model):
    class Answer(models.TextChoices):
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        NA = "na", _("N/A")

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="answers", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        ScorecardCriterion,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("criterion"),
    )
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        db_table = "calls_evaluationanswer"
        ordering = ["evaluation", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="evaluation_answer_once"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["met", "not_met", "na"]), name="evaluation_answer_valid"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.get_answer_display()}"


class EvaluationDispute(models.Model):
    """The operator's supervisor (or a project manager) contests a submitted evaluation;
    a QA evaluator other than the original one, or a manager, resolves it. One per
    evaluation: the resolution is final."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld (score stands)")
        OVERTURNED = "overturned", _("Overturned (answers changed)")

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="dispute", verbose_name=_("evaluation")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="qa_disputes_raised",
        verbose_name=_("raised by"),
    )
    reason = models.TextField(_("reason"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    score_before = models.DecimalField(_("score before"), max_digits=5, decimal_places=2)
    score_after = models.DecimalField(
        _("score after"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qa_disputes_resolved",
        verbose_name=_("resolved by"),
    )
    resolution_comment = models.TextField(_("resolution comment"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        db_table = "calls_evaluationdispute"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "upheld", "overturned"]),
                name="dispute_status_valid",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="dispute_has_reason"),
            models.CheckConstraint(
                condition=Q(status="open")
                | (
                    Q(resolved_by__isnull=False)
                    & Q(resolved_at__isnull=False)
                    & Q(score_after__isnull=False)
                    & ~Q(resolution_comment="")
                ),
                name="dispute_resolution_complete",
            ),
        ]
        indexes = [
            # The resolvers' queue: "open disputes".
            models.Index(fields=["raised_at"], name="dispute_open_idx", condition=Q(status="open"))
        ]

    def __str__(self):
        return gettext("dispute on %(evaluation)s (%(status)s)") % {
            "evaluation": self.evaluation_id,
            "status": self.get_status_display(),
        }


class QaSample(models.Model):
    """A call the weekly sampling job picked for QA: never the same call twice.

    ``week_start`` is the Monday (project's local date) of the sampled week; ``evaluation``
    the draft made for it when the project has an active scorecard.
    """

    class Reason(models.TextChoices):
        LONGEST = "longest", _("Longest talk of the week")
        SHORT_AFTER_ANSWER = "short_after_answer", _("Abandoned after answer")
        RANDOM = "random", _("Random")

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="qa_sample", verbose_name=_("call")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="qa_samples", verbose_name=_("project")
    )
    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="qa_samples", verbose_name=_("operator")
    )
    week_start = models.DateField(_("week of"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    seed = models.CharField(
        _("seed"), max_length=64, help_text=_("The seed the picks were drawn with.")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qa_samples_assigned",
        verbose_name=_("assigned to"),
    )
    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sample",
        verbose_name=_("evaluation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("QA sample")
        verbose_name_plural = _("QA samples")
        db_table = "calls_qasample"
        ordering = ["-week_start", "project", "operator", "reason", "call"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["longest", "short_after_answer", "random"]),
                name="qa_sample_reason_valid",
            ),
        ]
        indexes = [
            # Idempotence of the job: "was this operator's week on this project sampled?"
            models.Index(fields=["project", "operator", "week_start"], name="qa_sample_week_idx"),
        ]

    def __str__(self):
        return gettext("%(call)s (%(reason)s, week of %(week)s)") % {
            "call": self.call,
            "reason": self.get_reason_display(),
            "week": self.week_start,
        }
