"""Delivering alerts: an ``AlertDelivery`` row per event and target, then one attempt at a
time (the Celery task ``alerts.deliver`` retries with backoff).

E-mail goes to the project's managers who have an address. A webhook gets a JSON body and
two headers: ``X-Alert-Timestamp`` (Unix seconds) and ``X-Alert-Signature``
(``sha256=`` + hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the webhook's secret).
Delivery is at least once: a receiver deduplicates by ``delivery`` id in the body.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.conditions import condition_label
from alerts.models import Alert, AlertDelivery, AlertWebhook
from contactcenter.events import ALERT_CLEARED, ALERT_OPENED, publish

logger = logging.getLogger(__name__)

STALE = dt.timedelta(minutes=10)
SIGNATURE_HEADER = "X-Alert-Signature"
TIMESTAMP_HEADER = "X-Alert-Timestamp"


def max_attempts() -> int:
    return getattr(settings, "ALERT_DELIVERY_MAX_ATTEMPTS", 6)


def webhook_timeout() -> float:
    return getattr(settings, "ALERT_WEBHOOK_TIMEOUT_SECONDS", 10)


class DeliveryFailed(Exception):
    """One attempt failed; ``final`` when no attempt is left."""

    def __init__(self, message: str, *, final: bool) -> None:
        super().__init__(message)
        self.final = final


def alert_payload(alert: Alert, event: str) -> dict:
    """The JSON body of an event (the delivery id is added when the row exists); the
    condition's label in the server's language."""
    with translation.override(settings.LANGUAGE_CODE):
        label = condition_label(alert.condition)
    return {
        "event": event,
        "alert": {
            "id": alert.pk,
            "project": alert.project.code if alert.project is not None else None,
            "condition": alert.condition,
            "label": label,
            "state": alert.state,
            "opened_at": alert.opened_at.isoformat(),
            "cleared_at": alert.cleared_at.isoformat() if alert.cleared_at else None,
            "value": None if alert.value is None else str(alert.value),
            "threshold": None if alert.threshold is None else str(alert.threshold),
            "message": alert.message,
        },
    }


def manager_emails(alert: Alert) -> list[str]:
    if alert.project is None:
        return []
    emails = alert.project.managers.values_list("email", flat=True)
    return sorted({email for email in emails if email})


def deliveries_plan(alert: Alert, event: str) -> list[AlertDelivery]:
    """Store the deliveries of ``event`` and queue them once the transaction commits; the
    event is published too (``alert.opened``/``alert.cleared``, for the webhooks app)."""
    payload = alert_payload(alert, event)
    publish(
        ALERT_CLEARED if event == AlertDelivery.Event.CLEARED else ALERT_OPENED,
        client_id=alert.project.client_id if alert.project is not None else None,
        data={"alert": payload["alert"]},
    )
    rows = []
    recipients = manager_emails(alert)
    if recipients:
        rows.append(
            AlertDelivery(
                alert=alert,
                event=event,
                channel=AlertDelivery.Channel.EMAIL,
                target=", ".join(recipients),
                payload=payload,
            )
        )
    elif alert.project is not None:
        logger.warning("Alert %s of %s: no manager has an e-mail", alert.pk, alert.project.code)
    hooks = AlertWebhook.objects.filter(is_active=True).filter(
        Q(project__isnull=True) | Q(project_id=alert.project_id)
    )
    rows += [
        AlertDelivery(
            alert=alert,
            event=event,
            channel=AlertDelivery.Channel.WEBHOOK,
            target=hook.url,
            webhook=hook,
            payload=payload,
        )
        for hook in hooks.order_by("pk")
    ]
    rows = AlertDelivery.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    if ids:
        from alerts.tasks import deliver

        transaction.on_commit(lambda: [deliver.delay(pk) for pk in ids])
    return rows


def deliveries_requeue(*, now: dt.datetime, older_than: dt.timedelta = STALE) -> int:
    """Queue again the deliveries never attempted that were planned before ``now -
    older_than`` (the broker was down when their evaluation committed); returns how many."""
    from alerts.tasks import deliver

    stale = AlertDelivery.objects.filter(
        status=AlertDelivery.Status.PENDING, attempts=0, created_at__lt=now - older_than
    ).values_list("pk", flat=True)
    ids = list(stale.order_by("pk")[:1000])
    for pk in ids:
        deliver.delay(pk)
    return len(ids)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``b"<timestamp>." + body`` with ``secret``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def _send_email(row: AlertDelivery) -> None:
    """The e-mail in the server's language (LANGUAGE_CODE): a background task has no
    request to take one from."""
    alert = row.payload["alert"]
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "project": alert["project"] or _("pool"),
            "label": condition_label(alert["condition"])
            if alert.get("condition")
            else alert["label"],
        }
        if row.payload["event"] == AlertDelivery.Event.CLEARED:
            subject = _("[alert cleared] %(project)s: %(label)s") % names
        else:
            subject = _("[alert opened] %(project)s: %(label)s") % names
        body = (
            f"{alert['message']}\n\n"
            + _("Opened at %(opened_at)s (alert %(id)s).")
            % {
                "opened_at": alert["opened_at"],
                "id": alert["id"],
            }
            + "\n"
        )
        if alert["cleared_at"]:
            body += _("Cleared at %(cleared_at)s.") % {"cleared_at": alert["cleared_at"]} + "\n"
    send_mail(subject, body, None, [a.strip() for a in row.target.split(",")])


def _send_webhook(row: AlertDelivery) -> None:
    if row.webhook is None or not row.webhook.is_active:
        raise DeliveryFailed("The webhook was deleted or switched off.", final=True)
    if not row.target.startswith(("http://", "https://")):
        raise DeliveryFailed("Not an http(s) URL.", final=True)
    body = json.dumps({**row.payload, "delivery": row.pk}, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        row.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(row.webhook.secret, timestamp, body),
        },
    )
    if not row.webhook.url.startswith(("https://", "http://")):  # never file: or ftp:
        raise DeliveryFailed(f"Not an HTTP(S) URL: {row.webhook.url[:80]}", final=True)
    # The scheme is checked just above.
    with urllib.request.urlopen(request, timeout=webhook_timeout()) as answer:  # noqa: S310  # nosec B310
        answer.read(1024)


_SEND = {AlertDelivery.Channel.EMAIL: _send_email, AlertDelivery.Channel.WEBHOOK: _send_webhook}
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, smtplib.SMTPException, OSError)


def delivery_attempt(delivery_id: int) -> AlertDelivery:
    """Make one attempt at a delivery not yet sent; log it on the row. Raises
    ``DeliveryFailed`` when it fails (``final`` once the attempts are spent)."""
    row = AlertDelivery.objects.select_related("webhook").get(pk=delivery_id)
    if row.status in (AlertDelivery.Status.SENT, AlertDelivery.Status.FAILED):
        return row
    row.attempts += 1
    try:
        _SEND[AlertDelivery.Channel(row.channel)](row)
    except (DeliveryFailed, *_NETWORK_ERRORS) as exc:
        final = getattr(exc, "final", False) or row.attempts >= max_attempts()
        row.status = AlertDelivery.Status.FAILED if final else AlertDelivery.Status.RETRYING
        row.last_error = str(exc)[:2000] or type(exc).__name__
        row.save(update_fields=["attempts", "status", "last_error"])
        raise DeliveryFailed(row.last_error, final=final) from exc
    row.status = AlertDelivery.Status.SENT
    row.delivered_at = timezone.now()
    row.save(update_fields=["attempts", "status", "delivered_at"])
    return row
