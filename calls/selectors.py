"""Reads of the KPI rollups: the API and the admin dashboard both answer from here.

Buckets are summed in SQL from the 15-minute rows (``calls.rollups``): ``15min`` is the row
itself; ``hour`` the local hour (the interval minus its local minutes, so a +05:30 zone and
the repeated hour of a DST change both come out right); ``day`` and ``month`` are
``date_trunc`` in the time zone, so a local day holds 23 or 25 hours across DST.

The range: a 15-minute interval belongs to the range when it *starts* in ``[start, end)``;
a bucket is listed when it overlaps the range, so the first and last may be partial.
**Empty buckets are listed with zero counters and null ratios**, so a chart has no holes
and the n-th bucket of two answers over the same range is the same period.

Ratios are derived here from the summed counters (``calls.kpis``), never averaged.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from agents.models import Operator
from calls.kpis import (
    OCCUPANCY_COUNTERS,
    PROJECT_COUNTERS,
    add_counters,
    occupancy_ratios,
    project_ratios,
)
from calls.rollups import ceil_interval
from contactcenter.errors import DomainError
from projects.models import Project, validate_timezone

GRANULARITIES = ("15min", "hour", "day", "month")
# The longest range per granularity: beyond it an answer is too big to be useful.
MAX_RANGE_DAYS = {"15min": 31, "hour": 366, "day": 3700, "month": 36600}
MAX_PEAK_HOURS_DAYS = 366


# --- Validation ----------------------------------------------------------------------------


def validate_range(
    *, start: Any, end: Any, granularity: str | None = None, max_days: int | None = None
) -> None:
    """Refuse what the rollups cannot answer, naming the API's parameter (``from``...)."""
    errors = {}
    for name, value in (("from", start), ("to", end)):
        if not isinstance(value, dt.datetime):
            errors[name] = [gettext("Required: an ISO 8601 datetime with an offset or 'Z'.")]
        elif timezone.is_naive(value):
            errors[name] = [
                gettext("Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'.")
            ]
    if granularity is not None and granularity not in GRANULARITIES:
        errors["granularity"] = [
            gettext("Unknown granularity %(granularity)s; one of %(choices)s.")
            % {"granularity": repr(granularity), "choices": GRANULARITIES}
        ]
    if errors:
        raise DomainError(gettext("Invalid range."), details=errors)
    if start >= end:
        raise DomainError(
            gettext("'from' must be before 'to'."),
            details={"to": [gettext("Must be after 'from'.")]},
        )
    limit = max_days or MAX_RANGE_DAYS[cast(str, granularity)]
    if end - start > dt.timedelta(days=limit):
        _refuse_span(granularity, limit)


def _refuse_span(granularity: str | None, limit: int) -> None:
    values = {"granularity": granularity, "days": limit}
    if granularity:
        message = gettext("A range at %(granularity)s granularity spans at most %(days)s days.")
        field = gettext("At most %(days)s days after 'from'; choose a coarser granularity.")
    else:
        message = gettext("A range spans at most %(days)s days.")
        field = gettext("At most %(days)s days after 'from'.")
    raise DomainError(message % values, details={"to": [field % values]})


def _zone(tz):
    try:
        validate_timezone(tz)
    except Exception as exc:  # a django ValidationError
        raise DomainError(
            gettext("%(tz)s is not an IANA time zone name.") % {"tz": repr(tz)},
            details={"tz": [gettext("Unknown time zone %(tz)s.") % {"tz": repr(tz)}]},
        ) from exc
    return ZoneInfo(tz)


# --- Buckets in SQL ------------------------------------------------------------------------


def _bucket_of(column, granularity):
    """SQL: the start (timestamptz) of the bucket holding the interval starting at ``column``."""
    if granularity == "15min":
        return column
    if granularity == "hour":
        return (
            f"({column} - make_interval(mins => "
            f"extract(minute FROM {column} AT TIME ZONE %(tz)s)::int))"
        )
    return f"date_trunc('{granularity}', {column}, %(tz)s)"


