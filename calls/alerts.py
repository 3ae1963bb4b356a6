"""KPI alerts: a project's hour that missed its service-level target or exceeded its
abandon-rate target is stored once (``KpiAlert``) and e-mailed to the project's managers.

Hours are the project's local hours (a +05:30 project's hours start at :30 UTC), and an
hour is judged only once all its four 15-minute intervals are filled after it ended, and
only with at least ``KPI_ALERT_MIN_OFFERED`` offered calls (10 by default): 1 call of 2
abandoned is no trend. An alert is not revised when late data changes the hour later.
E-mail is at least once: a crash between sending and recording may send it again.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext, pgettext

from calls.kpis import PROJECT_COUNTERS, abandon_rate, service_level
from calls.models import KpiAlert
from contactcenter.l10n import percent_text
from projects.models import Project

logger = logging.getLogger(__name__)

MIN_OFFERED = getattr(settings, "KPI_ALERT_MIN_OFFERED", 10)
# How far back each run looks for hours to judge (hours judged before are skipped).
LOOKBACK = dt.timedelta(hours=getattr(settings, "KPI_ALERT_LOOKBACK_HOURS", 48))

_HOURS = f"""
    WITH hours AS (
        SELECT i.project_id,
               i.interval_start - make_interval(
                   mins => extract(minute FROM i.interval_start AT TIME ZONE p.timezone)::int
               ) AS hour,
               {", ".join(f"sum(i.{name})" for name in PROJECT_COUNTERS)}
        FROM calls_projectinterval i JOIN projects_project p ON p.id = i.project_id
        WHERE i.interval_start >= %(since)s AND i.interval_start < %(now)s
        GROUP BY 1, 2
    )
    SELECT h.* FROM hours h
    WHERE h.hour >= %(since)s AND h.hour + interval '1 hour' <= %(now)s
      AND (SELECT count(*) FROM calls_rollupinterval r
           WHERE r.interval_start >= h.hour AND r.interval_start < h.hour + interval '1 hour'
             AND r.state = 'done' AND r.filled_at >= r.interval_start + interval '15 minutes'
          ) = 4
"""  # noqa: S608 (column names are constants)


def kpi_alerts_check(*, now=None, min_offered=MIN_OFFERED):
    """Store the alerts of the filled hours of the last ``LOOKBACK``; e-mail new ones.

    Returns ``{"created": n, "emailed": n}``.
    """
    now = now or timezone.now()
    created = 0
    for project, hour, counters in _filled_hours(now=now):
        if counters["offered"] < min_offered:
            continue
        for kind, value, target, missed in _judge(project, counters):
            if value is None or not missed:
                continue
            _, was_created = KpiAlert.objects.get_or_create(
                project=project,
                interval_start=hour,
                kind=kind,
                defaults={
                    "value": Decimal(str(round(value, 5))),
                    "target": target,
                    "offered": counters["offered"],
                },
            )
            created += was_created
    return {"created": created, "emailed": kpi_alerts_notify(now=now)}


def _filled_hours(*, now):
    with connection.cursor() as cursor:
        cursor.execute(_HOURS, {"since": now - LOOKBACK, "now": now})
        rows = cursor.fetchall()
    projects = Project.objects.in_bulk({row[0] for row in rows})
    for project_id, hour, *sums in rows:
        yield projects[project_id], hour, dict(zip(PROJECT_COUNTERS, sums, strict=True))


def _judge(project, counters):
    sl = service_level(counters, project.sl_formula)
    abandon = abandon_rate(counters)
    return [
        (KpiAlert.Kind.SERVICE_LEVEL, sl, project.sl_target,
         sl is not None and sl < project.sl_target),
        (KpiAlert.Kind.ABANDON_RATE, abandon, project.abandon_rate_target,
         abandon is not None and abandon > project.abandon_rate_target),
    ]  # fmt: skip


def kpi_alerts_notify(*, now=None):
    """E-mail each project's managers its alerts not sent yet; returns how many e-mails."""
    now = now or timezone.now()
    sent = 0
    pending = KpiAlert.objects.filter(notified_at__isnull=True).select_related("project")
    by_project = {}
    for alert in pending.order_by("project__code", "interval_start", "kind"):
        by_project.setdefault(alert.project, []).append(alert)
    for project, alerts in by_project.items():
        recipients = sorted(
            email for email in project.managers.values_list("email", flat=True) if email
        )
        with transaction.atomic():
            if recipients:
                send_mail(
                    subject=_subject(project, alerts),
                    message=_body(project, alerts),
                    from_email=None,
                    recipient_list=recipients,
                )
                sent += 1
            else:
                logger.warning("KPI alerts of %s: the project has no manager e-mail", project.code)
            KpiAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(notified_at=now)
    return sent


# The e-mails are in the server's language (LANGUAGE_CODE): a Celery task has no request.
def _subject(project, alerts):
    count = len(alerts)
    subject = ngettext(
        "[KPI] %(project)s: %(count)s hour off target",
        "[KPI] %(project)s: %(count)s hour(s) off target",
        count,
    )
    return subject % {"project": project.code, "count": count}


def _body(project, alerts):
    zone = project.timezone
    missed = gettext("Project %(code)s (%(name)s) missed its targets:")
    lines = [missed % {"code": project.code, "name": project.name}, ""]
    for alert in alerts:
        local = timezone.localtime(alert.interval_start, timezone=_zoneinfo(zone))
        rates = {"value": percent_text(alert.value), "target": percent_text(alert.target)}
        what = (
            gettext("service level %(value)s below the target %(target)s")
            if alert.kind == KpiAlert.Kind.SERVICE_LEVEL
            else gettext("abandon rate %(value)s above the target %(target)s")
        ) % rates
        line = ngettext(
            "- %(hour)s (%(zone)s), %(offered)s call offered: %(what)s",
            "- %(hour)s (%(zone)s), %(offered)s calls offered: %(what)s",
            alert.offered,
        )
        # Translators: a date format (Django's date filter syntax) for an hour in an e-mail.
        hour = formats.date_format(local, pgettext("alert hour format", "Y-m-d H:i"))
        lines.append(line % {"hour": hour, "zone": zone, "offered": alert.offered, "what": what})
    return "\n".join(lines) + "\n"


def _zoneinfo(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
