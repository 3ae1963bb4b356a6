"""Call ingestion benchmark: calls/s through the HTTP API, beside PostgreSQL's own COPY.

    .venv/bin/python bench/ingest_calls.py    # 3 rounds of 10 batches x 10,000 calls, 2 clients

Runs against its own database (``DATABASE_URL``, default ``contactcenter_bench``; created and
migrated if missing). The same generated calls are stored by every phase, the call and
contact tables emptied before each phase so every phase writes into tables of the same size:

1. ``COPY``: PostgreSQL's own ``COPY ... FROM STDIN`` of the rows into ``calls_call``, the same
   columns ``calls_ingest`` writes (codes and contacts resolved to ids before the clock), in
   one session, then in ``--concurrency`` sessions at once: the floor.
2. ``in-process``: ``calls.ingest.calls_ingest()`` called directly, one batch at a time.
3. ``HTTP``: ``POST /api/v1/calls/`` of each batch as a JSON list with an integration token
   and an ``Idempotency-Key``, from ``--concurrency`` client threads, to gunicorn (``--workers``
   sync workers) started here on 127.0.0.1 and always stopped at the end.

Every phase runs ``--rounds`` times, interleaved; the table (phase, rows, seconds, calls/s,
ratio to COPY, CPU seconds) shows each phase's fastest round. bench/README.md says what each
figure means and what was measured.
"""

import argparse
import contextlib
import cProfile
import ctypes
import dataclasses
import datetime as dt
import http.client
import io
import json
import math
import os
import platform
import pstats
import queue
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_bench")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402  (settings come from the environment set above)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from agents.models import Operator  # noqa: E402
from calls.ingest import CALL_COLUMNS, calls_ingest  # noqa: E402
from projects.models import Client, Project  # noqa: E402

try:
    import orjson
except ImportError:  # optional: the API falls back to the json module without it
    orjson = None

HOST = "127.0.0.1"  # the only address this benchmark talks to
SERVER_LOG = Path(tempfile.gettempdir()) / "contactcenter-bench-server.log"
CLIENT = "bench"
INTEGRATION_USER = "bench-integration"
# Several lines of one client, unevenly busy, sharing one operator pool.
PROJECT_WEIGHTS = {"bench-line-1": 50, "bench-line-2": 25, "bench-line-3": 15, "bench-line-4": 10}
OPERATORS = [f"bench-op-{n:02d}" for n in range(50)]
CALLER_POOL = 20_000  # numbers calling; a number calling one line again reuses its contact
DAY = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
COPY_COLUMNS = (*CALL_COLUMNS, "contact_id", "received_at")  # what calls_ingest writes
WARM_UP_ROWS = 100


