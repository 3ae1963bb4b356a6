"""Call records (SPEC section 3) and contacts, the callers as a CRM sees them.

The derived durations are generated columns: PostgreSQL computes them once, by the
contract's rounding rule, so every report and invoice reads the same seconds.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Trim
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agents.models import Operator
from calls.bounds import (
    MAX_CONNECTED_SECONDS,
    MAX_WAIT_SECONDS,
    MAX_WRAP_SECONDS,
    call_bounds,
    time_errors,
)
from contactcenter.batch import EARLIEST_INSTANT, Invalid
from projects.models import Project

E164_REGEX = r"^\+[1-9][0-9]{6,14}$"
# The disposition of a call closed from its live events because its record never came
# (live.closing); the record, when it comes after all, completes that call in place.
CLOSED_FROM_EVENTS = "closed-from-events"


class CeilSeconds(Func):
    """Whole seconds of an interval, a fractional second rounding up (SPEC section 3)."""

    template = "CEIL(EXTRACT(EPOCH FROM (%(expressions)s)))::integer"
    output_field = IntegerField()


def _duration(start, end):
    """``end - start`` as an interval: absolute time, whatever the session's time zone (an
    instant plus ``interval '1 day'`` would follow its daylight saving changes)."""
    start = F(start) if isinstance(start, str) else start
    end = F(end) if isinstance(end, str) else end
    return ExpressionWrapper(end - start, output_field=DurationField())


def _connected_seconds():
    return Case(
        When(answered_at__isnull=True, then=Value(0)),
        default=CeilSeconds(F("ended_at") - F("answered_at")),
        output_field=IntegerField(),
    )


class Contact(models.Model):
    """A caller of one project, created on first sight of their number."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("project")
    )
    phone = models.CharField(_("phone"), max_length=16, help_text=_("E.164, such as +74951234567."))
    name = models.CharField(pgettext_lazy("contact", "name"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
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
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="calls", verbose_name=_("project")
    )
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        help_text=_("The telephony's id of the call; unique within the project."),
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.INBOUND
    )
    caller = models.CharField(
        _("caller"), max_length=16, blank=True, help_text=_("E.164; blank if withheld.")
    )
    caller_raw = models.CharField(
        _("caller as written"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The caller id as the PBX wrote it; kept when it is no number the caller field "
            "can hold."
        ),
    )
    caller_erased = models.BooleanField(
        _("caller erased"),
        default=False,
        db_default=False,
        help_text=_("The caller's number was erased (a request or the retention period)."),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("contact"),
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("operator"),
    )
    offered_at = models.DateTimeField(_("offered at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"))
    hold_seconds = models.IntegerField(_("hold seconds"), default=0)
    wrap_seconds = models.IntegerField(
        _("wrap-up seconds"), default=0, help_text=_("After-call work.")
    )
    disposition = models.CharField(_("disposition"), max_length=64, blank=True)
    recording_url = models.URLField(_("recording URL"), max_length=500, blank=True)
    received_at = models.DateTimeField(
        _("received at"),
        auto_now_add=True,
        help_text=_("When the record reached us; late data marks rollups dirty."),
    )
    # No default: an insert that leaves it empty (NULL) is judged by the database's rule
    # (migration calls/0014); calls_ingest states False for the calls of a full project.
    inside_client_hours = models.BooleanField(
        _("inside the client's hours"),
        editable=False,
        help_text=_(
            "An inbound call of a reserve project offered inside the client's own business "
            "hours; set by the database when the call is stored or moved."
        ),
    )

    wait_seconds = models.GeneratedField(
        expression=CeilSeconds(Coalesce(F("answered_at"), F("ended_at")) - F("offered_at")),
        output_field=IntegerField(),
        db_persist=True,
        verbose_name=_("wait seconds"),
    )
    connected_seconds = models.GeneratedField(
        expression=_connected_seconds(),
        output_field=IntegerField(),
        db_persist=True,
        verbose_name=_("connected seconds"),
    )
    talk_seconds = models.GeneratedField(
        expression=_connected_seconds() - F("hold_seconds"),
        output_field=IntegerField(),
        db_persist=True,
        verbose_name=_("talk seconds"),
    )
    handle_seconds = models.GeneratedField(
        expression=_connected_seconds() + F("wrap_seconds"),
        output_field=IntegerField(),
        db_persist=True,
        verbose_name=_("handle seconds"),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
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
            # The bounds of docs/limits.md at their ceilings (settings may only tighten them),
            # so no path, a COPY or raw SQL included, stores what the API refuses; they also
            # keep the generated columns far from the integer range.
            models.CheckConstraint(
                condition=Q(offered_at__gte=EARLIEST_INSTANT), name="call_offered_from_2000"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    _duration("answered_at", "ended_at"),
                    dt.timedelta(seconds=MAX_CONNECTED_SECONDS),
                ),
                name="call_connected_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    _duration("offered_at", Coalesce(F("answered_at"), F("ended_at"))),
                    dt.timedelta(seconds=MAX_WAIT_SECONDS),
                ),
                name="call_wait_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=Q(wrap_seconds__lte=MAX_WRAP_SECONDS), name="call_wrap_at_most_an_hour"
            ),
            models.CheckConstraint(
                condition=~Q(external_id="") & Q(external_id=Trim("external_id")),
                name="call_external_id_trimmed",
            ),
            models.CheckConstraint(
                condition=Q(caller="") | Q(caller__regex=E164_REGEX), name="call_caller_e164"
            ),
            models.CheckConstraint(
                condition=Q(caller_erased=False)
                | (Q(caller="") & Q(caller_raw="") & Q(recording_url="")),
                name="call_erased_caller_blank",
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
            # The calls list across projects, newest first, with a stable cursor; also the
            # rollup fill: "calls offered in the window [start - longest call, end)".
            models.Index(fields=["-offered_at", "-id"], name="call_offered_cursor_idx"),
            # The rollup's dirty detection, every minute: "calls received since the
            # watermark" (calls.rollups).
            models.Index(fields=["received_at"], name="call_received_idx"),
            # Contact linking, every 5 minutes: "a project's calls with a caller and no
            # contact yet" (calls.contacts). Ingestion links contacts as it stores, so this
            # holds next to nothing: 8 KB and 0.3 ms, against 9-12 ms for the plain indexes'
            # bitmap of a 200,000-call project with 5% withheld callers (docs/scale.md).
            models.Index(
                fields=["project"],
                name="call_unlinked_idx",
                condition=Q(contact__isnull=True) & ~Q(caller=""),
            ),
            # Erasure of a number (calls.erasure) and the admin's exact search by caller: "the
            # calls of this number", without reading the whole table. Withheld and erased
            # callers are left out.
            models.Index(fields=["caller"], name="call_caller_idx", condition=~Q(caller="")),
        ]

    def __str__(self):
        return f"{self.project.code}/{self.external_id}"

    def clean(self):
        """The ingestion's bounds (docs/limits.md) for a call edited in the admin: the
        instants' window and the settings' tighter limits, beyond the database's CHECKs."""
        super().clean()
        self.external_id = (self.external_id or "").strip()
        bounds = call_bounds()
        errors = {}
        if not self.external_id:
            errors["external_id"] = [gettext("This field may not be blank.")]
        for name in ("offered_at", "answered_at", "ended_at"):
            value = getattr(self, name)
            if value is not None:
                try:
                    bounds.window.check(value)
                except Invalid as exc:
                    errors[name] = [exc.message]
        if (self.wrap_seconds or 0) > bounds.max_wrap:
            errors["wrap_seconds"] = [
                gettext("Ensure this value is less than or equal to %(limit_value)s.")
                % {"limit_value": bounds.max_wrap}
            ]
        if not errors and self.offered_at and self.ended_at:
            errors = (
                time_errors(
                    self.operator_id,
                    self.offered_at,
                    self.answered_at,
                    self.ended_at,
                    self.hold_seconds,
                    bounds,
                )
                or {}
            )
        if errors:
            raise ValidationError(errors)

    @property
    def outcome(self):
        return "answered" if self.answered_at else "abandoned"


