"""Intraday: a project's local day per 15-minute interval, forecast against what happens,
the rest of the day reforecast, the agents Erlang C requires and those on shift
(docs/intraday.md).

The arithmetic (``reforecast_factor``, ``intraday_rows``) is pure; ``project_intraday``
reads the forecast (``workforce.forecast``), the calls offered so far, the shifts and the
absences.
"""

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q

from agents.models import Absence, Certification, Operator, Shift, ShiftActivity
from agents.shifts import local_day_bounds
from projects.models import Project
from workforce import erlang, forecast, staffing

INTERVAL = forecast.INTERVAL
INTERVAL_SECONDS = int(INTERVAL.total_seconds())


# --- Pure arithmetic -----------------------------------------------------------------------


def reforecast_factor(
    *,
    actual: Sequence[float],
    forecast_offered: Sequence[float],
    elapsed: int,
    min_calls: int,
    min_elapsed_seconds: int,
    bounds: tuple[float, float],
) -> tuple[float, bool]:
    """How today runs against the forecast: sum actual / sum forecast over the first
    ``elapsed`` (finished) intervals, clipped to ``bounds``. Applied (second value True) once
    at least ``min_calls`` calls came in, or the finished intervals with a forecast above
    zero span ``min_elapsed_seconds``; before that, and when nothing was forecast, 1."""
    done_actual = float(sum(actual[:elapsed]))
    done_forecast = float(sum(forecast_offered[:elapsed]))
    forecast_seconds = INTERVAL_SECONDS * sum(
        1 for value in forecast_offered[:elapsed] if value > 0
    )
    enough = done_actual >= min_calls or forecast_seconds >= min_elapsed_seconds
    if not enough or done_forecast <= 0:
        return 1.0, False
    low, high = bounds
    return min(max(done_actual / done_forecast, low), high), True


def required_agents(
    calls: Sequence[float], aht_seconds: Sequence[float], *, threshold: float, target: float
) -> list[int]:
    """Erlang C agents per interval for the project's service level target."""
    if not len(calls):
        return []
    staffing_result = erlang.staff_erlang_c(
        np.asarray(calls, dtype=float),
        interval_seconds=INTERVAL_SECONDS,
        aht_seconds=np.asarray(aht_seconds, dtype=float),
        threshold_seconds=threshold,
        target_service_level=target,
    )
    return [int(value) for value in staffing_result.agents]


def intraday_rows(
    *,
    starts: Sequence[dt.datetime],
    forecast_offered: Sequence[float],
    actual: Sequence[int],
    elapsed: int,
    begun_count: int,
    factor: float,
) -> list[dict]:
    """Per interval: the forecast, the actual (the first ``begun_count`` intervals, begun),
    the reforecast (intervals after the first ``elapsed``, not finished) and the expected
    calls Erlang is given (actual when finished, else the reforecast)."""
    rows = []
    for index, start in enumerate(starts):
        finished = index < elapsed
        begun = index < begun_count
        reforecast = None if finished else round(forecast_offered[index] * factor, 2)
        rows.append(
            {
                "start": start,
                "forecast": round(float(forecast_offered[index]), 2),
                "actual": int(actual[index]) if begun else None,
                "reforecast": reforecast,
                "expected": float(actual[index]) if finished else reforecast,
            }
        )
    return rows


# --- Database ------------------------------------------------------------------------------


