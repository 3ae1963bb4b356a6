"""KPI rollup benchmark: the full rollup of a month beside hand-written GROUP BYs.

    .venv/bin/python bench/rollup_kpis.py                 # 1,000,000 calls, October 2026
    .venv/bin/python bench/rollup_kpis.py --calls 200000 --runs 3

Runs against its own database (``DATABASE_URL``, default ``contactcenter_bench_kpis``;
created and migrated if missing; it refuses a database whose name lacks "bench"). It
empties the calls, agent events and rollups, then generates in SQL (``INSERT ... SELECT
generate_series``) a month of calls over four projects in four time zones, each peaking
around 14:00 local, answered by 498 operators on three 8-hour shifts, and the matching
agent events (ready, a 30-minute break, ready, offline, every day). Then, in one run:

1. ``GROUP BY``: one hand-written ``SELECT ... GROUP BY project, interval`` of the project
   counters (SPEC section 4) over the same calls: the floor of the project counters (best
   of ``--runs``).
2. ``hand-written SQL, all tables``: the same three result tables computed by three plain
   ``INSERT ... SELECT ... GROUP BY`` statements over all the rows at once (no windows, no
   fill state, no marking) into scratch tables built ``LIKE`` the real ones (same primary
   keys, indexes and checks, logged), with the fill's session settings: the floor of the
   whole rollup (median of ``--runs``).
3. ``rollup``: ``calls.rollups.rollup_kpis`` from empty rollup tables, as the first beat
   run after a bulk import would do it: marking, and filling every table (project counters,
   operator-project handle, operator staffed/break/handle) in one-week windows (median of
   ``--runs``), with the time per statement kind. Runs alternate with 2. so both see the
   same machine.
4. The rollup's rows and the hand-written rows are compared: row counts, sums of every
   counter, and ``EXCEPT ALL`` both ways; the script fails if they differ.
5. ``API``: ``GET /api/v1/projects/{code}/kpis/`` for the month at hourly granularity
   through the Django test client with a token (median of 20).

bench/README.md says what was measured.
"""

import argparse
import collections
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_bench_kpis")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402  (settings come from the environment set above)

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from agents.models import Certification, Operator  # noqa: E402
from calls import rollups  # noqa: E402
from contactcenter.tokens import reissue as reissue_token  # noqa: E402
from projects.models import Client as Customer  # noqa: E402
from projects.models import Project  # noqa: E402

MONTH_START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
MONTH_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# code, time zone, UTC offset in October (hours), share of calls (%)
PROJECTS = [
    ("bench-msk", "Europe/Moscow", 3, 50),
    ("bench-nsk", "Asia/Novosibirsk", 7, 25),
    ("bench-kgd", "Europe/Kaliningrad", 2, 15),
    ("bench-ekb", "Asia/Yekaterinburg", 5, 10),
]
OPERATORS_PER_SHIFT = 166
SHIFTS = 3  # 00-08, 08-16, 16-24 UTC
FILL_SETTINGS = rollups.FILL_SETTINGS  # the baseline runs with the engine's fill settings
ROLLUP_TABLES = (
    "calls_projectinterval",
    "calls_operatorprojectinterval",
    "calls_operatorinterval",
    "calls_rollupinterval",
    "calls_rollupstate",
    "calls_kpialert",
)

BASELINE = """
    SELECT c.project_id,
           date_bin('15 minutes', c.offered_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
           count(*),
           count(c.answered_at),
           count(*) FILTER (WHERE c.answered_at IS NULL),
           count(*) FILTER (WHERE c.answered_at IS NULL
                              AND c.wait_seconds < p.short_abandon_seconds),
           count(*) FILTER (WHERE c.answered_at IS NOT NULL
                              AND c.wait_seconds <= p.sl_threshold_seconds),
           count(*) FILTER (WHERE c.answered_at IS NULL
                              AND c.wait_seconds <= p.sl_threshold_seconds),
           sum(c.wait_seconds) FILTER (WHERE c.answered_at IS NOT NULL),
           sum(c.talk_seconds) FILTER (WHERE c.answered_at IS NOT NULL),
           sum(c.hold_seconds) FILTER (WHERE c.answered_at IS NOT NULL),
           sum(c.wrap_seconds) FILTER (WHERE c.answered_at IS NOT NULL)
    FROM calls_call c JOIN projects_project p ON p.id = c.project_id
    WHERE c.direction = 'inbound' AND c.offered_at >= %(start)s AND c.offered_at < %(end)s
    GROUP BY 1, 2
"""

