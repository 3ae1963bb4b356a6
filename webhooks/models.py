"""Webhook endpoints, the events sent to them and the log of every delivery attempt."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contactcenter.events import EVENT_TYPES
from projects.models import Client

# The event types as people read them (the admin's filters and columns); the API and the
# payloads keep the codes.
EVENT_LABELS = {
    "invoice.issued": _("Invoice issued"),
    "invoice.paid": _("Invoice paid"),
    "payment.received": _("Payment received"),
    "alert.opened": _("Alert opened"),
    "alert.cleared": _("Alert cleared"),
    "import.finished": _("Import finished"),
    "report.ready": _("Report ready"),
}
EVENT_CHOICES = [(name, EVENT_LABELS[name]) for name in EVENT_TYPES]
URL_MAX_LENGTH = 500
SNIPPET_MAX_LENGTH = 500


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to: a client's (its own events only) or
    the center's (``client`` empty: every event)."""

    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("client"),
        help_text=_("Blank: the center's own endpoint, which receives every client's events."),
    )
    url = models.URLField(_("URL"), max_length=URL_MAX_LENGTH)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(
        models.CharField(max_length=40, choices=EVENT_CHOICES),
        verbose_name=_("events"),
        help_text=_("The event types sent to this endpoint."),
    )
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(
        _("previous secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret accepted until"), null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    failing_since = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The first failed attempt since the last success."),
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("disabled because"), max_length=255, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["client", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__regex=r"^https?://"), name="webhook_endpoint_http_url"
            ),
            models.CheckConstraint(
                condition=Q(secret__startswith="whsec_"),  # noqa: S106  a prefix
                name="webhook_endpoint_secret_format",
            ),
        ]
        indexes = [
            # Fan-out of an event: "the active endpoints of a client (and the center's)".
            models.Index(fields=["client", "is_active"], name="webhook_endpoint_client_idx"),
        ]

    def __str__(self):
        return self.url


class WebhookMessage(models.Model):
    """One event as published: the same ``webhook-id`` for every endpoint and every retry,
    so a receiver deduplicates by it."""

    message_id = models.CharField(_("message id"), max_length=40, unique=True)
    event_type = models.CharField(_("event"), max_length=40, choices=EVENT_CHOICES)
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook message")
        verbose_name_plural = _("webhook messages")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event_type} {self.message_id}"


class WebhookDelivery(models.Model):
    """A message to one endpoint: attempted until it succeeds or the retries are spent."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
        RETRYING = "retrying", pgettext_lazy("webhook delivery", "Retrying")
        SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "Succeeded")
        FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    message = models.ForeignKey(
        WebhookMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("message"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "retrying", "succeeded", "failed"]),
                name="webhook_delivery_status_valid",
            ),
        ]
        indexes = [
            # An endpoint's log, newest first (API deliveries/, the admin inline).
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
        ]

    def __str__(self):
        return f"{self.message} -> {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: what the receiver answered, and how fast."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_snippet = models.CharField(
        _("response (start)"), max_length=SNIPPET_MAX_LENGTH, blank=True
    )
    manual = models.BooleanField(_("manual redelivery"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once"),
        ]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