def _bucket_series(granularity):
    """SQL: every bucket overlapping the range, empty or not."""
    if granularity in ("15min", "hour"):
        return f"""
            SELECT DISTINCT {_bucket_of("g", granularity)} AS bucket
            FROM generate_series(%(first)s::timestamptz, %(last)s::timestamptz,
                                 interval '15 minutes') AS g
        """  # noqa: S608 (constant SQL fragments; values are parameters)
    # Local calendar steps (a local day or month), each turned back into an instant.
    return f"""
        SELECT d AT TIME ZONE %(tz)s AS bucket
        FROM generate_series(
            date_trunc('{granularity}', %(start)s::timestamptz AT TIME ZONE %(tz)s),
            %(end)s::timestamptz AT TIME ZONE %(tz)s,
            interval '1 {granularity}') AS d
        WHERE d AT TIME ZONE %(tz)s < %(end)s
    """  # noqa: S608 (constant SQL fragments; values are parameters)


def _range_params(start, end, tz):
    return {
        "start": start,
        "end": end,
        "first": ceil_interval(start),
        "last": end - dt.timedelta(microseconds=1),
        "tz": tz,
    }


def _bucket_rows(sql, params, names):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                "bucket": row[0],
                **{name: value or 0 for name, value in zip(names, row[1:], strict=True)},
            }
            for row in cursor.fetchall()
        ]


def _iso(instant, zone):
    return instant.astimezone(zone).isoformat()


# --- Project KPIs --------------------------------------------------------------------------


def project_kpis(
    *, project: Project, start: dt.datetime, end: dt.datetime, granularity: str
) -> dict[str, Any]:
    """SPEC section 8's ``projects/{code}/kpis/`` body: buckets in the project's time zone.

    ``{"project", "granularity", "timezone", "sl_formula", "from", "to",
    "buckets": [{"start", <every counter>, <every ratio>}], "totals": {...}}``
    """
    validate_range(start=start, end=end, granularity=granularity)
    zone = ZoneInfo(project.timezone)
    sums = ", ".join(f"sum({name}) AS {name}" for name in PROJECT_COUNTERS)
    columns = ", ".join(f"r.{name}" for name in PROJECT_COUNTERS)
    sql = f"""
        WITH buckets AS ({_bucket_series(granularity)}),
        rows AS (
            SELECT {_bucket_of("interval_start", granularity)} AS bucket, {sums}
            FROM calls_projectinterval
            WHERE project_id = %(project)s
              AND interval_start >= %(start)s AND interval_start < %(end)s
            GROUP BY 1
        )
        SELECT b.bucket, {columns}
        FROM buckets b LEFT JOIN rows r ON r.bucket = b.bucket
        ORDER BY 1
    """  # noqa: S608 (column names and SQL fragments are constants)
    params = {**_range_params(start, end, project.timezone), "project": project.pk}
    rows = _bucket_rows(sql, params, PROJECT_COUNTERS)

    def with_ratios(counters):
        return {**counters, **project_ratios(counters, sl_formula=project.sl_formula)}

    buckets = [
        {"start": _iso(row["bucket"], zone), **with_ratios({n: row[n] for n in PROJECT_COUNTERS})}
        for row in rows
    ]
    return {
        "project": project.code,
        "granularity": granularity,
        "timezone": project.timezone,
        "sl_formula": project.sl_formula,
        "from": _iso(start, zone),
        "to": _iso(end, zone),
        "buckets": buckets,
        "totals": with_ratios(add_counters(rows, PROJECT_COUNTERS)),
    }


# --- Occupancy -----------------------------------------------------------------------------


def _ids(queryset_or_objects):
    if hasattr(queryset_or_objects, "values_list"):
        return list(queryset_or_objects.values_list("pk", flat=True))
    return [obj.pk for obj in queryset_or_objects]