# The whole rollup written by hand: the same three tables, one statement each, over every
# row at once. Same definitions as SPEC sections 4-5 and calls.rollups (whole seconds from
# the truncated instants; a state lasts until the operator's next event, or the run's
# clock), but none of the engine's machinery. Each inserts in primary-key order (the
# ORDER BY): without it the rows reach the keyed tables in hash order and the same
# statements took 1.2-1.6x longer (``UNORDERED``, timed once): a baseline too easy to beat.
SCRATCH = {
    "calls_projectinterval": "bench_full_projectinterval",
    "calls_operatorprojectinterval": "bench_full_operatorprojectinterval",
    "calls_operatorinterval": "bench_full_operatorinterval",
}
EPOCH = "floor(date_part('epoch', {}))::bigint"
FULL_BASELINE = [
    (
        "project counters",
        """
        INSERT INTO bench_full_projectinterval
        SELECT c.project_id,
               date_bin('15 minutes', c.offered_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
               count(*),
               count(c.answered_at),
               count(*) FILTER (WHERE c.answered_at IS NULL),
               count(*) FILTER (WHERE c.answered_at IS NULL
                                  AND c.wait_seconds < p.short_abandon_seconds),
               count(*) FILTER (WHERE c.answered_at IS NOT NULL
                                  AND c.wait_seconds <= p.sl_threshold_seconds),
               count(*) FILTER (WHERE c.answered_at IS NULL
                                  AND c.wait_seconds <= p.sl_threshold_seconds),
               coalesce(sum(c.wait_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
               coalesce(sum(c.talk_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
               coalesce(sum(c.hold_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
               coalesce(sum(c.wrap_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0)
        FROM calls_call c JOIN projects_project p ON p.id = c.project_id
        WHERE c.direction = 'inbound'
        GROUP BY 1, 2
        ORDER BY 1, 2
        """,
    ),
    (
        "operator-project handle",
        f"""
        INSERT INTO bench_full_operatorprojectinterval
        SELECT operator_id, project_id, to_timestamp(b), sum(LEAST(e, b + 900) - GREATEST(s, b))
        FROM (
            SELECT operator_id, project_id, {EPOCH.format("answered_at")} AS s,
                   {EPOCH.format("answered_at")} + handle_seconds AS e
            FROM calls_call
            WHERE operator_id IS NOT NULL AND handle_seconds > 0
        ) c
        CROSS JOIN generate_series(s / 900 * 900, e - 1, 900) AS b
        GROUP BY operator_id, project_id, b
        ORDER BY operator_id, project_id, b
        """,
    ),
    (
        "operator staffed/break/handle",
        f"""
        INSERT INTO bench_full_operatorinterval
        SELECT operator_id, to_timestamp(b), sum(staffed), sum(break), sum(handle)
        FROM (
            SELECT operator_id, b,
                   CASE WHEN state = 'ready' THEN LEAST(e, b + 900) - GREATEST(s, b) ELSE 0
                   END AS staffed,
                   CASE WHEN state = 'break' THEN LEAST(e, b + 900) - GREATEST(s, b) ELSE 0
                   END AS break,
                   0 AS handle
            FROM (
                SELECT operator_id, state, {EPOCH.format("at")} AS s,
                       {EPOCH.format("LEAST(coalesce(lead(at) OVER next_event, %(now)s), %(now)s)")}
                           AS e
                FROM agents_agentstateevent
                WINDOW next_event AS (PARTITION BY operator_id ORDER BY at)
            ) spans
            CROSS JOIN generate_series(s / 900 * 900, e - 1, 900) AS b
            WHERE state IN ('ready', 'break') AND e > s
            UNION ALL
            SELECT operator_id, {EPOCH.format("interval_start")}, 0, 0, handle_seconds
            FROM bench_full_operatorprojectinterval
        ) parts
        GROUP BY operator_id, b
        ORDER BY operator_id, b
        """,
    ),
]
UNORDERED = [(name, sql.rsplit("ORDER BY", 1)[0]) for name, sql in FULL_BASELINE]

