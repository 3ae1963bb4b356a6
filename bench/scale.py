"""Scale benchmark: 20,000,000 calls over 12 months, the app beside hand-written SQL.

    .venv/bin/python bench/scale.py                      # 20,000,000 calls (kept if present)
    .venv/bin/python bench/scale.py --calls 2000000      # the quick form
    .venv/bin/python bench/scale.py --generate-only      # build the data and stop
    .venv/bin/python bench/scale.py --only-rollup        # the KPI rollup figures only
    .venv/bin/python bench/scale.py --drop               # drop the scale database

Its own database (``DATABASE_URL``, default ``contactcenter_scale``; created and migrated
with the project's migrations; it refuses a name without "scale"). The calls are generated
in PostgreSQL, one ``INSERT ... SELECT generate_series`` per day in time order (as ingestion
writes them), with the secondary indexes and foreign keys of ``calls_call`` dropped during
the load and rebuilt from their own definitions afterwards, then ``VACUUM ANALYZE``. The
data is kept for the next run when its count matches (``--rebuild`` to redo it).

The world: five clients, ten projects in eight time zones, each peaking at its own local
hour; 400 operators (80 per client); 365 days from 2025-11-01, weekends lighter, so a month
is about 1/12th of the calls; 85% answered, 5% outbound, 5% withheld callers, recording
URLs and dispositions on answered calls. The biggest client is the invoice benchmark's
(``bench-billing``: Moscow with night and weekend bands, Vladivostok with an evening band,
40% of all calls).

Then, in one process, each app figure beside its hand-written baseline, interleaved run by
run so both meet the same load (the machine is shared):

a. the KPI rollup (``calls.rollups.rollup_kpis`` forcing a refill of one busy month, and of
   one day, after one first fill of each with their rollup rows deleted) vs the
   project-counter and operator-handle ``GROUP BY``s over the same calls;
b. ``invoice_generate`` for the big client's October vs one hand-written ``GROUP BY``;
c. ``GET /api/v1/calls/`` (first page, and a page six months deep via its cursor) vs the
   raw keyset query;
d. ``GET /api/v1/projects/{code}/kpis/`` for a month at hourly granularity vs a raw
   ``GROUP BY`` over the rollup table.

Then a monthly-partitioned copy of the calls (``scale_part.calls``, declarative
partitioning by ``offered_at``, primary key ``(id, offered_at)``, the same secondary
indexes) and the same queries on both tables: the invoice's rating query, the month and
day counters, keyset pages, ``VACUUM ANALYZE``, and retiring the oldest month (``DELETE``
vs ``DETACH`` + ``DROP``). And ``COPY`` of 100,000 calls into ``calls_call`` with and
without the two foreign-key indexes (``project_id``, ``operator_id``) that other indexes
already lead with, each in a rolled-back transaction. docs/scale.md says what was found.
"""

import argparse
import base64
import datetime as dt
import io
import itertools
import logging
import os
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_scale")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402  (settings come from the environment set above)

django.setup()
logging.getLogger("contactcenter.request").setLevel(logging.WARNING)  # one line per request
warnings.filterwarnings("ignore", message="No directory at")  # no collected static files

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402

from agents.models import Operator  # noqa: E402
from bench import invoice_generation as billing_data  # noqa: E402  (its client and tariffs)
from billing import rating  # noqa: E402
from billing.invoicing import coverage_for, invoice_generate, rated_calls_sql, slices_for  # noqa: E402
from calls import rollups  # noqa: E402
from contactcenter.tokens import reissue as reissue_token  # noqa: E402
from projects.models import Client, Project  # noqa: E402

FIRST_DAY = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
DAYS = 365
MONTH = dt.date(2026, 10, 1)  # the busy month measured (the last whole month)
MONTH_START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
MONTH_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
DAY_START = dt.datetime(2026, 10, 14, tzinfo=dt.UTC)  # a Wednesday
NOW = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)  # the rollup's clock: every call has ended
OPERATORS_PER_CLIENT = 80
# code, client code, time zone, UTC offset (hours; no DST in these zones), peak local hour,
# share of all calls (%). The first two are the invoice benchmark's client and projects.
PROJECTS = [
    ("bench-bill-msk", "bench-billing", "Europe/Moscow", 3, 14, 25),
    ("bench-bill-vvo", "bench-billing", "Asia/Vladivostok", 10, 11, 15),
    ("scale-kgd-1", "scale-client-1", "Europe/Kaliningrad", 2, 10, 8),
    ("scale-kgd-2", "scale-client-1", "Europe/Kaliningrad", 2, 19, 7),
    ("scale-smr-1", "scale-client-2", "Europe/Samara", 4, 12, 8),
    ("scale-ekb-1", "scale-client-2", "Asia/Yekaterinburg", 5, 16, 7),
    ("scale-oms-1", "scale-client-3", "Asia/Omsk", 6, 9, 8),
    ("scale-nsk-1", "scale-client-3", "Asia/Novosibirsk", 7, 20, 7),
    ("scale-krs-1", "scale-client-4", "Asia/Krasnoyarsk", 7, 13, 8),
    ("scale-msk-2", "scale-client-4", "Europe/Moscow", 3, 18, 7),
]
CLIENTS = list(dict.fromkeys(client for _, client, *_ in PROJECTS))
PART_SCHEMA = "scale_part"
PART_TABLE = f"{PART_SCHEMA}.calls"
# The generated columns are computed by PostgreSQL; every other column is written.
WRITTEN = (
    "id, project_id, external_id, direction, caller, contact_id, operator_id, offered_at, "
    "answered_at, ended_at, hold_seconds, wrap_seconds, disposition, recording_url, received_at"
)

