"""Celery tasks of billing: thin wrappers over billing.invoicing, JSON in and out."""

import logging

from celery import shared_task

# Celery's autodiscovery imports each app's ``tasks`` module only: without this import a
# worker never registers the archive tasks, and discards beat's daily archive job unrun.
from billing import archive_tasks, delivery  # noqa: F401
from billing.invoicing import invoice_generate, invoice_generate_closed_months
from contactcenter.errors import DomainError
from contactcenter.periods import parse_period

logger = logging.getLogger(__name__)


def summary(invoices):
    return [
        {
            "client": invoice.client.code,
            "period": f"{invoice.period:%Y-%m}",
            "status": invoice.status,
            "number": invoice.number,
            "total": str(invoice.total),
            "currency": invoice.currency,
        }
        for invoice in invoices
    ]


@shared_task(
    name="billing.generate_invoices",
    acks_late=True,  # idempotent: drafts are rebuilt, issued invoices skipped
    soft_time_limit=1800,
    time_limit=1900,
)
def generate_invoices(period, client_code=None):
    """Generate the invoices of ``period`` ('YYYY-MM'), of all clients or of one; a month
    that has not ended is skipped (logged), not generated."""
    try:
        invoices = invoice_generate(period=parse_period(period), client_code=client_code)
    except DomainError as error:
        if error.code != "period_not_ended":
            raise
        logger.warning("Invoices of %s skipped: %s", period, error.details["period"][0])
        return []
    return summary(invoices)


@shared_task(
    name="billing.generate_closed_months",
    acks_late=True,  # idempotent, as above
    soft_time_limit=3000,
    time_limit=3300,
)
def generate_closed_months():
    """Beat entry point (daily): every client's latest month closed in its time zones."""
    return summary(invoice_generate_closed_months())
