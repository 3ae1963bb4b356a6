"""Celery task of the portal: last month's service reports, a thin wrapper over
``portal.services``."""

import zoneinfo

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from contactcenter.periods import parse_month
from portal.services import last_month, service_reports_build


@shared_task(
    name="portal.build_service_reports",
    acks_late=True,  # idempotent: a stored report is found, not built again
    soft_time_limit=1800,
    time_limit=1900,
)
def build_service_reports(period: str | None = None) -> int:
    """Beat entry (daily, early): last month's report of every client, built once the month
    is over and found stored on later days. ``period`` ('YYYY-MM') builds that month."""
    if period:
        month = parse_month(period)
    else:
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.CENTER_TIME_ZONE))
        month = last_month(today)
    return len(service_reports_build(period=month))
