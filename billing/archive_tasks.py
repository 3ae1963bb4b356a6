"""Celery task of the monthly invoice archive: a thin wrapper over billing.archive."""

from celery import shared_task

from billing.archive import invoice_archive
from billing.exports.common import parse_month


@shared_task(
    name="billing.build_invoice_archive",
    acks_late=True,  # idempotent: the same invoices give the same archive file name
    soft_time_limit=3000,
    time_limit=3300,
)
def build_invoice_archive(period):
    """Build (or find) the archive of every invoice of ``period`` ('YYYY-MM'); its path."""
    return str(invoice_archive(period=parse_month(period)))