def main(argv=None):
    args = parse_args(argv)
    # A SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the finally below stops the server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    prepare_database()
    fixtures = create_fixtures()
    print(
        f"{args.batches} batches x {args.batch_size:,} calls, {len(PROJECT_WEIGHTS)} projects, "
        f"{len(OPERATORS)} operators, {CALLER_POOL:,} callers; rounds: {args.rounds}; "
        f"concurrency {args.concurrency}, {args.workers} gunicorn workers; database "
        f"{connection.settings_dict['NAME']} (PostgreSQL {server_version()}), "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    seeds = range(args.batches)
    rounds, digests = [], set()
    profiler = cProfile.Profile() if args.profile else None
    server = None
    try:
        if not args.skip_http:
            server = start_server(args, fixtures)
        for _ in range(args.rounds):
            # Every phase once per round, so a burst of other work on the machine hits one
            # round of each phase rather than all the rounds of one.
            results = [time_copy_phase(seeds, args.batch_size, fixtures, sessions=1)]
            digests.add(table_digest())
            if args.concurrency > 1:
                results.append(
                    time_copy_phase(seeds, args.batch_size, fixtures, sessions=args.concurrency)
                )
            if not args.skip_in_process:
                results.append(time_in_process_phase(seeds, args.batch_size, fixtures, profiler))
                digests.add(table_digest())
            if not args.skip_http:
                results.append(time_http_phase(seeds, args, fixtures, server))
                if results[-1].error is None:
                    digests.add(table_digest())
            rounds.append(results)
    finally:
        if isinstance(server, Server):
            server.stop()

    best = report(rounds, args.batches * args.batch_size)
    if len(digests) == 1:
        count = next(iter(digests))[0]
        print(f"Every phase stored the same {count:,} calls with the same contacts.")
    else:
        print(f"The phases stored DIFFERENT calls: {digests}")
    print_json_costs(args.batch_size)
    print(f"Load average at the end: {os.getloadavg()[0]:.1f} (other work on this machine)")
    if profiler:
        print("\nIn-process profile (top 25 by own time):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return {"rows": args.batches * args.batch_size, "best": best, "same": len(digests) == 1}


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows: each phase's fastest round beside the fastest single-session
    COPY of the same calls (the ratio main prints)."""
    found = main(["--batches", "3", "--rounds", "1"] if quick else [])
    calls, best = found["rows"], found["best"]
    copy_rate = calls / best[0].seconds
    rows = []
    for result in best[1:]:
        rate = calls / result.seconds if result.error is None and result.seconds else 0.0
        rows.append(
            {
                "benchmark": "ingest_calls",
                "measure": f"{result.label}, {calls:,} calls",
                "value": round(rate, 1),
                "unit": "calls/s",
                "baseline": best[0].label,
                "baseline_value": round(copy_rate, 1),
                "ratio": round(copy_rate / rate, 2) if rate else 0.0,
                "note": (result.error or "fastest round")
                + ("" if found["same"] else "; phases stored DIFFERENT calls"),
            }
        )
    return rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--batches", type=int, default=10, help="batches per phase (default 10)")
    parser.add_argument(
        "--batch-size", type=int, default=10_000, help="calls per batch (default 10,000)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times every phase runs, the fastest shown (default 3)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="client threads posting at once (default 2)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--skip-http", action="store_true", help="no server, no HTTP figure")
    parser.add_argument("--skip-in-process", action="store_true", help="no in-process figure")
    parser.add_argument(
        "--no-idempotency-key", action="store_true", help="POST without an Idempotency-Key"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process path")
    args = parser.parse_args(argv)
    if min(args.batches, args.batch_size, args.rounds, args.concurrency, args.workers) < 1:
        parser.error("the counts must be positive")
    return args


# --- Measuring ---------------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    """One phase: wall seconds, and the CPU seconds its processes spent (``None``: unknown)."""

    label: str
    seconds: float | None = None
    python_cpu: float | None = None  # the process running our code (bench or gunicorn workers)
    postgres_cpu: float | None = None  # the PostgreSQL backends serving the phase
    error: str | None = None


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid):
    """User plus system CPU seconds process ``pid`` has used so far (Linux), else ``None``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def cpu_used(pids, before):
    """CPU seconds ``pids`` used since ``before`` (``{pid: seconds}``); ``None`` if unknown."""
    total = 0.0
    for pid in pids:
        now = cpu_seconds(pid)
        if now is None or before.get(pid) is None:
            return None
        total += now - before[pid]
    return total


def children(pid):
    """The ids of the processes whose parent is ``pid`` (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def other_backends():
    """Process ids of the other sessions on the benchmark database (the server's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def add(total, value):
    return None if total is None or value is None else total + value


# --- Setup ---------------------------------------------------------------------------------


def prepare_database():
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing to empty calls in {name!r}: not a benchmark database.")
    call_command("ensure_database", stdout=io.StringIO())
    call_command("migrate", verbosity=0, interactive=False)


def empty_calls():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE calls_call, calls_contact CASCADE")


class Fixtures:
    def __init__(self, project_ids, operator_ids, token):
        self.project_ids = project_ids  # {code: id}
        self.operator_ids = operator_ids  # {code: id}
        self.token = token


def create_fixtures():
    """The client, its projects, the operators and the integration token the API uses."""
    client, _ = Client.objects.get_or_create(code=CLIENT, defaults={"legal_name": "Bench"})
    project_ids = {
        code: Project.objects.get_or_create(
            code=code, defaults={"name": code, "client": client, "timezone": "UTC"}
        )[0].id
        for code in PROJECT_WEIGHTS
    }
    operator_ids = {
        code: Operator.objects.get_or_create(code=code, defaults={"full_name": code})[0].id
        for code in OPERATORS
    }
    # The telephony integration of the client, as an operator of the system would set it up.
    out = io.StringIO()
    call_command("create_api_token", INTEGRATION_USER, client=CLIENT, stdout=out)
    return Fixtures(project_ids, operator_ids, out.getvalue().strip())


def server_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def generate_calls(count, *, seed):
    """Calls in the API's JSON shape: 85% answered, 5% withheld callers, 4 projects.

    The same seed gives the same calls in every phase; external ids are unique per seed.
    """
    rng = random.Random(seed)
    codes, weights = list(PROJECT_WEIGHTS), list(PROJECT_WEIGHTS.values())
    calls = []
    for n in range(count):
        offered = DAY + dt.timedelta(
            seconds=rng.randrange(86_400), milliseconds=rng.randrange(1000)
        )
        call = {
            "external_id": f"pbx-{seed}-{n}",
            "project": rng.choices(codes, weights)[0],
            "direction": "inbound" if rng.random() < 0.9 else "outbound",
            "caller": "" if rng.random() < 0.05 else f"+7495{rng.randrange(CALLER_POOL):07d}",
            "offered_at": iso(offered),
        }
        if rng.random() < 0.85:
            answered = offered + dt.timedelta(seconds=rng.uniform(1, 60))
            connected = rng.randrange(20, 600)
            call |= {
                "operator": rng.choice(OPERATORS),
                "answered_at": iso(answered),
                "ended_at": iso(answered + dt.timedelta(seconds=connected)),
                "hold_seconds": rng.choice([0, 0, 0, rng.randrange(connected)]),
                "wrap_seconds": rng.randrange(60),
                "disposition": rng.choice(["sale", "info", "complaint", "callback"]),
                "recording_url": f"https://rec.example.com/2026/10/05/{seed}-{n}.wav",
            }
        else:
            call |= {
                "operator": None,
                "ended_at": iso(offered + dt.timedelta(seconds=rng.uniform(1, 90))),
            }
        calls.append(call)
    return calls


def iso(instant):
    return instant.isoformat().replace("+00:00", "Z")


# --- Phase 1: PostgreSQL's COPY --------------------------------------------------------------


def time_copy_phase(seeds, batch_size, fixtures, *, sessions):
    """COPY every batch, ``sessions`` sessions each taking the next batch; one transaction
    per batch.

    The callers' contacts are created and each batch's COPY text built before the clock, so
    what is timed is PostgreSQL alone: parsing, the generated columns, the CHECKs, the eight
    indexes and, at commit, the three (deferred) foreign keys.
    """
    empty_calls()
    batches = [generate_calls(batch_size, seed=seed) for seed in seeds]
    contact_ids = create_contacts(batches, fixtures)
    received_at = iso(dt.datetime.now(dt.UTC))
    payloads = [copy_text(calls, fixtures, contact_ids, received_at) for calls in batches]
    del batches
    statement = f"COPY calls_call ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    postgres_cpu = [0.0]
    lock = threading.Lock()

    def copy(payload):
        connection.ensure_connection()
        raw = connection.connection
        before = cpu_seconds(raw.info.backend_pid)
        with raw.transaction(), raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(payload)
        used = cpu_used([raw.info.backend_pid], {raw.info.backend_pid: before})
        with lock:
            postgres_cpu[0] = add(postgres_cpu[0], used)

    seconds = run_in_threads(payloads, copy, threads=sessions)
    label = f"PostgreSQL COPY, {sessions} session{'s' if sessions > 1 else ''}"
    return Result(label, seconds, postgres_cpu=postgres_cpu[0])


def create_contacts(batches, fixtures):
    """``{(project_id, phone): id}`` for every caller of the batches (untimed setup)."""
    pairs = sorted(
        {
            (fixtures.project_ids[call["project"]], call["caller"])
            for calls in batches
            for call in calls
            if call["caller"]
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO calls_contact (project_id, phone, name, notes, created_at, updated_at) "
            "SELECT p, phone, '', '', now(), now() FROM unnest(%s::bigint[], %s::text[]) "
            "AS w(p, phone) ON CONFLICT DO NOTHING",
            [[p for p, _ in pairs], [phone for _, phone in pairs]],
        )
        cursor.execute("SELECT project_id, phone, id FROM calls_contact")
        return {(project_id, phone): id_ for project_id, phone, id_ in cursor.fetchall()}


def copy_text(calls, fixtures, contact_ids, received_at):
    """The batch as COPY text, in ``COPY_COLUMNS`` order (the generated text needs no escapes)."""
    lines = []
    for call in calls:
        project_id = fixtures.project_ids[call["project"]]
        operator = call.get("operator")
        caller = call["caller"]
        contact_id = contact_ids[(project_id, caller)] if caller else None
        fields = (
            project_id,
            call["external_id"],
            call["direction"],
            caller,
            fixtures.operator_ids[operator] if operator else None,
            call["offered_at"],
            call.get("answered_at"),
            call["ended_at"],
            call.get("hold_seconds", 0),
            call.get("wrap_seconds", 0),
            call.get("disposition", ""),
            call.get("recording_url", ""),
            contact_id,
            received_at,
        )
        lines.append("\t".join(r"\N" if value is None else str(value) for value in fields))
    return "\n".join(lines) + "\n"


def run_in_threads(jobs, work, *, threads):
    """Wall seconds for ``threads`` threads to run ``work(job)`` over ``jobs``, in order.

    Each thread uses its own database connection (Django's are per thread) and closes it.
    """
    pending = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    failures = []

    def worker():
        try:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                work(job)
        except Exception as exc:  # reported after the others finish
            failures.append(exc)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    start = time.perf_counter()
    if threads == 1:
        worker()
    else:
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise failures[0]
    return seconds


# --- Phase 2: calls_ingest() in-process ------------------------------------------------------


def time_in_process_phase(seeds, batch_size, fixtures, profiler):
    """Seconds spent in ``calls_ingest``, called as the integration's scope would call it.

    One batch in memory at a time, as in a server: a bigger heap would slow Python's GC.
    """
    allowed = set(fixtures.project_ids.values())
    calls_ingest(rows=generate_calls(WARM_UP_ROWS, seed=-1), allowed_project_ids=allowed)
    empty_calls()
    backend = connection.connection.info.backend_pid
    result = Result("calls_ingest() in-process, 1 thread", 0.0, 0.0, 0.0)
    for seed in seeds:
        rows = generate_calls(batch_size, seed=seed)
        backend_before = {backend: cpu_seconds(backend)}
        cpu_before = time.process_time()
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        stored = calls_ingest(rows=rows, allowed_project_ids=allowed)
        if profiler:
            profiler.disable()
        result.seconds += time.perf_counter() - start
        result.python_cpu += time.process_time() - cpu_before
        result.postgres_cpu = add(result.postgres_cpu, cpu_used([backend], backend_before))
        assert stored.created == batch_size, stored
    return result


# --- Phase 3: POST /api/v1/calls/ over HTTP ---------------------------------------------------


def start_server(args, fixtures):
    """gunicorn, answering and warmed up (imports, URLs, a database connection per worker),
    or the error that stopped it, as a string."""
    server = Server(workers=args.workers)
    try:
        if not server.wait_ready():
            error = f"the server did not start; see {SERVER_LOG}"
        else:
            warm_up = [
                json_body(generate_calls(WARM_UP_ROWS, seed=-2 - n))
                for n in range(2 * args.workers)
            ]
            idempotency = not args.no_idempotency_key
            error = post_all(server, fixtures.token, warm_up, args.workers, idempotency)[1]
    except BaseException:
        server.stop()
        raise
    if error:
        server.stop()
        return error
    return server


def time_http_phase(seeds, args, fixtures, server):
    """POST every batch from the client threads; the bodies are encoded before the clock,
    which runs from the first request sent to the last answer read."""
    result = Result(f"POST /api/v1/calls/, {args.concurrency} clients")
    if isinstance(server, str):
        result.error = server
        return result
    empty_calls()
    bodies = [json_body(generate_calls(args.batch_size, seed=seed)) for seed in seeds]
    workers, backends = children(server.process.pid), other_backends()
    before = {pid: cpu_seconds(pid) for pid in workers + backends}
    result.seconds, result.error = post_all(
        server, fixtures.token, bodies, args.concurrency, not args.no_idempotency_key
    )
    result.python_cpu = cpu_used(workers, before)
    result.postgres_cpu = cpu_used(backends, before)
    return result


def json_body(calls):
    return json.dumps(calls, separators=(",", ":")).encode()


def post_all(server, token, bodies, concurrency, idempotency):
    """``(seconds, None)`` to POST every body, or ``(None, the first error)``."""
    errors = []

    def post(body):
        if errors:
            return  # one failure is enough to report
        headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
        if idempotency:
            headers["Idempotency-Key"] = f"bench-{uuid.uuid4()}"
        status, answer = server.post("/api/v1/calls/", body, headers)
        text = answer.decode(errors="replace").strip()
        if status != 201:
            if text.startswith("<"):  # Django's HTML error page: the server log says more
                text = server.last_complaint()
            errors.append(f"HTTP {status}: {text[:300]}")
        elif json.loads(text).get("duplicates") != 0:
            errors.append(f"unexpected answer: {text[:300]}")

    seconds = run_in_threads(bodies, post, threads=concurrency)
    return (None, errors[0]) if errors else (seconds, None)


def _stop_with_parent():
    """In the server's process: have Linux send it SIGTERM if the benchmark dies, even
    killed outright (elsewhere, ``stop()`` in the benchmark's ``finally`` is all there is)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """gunicorn serving the project on a free port of 127.0.0.1, DEBUG off."""

    def __init__(self, *, workers):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        self.log = open(SERVER_LOG, "w")  # noqa: SIM115 (closed in stop)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contactcenter.settings.dev",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            # One connection per worker for the whole run, so its backend's CPU can be read.
            "DATABASE_CONN_MAX_AGE": "600",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, our own app)
            [
                str(gunicorn),
                "contactcenter.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches the workers
            # Safe here: the server starts before the benchmark starts any thread.
            preexec_fn=_stop_with_parent,
        )

    def post(self, path, body, headers):
        """``(status, body)`` of one POST; a connection of its own (sync workers close it)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                conn.request("GET", "/api/v1/")
                conn.getresponse().read()
            except OSError:
                time.sleep(0.2)
            else:
                return True  # any HTTP answer (401 here) means it is serving
            finally:
                conn.close()
        return False

    def last_complaint(self):
        self.log.flush()
        lines = SERVER_LOG.read_text(errors="replace").splitlines()
        complaints = [line for line in lines if " ERROR " in line or "Traceback" in line]
        return complaints[-1] if complaints else f"see {SERVER_LOG}"

    def stop(self):
        """SIGTERM (gunicorn stops its workers gracefully), SIGKILL to the group if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- Report --------------------------------------------------------------------------------


def report(rounds, rows):
    """One line per phase, from its fastest round (the one least disturbed by other work on
    the machine), then every round's calls/s. The ratio is the fastest COPY (1 session)'s
    calls/s over the phase's; the CPU columns are the CPU seconds the process running our
    code (the benchmark itself, or the gunicorn workers) and PostgreSQL's backends used."""
    phases = list(zip(*rounds, strict=True))
    best = [min(phase, key=lambda result: result.seconds or math.inf) for phase in phases]
    copy_rate = rows / best[0].seconds
    print(
        f"\n{'phase':38}{'rows':>9}{'seconds':>9}{'calls/s':>9}{'ratio to COPY':>15}"
        f"{'Python CPU s':>14}{'PostgreSQL CPU s':>18}"
    )
    for result in best:
        if result.error is not None:
            print(f"{result.label:38}{'-':>9}  {result.error}")
            continue
        rate = rows / result.seconds
        print(
            f"{result.label:38}{rows:>9,}{result.seconds:>9.2f}{rate:>9,.0f}"
            f"{copy_rate / rate:>14.2f}x{cpu(result.python_cpu):>14}{cpu(result.postgres_cpu):>18}"
        )
    if len(rounds) > 1:
        print("\ncalls/s in each round:")
        for phase in phases:
            rates = ", ".join(
                f"{rows / result.seconds:,.0f}" if result.error is None else "-" for result in phase
            )
            print(f"  {phase[0].label:36}{rates}")
    return best


def cpu(seconds):
    return "-" if seconds is None else f"{seconds:.2f}"


def table_digest():
    """A digest of every stored call as sent (codes, contact phone), ids left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(string_agg(concat_ws('|', p.code, c.external_id, c.direction, "
            "c.caller, o.code, c.offered_at, c.answered_at, c.ended_at, c.hold_seconds, "
            "c.wrap_seconds, c.disposition, c.recording_url, k.phone), ',' "
            "ORDER BY p.code, c.external_id)) "
            "FROM calls_call c JOIN projects_project p ON p.id = c.project_id "
            "LEFT JOIN agents_operator o ON o.id = c.operator_id "
            "LEFT JOIN calls_contact k ON k.id = c.contact_id"
        )
        return cursor.fetchone()


def print_json_costs(batch_size):
    body = json_body(generate_calls(batch_size, seed=0))
    costs = [f"json.loads {best_of(lambda: json.loads(body)) * 1000:.0f} ms"]
    if orjson is not None:
        costs.append(f"orjson.loads {best_of(lambda: orjson.loads(body)) * 1000:.0f} ms")
    print(f"JSON body of a batch: {len(body) / 1e6:.1f} MB; decoding it: {', '.join(costs)}")


def best_of(work, times=3):
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    main()
