"""Operators of the shared pool, their project certifications, shifts, absences and states."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateRangeField,
    DateTimeRangeField,
    RangeOperators,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agents import contracts
from contactcenter.l10n import local_time_text, zone_name
from projects.models import CODE_HELP, CODE_REGEX, Project


class TsTzRange(Func):
    """``tstzrange(start, end)``: half-open ``[start, end)``, for overlap exclusion."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class InclusiveDateRange(Func):
    """``daterange(start, end, '[]')``: both days included."""

    function = "DATERANGE"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field = DateRangeField()


class Operator(models.Model):
    """A person who answers calls, for any project they are certified for."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        TRAINING = "training", _("In training")
        ACTIVE = "active", pgettext_lazy("operator status", "Active")
        DISMISSED = "dismissed", _("Dismissed")

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=CODE_HELP)
    full_name = models.CharField(_("full name"), max_length=255)
    email = models.EmailField(pgettext_lazy("operator", "e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    hourly_cost = models.DecimalField(
        _("hourly cost"),
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text=_("Fully loaded cost per paid hour."),
    )
    # The contract's working rules (agents.contracts: the center's defaults, rules_for).
    contract_hours_per_week = models.DecimalField(
        _("contract hours per week"),
        max_digits=4,
        decimal_places=1,
        default=contracts.default_contract_hours,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
    )
    max_hours_per_week = models.DecimalField(
        _("maximum hours per week"),
        max_digits=4,
        decimal_places=1,
        default=contracts.default_max_hours,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
        help_text=_("Scheduled hours in a week never exceed this, overtime included."),
    )
    min_rest_hours = models.PositiveSmallIntegerField(
        _("minimum rest between shifts, hours"),
        default=contracts.default_min_rest_hours,
        validators=[MaxValueValidator(72)],
    )
    max_consecutive_days = models.PositiveSmallIntegerField(
        _("maximum consecutive working days"),
        default=contracts.default_max_consecutive_days,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )
    preferred_days_off = ArrayField(
        models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)]),
        verbose_name=_("preferred days off"),
        default=list,
        blank=True,
        size=7,
        help_text=_("Weekdays, 0 = Monday ... 6 = Sunday."),
    )
    overtime_allowed = models.BooleanField(_("overtime allowed"), default=False)
    overtime_hourly_cost = models.DecimalField(
        _("overtime hourly cost"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the hourly cost times the center's overtime rate."),
    )
    projects = models.ManyToManyField(
        Project,
        through="Certification",
        related_name="operators",
        verbose_name=_("projects"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operator",
        verbose_name=_("login"),
        help_text=_(
            "The operator's own login to the self-service pages (/me/): their schedule, "
            "time off, shift swaps, KPIs and QA scores; never the admin."
        ),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_operators",
        verbose_name=_("supervisor"),
        help_text=_("The team lead who coaches this operator and may dispute their QA scores."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=CODE_REGEX), name="operator_code_format"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["candidate", "training", "active", "dismissed"]),
                name="operator_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(hourly_cost__gte=0), name="operator_hourly_cost_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(hired_on__isnull=True)
                | Q(left_on__gte=F("hired_on")),
                name="operator_leaves_after_hire",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | Q(left_on__isnull=False),
                name="operator_dismissed_has_leave_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(hired_on__isnull=False),
                name="operator_active_has_hire_date",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.full_name})"

    def contract_errors(self) -> dict[str, list[str]]:
        """The contract's rules that hold together, each on the field to fix."""
        errors: dict[str, list[str]] = {}
        if (
            self.max_hours_per_week is not None
            and self.contract_hours_per_week is not None
            and self.max_hours_per_week < self.contract_hours_per_week
        ):
            errors["max_hours_per_week"] = [
                str(_("Cannot be less than the contract hours per week (%(hours)s)."))
                % {"hours": self.contract_hours_per_week}
            ]
        if len(set(self.preferred_days_off or ())) != len(self.preferred_days_off or ()):
            errors["preferred_days_off"] = [str(_("Each weekday at most once."))]
        return errors

    def clean(self):
        super().clean()
        errors = self.contract_errors()
        if errors:
            raise ValidationError(errors)


class Certification(models.Model):
    """An operator may take a project's calls: trained and passed, at a level."""

    class Level(models.IntegerChoices):
        JUNIOR = 1, _("Junior")
        REGULAR = 2, _("Regular")
        SENIOR = 3, _("Senior")

    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("operator"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("project")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.REGULAR
    )
    certified_on = models.DateField(_("certified on"))

    class Meta:
        ordering = ["operator", "project"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "project"], name="certification_once_per_project"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="certification_level_range"
            ),
        ]
        indexes = [
            # "Who may take this project's calls?": routing, staffing and replacements.
            models.Index(fields=["project", "level"], name="cert_project_level_idx"),
        ]

    def __str__(self):
        return f"{self.operator.code} @ {self.project.code} (L{self.level})"


