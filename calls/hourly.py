"""Projects' KPI counters over their local hours and local day so far, read from the rollups:
what the rollup-based alert conditions judge (alerts.rollup_conditions).

Hours are the project's local hours (a +05:30 project's hours start at :30 UTC), and an
hour counts only once all its four 15-minute intervals were filled after it ended.
"""

import datetime as dt

from django.db import connection

from calls.kpis import PROJECT_COUNTERS

Counters = dict[str, int]

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
    ORDER BY 1, 2
"""  # noqa: S608 (column names are constants)

_LAST_HOURS = f"""
    SELECT p.id, h.hour,
           (SELECT count(*) FROM calls_rollupinterval r
            WHERE r.interval_start >= h.hour AND r.interval_start < h.hour + interval '1 hour'
              AND r.state = 'done' AND r.filled_at >= r.interval_start + interval '15 minutes'
           ) = 4,
           {", ".join(f"coalesce(sum(i.{name}), 0)" for name in PROJECT_COUNTERS)}
    FROM projects_project p
    CROSS JOIN LATERAL (
        SELECT (date_trunc('hour', %(now)s AT TIME ZONE p.timezone) AT TIME ZONE p.timezone)
               - interval '1 hour' AS hour
    ) h
    LEFT JOIN calls_projectinterval i
      ON i.project_id = p.id AND i.interval_start >= h.hour
     AND i.interval_start < h.hour + interval '1 hour'
    WHERE p.is_active
    GROUP BY p.id, h.hour
"""  # noqa: S608 (column names are constants)

_TODAY = f"""
    SELECT i.project_id, {", ".join(f"sum(i.{name})" for name in PROJECT_COUNTERS)}
    FROM calls_projectinterval i JOIN projects_project p ON p.id = i.project_id
    WHERE i.interval_start >= %(now)s - interval '1 day 2 hours'
      AND i.interval_start < %(now)s
      AND i.interval_start >= (date_trunc('day', %(now)s AT TIME ZONE p.timezone)
                               AT TIME ZONE p.timezone)
    GROUP BY 1
"""  # noqa: S608 (column names are constants)


def filled_hours(
    *, since: dt.datetime, now: dt.datetime
) -> list[tuple[int, dt.datetime, Counters]]:
    """``(project_id, hour start, counters)`` of every project's local hour that began at or
    after ``since``, ended by ``now`` and is filled; ordered by project and hour."""
    with connection.cursor() as cursor:
        cursor.execute(_HOURS, {"since": since, "now": now})
        rows = cursor.fetchall()
    return [
        (project_id, hour, dict(zip(PROJECT_COUNTERS, sums, strict=True)))
        for project_id, hour, *sums in rows
    ]


def last_hours(*, now: dt.datetime) -> dict[int, tuple[dt.datetime, bool, Counters]]:
    """``{project_id: (hour start, filled, counters)}``: each project's last local hour that
    ended by ``now``, whether it is filled yet, and its counters (zeros without calls)."""
    with connection.cursor() as cursor:
        cursor.execute(_LAST_HOURS, {"now": now})
        return {
            project_id: (hour, filled, dict(zip(PROJECT_COUNTERS, sums, strict=True)))
            for project_id, hour, filled, *sums in cursor.fetchall()
        }


def today_so_far(*, now: dt.datetime) -> dict[int, Counters]:
    """Each project's counters of its local day until ``now`` (the intervals filled so far)."""
    with connection.cursor() as cursor:
        cursor.execute(_TODAY, {"now": now})
        return {
            project_id: dict(zip(PROJECT_COUNTERS, sums, strict=True))
            for project_id, *sums in cursor.fetchall()
        }