GENERATE_CALLS = """
    WITH raw AS (
        SELECT g,
               g %% 100 AS share,
               floor(random() * 31)::int AS day,
               8 + (random() + random() + random()) * 4 AS local_hour,  -- 8..20, peak 14
               random() < 0.9 AS answered,
               -ln(1 - random()) * 15 AS wait,  -- exponential, mean 15 s
               60 + random() * 300 AS talk,
               CASE WHEN random() < 0.2 THEN floor(random() * 30) ELSE 0 END AS hold,
               floor(random() * 60)::int AS wrap,
               random() AS pick_operator,
               random() < 0.05 AS outbound
        FROM generate_series(1, %(calls)s) AS g
    ),
    placed AS (
        SELECT raw.*,
               CASE WHEN share < 50 THEN 1 WHEN share < 75 THEN 2 WHEN share < 90 THEN 3
                    ELSE 4 END AS k
        FROM raw
    ),
    timed AS (
        SELECT placed.*,
               %(start)s::timestamptz + make_interval(secs =>
                   mod(mod((day * 86400 + (local_hour - (%(offsets)s::int[])[k]) * 3600)::numeric,
                           31 * 86400) + 31 * 86400, 31 * 86400)) AS offered
        FROM placed
    )
    INSERT INTO calls_call (
        project_id, external_id, direction, caller, operator_id, offered_at, answered_at,
        ended_at, hold_seconds, wrap_seconds, disposition, recording_url, received_at)
    SELECT (%(projects)s::bigint[])[k], 'bench-' || g,
           CASE WHEN outbound THEN 'outbound' ELSE 'inbound' END, '',
           CASE WHEN answered THEN (%(operators)s::bigint[])[
               (extract(hour FROM offered AT TIME ZONE 'UTC')::int / 8) * %(per_shift)s
               + floor(pick_operator * %(per_shift)s)::int + 1] END,
           offered,
           CASE WHEN answered THEN offered + make_interval(secs => wait) END,
           offered + make_interval(secs => wait + CASE WHEN answered THEN talk + hold ELSE 0 END),
           CASE WHEN answered THEN hold ELSE 0 END,
           CASE WHEN answered THEN wrap ELSE 0 END,
           '', '', now()
    FROM timed
"""

# Each operator works the same shift every day: ready, a 30-minute break after 4 hours,
# ready again, offline after 8 hours. The month's first event is a shift start.
GENERATE_EVENTS = """
    INSERT INTO agents_agentstateevent (operator_id, state, at, reason, received_at)
    SELECT op.id, e.state,
           %(start)s::timestamptz
               + make_interval(days => d, secs => op.shift * 8 * 3600 + e.offset_s),
           '', now()
    FROM unnest(%(operators)s::bigint[], %(shifts)s::int[]) AS op(id, shift)
    CROSS JOIN generate_series(0, 30) AS d
    CROSS JOIN (VALUES ('ready', 0), ('break', 14400), ('ready', 16200), ('offline', 28800))
        AS e(state, offset_s)
"""