# The weekly working-hours cap (labour code: 40 hours); the scheduler and the replacement
# search both respect it.
MAX_HOURS_PER_WEEK = 40


class Shift(models.Model):
    """A planned working period of an operator, in UTC instants."""

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("operator")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("project"),
        help_text=_("The project the operator works on; empty: the pool (any certified project)."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["starts_at", "operator"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="shift_starts_before_end"
            ),
            # One operator cannot be on two shifts at once.
            ExclusionConstraint(
                name="shift_no_overlap_per_operator",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("operator", RangeOperators.EQUAL),
                ],
            ),
        ]
        indexes = [
            # Coverage per interval: "shifts that overlap [from, to)".
            models.Index(fields=["starts_at", "ends_at"], name="shift_time_idx"),
        ]

    def __str__(self):
        # In the shift's zone (``agents.shifts.shift_zone``), named.
        zone = ZoneInfo(self.project.timezone if self.project_id else settings.CENTER_TIME_ZONE)
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        return f"{self.operator.code} {start:%Y-%m-%d %H:%M}-{end:%H:%M} {zone_name(start)}"


class ShiftActivity(models.Model):
    """A planned off-phone stretch inside a shift: a break, lunch, training or meeting.

    Inside its shift and not overlapping another activity of the shift: the exclusion
    below and the trigger of migration 0007 (the shift's bounds live in another table)."""

    class Kind(models.TextChoices):
        BREAK = "break", _("Break")
        LUNCH = "lunch", _("Lunch")
        TRAINING = "training", _("Training")
        MEETING = "meeting", _("Meeting")

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="activities", verbose_name=_("shift")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["shift", "starts_at"]
        verbose_name = _("shift activity")
        verbose_name_plural = _("shift activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="shift_activity_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["break", "lunch", "training", "meeting"]),
                name="shift_activity_kind_valid",
            ),
            ExclusionConstraint(
                name="shift_activity_no_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("shift", RangeOperators.EQUAL),
                ],
            ),
        ]

    def __str__(self):
        project = self.shift.project
        zone = ZoneInfo(project.timezone if project else settings.CENTER_TIME_ZONE)
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        return f"{self.get_kind_display()} {start:%H:%M}-{end:%H:%M} {zone_name(start)}"


