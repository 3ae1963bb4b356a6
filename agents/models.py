"""Operators of the shared pool, their project certifications, shifts, absences and states."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

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
        CANDIDATE = "candidate", "Candidate"
        TRAINING = "training", "In training"
        ACTIVE = "active", "Active"
        DISMISSED = "dismissed", "Dismissed"

    code = models.SlugField(max_length=40, unique=True, help_text=CODE_HELP)
    full_name = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    hired_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    hourly_cost = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text="Fully loaded cost per paid hour."
    )
    projects = models.ManyToManyField(Project, through="Certification", related_name="operators")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_operators",
        help_text="The team lead who coaches this operator and may dispute their QA scores.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
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


class Certification(models.Model):
    """An operator may take a project's calls: trained and passed, at a level."""

    class Level(models.IntegerChoices):
        JUNIOR = 1, "Junior"
        REGULAR = 2, "Regular"
        SENIOR = 3, "Senior"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="certifications")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="certifications")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.REGULAR)
    certified_on = models.DateField()

    class Meta:
        ordering = ["operator", "project"]
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


class Shift(models.Model):
    """A planned working period of an operator, in UTC instants."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["starts_at", "operator"]
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
        return f"{self.operator.code} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC"


class Absence(models.Model):
    """Days an operator cannot work (both ends included)."""

    class Kind(models.TextChoices):
        SICK = "sick", "Sick leave"
        VACATION = "vacation", "Vacation"
        OTHER = "other", "Other"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-starts_on", "operator"]
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


class AgentStateEvent(models.Model):
    """An operator's state change (SPEC section 5). A state lasts until the next event."""

    class State(models.TextChoices):
        READY = "ready", "Ready"
        BREAK = "break", "Break"
        OFFLINE = "offline", "Offline"

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="state_events")
    state = models.CharField(max_length=10, choices=State.choices)
    at = models.DateTimeField()
    reason = models.CharField(max_length=64, blank=True, help_text="Lunch, training, meeting...")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "operator"]
        constraints = [
            # The natural key: a re-sent event is a duplicate, a different state at the same
            # instant a conflict. Its index also serves "an operator's events in [from, to)".
            models.UniqueConstraint(fields=["operator", "at"], name="agent_event_once_per_instant"),
            models.CheckConstraint(
                condition=Q(state__in=["ready", "break", "offline"]), name="agent_event_state_valid"
            ),
        ]
        indexes = [
            # Pool occupancy: "every operator's events in [from, to)".
            models.Index(fields=["at"], name="agent_event_at_idx"),
        ]

    def __str__(self):
        return f"{self.operator.code} {self.state} at {self.at:%Y-%m-%d %H:%M:%S} UTC"


class ShiftTemplate(models.Model):
    """A shift the scheduler may hand out: starts at a UTC time of day, lasts a duration.

    The break is unpaid and unplaced: it lowers the hours a shift counts towards the weekly
    maximum, while the operator counts as present for the whole shift (shrinkage belongs
    in the requirement sent to the scheduler).
    """

    name = models.CharField(max_length=64, unique=True)
    start_time = models.TimeField(help_text="UTC time of day the shift starts.")
    duration_minutes = models.PositiveSmallIntegerField(help_text="From 60 to 720.")
    break_minutes = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["start_time", "name"]
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
        return f"{self.name} ({self.start_time:%H:%M} UTC, {self.duration_minutes} min)"

    @property
    def paid_minutes(self):
        return self.duration_minutes - self.break_minutes
