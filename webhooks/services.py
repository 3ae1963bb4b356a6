"""Webhook endpoints (create, change, rotate the secret), the fan-out of a published event
to the endpoints subscribed, and one delivery attempt with its log (docs/webhooks.md).

Delivery is at least once: a receiver deduplicates by ``webhook-id``, the same for every
endpoint and every retry of one event.
"""

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contactcenter.errors import DomainError
from contactcenter.events import EVENT_TYPES
from webhooks.models import (
    SNIPPET_MAX_LENGTH,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from webhooks.signing import new_secret, signed_headers
from webhooks.urls_safety import UnsafeUrl, check_url_form, check_url_resolves_public

logger = logging.getLogger(__name__)

DEFAULT_RETRY_SECONDS = (60, 300, 1800, 7200, 21600, 43200)


def retry_schedule() -> tuple[int, ...]:
    """Seconds to wait before each retry: ``WEBHOOK_RETRY_SECONDS`` (1 min, 5 min, 30 min,
    2 h, 6 h, 12 h); an event is tried once plus once per entry."""
    return tuple(getattr(settings, "WEBHOOK_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def disable_after() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "WEBHOOK_DISABLE_AFTER_DAYS", 3))


def rotation_grace() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "WEBHOOK_SECRET_GRACE_HOURS", 24))


# --- Endpoints ---------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    try:
        return check_url_form(url)
    except UnsafeUrl as exc:
        raise DomainError(_("Invalid webhook URL."), details={"url": [str(exc)]}) from exc


def _clean_events(events: list[str]) -> list[str]:
    if not events:
        raise DomainError(
            _("No events."), details={"events": [_("Subscribe to at least one event.")]}
        )
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise DomainError(
            _("Unknown events."),
            details={
                "events": [
                    _("Unknown: %(unknown)s; one of %(known)s.")
                    % {"unknown": ", ".join(unknown), "known": ", ".join(EVENT_TYPES)}
                ]
            },
        )
    return sorted(set(events), key=EVENT_TYPES.index)


@transaction.atomic
def endpoint_create(
    *, client: Any, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (``whsec_`` + base64 of 32 random bytes)."""
    return WebhookEndpoint.objects.create(
        client=client,
        url=_clean_url(url),
        events=_clean_events(events),
        description=description,
        secret=new_secret(),
    )


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    """Change url, events, description or is_active; switching an endpoint on again
    forgets its failures."""
    if "url" in fields:
        endpoint.url = _clean_url(fields["url"])
    if "events" in fields:
        endpoint.events = _clean_events(fields["events"])
    if "description" in fields:
        endpoint.description = fields["description"]
    if "is_active" in fields:
        if fields["is_active"] and not endpoint.is_active:
            endpoint.failing_since, endpoint.disabled_at, endpoint.disabled_reason = None, None, ""
        endpoint.is_active = fields["is_active"]
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one still signs (beside the new) for the grace period
    (``WEBHOOK_SECRET_GRACE_HOURS``, 24), so a receiver can switch without losing events."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + rotation_grace()
    endpoint.secret = new_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"]
    )
    return endpoint


def secrets_in_use(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    in_use = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and now < endpoint.previous_secret_until
    ):
        in_use.append(endpoint.previous_secret)
    return in_use


# --- Fan-out -----------------------------------------------------------------------------


def subscribed_endpoints(event_type: str, client_id: int | None):
    """Active endpoints subscribed to ``event_type``: the client's own and the center's."""
    owners = Q(client__isnull=True)
    if client_id is not None:
        owners |= Q(client_id=client_id)
    return WebhookEndpoint.objects.filter(owners, is_active=True, events__contains=[event_type])


def message_publish(
    *, event_type: str, client_id: int | None, data: dict[str, Any]
) -> list[WebhookDelivery]:
    """Store the message and a delivery per subscribed endpoint; queue them on commit."""
    endpoints = list(subscribed_endpoints(event_type, client_id).order_by("pk"))
    if not endpoints:
        return []
    now = timezone.now()
    with transaction.atomic():
        message = WebhookMessage.objects.create(
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=event_type,
            client_id=client_id,
            payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint, message=message, next_attempt_at=now)
            for endpoint in endpoints
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: _queue(ids), robust=True)
    return deliveries


def _queue(ids: list[int], countdown: int = 0) -> None:
    from webhooks.tasks import deliver

    for pk in ids:
        deliver.apply_async((pk,), countdown=countdown)


STALE = dt.timedelta(minutes=10)


def deliveries_requeue(*, now: dt.datetime, older_than: dt.timedelta = STALE) -> int:
    """Queue again the deliveries still due whose next attempt is overdue by ``older_than``
    (planned while the broker was down, or their retry lost); returns how many."""
    ids = list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
            next_attempt_at__lt=now - older_than,
            endpoint__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    _queue(ids)
    return len(ids)


def on_event_published(sender: Any, *, event_type: str, client_id: int | None, data: dict,
                       **kwargs: Any) -> None:  # fmt: skip
    """The ``contactcenter.events.event_published`` receiver (connected in AppConfig.ready)."""
    message_publish(event_type=event_type, client_id=client_id, data=data)


# --- Attempts ----------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, never followed: a redirect could lead to an address
    the URL checks refuse (server-side request forgery)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """(status, the answer's start); raises urllib/OS errors for a network failure."""
    if not url.startswith(("http://", "https://")):  # checked on save; never file: or ftp:
        raise UnsafeUrl("Not an HTTP(S) URL.")
    headers = {"Content-Type": "application/json", **headers}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout_seconds()) as answer:  # nosec B310
            return answer.status, answer.read(SNIPPET_MAX_LENGTH).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(SNIPPET_MAX_LENGTH).decode(errors="replace")


def _send(delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str, str, int]:
    """POST the delivery's message, signed: (status code, answer's start, error, latency ms)."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.message.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signed_headers(
        secrets_in_use=secrets_in_use(endpoint, now),
        message_id=delivery.message.message_id,
        at=now,
        body=body,
    )
    status_code, snippet, error = None, "", ""
    started = time.monotonic()
    try:
        check_url_resolves_public(endpoint.url)
        status_code, snippet = _post(endpoint.url, body, headers)
    except (UnsafeUrl, urllib.error.URLError, OSError, ValueError) as exc:
        error = (str(exc) or type(exc).__name__)[:500]
    return status_code, snippet, error, int((time.monotonic() - started) * 1000)


def delivery_attempt(delivery_id: int, *, manual: bool = False) -> WebhookAttempt | None:
    """One attempt of a delivery, logged. Returns the attempt (None when there is nothing
    to attempt: delivered, failed for good, or its endpoint switched off). A manual
    redelivery attempts whatever the status.

    The request is sent outside any transaction (an open transaction would hold back
    billing's watermark, docs/billing.md "Drafts are complete"); the attempt is then
    recorded under the delivery's row lock."""
    delivery = WebhookDelivery.objects.select_related("endpoint", "message").get(pk=delivery_id)
    closed = delivery.status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED)
    if not manual and (closed or not delivery.endpoint.is_active):
        return None
    now = timezone.now()
    status_code, snippet, error, latency = _send(delivery, now)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .get(pk=delivery_id)
        )
        endpoint = delivery.endpoint
        delivery.attempts += 1
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            attempted_at=now,
            status_code=status_code,
            latency_ms=latency,
            error=error,
            response_snippet=snippet[:SNIPPET_MAX_LENGTH],
            manual=manual,
        )
        if attempt.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            if not manual:  # a manual attempt leaves the schedule (and a closed row) alone
                schedule = retry_schedule()
                automatic = delivery.attempt_log.filter(manual=False).count()
                if automatic > len(schedule):
                    delivery.status = WebhookDelivery.Status.FAILED
                    delivery.next_attempt_at = None
                else:
                    delivery.status = WebhookDelivery.Status.RETRYING
                    delivery.next_attempt_at = now + dt.timedelta(seconds=schedule[automatic - 1])
            _note_failure(endpoint, now)
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return attempt