# One day of calls, in time order. Per row: the project by its share (width_bucket over the
# cumulative shares), the local hour around the project's peak (sum of three uniforms: a
# bell from peak-6 to peak+6), exponential wait (mean 20 s) and connected time (mean 3 min,
# capped at an hour), hold on a fifth of the answered calls, wrap up to a minute.
GENERATE_DAY = """
    WITH raw AS (
        SELECT g,
               width_bucket(random(), %(bounds)s::float8[]) AS k,
               (random() + random() + random() - 1.5) * 4 AS dh,
               random() < 0.85 AS answered,
               -ln(1 - random()) * 20 AS wait,
               least(-ln(1 - random()) * 180, 3600) AS talk,
               CASE WHEN random() < 0.2 THEN floor(random() * 40) ELSE 0 END AS hold,
               floor(random() * 60)::int AS wrap,
               random() AS pick,
               random() < 0.05 AS outbound,
               floor(random() * 20000000)::bigint AS caller_no
        FROM generate_series(%(g0)s::bigint + 1, %(g0)s::bigint + %(n)s) AS g
    ),
    timed AS (
        SELECT raw.*,
               %(day)s::timestamptz + make_interval(secs => s - 86400 * floor(s / 86400)) AS offered
        FROM (
            SELECT raw.*,
                   ((%(peaks)s::int[])[k] + dh - (%(offsets)s::int[])[k]) * 3600 + 86400 AS s
            FROM raw
        ) raw
    )
    INSERT INTO calls_call (
        project_id, external_id, direction, caller, contact_id, operator_id, offered_at,
        answered_at, ended_at, hold_seconds, wrap_seconds, disposition, recording_url,
        received_at)
    SELECT (%(projects)s::bigint[])[k], 'x' || g,
           CASE WHEN outbound THEN 'outbound' ELSE 'inbound' END,
           CASE WHEN caller_no < 1000000 THEN '' ELSE '+7' || (9000000000 + caller_no) END,
           NULL,
           CASE WHEN answered THEN (%(operators)s::bigint[])[
               (%(op_base)s::int[])[k] + floor(pick * %(per_client)s)::int + 1] END,
           offered,
           CASE WHEN answered THEN offered + make_interval(secs => wait) END,
           offered + make_interval(secs => wait + CASE WHEN answered THEN talk + hold ELSE 0 END),
           CASE WHEN answered THEN hold ELSE 0 END,
           CASE WHEN answered THEN wrap ELSE 0 END,
           CASE WHEN answered
                THEN (ARRAY['sale', 'info', 'complaint', 'callback'])[1 + floor(pick * 4)::int]
                ELSE '' END,
           CASE WHEN answered THEN 'https://rec.example.com/r/' || g || '.mp3' ELSE '' END,
           offered + make_interval(secs => wait + talk + hold + 30)
    FROM timed
    ORDER BY offered
"""


# --- The database ----------------------------------------------------------------------------


def admin_dsn():
    db = settings.DATABASES["default"]
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']}"


def db_dsn():
    return f"{admin_dsn()} dbname={settings.DATABASES['default']['NAME']}"


def check_name():
    name = settings.DATABASES["default"]["NAME"]
    if "scale" not in name:
        sys.exit(f"Refusing to use {name!r}: the scale database's name must contain 'scale'.")
    return name


def prepare_database():
    name = check_name()
    with psycopg.connect(f"{admin_dsn()} dbname=postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)


def drop_database():
    name = check_name()
    connection.close()
    with psycopg.connect(f"{admin_dsn()} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped {name}")


def server_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def world():
    """The clients, projects (thresholds: the defaults), tariffs of the big client, and the
    operators. Returns (projects in PROJECTS order, operators)."""
    billing_data.create_fixtures()  # bench-billing, its two projects, tariffs and bands
    clients = {}
    for code in CLIENTS:
        clients[code], _ = Client.objects.get_or_create(
            code=code, defaults={"legal_name": code, "timezone": "Europe/Moscow"}
        )
    projects = []
    for code, client, zone, *_ in PROJECTS:
        project, _ = Project.objects.update_or_create(
            code=code, defaults={"name": code, "client": clients[client], "timezone": zone}
        )
        projects.append(project)
    existing = {o.code: o for o in Operator.objects.filter(code__startswith="scale-op-")}
    missing = [
        Operator(code=f"scale-op-{n:03d}", full_name=f"Operator {n}")
        for n in range(OPERATORS_PER_CLIENT * len(CLIENTS))
        if f"scale-op-{n:03d}" not in existing
    ]
    Operator.objects.bulk_create(missing)
    operators = list(Operator.objects.filter(code__startswith="scale-op-").order_by("code"))
    return projects, operators


def calls_count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'calls_call'::regclass")
        estimate = cursor.fetchone()[0]
        if estimate <= 0:
            cursor.execute("SELECT count(*) FROM calls_call")
            return cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM calls_call")  # ids are dense: a fresh sequence
        return cursor.fetchone()[0] or 0


def day_counts(calls):
    """Calls per day: weekdays 1, Saturday 0.6, Sunday 0.5; summing to ``calls``."""
    weights = [
        {5: 0.6, 6: 0.5}.get((FIRST_DAY + dt.timedelta(days=d)).weekday(), 1.0) for d in range(DAYS)
    ]
    total = sum(weights)
    counts = [int(calls * w / total) for w in weights]
    for d in range(calls - sum(counts)):
        counts[d % DAYS] += 1
    return counts


def secondary_definitions(cursor):
    """calls_call's indexes and constraints other than the primary key and CHECKs: the
    statements that recreate them."""
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = 'calls_call'::regclass AND contype IN ('u', 'f')
        ORDER BY contype DESC, conname
        """
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'calls_call'::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """
    )
    indexes = cursor.fetchall()
    return constraints, indexes