def _occupancy(*, operator_ids, project_ids, start, end, granularity, tz):
    """Buckets of staffed, break and handle seconds of ``operator_ids`` (None: everyone).

    With ``project_ids``, handle counts only the calls of those projects; staffed and break
    time cannot be split by project, so they stay whole.
    """
    validate_range(start=start, end=end, granularity=granularity)
    zone = _zone(tz)
    bucket = _bucket_of("interval_start", granularity)
    in_range = "interval_start >= %(start)s AND interval_start < %(end)s"
    of_operators = "" if operator_ids is None else "AND operator_id = ANY(%(operators)s)"
    handling = ""
    handle = "s.handle_seconds"
    if project_ids is not None:
        handling = f""",
        handling AS (
            SELECT {bucket} AS bucket, sum(handle_seconds) AS handle_seconds
            FROM calls_operatorprojectinterval
            WHERE {in_range} {of_operators} AND project_id = ANY(%(projects)s)
            GROUP BY 1
        )"""  # noqa: S608 (constant SQL fragments; values are parameters)
        handle = "h.handle_seconds"
    sql = f"""
        WITH buckets AS ({_bucket_series(granularity)}),
        staffing AS (
            SELECT {bucket} AS bucket, sum(staffed_seconds) AS staffed_seconds,
                   sum(break_seconds) AS break_seconds, sum(handle_seconds) AS handle_seconds
            FROM calls_operatorinterval
            WHERE {in_range} {of_operators}
            GROUP BY 1
        ){handling}
        SELECT b.bucket, s.staffed_seconds, s.break_seconds, {handle}
        FROM buckets b
        LEFT JOIN staffing s ON s.bucket = b.bucket
        {"LEFT JOIN handling h ON h.bucket = b.bucket" if handling else ""}
        ORDER BY 1
    """  # noqa: S608 (SQL fragments are constants)
    params = {
        **_range_params(start, end, tz),
        "operators": operator_ids,
        "projects": project_ids,
    }
    rows = _bucket_rows(sql, params, OCCUPANCY_COUNTERS)
    buckets = []
    for row in rows:
        counters = {name: row[name] for name in OCCUPANCY_COUNTERS}
        buckets.append(
            {"start": _iso(row["bucket"], zone), **counters, **occupancy_ratios(counters)}
        )
    totals = add_counters(rows, OCCUPANCY_COUNTERS)
    return {
        "granularity": granularity,
        "timezone": tz,
        "from": _iso(start, zone),
        "to": _iso(end, zone),
        "buckets": buckets,
        "totals": {**totals, **occupancy_ratios(totals)},
    }


def operator_occupancy(
    *,
    operator: Operator,
    start: dt.datetime,
    end: dt.datetime,
    granularity: str,
    tz: str = "UTC",
    projects: QuerySet[Project] | None = None,
) -> dict[str, Any]:
    """``operators/{code}/occupancy/``: one operator's staffed, break and handle seconds.

    ``{"operator", "granularity", "timezone", "from", "to", "buckets": [{"start",
    "staffed_seconds", "break_seconds", "handle_seconds", "occupancy", "utilization",
    "shrinkage"}], "totals": {...}}``. ``projects`` (optional) restricts handle time to the
    calls of those projects (an integration sees only its own calls' share).
    """
    body = _occupancy(
        operator_ids=[operator.pk],
        project_ids=None if projects is None else _ids(projects),
        start=start,
        end=end,
        granularity=granularity,
        tz=tz,
    )
    return {"operator": operator.code, **body}


