"""The portal's own rows: a client's "called back" marks on abandoned calls, and the
monthly service reports (PDF) built at month end."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from projects.models import Client


class CallbackMark(models.Model):
    """A client's person called this abandoned caller back. One per call: marking twice
    keeps the first mark (the POST is idempotent)."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="callback_mark", verbose_name=_("call")
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("callback mark")
        verbose_name_plural = _("callback marks")

    def __str__(self):
        return f"{self.call_id} @ {self.marked_at:%Y-%m-%d %H:%M}"


def report_path(report: "ServiceReport", filename: str) -> str:
    return f"service-reports/{report.client.code}/{filename}"


class ServiceReport(models.Model):
    """The monthly service report of a client, a PDF built once the month is over."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="service_reports", verbose_name=_("client")
    )
    period = models.DateField(_("period"), help_text=_("First day of the reported month."))
    file = models.FileField(_("file"), upload_to=report_path, max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        ordering = ["client", "-period"]
        constraints = [
            # One report per client and month: the beat task builds what is missing.
            models.UniqueConstraint(fields=["client", "period"], name="service_report_once"),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="service_report_period_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.client.code} {self.period:%Y-%m}"