def generate(calls, projects, operators, *, sessions=2):
    """Empty calls_call, drop its secondary indexes and foreign keys, insert the days in
    ``sessions`` parallel sessions, rebuild the indexes and keys, VACUUM ANALYZE."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE calls_call, calls_projectinterval, calls_operatorprojectinterval, "
            "calls_operatorinterval, calls_rollupinterval, calls_rollupstate RESTART IDENTITY "
            "CASCADE"
        )
        constraints, indexes = secondary_definitions(cursor)
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE calls_call DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    connection.close()
    shares = [share for *_, share in PROJECTS]
    bounds, acc = [], 0
    for share in shares:
        bounds.append(acc / sum(shares))
        acc += share
    client_index = {client: n for n, client in enumerate(CLIENTS)}
    common = {
        "bounds": bounds,
        "peaks": [peak for *_, peak, _ in PROJECTS],
        "offsets": [offset for _, _, _, offset, _, _ in PROJECTS],
        "projects": [p.pk for p in projects],
        "operators": [o.pk for o in operators],
        "op_base": [client_index[client] * OPERATORS_PER_CLIENT for _, client, *_ in PROJECTS],
        "per_client": OPERATORS_PER_CLIENT,
    }
    counts = day_counts(calls)
    firsts = [sum(counts[:d]) for d in range(DAYS)]
    errors = []

    def load(worker):
        try:
            with psycopg.connect(db_dsn(), autocommit=True) as conn:
                conn.execute("SELECT setseed(%s)", [0.1 + worker / 10])
                for d in range(worker, DAYS, sessions):
                    day = FIRST_DAY + dt.timedelta(days=d)
                    conn.execute(
                        GENERATE_DAY, {**common, "day": day, "g0": firsts[d], "n": counts[d]}
                    )
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=load, args=(w,)) for w in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    loaded = time.perf_counter()
    print(f"inserted {calls:,} calls in {loaded - started:.0f} s; rebuilding indexes and keys")
    with psycopg.connect(db_dsn(), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            conn.execute(definition)
        for name, definition in constraints:
            conn.execute(f'ALTER TABLE calls_call ADD CONSTRAINT "{name}" {definition}')
        built = time.perf_counter()
        conn.execute("VACUUM ANALYZE calls_call")
    print(
        f"indexes and keys {built - loaded:.0f} s, VACUUM ANALYZE "
        f"{time.perf_counter() - built:.0f} s; total {time.perf_counter() - started:.0f} s"
    )
    return {
        "insert_s": loaded - started,
        "index_s": built - loaded,
        "total_s": time.perf_counter() - started,
    }


# --- Timing helpers --------------------------------------------------------------------------


def clock(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def interleaved(pairs, runs):
    """{name: [seconds of each run]}: each run times every function once, in turn, so the
    app and its baseline meet the same load on a shared machine."""
    times = {name: [] for name, _ in pairs}
    for _ in range(runs):
        for name, function in pairs:
            times[name].append(clock(function))
    return times


def fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def med(values):
    return statistics.median(values)


# --- a. The KPI rollup -----------------------------------------------------------------------

# The project counters of SPEC section 4 by hand: the floor of the rollup's first table.
COUNTERS_GROUP_BY = """
    SELECT c.project_id,
           date_bin('15 minutes', c.offered_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
           count(*), count(c.answered_at),
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
    FROM {table} c JOIN projects_project p ON p.id = c.project_id
    WHERE c.direction = 'inbound' AND c.offered_at >= %(start)s AND c.offered_at < %(end)s
    GROUP BY 1, 2
"""
# The operator-project handle by hand (SPEC section 5): each call's handle time spread
# over the 15-minute intervals it covers. With the counters, the floor of what the rollup
# reads and computes (it also writes the rows, which these SELECTs do not).
HANDLE_GROUP_BY = """
    SELECT operator_id, project_id, b, sum(LEAST(e, b + 900) - GREATEST(s, b))
    FROM (
        SELECT operator_id, project_id, floor(date_part('epoch', answered_at))::bigint AS s,
               floor(date_part('epoch', answered_at))::bigint + handle_seconds AS e
        FROM {table}
        WHERE operator_id IS NOT NULL AND handle_seconds > 0
          AND offered_at >= %(start)s AND offered_at < %(end)s
    ) c
    CROSS JOIN generate_series(s / 900 * 900, e - 1, 900) AS b
    GROUP BY 1, 2, 3
"""
# The fill's statements by what they start with (calls.rollups: each table's rows are
# computed and compared with the stored ones into a temporary diff, then only the
# difference is written).
ROLLUP_PHASES = [
    ("CREATE TEMP TABLE rollup_projectinterval_diff", "project counters"),
    ("INSERT INTO calls_projectinterval", "project counters"),
    ("UPDATE calls_projectinterval", "project counters"),
    ("DELETE FROM calls_projectinterval", "project counters"),
    ("CREATE TEMP TABLE rollup_", "operator tables"),
    ("INSERT INTO calls_operator", "operator tables"),
    ("UPDATE calls_operator", "operator tables"),
    ("DELETE FROM calls_operator", "operator tables"),
]


ROLLUP_TABLES = ("calls_projectinterval", "calls_operatorprojectinterval", "calls_operatorinterval")


def rollup_state():
    """The engine's state as after a run at NOW that has seen every call: a forced refill
    of a range then fills that range only (the first run would fill the whole year)."""
    ((received, span),) = fetch(
        "SELECT max(received_at), ceil(max(extract(epoch FROM (coalesce(answered_at, ended_at)"
        " - offered_at)) + handle_seconds)) FROM calls_call"
    )
    rollups.RollupState.objects.update_or_create(
        pk=1,
        defaults={
            "last_run_at": NOW,
            "calls_received_until": received,
            "max_call_span_seconds": int(span),
        },
    )


def timed_rollup(start, end, parts):
    def clock_statement(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stripped = sql.lstrip()
            name = next((n for p, n in ROLLUP_PHASES if stripped.startswith(p)), "marking")
            parts[name] = parts.get(name, 0.0) + time.perf_counter() - started

    with connection.execute_wrapper(clock_statement):
        result = rollups.rollup_kpis(now=NOW, start=start, end=end)
    # At least the range: intervals touched by the calls received last (within the engine's
    # late-commit margin) are refilled too, as in production.
    assert result.filled >= int((end - start) / rollups.INTERVAL), result.as_dict()


def measure_rollup(runs):
    rollup_state()
    rows = []
    # The baselines get the fill's settings (work_mem 64 MB, jit off) for the session; the
    # fill sets them itself, per transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '64MB'")
        cursor.execute("SET jit = off")
    for label, start, end in (
        ("month", MONTH_START, MONTH_END),
        ("day", DAY_START, DAY_START + dt.timedelta(days=1)),
    ):
        params = {"start": start, "end": end}
        counters = COUNTERS_GROUP_BY.format(table="calls_call")
        handle = HANDLE_GROUP_BY.format(table="calls_call")
        part_runs = []
        # A first fill: the range's rows deleted (and vacuumed away), then one fill that
        # inserts them all. The timed runs below refill rows that are already there.
        with connection.cursor() as cursor:
            for table in ROLLUP_TABLES:
                cursor.execute(
                    f"DELETE FROM {table} WHERE interval_start >= %(start)s"
                    " AND interval_start < %(end)s",
                    params,
                )
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(ROLLUP_TABLES)}")
        first_fill = clock(lambda s=start, e=end: timed_rollup(s, e, {}))

        def app(start=start, end=end, part_runs=part_runs):
            parts = {}
            timed_rollup(start, end, parts)
            part_runs.append(parts)

        times = interleaved(
            [
                ("rollup", app),
                ("counters", lambda c=counters, p=params: fetch(c, p)),
                ("handle", lambda h=handle, p=params: fetch(h, p)),
            ],
            runs,
        )
        ((calls,),) = fetch(
            "SELECT count(*) FROM calls_call"
            " WHERE offered_at >= %(start)s AND offered_at < %(end)s",
            params,
        )
        rollup, base_counters = med(times["rollup"]), med(times["counters"])
        base_both = med(times["counters"]) + med(times["handle"])
        fill_counters = med([p["project counters"] for p in part_runs])
        rows += [
            row("scale", f"rollup_kpis, one {label} ({calls:,} calls)", rollup, "s",
                "hand-written GROUP BY: project counters + operator handle (SELECT only)",
                base_both, note=f"median of {runs}, interleaved"),
            row("scale", f"rollup_kpis, one {label}, first fill (its rollup rows deleted)",
                first_fill, "s",
                "hand-written GROUP BY: project counters + operator handle (SELECT only)",
                base_both, note="one run before the timed ones; inserts every row"),
            row("scale", f"rollup_kpis project-counter fill, one {label}", fill_counters, "s",
                "hand-written project-counter GROUP BY", base_counters,
                note="the fill's diff and writes vs the same GROUP BY, SELECT only"),
        ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("RESET work_mem")
        cursor.execute("RESET jit")
    return rows


# --- b. The invoice ----------------------------------------------------------------------------


def measure_invoice(projects, runs):
    big = projects[:2]
    invoice_generate(period=MONTH, client_code=billing_data.CLIENT)  # warm-up
    baseline = {}

    def app():
        app.invoice = invoice_generate(period=MONTH, client_code=billing_data.CLIENT)[0]

    def hand():
        baseline.update(billing_data.hand_written_totals(big))

    times = interleaved([("app", app), ("sql", hand)], runs)
    stored = {}
    for line in app.invoice.lines.filter(kind="usage"):
        calls, seconds = stored.get((line.project_id, line.band), (0, 0))
        stored[(line.project_id, line.band)] = (calls + line.calls, seconds + line.billed_seconds)
    if stored != baseline:
        sys.exit(f"invoice and hand-written totals differ:\n{stored}\n{baseline}")
    calls = sum(count for count, _ in stored.values())
    return [
        row("scale", f"invoice_generate, one client-month ({calls:,} billable calls)",
            med(times["app"]), "s", "hand-written GROUP BY (same totals)", med(times["sql"]),
            note=f"median of {runs}, interleaved; totals identical"),
    ]  # fmt: skip


# --- c. The calls list -------------------------------------------------------------------------

KEYSET_PAGE = """
    SELECT c.*, p.code, o.code FROM {table} c
    JOIN projects_project p ON p.id = c.project_id
    LEFT JOIN agents_operator o ON o.id = c.operator_id
    WHERE {where}
    ORDER BY c.offered_at DESC, c.id DESC LIMIT 101
"""


def api_client():
    user, _ = get_user_model().objects.get_or_create(
        username="scale-root", defaults={"is_staff": True, "is_superuser": True}
    )
    return HttpClient(HTTP_AUTHORIZATION=f"Token {reissue_token(user, name='bench')}")


def cursor_at(position):
    """DRF's CursorPagination cursor for "the page after ``position``" (its encoding)."""
    return base64.b64encode(urlencode({"p": str(position)}).encode("ascii")).decode("ascii")


DEEP = dt.datetime(2026, 4, 15, 12, tzinfo=dt.UTC)  # six months back from the newest call


def keyset_cases(project):
    return [
        ("one project, first page", {"project": project.code}, "c.project_id = %(project)s"),
        ("one project, 6 months deep", {"project": project.code, "cursor": cursor_at(DEEP)},
         "c.project_id = %(project)s AND c.offered_at < %(deep)s"),
        ("all projects, first page", {}, "true"),
        ("all projects, 6 months deep", {"cursor": cursor_at(DEEP)}, "c.offered_at < %(deep)s"),
    ]  # fmt: skip


def measure_calls_list(projects, runs):
    client = api_client()
    project = projects[0]
    rows = []
    params = {"project": project.pk, "deep": DEEP}
    for label, query, where in keyset_cases(project):
        sql = KEYSET_PAGE.format(table="calls_call", where=where)

        def app(query=query):
            response = client.get("/api/v1/calls/", query)
            assert response.status_code == 200, response.content[:300]
            assert len(response.json()["results"]) == 100

        app()
        fetch(sql, params)  # warm-up of both
        times = interleaved([("app", app), ("sql", lambda s=sql: fetch(s, params))], runs * 5)
        rows.append(
            row("scale", f"GET /api/v1/calls/, {label}", med(times["app"]) * 1000, "ms",
                "raw keyset SQL, 101 rows", med(times["sql"]) * 1000,
                note=f"median of {runs * 5}; the API adds HTTP, auth and JSON of 100 calls")
        )  # fmt: skip
    return rows


# --- d. The KPI endpoint -----------------------------------------------------------------------

KPI_SQL = """
    SELECT date_trunc('hour', interval_start AT TIME ZONE %(tz)s),
           sum(offered), sum(answered), sum(abandoned), sum(short_abandoned),
           sum(answered_within_threshold), sum(abandoned_within_threshold),
           sum(wait_seconds_answered), sum(talk_seconds), sum(hold_seconds), sum(wrap_seconds)
    FROM calls_projectinterval
    WHERE project_id = %(project)s AND interval_start >= %(start)s AND interval_start < %(end)s
    GROUP BY 1 ORDER BY 1
"""


def measure_kpis(projects, runs):
    client = api_client()
    project = projects[0]
    start, end = rating.month_window(MONTH, project.timezone)
    path = f"/api/v1/projects/{project.code}/kpis/"
    query = {"from": start.isoformat(), "to": end.isoformat(), "granularity": "hour"}
    params = {"tz": project.timezone, "project": project.pk, "start": start, "end": end}

    def app():
        response = client.get(path, query)
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["buckets"]) == 31 * 24

    app()
    times = interleaved([("app", app), ("sql", lambda: fetch(KPI_SQL, params))], runs * 7)
    return [
        row("scale", "GET projects/{code}/kpis/, month by hour (744 buckets)",
            med(times["app"]) * 1000, "ms", "raw GROUP BY over calls_projectinterval",
            med(times["sql"]) * 1000, note=f"median of {runs * 7}"),
    ]  # fmt: skip