class ErasureRecord(models.Model):
    """One erasure of callers' data: who, when, where and how much, never the number.

    ``reason`` "request": a data subject's number erased on request (``phone_digest``, a
    keyed hash, recognises a repeated request); "retention": the callers of calls older
    than the retention period (``cutoff``). See docs/privacy.md.
    """

    class Reason(models.TextChoices):
        REQUEST = "request", _("Erasure request")
        RETENTION = "retention", _("Retention period")

    at = models.DateTimeField(pgettext_lazy("erasure", "at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty: the system (the retention job)."),
    )
    actor_name = models.CharField(
        _("actor's username"),
        max_length=150,
        blank=True,
        help_text=_("The actor's username then; kept if the user goes."),
    )
    reason = models.CharField(
        pgettext_lazy("erasure", "reason"), max_length=16, choices=Reason.choices
    )
    all_projects = models.BooleanField(
        _("all projects"), help_text=_("A superuser's or the system's: every project.")
    )
    project_codes = models.JSONField(
        _("project codes"),
        default=list,
        blank=True,
        help_text=_("The projects in scope, when not all of them."),
    )
    phone_digest = models.CharField(
        _("phone digest"),
        max_length=64,
        blank=True,
        help_text=_("HMAC-SHA256 of the E.164 number (requests only)."),
    )
    cutoff = models.DateTimeField(
        _("cutoff"),
        null=True,
        blank=True,
        help_text=_("Retention: calls offered before this instant."),
    )
    calls_pseudonymized = models.PositiveIntegerField(_("calls pseudonymized"), default=0)
    contacts_deleted = models.PositiveIntegerField(_("contacts deleted"), default=0)
    recordings_unlinked = models.PositiveIntegerField(_("recordings unlinked"), default=0)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reason="request") & ~Q(phone_digest="") & Q(cutoff__isnull=True))
                | (Q(reason="retention") & Q(phone_digest="") & Q(cutoff__isnull=False)),
                name="erasure_record_reason_fields",
            ),
        ]
        indexes = [
            # "Was this number erased before?" on every request.
            models.Index(
                fields=["phone_digest"],
                name="erasure_record_digest_idx",
                condition=Q(reason="request"),
            ),
        ]

    def __str__(self):
        return gettext("%(reason)s at %(at)s UTC") % {
            "reason": self.get_reason_display(),
            "at": f"{self.at:%Y-%m-%d %H:%M}",
        }


