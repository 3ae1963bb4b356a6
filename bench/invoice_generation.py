"""Invoice generation benchmark: a client with 1,000,000 billable calls in a month.

    .venv/bin/python bench/invoice_generation.py               # 1,000,000 calls, 3 rounds
    .venv/bin/python bench/invoice_generation.py --calls 200000 --rounds 5 --skip-detail

Runs against its own database (``DATABASE_URL``, default ``contactcenter_bench_billing``;
created and migrated if missing; refuses a database whose name lacks "bench"). The calls are
inserted once by one ``INSERT ... SELECT generate_series`` (kept for the next run unless
``--rebuild``), then ``VACUUM ANALYZE``. Each round times, one after the other:

1. ``invoice_generate(period=..., client_code=...)``: the whole service (client lock,
   coverage windows, tariff slices, the rating GROUP BY, lines, minimum, VAT, and writing
   the draft: the second round on rebuilds it);
2. one hand-written SQL query computing the same totals (calls and billed seconds per
   project and band, with the tariffs' numbers written into the query): the floor.

It prints the fastest and median of each, their ratio (the target: within 2x), checks that
both give the same totals, and, unless ``--skip-detail``, streams the call-by-call detail
CSV of the invoice as the API serves it (``COPY`` out of PostgreSQL) beside a plain ``COPY
(SELECT ...) TO STDOUT`` of the same calls' columns, interleaved, with the growth of the
process's peak memory.
"""

import argparse
import datetime as dt
import io
import os
import platform
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.dev")
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_bench_billing"
)
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402  (settings come from the environment set above)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from billing import rating  # noqa: E402
from billing.exports.detail_csv import invoice_detail_chunks  # noqa: E402
from billing.invoicing import invoice_generate  # noqa: E402
from billing.models import Invoice, Tariff, TariffBand  # noqa: E402
from projects.models import Client, Project, VatRate  # noqa: E402

CLIENT = "bench-billing"
PERIOD = dt.date(2026, 10, 1)
# code, time zone, share of the calls
PROJECTS = [("bench-bill-msk", "Europe/Moscow", 0.7), ("bench-bill-vvo", "Asia/Vladivostok", 0.3)]
UNANSWERED_SHARE = 0.05  # on top of the billable calls: they must be filtered out


def main(argv=None):
    return 0 if measure(argv)["agree"] else 1


