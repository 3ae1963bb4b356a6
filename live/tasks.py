"""Celery tasks of the live app."""

from celery import shared_task

from live.closing import close_stale_calls as close


@shared_task(name="live.close_stale_calls", acks_late=True)  # idempotent: closes what is left
def close_stale_calls() -> dict:
    return close()