def pool_occupancy(
    *,
    projects_queryset_or_None: QuerySet[Project] | None = None,
    operators_queryset: QuerySet[Operator] | None = None,
    start: dt.datetime,
    end: dt.datetime,
    granularity: str,
    tz: str = "UTC",
) -> dict[str, Any]:
    """``pool/occupancy/``: the same for a pool of operators (``None``: every operator).

    Pool occupancy = sum of handle / sum of staffed over all of them (SPEC section 5).
    ``projects_queryset_or_None`` restricts handle time to those projects' calls; ``None``
    counts every call. ``"pool"`` names who is counted: ``{"operators": [codes],
    "projects": [codes] or null}``.
    """
    operators = Operator.objects.all() if operators_queryset is None else operators_queryset
    operator_rows = sorted(operators.values_list("pk", "code"), key=lambda row: row[1])
    project_ids = project_codes = None
    if projects_queryset_or_None is not None:
        pairs = sorted(projects_queryset_or_None.values_list("pk", "code"), key=lambda r: r[1])
        project_ids = [pk for pk, _ in pairs]
        project_codes = [code for _, code in pairs]
    body = _occupancy(
        operator_ids=None if operators_queryset is None else [pk for pk, _ in operator_rows],
        project_ids=project_ids,
        start=start,
        end=end,
        granularity=granularity,
        tz=tz,
    )
    pool = {"operators": [code for _, code in operator_rows], "projects": project_codes}
    return {"pool": pool, **body}


# --- Peak hours ----------------------------------------------------------------------------


def peak_hours(
    *, projects: Iterable[Project], start: dt.datetime, end: dt.datetime, tz: str = "UTC"
) -> dict[str, Any]:
    """Offered calls by hour of day, per project and for the pool.

    Each project row counts its calls by its own **local** hour (``hours``, 24 numbers):
    when in its day a project peaks. The pool's ``hours`` is the sum of the project rows,
    so it stays comparable with them. Both also carry ``tz_hours``: the same calls by the
    hour in ``tz`` (default UTC), i.e. in real time, which is when the shared operators
    actually take them: projects in different time zones peak at different ``tz_hours``.

    ``{"timezone", "from", "to", "projects": [{"project", "timezone", "offered", "hours",
    "tz_hours", "peak_hour"}], "pool": {"offered", "hours", "tz_hours", "peak_hour"}}``
    """
    validate_range(start=start, end=end, max_days=MAX_PEAK_HOURS_DAYS)
    zone = _zone(tz)
    ordered = sorted(projects, key=lambda project: project.code)
    sql = """
        SELECT i.project_id,
               extract(hour FROM i.interval_start AT TIME ZONE p.timezone)::int,
               extract(hour FROM i.interval_start AT TIME ZONE %(tz)s)::int,
               sum(i.offered)
        FROM calls_projectinterval i JOIN projects_project p ON p.id = i.project_id
        WHERE i.project_id = ANY(%(projects)s)
          AND i.interval_start >= %(start)s AND i.interval_start < %(end)s
        GROUP BY 1, 2, 3
    """
    params: dict[str, Any] = {
        "projects": [p.pk for p in ordered],
        "start": start,
        "end": end,
        "tz": tz,
    }
    local = {p.pk: [0] * 24 for p in ordered}
    in_tz = {p.pk: [0] * 24 for p in ordered}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for project_id, local_hour, tz_hour, offered in cursor.fetchall():
            local[project_id][local_hour] += offered
            in_tz[project_id][tz_hour] += offered
    rows = [
        _hours_row(local[p.pk], in_tz[p.pk], project=p.code, timezone=p.timezone) for p in ordered
    ]
    pool_local = [sum(row["hours"][h] for row in rows) for h in range(24)]
    pool_tz = [sum(row["tz_hours"][h] for row in rows) for h in range(24)]
    return {
        "timezone": tz,
        "from": _iso(start, zone),
        "to": _iso(end, zone),
        "projects": rows,
        "pool": _hours_row(pool_local, pool_tz),
    }


def _hours_row(hours, tz_hours, **labels):
    offered = sum(hours)
    return {
        **labels,
        "offered": offered,
        "hours": hours,
        "tz_hours": tz_hours,
        # The local hour with most calls (the earliest on a tie); null without calls.
        "peak_hour": hours.index(max(hours)) if offered else None,
    }
