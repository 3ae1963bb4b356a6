"""Call records (SPEC section 3) and contacts, the callers as a CRM sees them.

The derived durations are generated columns: PostgreSQL computes them once, by the
contract's rounding rule, so every report and invoice reads the same seconds.
"""

from django.db import models
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from agents.models import Operator
from projects.models import Project

E164_REGEX = r"^\+[1-9][0-9]{6,14}$"


class CeilSeconds(Func):
    """Whole seconds of an interval, a fractional second rounding up (SPEC section 3)."""

    template = "CEIL(EXTRACT(EPOCH FROM (%(expressions)s)))::integer"
    output_field = IntegerField()


def _connected_seconds():
    return Case(
        When(answered_at__isnull=True, then=Value(0)),
        default=CeilSeconds(F("ended_at") - F("answered_at")),
        output_field=IntegerField(),
    )


class Contact(models.Model):
    """A caller of one project, created on first sight of their number."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contacts")
    phone = models.CharField(max_length=16, help_text="E.164, such as +74951234567.")
    name = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "phone"]
        constraints = [
            # Also the index for "find the caller of this number" on ingestion.
            models.UniqueConstraint(fields=["project", "phone"], name="contact_phone_per_project"),
            models.CheckConstraint(condition=Q(phone__regex=E164_REGEX), name="contact_phone_e164"),
        ]

    def __str__(self):
        return f"{self.phone} {self.name}".strip()


class Call(models.Model):
    """One call as the telephony reports it; durations derive from its instants."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="calls")
    external_id = models.CharField(
        max_length=64, help_text="The telephony's id of the call; unique within the project."
    )
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    caller = models.CharField(max_length=16, blank=True, help_text="E.164; blank if withheld.")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField()
    hold_seconds = models.IntegerField(default=0)
    wrap_seconds = models.IntegerField(default=0, help_text="After-call work.")
    disposition = models.CharField(max_length=64, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    received_at = models.DateTimeField(
        auto_now_add=True, help_text="When the record reached us; late data marks rollups dirty."
    )

    wait_seconds = models.GeneratedField(
        expression=CeilSeconds(Coalesce(F("answered_at"), F("ended_at")) - F("offered_at")),
        output_field=IntegerField(),
        db_persist=True,
    )
    connected_seconds = models.GeneratedField(
        expression=_connected_seconds(), output_field=IntegerField(), db_persist=True
    )
    talk_seconds = models.GeneratedField(
        expression=_connected_seconds() - F("hold_seconds"),
        output_field=IntegerField(),
        db_persist=True,
    )
    handle_seconds = models.GeneratedField(
        expression=_connected_seconds() + F("wrap_seconds"),
        output_field=IntegerField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            # Idempotent ingestion: a re-sent call is found by this key.
            models.UniqueConstraint(
                fields=["project", "external_id"], name="call_external_id_per_project"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["inbound", "outbound"]), name="call_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("offered_at")),
                name="call_answered_after_offered",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gte=Coalesce(F("answered_at"), F("offered_at"))),
                name="call_ended_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__gte=0) & Q(wrap_seconds__gte=0),
                name="call_seconds_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__lte=_connected_seconds()),
                name="call_hold_within_connected",
            ),
            models.CheckConstraint(
                condition=Q(operator__isnull=True) | Q(answered_at__isnull=False),
                name="call_operator_only_if_answered",
            ),
            models.CheckConstraint(
                condition=Q(caller="") | Q(caller__regex=E164_REGEX), name="call_caller_e164"
            ),
        ]
        indexes = [
            # Every report: "a project's calls offered in [from, to)" (KPIs, billing), and
            # the calls list of one project, newest first: id makes the cursor's order exact,
            # so a page is a backward index scan with a LIMIT, not a sort.
            models.Index(fields=["project", "offered_at", "id"], name="call_project_offered_idx"),
            # Occupancy: "an operator's answered calls in [from, to)".
            models.Index(
                fields=["operator", "answered_at"],
                name="call_operator_answered_idx",
                condition=Q(operator__isnull=False),
            ),
            # The calls list across projects, newest first, with a stable cursor.
            models.Index(fields=["-offered_at", "-id"], name="call_offered_cursor_idx"),
        ]

    def __str__(self):
        return f"{self.project.code}/{self.external_id}"

    @property
    def outcome(self):
        return "answered" if self.answered_at else "abandoned"