def main(argv=None):
    args = parse_args(argv)
    prepare_database()
    print(f"database {settings.DATABASES['default']['NAME']}, PostgreSQL {pg_version()}")
    projects, operators = world()
    if args.keep_data:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM calls_call")
            args.calls = cursor.fetchone()[0]
    else:
        generate(args.calls, projects, operators)

    baseline_times = [timed_sql(BASELINE) for _ in range(args.runs)]
    baseline = min(baseline_times)
    # INSERT ... SELECT never runs in parallel (PostgreSQL 15); the SELECT alone may use
    # parallel workers. The same GROUP BY on one core, for comparison:
    serial = min(timed_sql(BASELINE, serial=True) for _ in range(args.runs))

    # The whole rollup by hand and by the engine, alternating, so that both meet the same
    # load on a shared machine.
    create_scratch_tables()
    full_times, full_parts, rollup_times, phase_runs = [], [], [], []
    for _ in range(args.runs):
        seconds, parts = timed_full_baseline()
        full_times.append(seconds)
        full_parts.append(parts)
        empty_rollups()
        seconds, breakdown = timed_rollup()
        rollup_times.append(seconds)
        phase_runs.append(breakdown)
    unordered, _ = timed_full_baseline(UNORDERED)
    timed_full_baseline()  # leave the ordered rows for the comparison
    full = statistics.median(full_times)
    rollup = statistics.median(rollup_times)
    phases = {name: statistics.median(run[name] for run in phase_runs) for name in phase_runs[0]}
    parts = {name: statistics.median(run[name] for run in full_parts) for name in full_parts[0]}
    compared = compare_with_baseline()

    api_ms = time_api(projects[0])

    rows = count_rows()
    print()
    print(f"calls {args.calls:,} over {MONTH_START:%B %Y}; agent events {rows['events']:,}")
    print(
        f"rollup rows: project {rows['project']:,}, operator {rows['operator']:,}, "
        f"operator-project {rows['split']:,}, intervals {rows['intervals']:,}"
    )
    for line in compared:
        print(line)
    print()
    print(f"{'what':<52}{'seconds':>10}")
    print(f"{'hand-written GROUP BY (project counters), best':<52}{baseline:>10.3f}")
    print(f"{'the same GROUP BY without parallel workers':<52}{serial:>10.3f}")
    print(f"{'hand-written SQL, all three tables, median':<52}{full:>10.3f}")
    for name, seconds in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"{'  ' + name:<52}{seconds:>10.3f}")
    print(f"{'the same without ORDER BY (hash order), once':<52}{unordered:>10.3f}")
    print(f"{'full rollup_kpis (all tables), median':<52}{rollup:>10.3f}")
    for name, seconds in sorted(phases.items(), key=lambda item: -item[1]):
        print(f"{'  ' + name:<52}{seconds:>10.3f}")
    print()
    project_fill = phases["fill project counters"]
    print(f"project counters fill / GROUP BY: {project_fill / baseline:.2f}x (target: within 2x)")
    print(f"full rollup / hand-written SQL of all tables: {rollup / full:.2f}x (target: within 2x)")
    print(f"full rollup / the same without ORDER BY: {rollup / unordered:.2f}x")
    print(f"full rollup / the project-counter GROUP BY alone: {rollup / baseline:.2f}x")
    print(
        f"GET /api/v1/projects/{projects[0].code}/kpis/ (month, hour): median {api_ms:.1f} ms "
        "over 20 requests (target: under 100 ms)"
    )
    print(
        f"runs: GROUP BY {fmt(baseline_times)}; hand-written all tables {fmt(full_times)}; "
        f"rollup {fmt(rollup_times)}"
    )
    return {
        "calls": args.calls,
        "runs": args.runs,
        "group_by": baseline,
        "full": full,
        "rollup": rollup,
        "project_fill": project_fill,
        "api_ms": api_ms,
    }


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows, from main's figures."""
    found = main(["--calls", "200000", "--runs", "1"] if quick else [])
    calls, runs = found["calls"], found["runs"]

    def row(measure, value, unit, baseline, baseline_value, note):
        return {
            "benchmark": "rollup_kpis",
            "measure": measure,
            "value": round(value, 3),
            "unit": unit,
            "baseline": baseline,
            "baseline_value": round(baseline_value, 3),
            "ratio": round(value / baseline_value, 2),
            "note": note,
        }

    return [
        row(f"full rollup_kpis, {calls:,} calls (a month)", found["rollup"], "s",
            "hand-written SQL, all three tables", found["full"],
            f"median of {runs}, alternating"),
        row("project counters fill", found["project_fill"], "s",
            "hand-written GROUP BY (project counters), best", found["group_by"],
            "the fill writes, the GROUP BY only reads"),
        row("full rollup_kpis", found["rollup"], "s",
            "hand-written GROUP BY (project counters), best", found["group_by"],
            "the rollup also writes the operator tables"),
        row("GET projects/{code}/kpis/, month by hour", found["api_ms"], "ms",
            "target (100 ms)", 100.0, "median of 20; target, not measured in the run"),
    ]  # fmt: skip