# --- Sizes -------------------------------------------------------------------------------------


def sizes(table="calls_call"):
    """[(name, bytes)]: the table's heap (with TOAST) and each index, and the total."""
    return fetch(
        """
        SELECT c.relname, pg_total_relation_size(c.oid) - pg_indexes_size(c.oid)
        FROM pg_class c WHERE c.oid = %(t)s::regclass
        UNION ALL
        SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %(t)s::regclass
        """,
        {"t": table},
    )


def partitioned_sizes():
    """Heap and each index of the partitioned copy, summed over its partitions."""
    return fetch(
        """
        SELECT 'heap', sum(pg_total_relation_size(inhrelid) - pg_indexes_size(inhrelid))
        FROM pg_inherits WHERE inhparent = 'scale_part.calls'::regclass
        UNION ALL
        SELECT pi.relname, sum(pg_relation_size(ci.oid))
        FROM pg_class pi
        JOIN pg_index px ON px.indexrelid = pi.oid AND px.indrelid = 'scale_part.calls'::regclass
        JOIN pg_inherits h ON h.inhparent = pi.oid
        JOIN pg_class ci ON ci.oid = h.inhrelid
        GROUP BY pi.relname
        """
    )


def gb(size):
    return f"{size / 2**30:.2f} GB" if size >= 2**30 else f"{size / 2**20:.0f} MB"