class Absence(models.Model):
    """Days an operator cannot work (both ends included): calendar days of the zone of the
    operator's shifts (``agents.shifts.shift_zone``)."""

    class Kind(models.TextChoices):
        SICK = "sick", _("Sick leave")
        VACATION = "vacation", _("Vacation")
        OTHER = "other", pgettext_lazy("absence kind", "Other")

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="absences", verbose_name=_("operator")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-starts_on", "operator"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="absence_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["sick", "vacation", "other"]), name="absence_kind_valid"
            ),
            ExclusionConstraint(
                name="absence_no_overlap_per_operator",
                expressions=[
                    (InclusiveDateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                    ("operator", RangeOperators.EQUAL),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.operator.code} {self.get_kind_display()} {self.starts_on}..{self.ends_on}"


class BreakReason(models.Model):
    """Why an operator is on break (lunch, training...): data the center edits in the admin.

    A ``break`` agent event names one of these codes in ``reason`` (or none); an unknown
    code is refused. Deactivating a reason refuses it in new events and keeps old ones.
    """

    code = models.SlugField(
        _("code"), max_length=32, unique=True, help_text=_("Sent as the reason.")
    )
    name = models.CharField(pgettext_lazy("break reason", "name"), max_length=100)
    is_active = models.BooleanField(pgettext_lazy("break reason", "active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("break reason")
        verbose_name_plural = _("break reasons")

    def __str__(self):
        return f"{self.code} ({self.name})"


class AgentStateEvent(models.Model):
    """An operator's state change (SPEC section 5). A state lasts until the next event.

    ``wrap`` is after-call work, staffed time like ``ready``; "on a call" is no event
    state: it derives from the live call events (``live``)."""

    class State(models.TextChoices):
        READY = "ready", _("Ready")
        WRAP = "wrap", _("Wrap")
        BREAK = "break", _("Break")
        OFFLINE = "offline", _("Offline")

    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="state_events", verbose_name=_("operator")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    at = models.DateTimeField(pgettext_lazy("event time", "at"))
    reason = models.CharField(
        _("reason"), max_length=64, blank=True, help_text=_("Lunch, training, meeting...")
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "operator"]
        verbose_name = _("agent state event")
        verbose_name_plural = _("agent state events")
        constraints = [
            # The natural key: a re-sent event is a duplicate, a different state at the same
            # instant a conflict. Its index also serves "an operator's events in [from, to)".
            models.UniqueConstraint(fields=["operator", "at"], name="agent_event_once_per_instant"),
            models.CheckConstraint(
                condition=Q(state__in=["ready", "wrap", "break", "offline"]),
                name="agent_event_state_valid",
            ),
        ]
        indexes = [
            # Pool occupancy: "every operator's events in [from, to)".
            models.Index(fields=["at"], name="agent_event_at_idx"),
        ]

    def __str__(self):
        at = local_time_text(self.at, settings.CENTER_TIME_ZONE)
        return f"{self.operator.code} {self.get_state_display()} {at}"


class ShiftTemplate(models.Model):
    """A shift the scheduler may hand out: starts at a local time of day, lasts a duration.

    The time of day is in the zone of the template's project, or, for a pool template (no
    project), in the zone of the week being scheduled (the projects' shared zone, else the
    center's). A project's template is handed only to operators certified for it, and its
    shifts belong to that project. The break is unpaid: it lowers the hours a shift counts
    towards the weekly maximum and is placed as the shift's lunch (``ShiftActivity``) when
    a schedule is built; the requirement already carries shrinkage, so coverage counts the
    operator for the whole shift.
    """

    name = models.CharField(pgettext_lazy("shift template", "name"), max_length=64, unique=True)
    start_time = models.TimeField(
        _("start time"),
        help_text=_(
            "Local time of day the shift starts: the project's zone, or the scheduled week's "
            "for a pool template."
        ),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration, minutes"), help_text=_("From 60 to 720.")
    )
    break_minutes = models.PositiveSmallIntegerField(_("break, minutes"), default=0)
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shift_templates",
        verbose_name=_("project"),
        help_text=_("Empty: a pool template, for every project."),
    )
    is_active = models.BooleanField(pgettext_lazy("shift template", "active"), default=True)

    class Meta:
        ordering = ["start_time", "name"]
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=60) & Q(duration_minutes__lte=720),
                name="shift_template_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(break_minutes__gte=0) & Q(break_minutes__lt=F("duration_minutes")),
                name="shift_template_break_shorter",
            ),
        ]

    def __str__(self):
        return _("%(name)s (%(start)s, %(minutes)s min)") % {
            "name": self.name,
            "start": f"{self.start_time:%H:%M}",
            "minutes": self.duration_minutes,
        }

    @property
    def paid_minutes(self):
        return self.duration_minutes - self.break_minutes


# --- People: lifecycle history and training (docs/people.md) --------------------------------

OPERATOR_STATUSES = ["candidate", "training", "active", "dismissed"]


class DismissalReason(models.TextChoices):
    VOLUNTARY = "voluntary", _("Left voluntarily")
    PERFORMANCE = "performance", _("Performance")
    ATTENDANCE = "attendance", _("Attendance")
    END_OF_CONTRACT = "end_of_contract", _("End of contract")
    FAILED_TRAINING = "failed_training", _("Failed training")
    OTHER = "other", pgettext_lazy("dismissal reason", "Other")


class OperatorStatusChange(models.Model):
    """One dated move of an operator's lifecycle (``agents.lifecycle`` writes them).

    The history is the source of the turnover figures (``agents.turnover``), so a past
    month's figures stay exact whatever the operator's row says today.
    """

    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("operator"),
    )
    from_status = models.CharField(_("from status"), max_length=10, choices=Operator.Status.choices)
    to_status = models.CharField(_("to status"), max_length=10, choices=Operator.Status.choices)
    effective_on = models.DateField(
        _("effective on"), help_text=_("Effective day; a dismissal's is the last day worked.")
    )
    reason = models.CharField(
        _("reason"),
        max_length=20,
        choices=DismissalReason.choices,
        blank=True,
        help_text=_("Why the operator was dismissed; only on a dismissal."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["operator", "effective_on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=OPERATOR_STATUSES) & Q(to_status__in=OPERATOR_STATUSES),
                name="status_change_statuses_valid",
            ),
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="status_change_changes_status"
            ),
            # A dismissal has a reason, and only a dismissal has one.
            models.CheckConstraint(
                condition=(Q(to_status="dismissed") & Q(reason__in=DismissalReason.values))
                | (~Q(to_status="dismissed") & Q(reason="")),
                name="status_change_reason_iff_dismissal",
            ),
        ]
        indexes = [
            # Turnover: "moves into or out of active up to a date", all operators at once.
            models.Index(fields=["effective_on"], name="status_change_effective_idx"),
        ]

    def __str__(self):
        moved = f"{self.get_from_status_display()} -> {self.get_to_status_display()}"
        return f"{self.operator.code}: {moved}, {self.effective_on:%Y-%m-%d}"


