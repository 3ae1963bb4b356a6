"""Celery tasks of the shared plumbing."""

from celery import shared_task

from contactcenter.api.idempotency import idempotency_records_purge


@shared_task(name="contactcenter.purge_idempotency_records")
def purge_idempotency_records():
    return idempotency_records_purge()