# --- KPI rollups (SPEC sections 4 and 5) ----------------------------------------------------
#
# Additive counters per 15-minute UTC interval, filled by ``calls.rollups`` with
# ``INSERT ... SELECT ... GROUP BY`` and read by ``calls.selectors``. Ratios are never
# stored: they are derived on read (``calls.kpis``), so any period is a sum of rows.
# Rows are derived data: they go with the project or operator they describe (the ORM
# cascades). Two deliberate departures from the other tables, both measured by
# bench/rollup_kpis.py, where writing a month's operator rows dominates the fill:
# - the key is the primary key (no surrogate id): one index fewer to maintain per row;
# - no database foreign keys (``db_constraint=False``): a deferred FK check per inserted
#   row (hundreds of thousands per month) cost as much as the insert. Every row derives
#   from calls and events whose own foreign keys the database does check, and a fill
#   rewrites them from those;
# - no index of its own on each foreign key: the primary key (or the interval index) leads
#   with it, and deleting a project or an operator is rare enough to scan.

INTERVAL_SECONDS = 900


class ProjectInterval(models.Model):
    """Counters of a project's inbound calls offered in one 15-minute UTC interval."""

    pk = models.CompositePrimaryKey("project", "interval_start")
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("project"),
    )
    interval_start = models.DateTimeField(_("interval start"))
    offered = models.PositiveIntegerField(_("offered"), default=0)
    answered = models.PositiveIntegerField(_("answered"), default=0)
    abandoned = models.PositiveIntegerField(_("abandoned"), default=0)
    short_abandoned = models.PositiveIntegerField(_("short abandoned"), default=0)
    answered_within_threshold = models.PositiveIntegerField(
        _("answered within threshold"), default=0
    )
    abandoned_within_threshold = models.PositiveIntegerField(
        _("abandoned within threshold"), default=0
    )
    wait_seconds_answered = models.PositiveIntegerField(
        _("wait seconds of answered calls"), default=0
    )
    talk_seconds = models.PositiveIntegerField(_("talk seconds"), default=0)
    hold_seconds = models.PositiveIntegerField(_("hold seconds"), default=0)
    wrap_seconds = models.PositiveIntegerField(_("wrap-up seconds"), default=0)
    reserve_inside_hours = models.PositiveIntegerField(
        _("reserve calls inside client hours"), default=0, db_default=0
    )

    class Meta:
        verbose_name = _("project interval")
        verbose_name_plural = _("project intervals")
        ordering = ["project", "interval_start"]
        # The primary key is also the index of every KPI read: "a project's intervals in
        # [from, to)".
        constraints = [
            models.CheckConstraint(
                condition=Q(answered__lte=F("offered")) & Q(abandoned__lte=F("offered")),
                name="project_interval_outcomes_within_offered",
            ),
        ]
        indexes = [
            # The fill: "delete every project's rows of the window [start, end)"; and the
            # alerts job: "every project's intervals since ...".
            models.Index(fields=["interval_start"], name="project_interval_start_idx"),
        ]

    def __str__(self):
        return f"{self.project_id} @ {self.interval_start:%Y-%m-%d %H:%M} UTC"


