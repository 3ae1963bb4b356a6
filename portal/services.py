"""Writes of the portal: the monthly service report, built once per client and month."""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction

from contactcenter.events import publish
from portal.models import ServiceReport
from portal.reports import service_report_pdf
from projects.models import Client


@transaction.atomic
def service_report_build(
    *, client: Client, period: dt.date, rebuild: bool = False
) -> ServiceReport:
    """The client's report of ``period`` (a month's first day): found, or built and stored.
    ``rebuild`` replaces a stored one (late calls, a corrected month)."""
    report = ServiceReport.objects.select_for_update().filter(client=client, period=period).first()
    if report is not None and not rebuild:
        return report
    content = ContentFile(service_report_pdf(client, period))
    name = f"service-report-{client.code}-{period:%Y-%m}.pdf"
    if report is None:
        report = ServiceReport(client=client, period=period)
    else:
        report.file.delete(save=False)
    report.file.save(name, content, save=True)
    # The client's systems hear of it (webhooks, docs/webhooks.md) once it is committed.
    publish(
        "report.ready",
        client_id=client.pk,
        data={"client": client.code, "period": f"{period:%Y-%m}", "report": report.pk},
    )
    return report


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def service_reports_build(*, period: dt.date) -> list[ServiceReport]:
    """Every active client's report of ``period`` that has projects (missing ones built)."""
    clients = Client.objects.filter(is_active=True, projects__isnull=False).distinct()
    return [service_report_build(client=client, period=period) for client in clients]
