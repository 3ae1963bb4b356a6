"""Live call events: a call as it happens (offered, answered, ended, abandoned)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agents.models import Operator
from calls.models import E164_REGEX
from contactcenter.batch import EARLIEST_INSTANT
from projects.models import Project


class CallEvent(models.Model):
    """One step of a call in progress, as the telephony reports it.

    The finished record (``calls.Call``, same project and ``external_id``) comes later
    and is the call; a call whose record never comes is closed from its events
    (``live.closing``). The natural key is (project, external_id, event): a re-sent event
    is a duplicate.
    """

    class Event(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ANSWERED = "answered", _("Answered")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Abandoned")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="call_events")
    external_id = models.CharField(
        max_length=64, help_text=_("The telephony's id of the call; unique within the project.")
    )
    event = models.CharField(max_length=10, choices=Event.choices)
    at = models.DateTimeField()
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="call_events"
    )
    caller = models.CharField(max_length=16, blank=True, help_text=_("E.164; blank if withheld."))
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "external_id", "event"], name="call_event_once_per_call"
            ),
            models.CheckConstraint(
                condition=Q(event__in=["offered", "answered", "ended", "abandoned"]),
                name="call_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(at__gte=EARLIEST_INSTANT), name="call_event_at_from_2000"
            ),
            models.CheckConstraint(
                condition=Q(caller="") | Q(caller__regex=E164_REGEX), name="call_event_caller_e164"
            ),
        ]
        indexes = [
            # Today's events (the rebuild) and the stale calls' sweep.
            models.Index(fields=["at"], name="call_event_at_idx"),
        ]

    def __str__(self):
        return f"{self.project_id}/{self.external_id} {self.event} at {self.at:%Y-%m-%d %H:%M:%S}"
