"""Live call events: a call as it happens (offered, answered, ended, abandoned)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
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
        OFFERED = "offered", pgettext_lazy("call event", "Offered")
        ANSWERED = "answered", pgettext_lazy("call event", "Answered")
        ENDED = "ended", pgettext_lazy("call event", "Ended")
        ABANDONED = "abandoned", pgettext_lazy("call event", "Abandoned")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="call_events", verbose_name=_("project")
    )
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        help_text=_("The telephony's id of the call; unique within the project."),
    )
    event = models.CharField(
        pgettext_lazy("call event", "event"), max_length=10, choices=Event.choices
    )
    at = models.DateTimeField(pgettext_lazy("call event", "at"))
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_events",
        verbose_name=_("operator"),
    )
    caller = models.CharField(
        _("caller"), max_length=16, blank=True, help_text=_("E.164; blank if withheld.")
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
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
        return gettext("%(call)s %(event)s at %(at)s UTC") % {
            "call": f"{self.project_id}/{self.external_id}",
            "event": self.get_event_display(),
            "at": f"{self.at:%Y-%m-%d %H:%M:%S}",
        }