# --- The foreign-key indexes -------------------------------------------------------------------

FK_INDEXES = ("calls_call_project_id_deae655e", "calls_call_operator_id_6c7e59e6")
FK_QUERIES = [
    ("project PROTECT check (project_id = X)",
     "SELECT 1 FROM calls_call WHERE project_id = %(project)s LIMIT 1"),
    ("operator PROTECT check (operator_id = X)",
     "SELECT 1 FROM calls_call WHERE operator_id = %(operator)s LIMIT 1"),
    ("operator's calls of a day",
     "SELECT id FROM calls_call WHERE operator_id = %(operator)s"
     " AND answered_at >= %(day)s AND answered_at < %(day)s + interval '1 day'"),
    ("project's calls, count",
     "SELECT count(*) FROM calls_call WHERE project_id = %(project)s"),
]  # fmt: skip


def copy_buffer(count):
    """``count`` October calls as COPY text, with new external ids (so they insert)."""
    buffer = io.BytesIO()
    with psycopg.connect(db_dsn()) as conn:
        columns = WRITTEN.replace("id, ", "", 1).replace("external_id", "'copy-' || id")
        with conn.cursor().copy(
            f"COPY (SELECT {columns} FROM calls_call WHERE offered_at >= %s "
            f"ORDER BY offered_at LIMIT {int(count)}) TO STDOUT",
            [MONTH_START],
        ) as copy:
            for chunk in copy:
                buffer.write(chunk)
    return buffer.getvalue()


