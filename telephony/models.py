"""Telephony sources and their mapping tables (docs/telephony.md).

A source is one PBX (or one export of it) of one client: what it writes (``kind``), the
time zone of its naive times and the region its local numbers belong to. Its queues map to
projects and its agents, members, extensions and channels to operators; a row that names
something unmapped is parked (``ParkedCall``) with the reason, never half stored.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agents.models import Operator
from projects.models import Client, Project


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s."), params={"zone": value})


def validate_region(value: str) -> None:
    import phonenumbers

    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(_("Unknown phone region: %(region)s."), params={"region": value})


class TelephonySource(models.Model):
    """One PBX of a client, as its files and events come."""

    class Kind(models.TextChoices):
        ASTERISK_QUEUE_LOG = "asterisk-queue-log", _("Asterisk queue_log")
        ASTERISK_CDR_CSV = "asterisk-cdr-csv", _("Asterisk CDR (Master.csv)")
        FREESWITCH_CDR_CSV = "freeswitch-cdr-csv", _("FreeSWITCH CDR (mod_cdr_csv)")
        GENERIC_CSV = "generic-csv", _("Generic CSV")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="telephony_sources", verbose_name=_("client")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("telephony source", "name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Moscow",
        validators=[validate_time_zone],
        help_text=_("The zone of the times the PBX writes without an offset."),
    )
    phone_region = models.CharField(
        _("phone region"),
        max_length=2,
        default="RU",
        validators=[validate_region],
        help_text=_("ISO country code for numbers written without a country code."),
    )
    column_map = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Generic CSV only: the file's column for each call field."),
    )
    is_active = models.BooleanField(pgettext_lazy("telephony source", "active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("telephony source")
        verbose_name_plural = _("telephony sources")

    def __str__(self) -> str:
        return self.name or self.code


class QueueMapping(models.Model):
    """A queue of the PBX and the project its calls belong to."""

    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.CASCADE,
        related_name="queue_mappings",
        verbose_name=_("telephony source"),
    )
    queue = models.CharField(_("queue"), max_length=128)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )

    class Meta:
        ordering = ["source", "queue"]
        verbose_name = _("queue mapping")
        verbose_name_plural = _("queue mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "queue"], name="telephony_queue_once")
        ]

    def __str__(self) -> str:
        return f"{self.queue} -> {self.project_id}"


class AgentMapping(models.Model):
    """A name the PBX gives a person (agent, member, extension, channel) and the operator."""

    class Kind(models.TextChoices):
        AGENT = "agent", _("Agent")
        MEMBER = "member", _("Queue member")
        EXTENSION = "extension", _("Extension")
        CHANNEL = "channel", _("Channel")

    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.CASCADE,
        related_name="agent_mappings",
        verbose_name=_("telephony source"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AGENT)
    name = models.CharField(
        pgettext_lazy("agent mapping", "name"),
        max_length=128,
        help_text=_("As the PBX writes it: PJSIP/1001, Paty Marin, 1001."),
    )
    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="+", verbose_name=_("operator")
    )

    class Meta:
        ordering = ["source", "kind", "name"]
        verbose_name = _("agent mapping")
        verbose_name_plural = _("agent mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "name"], name="telephony_agent_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} -> {self.operator_id}"


class ParkedCall(models.Model):
    """A call the import could not store whole: it waits for a mapping, with the reason."""

    class Reason(models.TextChoices):
        UNMAPPED_QUEUE = "unmapped_queue", _("Unmapped queue")
        UNKNOWN_AGENT = "unknown_agent", _("Unknown agent")

    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.CASCADE,
        related_name="parked_calls",
        verbose_name=_("telephony source"),
    )
    call_key = models.CharField(
        _("call key"), max_length=255, help_text=_("The PBX's id of the call (uniqueid, linkedid).")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    missing = models.CharField(
        _("missing mapping"), max_length=128, help_text=_("The queue or agent name not mapped.")
    )
    payload = models.JSONField(
        _("payload"), help_text=_("The call's rows as read, to store once the mapping exists.")
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    line_no = models.PositiveIntegerField(_("line"), null=True, blank=True)
    parked_at = models.DateTimeField(_("parked at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("stored at"), null=True, blank=True)

    class Meta:
        ordering = ["-parked_at", "id"]
        verbose_name = _("parked call")
        verbose_name_plural = _("parked calls")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "call_key"],
                condition=models.Q(resolved_at__isnull=True),
                name="telephony_parked_once",
            )
        ]
        indexes = [
            models.Index(fields=["source", "reason", "missing"], name="telephony_parked_missing")
        ]

    def __str__(self) -> str:
        return f"{self.call_key}: {self.get_reason_display()} {self.missing}"


class QueueLogCursor(models.Model):
    """Where ``import_queue_log --follow`` is in a growing ``queue_log`` (docs/telephony-follow.md).

    Saved in the transaction that stores each batch read, so a restart resumes exactly
    after the last line stored: the file's inode and the byte offset after that line, the
    line count, and the reader state the next lines need (calls in progress, operators'
    queue memberships and pauses, the segment numbering of re-queued calls).
    """

    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="queue_log_cursors",
        verbose_name=_("telephony source"),
    )
    path = models.CharField(
        _("path"), max_length=1024, help_text=_("The followed file, as given to the command.")
    )
    inode = models.PositiveBigIntegerField(_("inode"), null=True, blank=True)
    offset = models.PositiveBigIntegerField(
        _("offset"), default=0, help_text=_("Bytes of the file read and stored.")
    )
    line_no = models.PositiveBigIntegerField(
        _("line"), default=0, help_text=_("Lines of the file read and stored.")
    )
    state = models.JSONField(
        _("reader state"),
        default=dict,
        blank=True,
        help_text=_("What the next lines need: calls in progress, operators' memberships."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("queue_log cursor")
        verbose_name_plural = _("queue_log cursors")
        constraints = [
            # One cursor per followed file (of a source, or of none): NULL counts as a value.
            models.UniqueConstraint(
                fields=["source", "path"], name="telephony_cursor_once", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} @ {self.offset}"