def offered_per_interval(project: Project, starts: list[dt.datetime], until: dt.datetime) -> list:
    """Calls offered per interval of ``starts`` before ``until`` (the call records)."""
    counts = [0] * len(starts)
    if not starts or until <= starts[0]:
        return counts
    end = min(until, starts[-1] + INTERVAL)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT floor(extract(epoch FROM offered_at - %(origin)s) / %(step)s)::int, count(*)
            FROM calls_call
            WHERE project_id = %(project)s AND offered_at >= %(origin)s AND offered_at < %(end)s
            GROUP BY 1
            """,
            {"origin": starts[0], "end": end, "project": project.pk, "step": INTERVAL_SECONDS},
        )
        for index, count in cursor.fetchall():
            counts[index] = count
    return counts


def agents_on_shift(project: Project, starts: list[dt.datetime], day: dt.date) -> list[int]:
    """Per interval, the active operators certified for ``project`` whose shift (a pool
    shift or one on this project) covers the whole interval, outside any planned activity
    overlapping it, and who are not absent on ``day``."""
    if not starts:
        return []
    certified = Certification.objects.filter(project=project).values("operator_id")
    absent = Absence.objects.filter(starts_on__lte=day, ends_on__gte=day).values("operator_id")
    shifts = (
        Shift.objects.filter(
            operator__in=Operator.objects.filter(
                pk__in=certified, status=Operator.Status.ACTIVE
            ).exclude(pk__in=absent),
            starts_at__lt=starts[-1] + INTERVAL,
            ends_at__gt=starts[0],
        )
        .filter(Q(project__isnull=True) | Q(project=project))
        .prefetch_related(Prefetch("activities", ShiftActivity.objects.all()))
    )
    counts = [0] * len(starts)
    for shift in shifts:
        busy = [(a.starts_at, a.ends_at) for a in shift.activities.all()]
        for index, start in enumerate(starts):
            end = start + INTERVAL
            covered = shift.starts_at <= start and end <= shift.ends_at
            if covered and not any(b_start < end and start < b_end for b_start, b_end in busy):
                counts[index] += 1
    return counts


def _day_grid(day: dt.date, zone: ZoneInfo) -> list[dt.datetime]:
    start, end = local_day_bounds(day, zone)
    return [start + i * INTERVAL for i in range(int((end - start) / INTERVAL))]


def _settings_factor_inputs() -> dict:
    return {
        "min_calls": settings.INTRADAY_MIN_CALLS,
        "min_elapsed_seconds": settings.INTRADAY_MIN_ELAPSED_SECONDS,
        "bounds": tuple(settings.INTRADAY_FACTOR_BOUNDS),
    }


def project_intraday(*, project: Project, day: dt.date, now: dt.datetime) -> dict:
    """The intraday answer of ``project`` for its local ``day`` as seen at ``now``."""
    zone = ZoneInfo(project.timezone)
    starts = _day_grid(day, zone)
    predicted = forecast.forecast_projects(projects=[project], targets=starts, start=starts[0])[
        project.pk
    ]
    offered = [float(v) for v in np.nan_to_num(predicted["offered"])]
    aht = staffing.fill_aht(np.asarray(offered), predicted["aht_seconds"])[0]
    elapsed = sum(1 for start in starts if start + INTERVAL <= now)
    actual = offered_per_interval(project, starts, now)
    factor, applied = reforecast_factor(
        actual=actual, forecast_offered=offered, elapsed=elapsed, **_settings_factor_inputs()
    )
    rows = intraday_rows(
        starts=starts,
        forecast_offered=offered,
        actual=actual,
        elapsed=elapsed,
        begun_count=sum(1 for start in starts if start < now),
        factor=factor,
    )
    needed = required_agents(
        [row["expected"] for row in rows],
        aht,
        threshold=project.sl_threshold_seconds,
        target=float(project.sl_target),
    )
    on_shift = agents_on_shift(project, starts, day)
    for row, agents, present, seconds in zip(rows, needed, on_shift, aht, strict=True):
        row.update(
            aht_seconds=round(float(seconds), 1),
            required_agents=agents,
            on_shift=present,
            gap=present - agents,
        )
    return {
        "project": project.code,
        "date": day,
        "timezone": project.timezone,
        "now": now,
        "interval_seconds": INTERVAL_SECONDS,
        "factor": round(factor, 4),
        "factor_applied": applied,
        "totals": {
            "forecast": round(sum(offered), 2),
            "actual": sum(actual),
            "reforecast": round(
                sum(row["expected"] for row in rows if row["expected"] is not None), 2
            ),
            "shortest_gap": min((row["gap"] for row in rows), default=0),
        },
        "intervals": rows,
    }
