"""Celery tasks of the alerts app: the evaluation (beat) and one delivery, retried."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from alerts import delivery, engine


@shared_task(name="calls.kpi_alerts", soft_time_limit=120, time_limit=150)
def alerts_evaluate() -> dict[str, int]:
    """Beat, every 5 minutes (the row of calls/0006, under its old name): judge every
    condition, open, update and clear alerts; queue again deliveries the broker missed."""
    now = timezone.now()
    counts = engine.alerts_evaluate(now=now)
    return {**counts, "requeued": delivery.deliveries_requeue(now=now)}


def backoff_seconds(retries: int) -> int:
    """``ALERT_DELIVERY_BACKOFF_SECONDS`` (30) doubled at each retry, at most an hour."""
    base = getattr(settings, "ALERT_DELIVERY_BACKOFF_SECONDS", 30)
    return min(base * 2**retries, 3600)


@shared_task(name="alerts.deliver", bind=True, max_retries=None, acks_late=True)
def deliver(self, delivery_id: int) -> str:
    """One attempt at a delivery; a failure retries with backoff until the attempts of
    ``ALERT_DELIVERY_MAX_ATTEMPTS`` are spent (the row counts them)."""
    try:
        row = delivery.delivery_attempt(delivery_id)
    except delivery.DeliveryFailed as exc:
        if exc.final:
            return "failed"
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return row.status