def measure(argv=None):
    """The whole benchmark, printed as it goes; returns its figures."""
    args = parse_args(argv)
    prepare_database()
    projects = create_fixtures()
    if args.rebuild or billable_calls(projects) != args.calls:
        insert_calls(projects, args.calls)
    print(
        f"{billable_calls(projects):,} billable calls of client {CLIENT!r} in {PERIOD:%Y-%m} "
        f"({len(projects)} projects, bands, increments 30/6 and 60/60), database "
        f"{connection.settings_dict['NAME']} (PostgreSQL {server_version()}), "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    service_times, sql_times = [], []
    invoice = None
    for _ in range(args.rounds + 1):  # the first round warms caches and plans, untimed
        started = time.perf_counter()
        [invoice] = invoice_generate(period=PERIOD, client_code=CLIENT)
        service_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline = hand_written_totals(projects)
        sql_times.append(time.perf_counter() - started)
    service_times, sql_times = service_times[1:], sql_times[1:]

    stored = {}
    for line in invoice.lines.filter(kind="usage"):
        key = (line.project_id, line.band)
        calls, seconds = stored.get(key, (0, 0))
        stored[key] = (calls + line.calls, seconds + line.billed_seconds)
    agree = stored == baseline
    ratio = min(service_times) / min(sql_times)

    print()
    print(f"| {'what':<44} | {'best s':>7} | {'median s':>8} | {'ratio':>6} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 10}|{'-' * 8}|")
    print(
        f"| {'hand-written SQL (one GROUP BY)':<44} | {min(sql_times):7.2f} | "
        f"{statistics.median(sql_times):8.2f} | {1:6.2f} |"
    )
    print(
        f"| {'invoice_generate() (whole service)':<44} | {min(service_times):7.2f} | "
        f"{statistics.median(service_times):8.2f} | {ratio:6.2f} |"
    )
    print()
    print(f"invoice_generate / SQL: {ratio:.2f}x (target: within 2x) over {args.rounds} rounds")
    print(f"Same totals per project and band: {'yes' if agree else 'NO'}")
    if not agree:
        print(f"  invoice: {sorted(stored.items())}\n  SQL:     {sorted(baseline.items())}")
    print(
        f"Invoice {invoice.status}: subtotal {invoice.subtotal}, VAT {invoice.vat}, "
        f"total {invoice.total} {invoice.currency}, {invoice.lines.count()} lines"
    )
    detail = None if args.skip_detail else time_detail(invoice, projects, args.rounds)
    print(f"Load average at the end: {os.getloadavg()[0]:.1f} (other work on this machine)")
    return {
        "calls": billable_calls(projects),
        "service": service_times,
        "sql": sql_times,
        "agree": agree,
        "detail": detail,
    }


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows: the service beside the hand-written GROUP BY (best of the
    rounds, as ``main`` reports), and the streamed detail beside the service."""
    found = measure(["--calls", "200000", "--rounds", "2"] if quick else [])
    service, sql = min(found["service"]), min(found["sql"])
    rows = [
        {
            "benchmark": "invoice_generation",
            "measure": f"invoice_generate(), {found['calls']:,} billable calls",
            "value": round(service, 3),
            "unit": "s",
            "baseline": "hand-written SQL, one GROUP BY",
            "baseline_value": round(sql, 3),
            "ratio": round(service / sql, 2),
            "note": f"best of {len(found['service'])}; totals "
            + ("identical" if found["agree"] else "DIFFERENT"),
        }
    ]
    if found["detail"]:
        streamed, seconds, floor, growth = found["detail"]
        rows.append(
            {
                "benchmark": "invoice_generation",
                "measure": f"call detail CSV as the API streams it, {streamed:,} rows",
                "value": round(seconds, 3),
                "unit": "s",
                "baseline": "COPY (SELECT the same calls' columns) TO STDOUT",
                "baseline_value": round(floor, 3),
                "ratio": round(seconds / floor, 2),
                "note": f"{streamed / seconds:,.0f} rows/s; best of {len(found['service'])}, "
                f"interleaved; peak memory +{growth:.0f} MB",
            }
        )
    return rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="billable calls")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (after a warm-up)")
    parser.add_argument("--rebuild", action="store_true", help="insert the calls afresh")
    parser.add_argument("--skip-detail", action="store_true", help="do not stream the detail")
    return parser.parse_args(argv)


def prepare_database():
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing to write calls into {name!r}: not a benchmark database.")
    call_command("ensure_database", stdout=io.StringIO())
    call_command("migrate", verbosity=0, interactive=False)


def server_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def create_fixtures():
    """The client (VAT 20% on top), two projects far apart in time, their tariffs."""
    client, _ = Client.objects.get_or_create(
        code=CLIENT, defaults={"legal_name": "ООО «Бенчмарк»", "timezone": "Europe/Moscow"}
    )
    VatRate.objects.get_or_create(
        client=client, valid_from=dt.date(2000, 1, 1), defaults={"rate": Decimal("0.2000")}
    )
    projects = []
    for code, zone, _share in PROJECTS:
        project, _ = Project.objects.get_or_create(
            code=code, defaults={"name": code, "client": client, "timezone": zone}
        )
        projects.append(project)
    msk, vvo = projects
    tariff, created = Tariff.objects.get_or_create(
        project=msk,
        valid_from=dt.date(2026, 1, 1),
        defaults={
            "rate_per_minute": Decimal("1.5000"),
            "first_increment_seconds": 30,
            "next_increment_seconds": 6,
            "free_seconds": 3,
            "monthly_minimum": Decimal("1000.00"),
        },
    )
    if created:
        TariffBand.objects.create(
            tariff=tariff,
            position=0,
            name="night",
            weekdays=[0, 1, 2, 3, 4],
            start=dt.time(22),
            end=dt.time(8),
            rate_per_minute=Decimal("2.0000"),
        )
        TariffBand.objects.create(
            tariff=tariff,
            position=1,
            name="weekend",
            weekdays=[5, 6],
            start=dt.time(0),
            end=dt.time(0),
            rate_per_minute=Decimal("1.2000"),
        )
    tariff, created = Tariff.objects.get_or_create(
        project=vvo,
        valid_from=dt.date(2026, 1, 1),
        defaults={
            "rate_per_minute": Decimal("2.0000"),
            "first_increment_seconds": 60,
            "next_increment_seconds": 60,
            "billable": "handle",
            "wrap_cap_seconds": 30,
        },
    )
    if created:
        TariffBand.objects.create(
            tariff=tariff,
            position=0,
            name="evening",
            weekdays=[0, 1, 2, 3, 4],
            start=dt.time(18),
            end=dt.time(0),
            rate_per_minute=Decimal("2.5000"),
        )
    return projects


def billable_calls(projects):
    total = 0
    with connection.cursor() as cursor:
        for project in projects:
            start, end = rating.month_window(PERIOD, project.timezone)
            cursor.execute(
                "SELECT count(*) FROM calls_call WHERE project_id = %s AND offered_at >= %s"
                " AND offered_at < %s AND answered_at IS NOT NULL",
                [project.id, start, end],
            )
            total += cursor.fetchone()[0]
    return total


def insert_calls(projects, calls):
    """One INSERT ... SELECT generate_series per project; durations drawn by PostgreSQL
    (seeded): exponential connected time (mean 3 min), hold, wrap, some unanswered."""
    Invoice.objects.filter(client__code=CLIENT).delete()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM calls_call WHERE project_id = ANY(%s)", [[p.id for p in projects]]
        )
        cursor.execute("SELECT setseed(0.42)")
        for project, (_code, _zone, share) in zip(projects, PROJECTS, strict=True):
            start, end = rating.month_window(PERIOD, project.timezone)
            answered = round(calls * share)
            rows = answered + round(answered * UNANSWERED_SHARE)
            step = (end - start).total_seconds() / rows
            cursor.execute(
                """
                INSERT INTO calls_call (project_id, external_id, direction, caller, offered_at,
                    answered_at, ended_at, hold_seconds, wrap_seconds, disposition,
                    recording_url, received_at)
                SELECT %(project)s, 'bench-' || i, 'inbound', '', offered,
                    CASE WHEN i <= %(answered)s THEN answered END,
                    CASE WHEN i <= %(answered)s THEN answered + connected * interval '1 second'
                         ELSE offered + interval '40 seconds' END,
                    CASE WHEN i <= %(answered)s THEN floor(connected * random() * 0.2) ELSE 0 END,
                    CASE WHEN i <= %(answered)s THEN floor(random() * 90) ELSE 0 END,
                    '', '', offered + interval '1 minute'
                FROM (
                    SELECT i, offered,
                        offered + floor(random() * 30) * interval '1 second'
                            + floor(random() * 1000) * interval '1 millisecond' AS answered,
                        least(floor(-ln(1 - random()) * 180), 3600)::int AS connected
                    FROM (
                        SELECT i, %(start)s::timestamptz
                            + ((i - 1) * %(step)s) * interval '1 second' AS offered
                        FROM generate_series(1, %(rows)s) AS i
                    ) spread
                ) drawn
                """,
                {
                    "project": project.id,
                    "answered": answered,
                    "start": start,
                    "step": step,
                    "rows": rows,
                },
            )
    print(
        f"Inserted {calls:,} billable calls (+{UNANSWERED_SHARE:.0%} unanswered) in "
        f"{time.perf_counter() - started:.1f} s; VACUUM ANALYZE..."
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE calls_call")


def hand_written_totals(projects):
    """The floor: one query, the tariffs' numbers written in, as a person would write it."""
    msk, vvo = projects
    msk_from, msk_to = rating.month_window(PERIOD, msk.timezone)
    vvo_from, vvo_to = rating.month_window(PERIOD, vvo.timezone)
    sql = """
        SELECT project_id, band, count(*), sum(billed)
        FROM (
            SELECT c.project_id,
                CASE WHEN c.project_id = %(msk)s THEN
                    CASE WHEN (EXTRACT(ISODOW FROM m.t) <= 5 AND m.t::time >= '22:00')
                           OR (EXTRACT(ISODOW FROM m.t) BETWEEN 2 AND 6
                               AND m.t::time < '08:00')
                         THEN 'night'
                         WHEN EXTRACT(ISODOW FROM m.t) >= 6 THEN 'weekend'
                         ELSE '' END
                ELSE
                    CASE WHEN EXTRACT(ISODOW FROM v.t) <= 5 AND v.t::time >= '18:00'
                         THEN 'evening' ELSE '' END
                END AS band,
                CASE WHEN c.project_id = %(msk)s THEN
                    CASE WHEN c.connected_seconds <= 3 THEN 0
                         WHEN c.connected_seconds <= 30 THEN 30
                         ELSE 30 + ((c.connected_seconds - 30 + 5) / 6) * 6 END
                ELSE
                    CASE WHEN c.connected_seconds + least(c.wrap_seconds, 30) = 0 THEN 0
                         ELSE ((c.connected_seconds + least(c.wrap_seconds, 30) + 59) / 60) * 60
                    END
                END AS billed
            FROM calls_call c
            CROSS JOIN LATERAL (SELECT c.answered_at AT TIME ZONE 'Europe/Moscow' AS t) m
            CROSS JOIN LATERAL (SELECT c.answered_at AT TIME ZONE 'Asia/Vladivostok' AS t) v
            WHERE c.answered_at IS NOT NULL
              AND ((c.project_id = %(msk)s AND c.offered_at >= %(msk_from)s
                    AND c.offered_at < %(msk_to)s)
                OR (c.project_id = %(vvo)s AND c.offered_at >= %(vvo_from)s
                    AND c.offered_at < %(vvo_to)s))
        ) rated
        GROUP BY project_id, band
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "msk": msk.id,
                "vvo": vvo.id,
                "msk_from": msk_from,
                "msk_to": msk_to,
                "vvo_from": vvo_from,
                "vvo_to": vvo_to,
            },
        )
        return {
            (project_id, band): (calls, int(billed)) for project_id, band, calls, billed in cursor
        }


def copy_baseline(projects):
    """The floor: ``COPY (SELECT <the detail's columns> ...) TO STDOUT`` of the same calls,
    unrated (no tariff, band or kopeck allocation), bytes read to the end."""
    ids = [project.id for project in projects]
    start = dt.datetime(PERIOD.year, PERIOD.month, 1, tzinfo=dt.UTC) - dt.timedelta(days=1)
    end = start + dt.timedelta(days=33)
    sql = """
        COPY (
            SELECT p.code, c.external_id, c.offered_at, c.answered_at,
                (c.offered_at AT TIME ZONE p.timezone)::date, c.connected_seconds,
                c.talk_seconds, c.wrap_seconds, c.inside_client_hours
            FROM calls_call c JOIN projects_project p ON p.id = c.project_id
            WHERE c.project_id = ANY(%s) AND c.answered_at IS NOT NULL
              AND c.offered_at >= %s AND c.offered_at < %s
            ORDER BY c.project_id, c.offered_at, c.id
        ) TO STDOUT WITH (FORMAT csv)
    """
    size = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql, [ids, start, end]) as copy:
        for chunk in copy:
            size += len(chunk)
    return size


def detail_csv_bytes(invoice):
    size = 0
    for chunk in invoice_detail_chunks(invoice):
        size += len(chunk)
    return size


def time_detail(invoice, projects, rounds=3):
    """The detail CSV as the API streams it (COPY out of PostgreSQL) beside a plain COPY of
    the same calls' columns, interleaved; best of ``rounds``; and the peak memory growth."""
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    detail_times, copy_times = [], []
    detail_size = copy_size = 0
    for _ in range(rounds):
        started = time.perf_counter()
        detail_size = detail_csv_bytes(invoice)
        detail_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        copy_size = copy_baseline(projects)
        copy_times.append(time.perf_counter() - started)
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    rows = sum(line.calls for line in invoice.lines.filter(kind="usage"))
    best, floor = min(detail_times), min(copy_times)
    print(
        f"Call detail CSV: {rows:,} rows, {detail_size / 2**20:.0f} MB in {best:.2f} s "
        f"(best of {rounds}); plain COPY of the same calls: {copy_size / 2**20:.0f} MB in "
        f"{floor:.2f} s; ratio {best / floor:.2f}x (target: at most 3x); peak memory "
        f"+{growth / 1024:.0f} MB"
    )
    return rows, best, floor, growth / 1024


if __name__ == "__main__":
    sys.exit(main())