def measure_fk_indexes(projects, runs, count=100_000):
    """COPY ``count`` calls (foreign keys checked immediately, then rolled back) with the
    two FK indexes and without them (dropped inside the rolled-back transaction), and the
    plans of the queries those indexes could serve, without them."""
    data = copy_buffer(count)
    columns = WRITTEN.replace("id, ", "", 1)
    ((operator,),) = fetch(
        "SELECT operator_id FROM calls_call WHERE operator_id IS NOT NULL LIMIT 1"
    )
    plan_params = {"project": projects[0].pk, "operator": operator, "day": DAY_START}

    def copy_once(drop, plans=None):
        with psycopg.connect(db_dsn()) as conn:
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if drop:
                for name in FK_INDEXES:
                    conn.execute(f'DROP INDEX "{name}"')
            started = time.perf_counter()
            with conn.cursor().copy(f"COPY calls_call ({columns}) FROM STDIN") as copy:
                copy.write(data)
            seconds = time.perf_counter() - started
            if plans is not None:
                for label, sql in FK_QUERIES:
                    plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, plan_params)
                    ((document,),) = plan.fetchall()
                    plans.append((label, drop, indexes_in(document[0]["Plan"]),
                                  document[0]["Execution Time"]))  # fmt: skip
            conn.rollback()
        return seconds

    times = {"with": [], "without": []}
    plans = []
    for n in range(runs + 1):
        for drop in (False, True):
            seconds = copy_once(drop, plans if n == 0 else None)
            if n:  # the first pair warms up
                times["without" if drop else "with"].append(seconds)
    rows = [
        row("scale", f"COPY {count:,} calls without the 2 FK indexes",
            count / med(times["without"]), "calls/s",
            "COPY with them (today's schema)", count / med(times["with"]),
            note=f"median of {runs}, interleaved; FKs checked immediately; rolled back"),
    ]  # fmt: skip
    return rows, plans


def indexes_in(plan):
    """The indexes (or "Seq Scan") a plan reads, comma-separated."""
    found = []
    if "Index Name" in plan:
        found.append(plan["Index Name"])
    elif plan.get("Node Type", "").startswith("Seq Scan"):
        found.append("Seq Scan")
    found += [name for child in plan.get("Plans", []) for name in indexes_in(child).split(",")]
    return ",".join(name for name in found if name)


# --- The partitioned copy ----------------------------------------------------------------------


def month_starts():
    first = FIRST_DAY.date().replace(day=1)
    months = [first]
    while len(months) < 13:
        months.append(rating.next_month(months[-1]))
    return months


