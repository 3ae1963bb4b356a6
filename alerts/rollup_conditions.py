"""The conditions judged on the KPI rollups: the last local hour's service level and abandon
rate (what the hourly e-mails of ``calls.kpi_alerts`` judged, hour by hour) and the service
level of the local day so far. Each needs ``KPI_ALERT_MIN_OFFERED`` offered calls (10): 1
call of 2 abandoned is no trend, and a period with fewer is not breached."""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alerts.conditions import Reading, register
from calls.hourly import Counters, last_hours, today_so_far
from calls.kpis import abandon_rate, service_level
from projects.models import Project


def min_offered() -> int:
    return getattr(settings, "KPI_ALERT_MIN_OFFERED", 10)


def _percent(value: float | Decimal) -> str:
    return f"{float(value):.1%}"


def _sl_reading(project: Project, counters: Counters, period: str) -> Reading | None:
    if counters["offered"] < min_offered():
        return None
    sl = service_level(counters, project.sl_formula)
    if sl is None:
        return None
    target = project.sl_target
    return Reading(
        breached=sl < target,
        value=sl,
        threshold=target,
        detail=f"service level {_percent(sl)} {period}, target {_percent(target)}, "
        f"{counters['offered']} calls offered",
    )


def _hour_label(project: Project, hour: dt.datetime) -> str:
    from zoneinfo import ZoneInfo

    local = hour.astimezone(ZoneInfo(project.timezone))
    return f"in the hour of {local:%Y-%m-%d %H:%M} ({project.timezone})"


def _hour_readings(
    projects: Sequence[Project],
    now: dt.datetime,
    judge: Callable[[Project, dt.datetime, Counters], Reading | None],
) -> dict[int, Reading]:
    """The last local hour of each project judged by ``judge(project, hour, counters)``;
    an hour not filled yet is not judged (the alert's state stays)."""
    hours = last_hours(now=now)
    readings = {}
    for project in projects:
        if project.pk not in hours:
            continue
        hour, filled, counters = hours[project.pk]
        if not filled:
            readings[project.pk] = Reading(breached=None, value=None, threshold=None, detail="")
        elif (reading := judge(project, hour, counters)) is not None:
            readings[project.pk] = reading
    return readings


def _hour_sl(project: Project, hour: dt.datetime, counters: Counters) -> Reading | None:
    return _sl_reading(project, counters, _hour_label(project, hour))


def _hour_abandon(project: Project, hour: dt.datetime, counters: Counters) -> Reading | None:
    rate = abandon_rate(counters)
    if counters["offered"] < min_offered() or rate is None:
        return None
    target = project.abandon_rate_target
    return Reading(
        breached=rate > target,
        value=rate,
        threshold=target,
        detail=f"abandon rate {_percent(rate)} {_hour_label(project, hour)}, "
        f"target {_percent(target)}, {counters['offered']} calls offered",
    )


@register("hour_service_level", _("Service level of the last hour below target"))
def hour_service_level(projects: Sequence[Project], now: dt.datetime) -> Mapping[int, Reading]:
    return _hour_readings(projects, now, _hour_sl)


@register("hour_abandon_rate", _("Abandon rate of the last hour above target"))
def hour_abandon_rate(projects: Sequence[Project], now: dt.datetime) -> Mapping[int, Reading]:
    return _hour_readings(projects, now, _hour_abandon)


@register("service_level_today", _("Service level today below target"), live=True)
def service_level_today(projects: Sequence[Project], now: dt.datetime) -> Mapping[int, Reading]:
    today = today_so_far(now=now)
    readings = {}
    for project in projects:
        if project.pk in today:
            reading = _sl_reading(project, today[project.pk], "today so far")
            if reading is not None:
                readings[project.pk] = reading
    return readings