def _note_failure(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    """Remember when the endpoint started failing; past ``WEBHOOK_DISABLE_AFTER_DAYS`` of
    failures without a success, switch it off and tell its owner."""
    since = endpoint.failing_since or now
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    if endpoint.is_active and now - since >= disable_after():
        endpoint_disable(endpoint=endpoint, now=now, since=since)


def owner_emails(endpoint: WebhookEndpoint) -> list[str]:
    """A client's endpoint: the client's billing e-mail; the center's: its superusers'."""
    if endpoint.client is not None:
        return [endpoint.client.billing_email] if endpoint.client.billing_email else []
    users = get_user_model().objects.filter(is_superuser=True, is_active=True)
    return sorted({email for email in users.values_list("email", flat=True) if email})


def endpoint_disable(*, endpoint: WebhookEndpoint, now: dt.datetime, since: dt.datetime) -> None:
    """Switch a failing endpoint off and e-mail its owner (in the server's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Every delivery failed since %(since)s.") % {
            "since": f"{since:%Y-%m-%d %H:%M} UTC"
        }
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, disabled_at=now, disabled_reason=reason[:255]
        )
        endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
        recipients = owner_emails(endpoint)
        if not recipients:
            logger.warning("Webhook endpoint %s disabled; nobody to tell", endpoint.pk)
            return
        subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url[:100]}
        body = (
            _(
                "The webhook endpoint %(url)s failed every delivery since %(since)s and has been "
                "switched off. Fix the receiver, then switch the endpoint on again (API: PATCH "
                "is_active, or the admin); deliveries that failed can be sent again from the "
                "admin."
            )
            % {"url": endpoint.url, "since": f"{since:%Y-%m-%d %H:%M} UTC"}
            + "\n"
        )
    transaction.on_commit(
        lambda: send_mail(subject, body, None, recipients, fail_silently=True), robust=True
    )


def delivery_redeliver(*, delivery: WebhookDelivery) -> None:
    """Queue one more attempt of a delivery now, whatever its status (the admin's action)."""
    from webhooks.tasks import redeliver

    transaction.on_commit(lambda: redeliver.delay(delivery.pk), robust=True)