def build_partitioned():
    """scale_part.calls: calls_call's columns, generated columns and CHECKs, partitioned by
    month of offered_at; primary key (id, offered_at); the same secondary indexes (the
    unique key must include offered_at). Foreign keys are left out (reads only)."""
    started = time.perf_counter()
    months = month_starts()
    with psycopg.connect(db_dsn(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PART_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {PART_SCHEMA}")
        conn.execute(
            f"CREATE TABLE {PART_TABLE} (LIKE calls_call INCLUDING DEFAULTS INCLUDING GENERATED"
            " INCLUDING CONSTRAINTS) PARTITION BY RANGE (offered_at)"
        )
        for first, after in itertools.pairwise(months):
            conn.execute(
                f"CREATE TABLE {PART_SCHEMA}.calls_{first:%Y_%m} PARTITION OF {PART_TABLE} "
                f"FOR VALUES FROM ('{first}T00:00:00Z') TO ('{after}T00:00:00Z')"
            )
        conn.execute(f"CREATE TABLE {PART_SCHEMA}.calls_default PARTITION OF {PART_TABLE} DEFAULT")
        conn.execute(f"INSERT INTO {PART_TABLE} ({WRITTEN}) SELECT {WRITTEN} FROM calls_call")
        loaded = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(f"ALTER TABLE {PART_TABLE} ADD PRIMARY KEY (id, offered_at)")
        conn.execute(
            f"ALTER TABLE {PART_TABLE} ADD CONSTRAINT part_external_id_per_project "
            "UNIQUE (project_id, external_id, offered_at)"
        )
        with connection.cursor() as cursor:
            _, indexes = secondary_definitions(cursor)
        for name, definition in indexes:
            definition = definition.replace(
                f"INDEX {name} ON public.calls_call", f"INDEX part_{name} ON {PART_TABLE}"
            )
            conn.execute(definition)
        built = time.perf_counter()
        conn.execute(f"VACUUM ANALYZE {PART_TABLE}")
    return {
        "load_s": loaded - started,
        "index_s": built - loaded,
        "vacuum_s": time.perf_counter() - built,
    }


def app_rating_sql(projects):
    """The invoice's own rating query (billing.invoicing) for the big client's October."""
    client = projects[0].client
    coverage = coverage_for(client_id=client.id, period=MONTH, cut=NOW)
    slices = slices_for(projects=projects[:2], coverage=coverage)
    inner, params = rated_calls_sql(slices)
    sql = f"SELECT slice_no, band_index, count(*), sum(billed) FROM ({inner}) r GROUP BY 1, 2"
    return sql, params


def measure_partitioned(projects, runs):
    """The same queries on calls_call and on the partitioned copy, interleaved."""
    rows = []
    rating_sql, rating_params = app_rating_sql(projects)
    big = projects[:2]
    msk_from, msk_to = rating.month_window(MONTH, big[0].timezone)
    hand_invoice = """
        SELECT project_id, count(*), sum(connected_seconds) FROM {table}
        WHERE answered_at IS NOT NULL AND project_id = ANY(%(ids)s)
          AND offered_at >= %(start)s AND offered_at < %(end)s
        GROUP BY 1
    """
    day = {"start": DAY_START, "end": DAY_START + dt.timedelta(days=1)}
    month = {"start": MONTH_START, "end": MONTH_END}
    keyset = {"project": projects[0].pk, "deep": DEEP}
    cases = [
        ("invoice rating query (billing.invoicing), client-month",
         lambda t: fetch(rating_sql.replace("JOIN calls_call c", f"JOIN {t} c"), rating_params)),
        ("hand-written invoice GROUP BY, client-month",
         lambda t: fetch(hand_invoice.format(table=t),
                         {"ids": [p.pk for p in big], "start": msk_from, "end": msk_to})),
        ("project counters GROUP BY, month",
         lambda t: fetch(COUNTERS_GROUP_BY.format(table=t), month)),
        ("operator handle GROUP BY, month",
         lambda t: fetch(HANDLE_GROUP_BY.format(table=t), month)),
        ("project counters GROUP BY, day", lambda t: fetch(COUNTERS_GROUP_BY.format(table=t), day)),
    ] + [
        (f"keyset page: {label}",
         lambda t, w=where: fetch(KEYSET_PAGE.format(table=t, where=w), keyset))
        for label, _, where in keyset_cases(projects[0])
    ]  # fmt: skip
    for label, query in cases:
        query("calls_call")
        query(PART_TABLE)
        times = interleaved(
            [("plain", lambda q=query: q("calls_call")), ("part", lambda q=query: q(PART_TABLE))],
            runs if "month" in label else runs * 3,
        )
        unit, scale = ("ms", 1000) if med(times["plain"]) < 1 else ("s", 1)
        rows.append(
            row("scale: partitioned", label, med(times["part"]) * scale, unit,
                "the same on calls_call (not partitioned)", med(times["plain"]) * scale,
                note="median, interleaved")
        )  # fmt: skip

    # Maintenance: ANALYZE of all, VACUUM after updating one day's calls (1/365th), and
    # retiring the oldest month, each on both; the destructive ones rolled back.
    oldest = FIRST_DAY.date()
    oldest_end = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    maintenance = []
    with psycopg.connect(db_dsn(), autocommit=True) as conn:
        for table, _ in (
            ("calls_call", "calls_call"),
            (PART_TABLE, f"{PART_SCHEMA}.calls_2026_10"),
        ):
            conn.execute(
                f"UPDATE {table} SET disposition = disposition || '' "
                "WHERE offered_at >= %(start)s AND offered_at < %(end)s",
                day,
            )
        maint = {}
        for table in ("calls_call", PART_TABLE):
            maint[(table, "analyze")] = clock(lambda t=table: conn.execute(f"ANALYZE {t}"))
        maint[("calls_call", "vacuum")] = clock(lambda: conn.execute("VACUUM calls_call"))
        maint[(PART_TABLE, "vacuum")] = clock(
            lambda: conn.execute(f"VACUUM {PART_SCHEMA}.calls_2026_10")
        )
        conn.autocommit = False

        def delete_month():
            conn.execute("DELETE FROM calls_call WHERE offered_at < %s", [oldest_end])

        def detach_month():
            conn.execute(
                f"ALTER TABLE {PART_TABLE} DETACH PARTITION {PART_SCHEMA}.calls_{oldest:%Y_%m}"
            )
            conn.execute(f"DROP TABLE {PART_SCHEMA}.calls_{oldest:%Y_%m}")

        for name, function in (("delete", delete_month), ("detach", detach_month)):
            maint[name] = clock(function)
            conn.rollback()
    ((deleted,),) = fetch("SELECT count(*) FROM calls_call WHERE offered_at < %s", [oldest_end])
    maintenance += [
        row("scale: partitioned", "ANALYZE (whole table)", maint[(PART_TABLE, "analyze")], "s",
            "ANALYZE calls_call", maint[("calls_call", "analyze")]),
        row("scale: partitioned", "VACUUM after updating one day (the month's partition)",
            maint[(PART_TABLE, "vacuum")], "s", "VACUUM calls_call (the whole table)",
            maint[("calls_call", "vacuum")], note="what autovacuum would have to scan"),
        row("scale: partitioned", f"retire the oldest month: DETACH + DROP ({deleted:,} calls)",
            maint["detach"], "s", "DELETE ... WHERE offered_at < month end", maint["delete"],
            note="both rolled back; the DELETE also leaves its dead rows to VACUUM"),
    ]  # fmt: skip
    return rows + maintenance


# --- Rows, report, entry points ----------------------------------------------------------------


def row(benchmark, measure, value, unit, baseline, baseline_value, note=""):
    """One line of bench/run_all.py's table. ``ratio``: value / baseline value for times;
    for rates (unit ends in "/s") baseline / value, so above 1 always means slower."""
    rate = unit.endswith("/s")
    ratio = (
        (baseline_value / value if rate else value / baseline_value)
        if value and baseline_value
        else 0.0
    )
    return {
        "benchmark": benchmark,
        "measure": measure,
        "value": round(value, 3),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": round(baseline_value, 3),
        "ratio": round(ratio, 2),
        "note": note,
    }


def print_rows(rows):
    for r in rows:
        print(
            f"  {r['benchmark']:<20} {r['measure'][:70]:<70} {r['value']:>12,.3f} {r['unit']:<7}"
            f" | {r['baseline'][:60]:<60} {r['baseline_value']:>12,.3f} | {r['ratio']:>6.2f}x"
        )


def measure(calls, *, runs=3, rebuild=False, partitioned=True, only_rollup=False):
    """Everything, in order; returns the rows and prints them as they come."""
    projects, _, generated = ensure_data(calls, rebuild=rebuild)
    print(
        f"database {settings.DATABASES['default']['NAME']}, PostgreSQL {server_version()}, "
        f"{calls_count():,} calls; load average {os.getloadavg()[0]:.1f}"
    )
    if only_rollup:
        found = measure_rollup(runs)
        print_rows(found)
        return found
    rows = []
    if generated:
        rows.append(row("scale", f"generate {calls:,} calls (INSERT ... SELECT, indexes after)",
                        calls / generated["total_s"], "calls/s", "-", 0.0,
                        note=f"insert {generated['insert_s']:.0f} s, indexes and keys "
                             f"{generated['index_s']:.0f} s"))  # fmt: skip
    table_sizes = sizes()
    for step in (measure_rollup, measure_invoice, measure_calls_list, measure_kpis):
        found = step(runs) if step is measure_rollup else step(projects, runs)
        print_rows(found)
        rows += found
    fk_rows, plans = measure_fk_indexes(projects, runs)
    print_rows(fk_rows)
    rows += fk_rows
    print("plans with (False) and without (True) the two FK indexes:")
    for label, dropped, used, ms in plans:
        print(f"  {label:<45} dropped={dropped!s:<5} {used:<60} {ms:8.2f} ms")
    part_sizes, built = [], None
    if partitioned:
        built = build_partitioned()
        print(f"partitioned copy built: {built}")
        part_sizes = partitioned_sizes()
        found = measure_partitioned(projects, runs)
        print_rows(found)
        rows += found
    print("sizes of calls_call:")
    for name, size in table_sizes:
        print(f"  {name:<45} {gb(size):>10}")
    total = sum(size for _, size in table_sizes)
    print(f"  {'total':<45} {gb(total):>10}")
    if part_sizes:
        print("sizes of the partitioned copy (summed over partitions):")
        for name, size in part_sizes:
            print(f"  {name:<45} {gb(size):>10}")
        print(f"  {'total':<45} {gb(sum(size for _, size in part_sizes)):>10}")
    return rows


def ensure_data(calls, *, rebuild=False):
    prepare_database()
    projects, operators = world()
    generated = None
    if rebuild or calls_count() != calls:
        generated = generate(calls, projects, operators)
    return projects, operators, generated


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's entry point: 2,000,000 calls quick, 20,000,000 in full (the data is
    kept between runs when its count matches)."""
    return measure(2_000_000 if quick else 20_000_000, runs=2 if quick else 3)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each figure")
    parser.add_argument("--rebuild", action="store_true", help="generate the calls afresh")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--skip-partitioned", action="store_true")
    parser.add_argument("--only-rollup", action="store_true", help="the KPI rollup figures only")
    parser.add_argument("--drop", action="store_true", help="drop the scale database and stop")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.drop:
        drop_database()
        return 0
    if args.generate_only:
        ensure_data(args.calls, rebuild=args.rebuild)
        return 0
    measure(args.calls, runs=args.runs, rebuild=args.rebuild,
            partitioned=not args.skip_partitioned, only_rollup=args.only_rollup)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