def fmt(values):
    return ", ".join(f"{v:.3f}" for v in values)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="Rollups (and GROUP BYs) timed.")
    parser.add_argument(
        "--keep-data", action="store_true", help="Reuse the calls and events already generated."
    )
    return parser.parse_args(argv)


def prepare_database():
    db = settings.DATABASES["default"]
    if "bench" not in db["NAME"]:
        sys.exit(f"Refusing to empty {db['NAME']!r}: the database name must contain 'bench'.")
    dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']}"
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def pg_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def world():
    customer, _ = Customer.objects.get_or_create(code="bench-kpi", defaults={"legal_name": "Bench"})
    projects = [
        Project.objects.update_or_create(
            code=code, defaults={"name": code, "client": customer, "timezone": tz}
        )[0]
        for code, tz, _, _ in PROJECTS
    ]
    operators = []
    for n in range(OPERATORS_PER_SHIFT * SHIFTS):
        operator, _ = Operator.objects.get_or_create(
            code=f"bench-kpi-op-{n:03d}", defaults={"full_name": f"Operator {n}"}
        )
        operators.append(operator)
        for project in projects:
            Certification.objects.get_or_create(
                operator=operator, project=project, defaults={"certified_on": dt.date(2026, 1, 1)}
            )
    return projects, operators


def generate(calls, projects, operators):
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE calls_call, agents_agentstateevent, "
            + ", ".join(ROLLUP_TABLES)
            + " RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            GENERATE_CALLS,
            {
                "calls": calls,
                "start": MONTH_START,
                "offsets": [offset for _, _, offset, _ in PROJECTS],
                "projects": [p.pk for p in projects],
                "operators": [o.pk for o in operators],
                "per_shift": OPERATORS_PER_SHIFT,
            },
        )
        cursor.execute(
            GENERATE_EVENTS,
            {
                "start": MONTH_START,
                "operators": [o.pk for o in operators],
                "shifts": [n // OPERATORS_PER_SHIFT for n in range(len(operators))],
            },
        )
        cursor.execute("VACUUM ANALYZE calls_call")
        cursor.execute("VACUUM ANALYZE agents_agentstateevent")
    print(
        f"generated {calls:,} calls and their agent events in {time.perf_counter() - started:.1f} s"
    )


def empty_rollups():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(ROLLUP_TABLES))


def timed_sql(sql, *, serial=False):
    with connection.cursor() as cursor:
        cursor.execute(f"SET max_parallel_workers_per_gather = {0 if serial else 2}")
        started = time.perf_counter()
        cursor.execute(sql, {"start": MONTH_START, "end": MONTH_END})
        cursor.fetchall()
        return time.perf_counter() - started


def create_scratch_tables():
    """The hand-written baseline's tables: copies of the rollup tables (same primary keys,
    indexes and checks; logged like them), so both write the same rows the same way."""
    with connection.cursor() as cursor:
        for table, scratch in SCRATCH.items():
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")


def timed_full_baseline(statements=FULL_BASELINE):
    """The three hand-written statements in one transaction, with the fill's settings."""
    parts = {}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(SCRATCH.values()))
        started = time.perf_counter()
        with transaction.atomic():
            for setting in FILL_SETTINGS:
                cursor.execute(setting)
            for name, sql in statements:
                statement_started = time.perf_counter()
                cursor.execute(sql, {"now": MONTH_END})
                parts[name] = time.perf_counter() - statement_started
        return time.perf_counter() - started, parts