class OperatorInterval(models.Model):
    """An operator's staffed (ready), break and handle seconds in one 15-minute UTC interval.

    Handle time is every call the operator answered, of any project and direction, spread
    over the intervals it covers: from ``answered_at`` for ``handle_seconds``.
    """

    pk = models.CompositePrimaryKey("operator", "interval_start")
    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("operator"),
    )
    interval_start = models.DateTimeField(_("interval start"))
    staffed_seconds = models.PositiveIntegerField(_("staffed seconds"), default=0)
    break_seconds = models.PositiveIntegerField(_("break seconds"), default=0)
    handle_seconds = models.PositiveIntegerField(_("handle seconds"), default=0)

    class Meta:
        verbose_name = _("operator interval")
        verbose_name_plural = _("operator intervals")
        ordering = ["operator", "interval_start"]
        # The primary key is also the index of "an operator's intervals in [from, to)".
        constraints = [
            models.CheckConstraint(
                condition=Q(staffed_seconds__lte=INTERVAL_SECONDS)
                & Q(break_seconds__lte=INTERVAL_SECONDS),
                name="operator_interval_states_fit",
            ),
        ]
        indexes = [
            # The fill's window delete, and pool occupancy: "every operator in [from, to)".
            models.Index(fields=["interval_start"], name="operator_interval_start_idx"),
        ]

    def __str__(self):
        return f"{self.operator_id} @ {self.interval_start:%Y-%m-%d %H:%M} UTC"


class OperatorProjectInterval(models.Model):
    """Handle seconds of an operator on one project's calls in one 15-minute UTC interval:
    how the shared pool's working time splits between projects."""

    pk = models.CompositePrimaryKey("operator", "project", "interval_start")
    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("operator"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("project"),
    )
    interval_start = models.DateTimeField(_("interval start"))
    handle_seconds = models.PositiveIntegerField(_("handle seconds"), default=0)

    class Meta:
        verbose_name = _("operator's project interval")
        verbose_name_plural = _("operators' project intervals")
        ordering = ["operator", "project", "interval_start"]
        indexes = [
            # The fill's window delete, and "the handle of these projects in [from, to)".
            models.Index(fields=["interval_start", "project"], name="operator_project_start_idx"),
        ]

    def __str__(self):
        return f"{self.operator_id}/{self.project_id} @ {self.interval_start:%Y-%m-%d %H:%M}"


