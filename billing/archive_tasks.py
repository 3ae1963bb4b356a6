"""Celery task of the monthly invoice archive: a thin wrapper over billing.archive."""

import datetime as dt
import zoneinfo

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from billing.archive import invoice_archive
from contactcenter.periods import parse_month


@shared_task(
    name="billing.build_invoice_archive",
    acks_late=True,  # idempotent: the same invoices give the same archive file name
    soft_time_limit=3000,
    time_limit=3300,
)
def build_invoice_archive(period):
    """Build (or find) the archive of every invoice of ``period`` ('YYYY-MM'); its path."""
    return str(invoice_archive(period=parse_month(period)))


@shared_task(
    name="billing.build_last_month_archive", acks_late=True, soft_time_limit=3000, time_limit=3300
)
def build_last_month_archive():
    """Beat entry: the archive of last month (in the numbering calendar), kept current.

    Daily, so the archive follows issues, payments and voids; an unchanged month finds its
    stored file by fingerprint and builds nothing.
    """
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.BILLING_NUMBERING_TIMEZONE))
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return str(invoice_archive(period=last_month))
