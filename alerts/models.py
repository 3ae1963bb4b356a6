"""Alerts with a lifecycle (open, acknowledged, cleared), webhooks and the delivery log."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.models import Project


class AlertQuerySet(models.QuerySet):
    def in_state(self, state: str) -> "AlertQuerySet":
        """The alerts in ``state`` (one of ``Alert.State``)."""
        if state == Alert.State.OPEN:
            return self.filter(cleared_at__isnull=True, acknowledged_at__isnull=True)
        if state == Alert.State.ACKNOWLEDGED:
            return self.filter(cleared_at__isnull=True, acknowledged_at__isnull=False)
        if state == Alert.State.CLEARED:
            return self.filter(cleared_at__isnull=False)
        raise ValueError(f"Unknown alert state {state!r}.")

    def not_cleared(self) -> "AlertQuerySet":
        return self.filter(cleared_at__isnull=True)


class Alert(models.Model):
    """A condition found breached: opened once, updated while it lasts, cleared when it
    recovers. At most one alert per project and condition is not cleared (a partial unique
    constraint); a later breach opens a new row. ``project`` is empty for a pool-wide
    condition."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("alert state", "Open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert state", "Acknowledged")
        CLEARED = "cleared", pgettext_lazy("alert state", "Cleared")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("project"),
    )
    condition = models.CharField(
        _("condition"), max_length=40, help_text=_("The condition's code.")
    )
    opened_at = models.DateTimeField(_("opened at"))
    last_seen_at = models.DateTimeField(
        _("last seen at"), help_text=_("The last evaluation that found it breached.")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    value = models.DecimalField(
        pgettext_lazy("alert", "value"), max_digits=16, decimal_places=5, null=True, blank=True
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=16, decimal_places=5, null=True, blank=True
    )
    message = models.TextField(pgettext_lazy("alert", "message"))

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "condition"],
                condition=Q(cleared_at__isnull=True),
                nulls_distinct=False,
                name="alert_one_open_per_project_condition",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("opened_at")),
                name="alert_acknowledged_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(cleared_at__gte=F("opened_at")),
                name="alert_cleared_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["project", "-opened_at"], name="alert_project_opened")]

    def __str__(self) -> str:
        where = self.project.code if self.project is not None else "pool"
        return f"{where} {self.condition} {self.opened_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def state(self) -> str:
        if self.cleared_at is not None:
            return self.State.CLEARED
        if self.acknowledged_at is not None:
            return self.State.ACKNOWLEDGED
        return self.State.OPEN


class AlertWebhook(models.Model):
    """An HTTP endpoint that receives a project's alerts (every project's when ``project``
    is empty), signed with ``secret`` (HMAC-SHA256 over ``"<timestamp>.<body>"``)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_webhooks",
        verbose_name=_("project"),
        help_text=_("Empty: the alerts of every project."),
    )
    url = models.URLField("URL", max_length=500)
    secret = models.CharField(
        pgettext_lazy("webhook", "secret"),
        max_length=128,
        help_text=_("Shared secret of the signature."),
    )
    is_active = models.BooleanField(pgettext_lazy("webhook", "active"), default=True)
    created_at = models.DateTimeField(pgettext_lazy("webhook", "created at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "url"]
        verbose_name = _("alert webhook")
        verbose_name_plural = _("alert webhooks")
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="alert_webhook_http_url",
            ),
            models.CheckConstraint(
                condition=Q(secret__regex=r"^.{16,}$"),  # noqa: S106 (a length rule)
                name="alert_webhook_secret_length",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class AlertDelivery(models.Model):
    """One message about one alert event to one target: its attempts and outcome."""

    class Event(models.TextChoices):
        OPENED = "opened", _("Opened")
        CLEARED = "cleared", _("Cleared")

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("alert channel", "E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert")
    )
    event = models.CharField(
        pgettext_lazy("alert delivery", "event"), max_length=10, choices=Event.choices
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(
        pgettext_lazy("alert delivery", "target"),
        max_length=1000,
        help_text=_("Recipients or URL."),
    )
    webhook = models.ForeignKey(
        AlertWebhook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        pgettext_lazy("alert delivery", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(
        pgettext_lazy("alert delivery", "created at"), auto_now_add=True
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")

    def __str__(self) -> str:
        return f"{self.channel} {self.event} -> {self.target} ({self.status})"