class RollupInterval(models.Model):
    """Fill state of one 15-minute interval, for every rollup table at once.

    ``dirty``: new or late data touches it (or it was never filled); ``started``: a fill
    began (a crash leaves it so, and the next run redoes it); ``done``: its rows are
    current as of ``filled_at``. An interval filled before it ended (``filled_at`` earlier
    than its end) is refilled by the next run, since states still open keep growing.
    """

    class State(models.TextChoices):
        DIRTY = "dirty", _("Dirty")
        STARTED = "started", _("Started")
        DONE = "done", pgettext_lazy("rollup", "Done")

    interval_start = models.DateTimeField(_("interval start"), unique=True)
    state = models.CharField(
        pgettext_lazy("rollup", "state"), max_length=8, choices=State.choices, default=State.DIRTY
    )
    filled_at = models.DateTimeField(
        _("filled at"),
        null=True,
        blank=True,
        help_text=_("The clock of the run that filled it last."),
    )

    class Meta:
        verbose_name = _("rollup interval")
        verbose_name_plural = _("rollup intervals")
        ordering = ["interval_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["dirty", "started", "done"]),
                name="rollup_interval_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(filled_at__isnull=False),
                name="rollup_interval_done_has_fill_time",
            ),
        ]
        indexes = [
            # Each run: "the intervals to fill, in order" (a handful among years of rows).
            models.Index(
                fields=["interval_start"],
                name="rollup_interval_pending_idx",
                condition=~Q(state="done"),
            ),
        ]

    def __str__(self):
        return f"{self.interval_start:%Y-%m-%d %H:%M} UTC {self.state}"


class RollupState(models.Model):
    """The one row of the rollup engine's progress: watermarks on ``received_at``.

    ``calls_received_until`` and ``events_received_until``: the newest ``received_at``
    seen by the last run; ``last_run_at``: that run's clock; ``max_call_span_seconds``: the
    longest call seen, from ``offered_at`` to the end of its wrap-up, which bounds how far
    back the fill looks for calls still being handled in an interval.
    """

    calls_received_until = models.DateTimeField(_("calls received until"), null=True, blank=True)
    events_received_until = models.DateTimeField(_("events received until"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    max_call_span_seconds = models.PositiveIntegerField(_("longest call, seconds"), default=0)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="rollup_state_singleton")]

    def __str__(self):
        return f"rollup state, last run {self.last_run_at}"


class KpiAlert(models.Model):
    """A project hour that missed its service-level target or exceeded its abandon target:
    the history of the hourly alerts, no longer written (alerts/0001 copied it into
    ``alerts.Alert``, whose hourly conditions replace it).

    Stored once per project, hour and kind; the project's managers are e-mailed once
    (``notified_at``). ``value`` and ``target`` are ratios (0..1).
    """

    class Kind(models.TextChoices):
        SERVICE_LEVEL = "service_level", _("Service level below target")
        ABANDON_RATE = "abandon_rate", _("Abandon rate above target")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="kpi_alerts", verbose_name=_("project")
    )
    interval_start = models.DateTimeField(
        _("hour"), help_text=_("Start of the hour (the project's local hour).")
    )
    kind = models.CharField(pgettext_lazy("alert", "kind"), max_length=16, choices=Kind.choices)
    value = models.DecimalField(pgettext_lazy("alert", "value"), max_digits=6, decimal_places=5)
    target = models.DecimalField(_("target"), max_digits=4, decimal_places=3)
    offered = models.PositiveIntegerField(_("offered"))
    created_at = models.DateTimeField(pgettext_lazy("alert", "created at"), auto_now_add=True)
    notified_at = models.DateTimeField(pgettext_lazy("alert", "notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("KPI alert")
        verbose_name_plural = _("KPI alerts")
        ordering = ["-interval_start", "project", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "interval_start", "kind"], name="kpi_alert_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["service_level", "abandon_rate"]), name="kpi_alert_kind_valid"
            ),
        ]
        indexes = [
            # The mailer: "alerts not e-mailed yet".
            models.Index(
                fields=["created_at"],
                name="kpi_alert_unnotified_idx",
                condition=Q(notified_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.project_id} {self.kind} @ {self.interval_start:%Y-%m-%d %H:%M}"