class TrainingProgram(models.Model):
    """A project's induction course: passing it certifies the operator for the project."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="training_programs",
        verbose_name=_("project"),
    )
    name = models.CharField(pgettext_lazy("training program", "name"), max_length=120)
    hours = models.PositiveSmallIntegerField(
        _("hours"), help_text=_("Classroom hours of the course.")
    )
    hours_per_day = models.DecimalField(
        _("hours per day"),
        max_digits=4,
        decimal_places=2,
        default=8,
        help_text=_("Training hours per weekday; sets the expected ready date."),
    )
    passing_score = models.PositiveSmallIntegerField(
        _("passing score"), help_text=_("0-100: the least passing score.")
    )
    is_active = models.BooleanField(
        pgettext_lazy("training program", "active"),
        default=True,
        help_text=_("Open to new enrolments."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "name"]
        verbose_name = _("training program")
        verbose_name_plural = _("training programs")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="training_program_name_once"),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="training_program_hours_positive"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_day__gt=0) & Q(hours_per_day__lte=24),
                name="training_program_hours_per_day_range",
            ),
            models.CheckConstraint(
                condition=Q(passing_score__gte=0) & Q(passing_score__lte=100),
                name="training_program_passing_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.project.code}: {self.name}"


class TrainingEnrolment(models.Model):
    """An operator on a course: enrolled until a result (passed or failed) or a withdrawal."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("operator")
    )
    program = models.ForeignKey(
        TrainingProgram,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("training program"),
    )
    started_on = models.DateField(_("started on"))
    expected_ready_on = models.DateField(
        _("expected ready on"), help_text=_("First weekday after the last training day.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trained_enrolments",
        verbose_name=_("trainer"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["expected_ready_on", "operator"]
        verbose_name = _("training enrolment")
        verbose_name_plural = _("training enrolments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["enrolled", "passed", "failed", "withdrawn"]),
                name="enrolment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="enrolment_score_range",
            ),
            # A result has a score; only a result has one.
            models.CheckConstraint(
                condition=Q(status__in=["passed", "failed"], score__isnull=False)
                | (~Q(status__in=["passed", "failed"]) & Q(score__isnull=True)),
                name="enrolment_score_iff_result",
            ),
            # Anything but "enrolled" is finished, on a day.
            models.CheckConstraint(
                condition=Q(status="enrolled", completed_on__isnull=True)
                | (~Q(status="enrolled") & Q(completed_on__isnull=False)),
                name="enrolment_completed_iff_finished",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="enrolment_completes_after_start",
            ),
            models.CheckConstraint(
                condition=Q(expected_ready_on__gte=F("started_on")),
                name="enrolment_ready_after_start",
            ),
            # One open enrolment per operator and course.
            models.UniqueConstraint(
                fields=["operator", "program"],
                condition=Q(status="enrolled"),
                name="enrolment_once_open_per_program",
            ),
        ]
        indexes = [
            # "Who is in training and when will they be ready": open enrolments by date.
            models.Index(fields=["status", "expected_ready_on"], name="enrolment_status_ready_idx"),
        ]

    def __str__(self):
        return f"{self.operator.code}: {self.program} ({self.get_status_display()})"


class TimeOffRequest(models.Model):
    """An operator asks for days off (local days, both included); a PM of the operator's
    projects approves (the absence is created) or declines (``agents.time_off``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="time_off_requests",
        verbose_name=_("operator"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Absence.Kind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    absence = models.OneToOneField(
        Absence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="time_off_request",
        verbose_name=_("absence"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("time-off request")
        verbose_name_plural = _("time-off requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="time_off_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "declined", "cancelled"]),
                name="time_off_status_valid",
            ),
        ]

    def __str__(self):
        return (
            f"{self.operator.code} {self.starts_on}..{self.ends_on} ({self.get_status_display()})"
        )


class ShiftSwap(models.Model):
    """An operator offers one of their shifts to colleagues: one accepts (the replacement
    rules checked), a PM approves, and the shift changes hands (``agents.swaps``)."""

    class Status(models.TextChoices):
        OFFERED = "offered", pgettext_lazy("shift swap", "Offered")
        ACCEPTED = "accepted", _("Accepted by a colleague")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="swaps", verbose_name=_("shift")
    )
    offered_by = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="swaps_offered",
        verbose_name=_("offered by"),
    )
    taken_by = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="swaps_taken",
        verbose_name=_("taken by"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["offered", "accepted", "approved", "declined", "cancelled"]
                ),
                name="shift_swap_status_valid",
            ),
            # One open offer per shift.
            models.UniqueConstraint(
                fields=["shift"],
                condition=Q(status__in=["offered", "accepted"]),
                name="shift_swap_one_open_per_shift",
            ),
        ]

    def __str__(self):
        taker = self.taken_by.code if self.taken_by else "?"
        return f"{self.offered_by.code} -> {taker}: {self.shift}"