def compare_with_baseline():
    """Row counts, counter sums and EXCEPT ALL both ways, rollup tables vs scratch tables."""
    lines = []
    with connection.cursor() as cursor:
        for table, scratch in SCRATCH.items():
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND data_type = 'integer' ORDER BY ordinal_position",
                [table],
            )
            counters = [name for (name,) in cursor.fetchall()]
            totals = ", ".join(f"sum({name})" for name in counters)
            figures = []
            for name in (table, scratch):
                cursor.execute(f"SELECT count(*), {totals} FROM {name}")
                figures.append(cursor.fetchone())
            cursor.execute(
                f"SELECT (SELECT count(*) FROM (TABLE {table} EXCEPT ALL TABLE {scratch}) a), "
                f"(SELECT count(*) FROM (TABLE {scratch} EXCEPT ALL TABLE {table}) b)"
            )
            only_rollup, only_baseline = cursor.fetchone()
            same = figures[0] == figures[1] and only_rollup == only_baseline == 0
            lines.append(
                f"{table}: {figures[0][0]:,} rows, sums {list(figures[0][1:])}; hand-written "
                f"{figures[1][0]:,} rows, sums {list(figures[1][1:])}; rows only in one: "
                f"{only_rollup} / {only_baseline}: {'identical' if same else 'DIFFERENT'}"
            )
            if not same:
                print("\n".join(lines))
                sys.exit(f"{table} differs from the hand-written baseline")
    return lines


# The fill's statements by what they start with (calls.rollups: each table's rows are
# diffed against the stored ones into a temporary table, then only the difference written).
PHASES = [
    ("CREATE TEMP TABLE rollup_projectinterval_diff", "fill project counters"),
    ("INSERT INTO calls_projectinterval", "fill project counters"),
    ("UPDATE calls_projectinterval", "fill project counters"),
    ("DELETE FROM calls_projectinterval", "fill project counters"),
    ("CREATE TEMP TABLE rollup_", "fill operator-project handle + operator rows"),
    ("INSERT INTO calls_operator", "fill operator-project handle + operator rows"),
    ("UPDATE calls_operator", "fill operator-project handle + operator rows"),
    ("DELETE FROM calls_operator", "fill operator-project handle + operator rows"),
]


def timed_rollup():
    """The whole run, with the time of each kind of statement (execute_wrapper)."""
    spent = collections.Counter({name: 0.0 for _, name in PHASES} | {"marking, state": 0.0})

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stripped = sql.lstrip()
            name = next(
                (n for prefix, n in PHASES if stripped.startswith(prefix)), "marking, state"
            )
            spent[name] += time.perf_counter() - started

    with connection.execute_wrapper(clock):
        started = time.perf_counter()
        result = rollups.rollup_kpis(now=MONTH_END)
        total = time.perf_counter() - started
    print(f"rollup: {result.as_dict()} in {total:.3f} s")
    return total, spent


def time_api(project):
    user, _ = get_user_model().objects.get_or_create(
        username="bench-kpi-root", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {reissue_token(user, name='bench')}")
    path = f"/api/v1/projects/{project.code}/kpis/"
    query = {"from": "2026-10-01T00:00:00+03:00", "to": "2026-11-01T00:00:00+03:00",
             "granularity": "hour"}  # fmt: skip
    response = client.get(path, query)  # warm-up: imports, plans, connection
    assert response.status_code == 200, response.content[:300]
    assert len(response.json()["buckets"]) == 31 * 24
    times = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(path, query)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def count_rows():
    with connection.cursor() as cursor:
        counts = {}
        for name, table in (
            ("events", "agents_agentstateevent"),
            ("project", "calls_projectinterval"),
            ("operator", "calls_operatorinterval"),
            ("split", "calls_operatorprojectinterval"),
            ("intervals", "calls_rollupinterval"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return counts


if __name__ == "__main__":
    main()
