"""Celery tasks of the webhooks app: one attempt of a delivery, retried by the schedule."""

from celery import shared_task
from django.utils import timezone

from webhooks import services
from webhooks.models import WebhookDelivery


@shared_task(name="webhooks.deliver", bind=True, max_retries=None, acks_late=True,
             soft_time_limit=60, time_limit=90)  # fmt: skip
def deliver(self, delivery_id: int) -> str:
    """One attempt; a failure queues the next after ``WEBHOOK_RETRY_SECONDS``' delay."""
    attempt = services.delivery_attempt(delivery_id)
    if attempt is None:
        return "skipped"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.status == WebhookDelivery.Status.RETRYING and delivery.next_attempt_at:
        # The row says when (services.delivery_attempt, by the schedule and the attempts made).
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        raise self.retry(countdown=max(0, round(wait)))
    return delivery.status


@shared_task(name="webhooks.requeue", soft_time_limit=60, time_limit=90)
def requeue() -> int:
    """Beat, every 5 minutes: queue again the deliveries whose next attempt is overdue by
    more than 10 minutes (their task was lost: the broker was down when they were planned)."""
    return services.deliveries_requeue(now=timezone.now())


@shared_task(name="webhooks.redeliver", soft_time_limit=60, time_limit=90)
def redeliver(delivery_id: int) -> str:
    """A manual redelivery: one attempt now, logged as manual."""
    attempt = services.delivery_attempt(delivery_id, manual=True)
    return "sent" if attempt is not None and attempt.succeeded else "failed"
