"""Load test of the HTTP API: many integrations posting call batches while PMs read KPIs.

    .venv/bin/python bench/load_api.py                  # 180 s of load, 24 integrations, 8 PMs
    .venv/bin/python bench/load_api.py --duration 30 --integrations 8 --pms 4

Runs against its own database (``--database-url``, else ``LOAD_DATABASE_URL``, default
``contactcenter_load``; created and migrated if missing; refused unless its name contains
``load``, ``bench`` or ``test``, since it empties the call tables first). It seeds clients,
each with its integration user and token, project managers with theirs, operators and two
weeks of rolled-up calls, then starts gunicorn (gthread workers) on a free port of 127.0.0.1
and drives it with locust (as a library, in a subprocess of its own: ``bench/_load_swarm.py``,
so gevent's monkey-patching never reaches this process, pytest or ``bench/run_all.py``):

1. baseline: the same number of users GET ``/healthz/`` back to back, the HTTP stack's
   ceiling on this machine (gunicorn, Django's URL routing, no database);
2. load, ``--duration`` seconds: integrations POST batches of calls to ``/api/v1/calls/``
   with an ``Idempotency-Key``, sometimes retry the same batch with the same key (a replay),
   sometimes re-send it with a fresh key (all duplicates), sometimes send a batch with one
   invalid row (400) or a changed stored row (409), which must store nothing; PMs read
   ``projects/{code}/kpis/``, ``pool/occupancy/``, ``operators/{code}/occupancy/`` and
   ``calls/``, while ``rollup_kpis`` runs every ``--rollup-every`` seconds as beat would.

Then it checks in the database that every call acknowledged by a 2xx is stored exactly once
and as sent, that nothing rejected or unacknowledged is stored, and that no request got a
5xx; and it times PostgreSQL's own ``COPY`` of the very rows the API stored, in batches of
the same size, into the same table: the floor the API's calls/s is compared with.
The Load section of bench/README.md says what each figure means and what
was measured.
"""

import argparse
import contextlib
import ctypes
import dataclasses
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import shutil
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
HOST = "127.0.0.1"  # the only address this load test talks to
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/contactcenter_load"
SAFE_NAME = re.compile(r"load|bench|test")
SEED_FIRST_DAY = dt.date(2026, 10, 1)  # two weeks of seeded calls, rolled up: what PMs read
SEED_DAYS = 14
LOAD_DAY = dt.date(2026, 11, 20)  # the day of the calls posted under load
TIMEZONES = ["Europe/Moscow", "Asia/Yekaterinburg", "Europe/Kaliningrad", "Asia/Novosibirsk"]
DISPOSITIONS = ["sale", "info", "complaint", "callback"]
CALLER_POOL = 20_000


@dataclasses.dataclass
class Settings:
    """One load run. ``quick()`` is the short form CI runs."""

    database_url: str = DEFAULT_DATABASE_URL
    duration: float = 180.0  # seconds of mixed load
    baseline_seconds: float = 20.0  # seconds of GET /healthz/ before it
    integrations: int = 24  # simulated integrations (locust users) posting batches
    pms: int = 8  # simulated project managers reading reports
    clients: int = 6  # clients, each with 2 projects and one integration token
    pm_accounts: int = 4  # PM users (the simulated PMs share them)
    operators: int = 40
    batch_size: int = 500
    seed_calls: int = 20_000  # rolled-up calls over the two seeded weeks
    # The server is deploy/gunicorn.conf.py, as in production (docs/deployment.md): "split",
    # an api pool and an ingest pool, the POSTs of calls/ sent to the latter as the proxy
    # routes them; "all", one pool for everything. 0: the config file's figure.
    pools: str = "split"
    workers: int = 0  # gunicorn workers of the api pool (of the one pool with "all")
    threads: int = 0  # threads per worker of the api pool (gthread)
    ingest_workers: int = 0  # gunicorn workers of the ingest pool
    ingest_threads: int = 0  # threads per worker of the ingest pool
    ingest_nice: int = -1  # the ingest workers' nice value; -1: the config file's
    rollup_every: float = 60.0  # seconds between rollup_kpis runs during the load; 0: none
    copy_baseline: bool = True
    p_replay: float = 0.15  # a 2xx batch re-sent with the same Idempotency-Key
    p_resend: float = 0.10  # a 2xx batch re-sent with a fresh key: all duplicates
    p_invalid: float = 0.02  # a batch with one invalid row: 400, nothing stored
    p_conflict: float = 0.02  # a new batch with one stored row changed: 409, nothing stored
    keep_files: bool = False  # keep the work directory (config, results, server log)

    @classmethod
    def quick(cls, **overrides):
        return cls(
            **{
                "duration": 20.0,
                "baseline_seconds": 5.0,
                "integrations": 8,
                "pms": 4,
                "clients": 3,
                "pm_accounts": 2,
                "operators": 20,
                "batch_size": 200,
                "seed_calls": 4_000,
                "workers": 1,
                "threads": 4,
                "ingest_workers": 2,
                "ingest_threads": 2,
                "rollup_every": 8.0,
                "p_replay": 0.2,
                "p_resend": 0.15,
                "p_invalid": 0.05,
                "p_conflict": 0.05,
            }
            | overrides
        )


# --- The calls (shared with bench/_load_swarm.py, which imports this module) -----------------


def external_id(run_id, user, seq, index):
    return f"{run_id}-{user}-{seq}-{index}"


def generate_batch(*, run_id, user, seq, size, projects, operators, day):
    """``size`` calls in the API's JSON shape, the same for the same arguments.

    External ids are ``run-user-seq-index``; call ``index`` goes to
    ``projects[(seq + index) % len(projects)]``, so the acknowledged rows can be rebuilt
    from (user, seq, size) alone. 85% answered, 5% withheld callers, times in milliseconds.
    The instants are written from whole milliseconds by hand and every draw is one
    ``random()``: the swarm shares the 2 cores with the server, and this is most of its
    work (half the time of datetime arithmetic and randrange).
    """
    draw = random.Random(f"{run_id}/{user}/{seq}").random
    days = [day.isoformat(), (day + dt.timedelta(days=1)).isoformat()]

    def at(ms):  # milliseconds from the day's start, less than two days
        date, ms = divmod(ms, 86_400_000)
        seconds, ms = divmod(ms, 1000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{days[date]}T{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}Z"

    n_projects, n_operators = len(projects), len(operators)
    calls = []
    for index in range(size):
        offered = int(draw() * 86_400_000)
        call = {
            "external_id": f"{run_id}-{user}-{seq}-{index}",
            "project": projects[(seq + index) % n_projects],
            "direction": "inbound" if draw() < 0.9 else "outbound",
            "caller": "" if draw() < 0.05 else f"+7495{int(draw() * CALLER_POOL):07d}",
            "offered_at": at(offered),
        }
        if draw() < 0.85:
            answered = offered + 1_000 + int(draw() * 59_000)
            connected = 20 + int(draw() * 580)
            call["operator"] = operators[int(draw() * n_operators)]
            call["answered_at"] = at(answered)
            call["ended_at"] = at(answered + connected * 1000)
            call["hold_seconds"] = int(draw() * connected) if draw() < 0.25 else 0
            call["wrap_seconds"] = int(draw() * 60)
            call["disposition"] = DISPOSITIONS[int(draw() * len(DISPOSITIONS))]
            call["recording_url"] = f"https://rec.example.com/{run_id}/{user}-{seq}-{index}.wav"
        else:
            call["operator"] = None
            call["ended_at"] = at(offered + 1_000 + int(draw() * 89_000))
        calls.append(call)
    return calls


def iso(instant):
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- Running it --------------------------------------------------------------------------------


def run(quick: bool = False) -> list[dict]:
    """The rows ``bench/run_all.py`` tabulates: every figure beside its baseline, as a ratio.

    ``ratio`` is how many times the baseline the figure is: for latencies figure / baseline,
    for throughputs baseline / figure (how many times slower than the baseline); for the
    exactly-once check stored / acknowledged (1.0 is right).
    """
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL)
    settings = Settings.quick(database_url=url) if quick else Settings(database_url=url)
    report = run_load(settings)
    print_report(report)
    return report_rows(report)


def run_load(settings, *, out=None):
    """Seed, serve, load, verify and time the COPY floor; the report as a dict.

    Raises ``LoadTestError`` when the run could not be made (the server did not start, the
    swarm crashed); correctness findings (5xx, lost or doubled calls) are in the report.
    """
    out = out or sys.stdout
    database = database_name(settings.database_url)
    if not SAFE_NAME.search(database):
        raise LoadTestError(
            f"Refusing to empty calls in {database!r}: the name must contain load, bench or test."
        )
    run_id = f"L{uuid.uuid4().hex[:6]}"
    workdir = Path(tempfile.mkdtemp(prefix="contactcenter-load-"))
    ok = False
    try:
        create_database(settings.database_url)
        say(out, f"Seeding {database} (migrate, fixtures, {settings.seed_calls:,} calls)...")
        started = time.perf_counter()
        fixtures = seed(settings, workdir)
        seed_seconds = time.perf_counter() - started
        server = Servers(settings, workdir)
        try:
            if not server.wait_ready():
                raise LoadTestError(f"gunicorn did not start: {server.log_tail()}")
            warm_up(server, fixtures)
            config = swarm_config(settings, fixtures, server, run_id, workdir)
            rollups = RollupTicker(settings, delay=settings.baseline_seconds)
            analyzer = AutoAnalyze(settings.database_url)
            say(
                out,
                f"Load {run_id}: {settings.baseline_seconds:.0f} s of GET /healthz/, then "
                f"{settings.duration:.0f} s of {settings.integrations} integrations and "
                f"{settings.pms} PMs against {server.describe()}; "
                f"load average {os.getloadavg()[0]:.1f}",
            )
            rollups.start()
            analyzer.start()
            try:
                swarm = run_swarm(config, workdir, settings, out)
            finally:
                rollups.stop()
                analyzer.stop()
            errors_logged = server.logged_errors()
            server_description = server.describe()
        finally:
            server.stop()
        verification = verify(settings.database_url, swarm, fixtures, run_id)
        copy = copy_baseline(settings, run_id) if settings.copy_baseline else None
        report = {
            "settings": dataclasses.asdict(settings),
            "run_id": run_id,
            "database": database,
            "seed_seconds": seed_seconds,
            "swarm": swarm,
            "verification": verification,
            "copy": copy,
            "rollups": rollups.runs,
            "analyzed": analyzer.runs,
            "server_errors_logged": errors_logged,
            "server": server_description,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg()[0],
        }
        # A clean run leaves nothing behind; a run with findings keeps its server log.
        ok = verification["exactly_once"] and not (
            swarm["server_errors"] or swarm["unexpected"] or swarm["counts"]["no_answer"]
        )
        return report
    finally:
        if ok and not settings.keep_files:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(out, f"Work files (config, results, server log) kept in {workdir}")


class LoadTestError(Exception):
    """The load run could not be made."""


def say(out, text):
    print(text, file=out, flush=True)


# --- The database ------------------------------------------------------------------------------


def database_name(url):
    import psycopg.conninfo

    return psycopg.conninfo.conninfo_to_dict(url).get("dbname", "")


def maintenance_url(url):
    import psycopg.conninfo

    return psycopg.conninfo.make_conninfo(url, dbname="postgres")


def create_database(url):
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url):
    """Drop the load database (used by the CI test, which creates one of its own)."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    if not SAFE_NAME.search(name):
        raise LoadTestError(f"Refusing to drop {name!r}.")
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def django_env(settings):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.dev",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": settings.database_url,
        "CELERY_TASK_ALWAYS_EAGER": "1",  # nothing here may reach a shared broker
        "PYTHONPATH": str(ROOT),
    }


def seed(settings, workdir):
    """Migrate and seed in a subprocess (this process never configures Django, so it can be
    imported by pytest or bench/run_all.py whatever their settings); the fixtures as a dict."""
    params = workdir / "seed.json"
    params.write_text(json.dumps(dataclasses.asdict(settings)))
    result = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, str(Path(__file__).resolve()), "_seed", str(params)],
        cwd=ROOT,
        env=django_env(settings),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        preexec_fn=_stop_with_parent,
    )
    if result.returncode != 0:
        raise LoadTestError(f"Seeding failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _seed_main(params_path):
    """In the seeding subprocess: Django on the load database; prints the fixtures as JSON."""
    settings = Settings(**json.loads(Path(params_path).read_text()))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from agents.ingest import agent_events_ingest
    from agents.models import AgentStateEvent, Certification, Operator
    from calls import models as call_models
    from calls.ingest import calls_ingest
    from calls.rollups import rollup_kpis
    from contactcenter.models import ApiToken, IdempotencyRecord
    from contactcenter.tokens import reissue as reissue_token
    from projects.models import Client, Project

    call_command("migrate", verbosity=0, interactive=False)
    emptied = [
        call_models.Call,
        call_models.Contact,
        call_models.ProjectInterval,
        call_models.OperatorInterval,
        call_models.OperatorProjectInterval,
        call_models.RollupInterval,
        call_models.RollupState,
        call_models.KpiAlert,
        AgentStateEvent,
        IdempotencyRecord,
    ]
    with connection.cursor() as cursor:
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in emptied)
        cursor.execute(f"TRUNCATE {tables} CASCADE")

    with transaction.atomic():
        clients = []
        for n in range(1, settings.clients + 1):
            client, _ = Client.objects.get_or_create(
                code=f"load-c{n}", defaults={"legal_name": f"Load client {n}"}
            )
            projects = [
                Project.objects.get_or_create(
                    code=f"load-c{n}-p{m}",
                    defaults={
                        "name": f"Load client {n}, line {m}",
                        "client": client,
                        "timezone": TIMEZONES[(n + m) % len(TIMEZONES)],
                    },
                )[0]
                for m in (1, 2)
            ]
            clients.append((client, projects))
        all_projects = [project for _, projects in clients for project in projects]
        operators = []
        for n in range(settings.operators):
            operator, _ = Operator.objects.get_or_create(
                code=f"load-op-{n:03d}",
                defaults={
                    "full_name": f"Operator {n}",
                    "status": Operator.Status.ACTIVE,
                    "hired_on": dt.date(2026, 1, 1),
                },
            )
            operators.append(operator)
            for k in range(3):
                Certification.objects.get_or_create(
                    operator=operator,
                    project=all_projects[(n + k * 3) % len(all_projects)],
                    defaults={"certified_on": dt.date(2026, 1, 1)},
                )
        User = get_user_model()
        pms = []
        for k in range(settings.pm_accounts):
            user, _ = User.objects.get_or_create(
                username=f"load-pm-{k}", defaults={"is_staff": True}
            )
            managed = [p for i in (k, k + 1) for p in clients[i % len(clients)][1]]
            for project in managed:
                project.managers.add(user)
            pms.append(
                {
                    "username": user.username,
                    "token": reissue_token(user, name="bench"),
                    "projects": sorted({p.code for p in managed}),
                }
            )
    fixture_clients = []
    for client, projects in clients:
        # The command issues a key once per name: a rerun on this database replaces it.
        ApiToken.objects.filter(user__username=f"load-int-{client.code}").delete()
        token = io.StringIO()
        call_command(
            "create_api_token", f"load-int-{client.code}", client=client.code, stdout=token
        )
        fixture_clients.append(
            {
                "code": client.code,
                "token": token.getvalue().strip(),
                "projects": [p.code for p in projects],
            }
        )

    codes = [p.code for p in all_projects]
    operator_codes = [o.code for o in operators]
    per_day = max(1, settings.seed_calls // SEED_DAYS)
    for offset in range(SEED_DAYS):
        rows = generate_batch(
            run_id="seed",
            user=0,
            seq=offset,
            size=per_day,
            projects=codes,
            operators=operator_codes,
            day=SEED_FIRST_DAY + dt.timedelta(days=offset),
        )
        for start in range(0, len(rows), 10_000):
            calls_ingest(rows=rows[start : start + 10_000])
    events = []
    for offset in range(SEED_DAYS + 1):
        day = dt.datetime.combine(SEED_FIRST_DAY + dt.timedelta(days=offset), dt.time(), dt.UTC)
        for code in operator_codes:
            if offset == SEED_DAYS:
                events.append({"operator": code, "state": "offline", "at": iso(day)})
                continue
            for hours, state in ((0, "ready"), (12, "break"), (12.5, "ready")):
                at = day + dt.timedelta(hours=hours)
                events.append({"operator": code, "state": state, "at": iso(at)})
    for start in range(0, len(events), 10_000):
        agent_events_ingest(rows=events[start : start + 10_000])
    rollup_kpis()
    print(
        json.dumps(
            {
                "clients": fixture_clients,
                "pms": pms,
                "operators": operator_codes,
                "seeded_calls": call_models.Call.objects.count(),
            }
        )
    )


# --- The server ----------------------------------------------------------------------------------


try:  # resolved here, not in the forked child: no dynamic loading between fork and exec
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: stop() in a finally is all there is
    _PRCTL = None


def _stop_with_parent():
    """In a child: have Linux send it SIGTERM if this process dies, even killed outright."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


class Servers:
    """The API as production runs it (deploy/gunicorn.conf.py): an api pool and an ingest
    pool on two ports (``pools="split"``), or one pool (``"all"``) on one."""

    def __init__(self, settings, workdir):
        if settings.pools not in ("split", "all"):
            raise LoadTestError(f"pools is split or all, not {settings.pools!r}")
        if settings.pools == "all":
            self.api = self.ingest = Server(settings, "all", workdir / "server.log")
            self.pools = [self.api]
        else:
            self.api = Server(settings, "api", workdir / "server-api.log")
            self.ingest = Server(settings, "ingest", workdir / "server-ingest.log")
            self.pools = [self.api, self.ingest]

    def describe(self):
        """``gunicorn api 2x4 + ingest 3x2 nice 10``: the pools as their logs state them."""
        return "gunicorn " + " + ".join(pool.describe() for pool in self.pools)

    def wait_ready(self):
        return all(pool.wait_ready() for pool in self.pools)

    def log_tail(self):
        return "\n".join(pool.log_tail() for pool in self.pools)

    def logged_errors(self):
        return [line for pool in self.pools for line in pool.logged_errors()][:20]

    def stop(self):
        for pool in self.pools:
            pool.stop()


class Server:
    """One gunicorn pool (deploy/gunicorn.conf.py, ``API_POOL=pool``) on a free port of
    127.0.0.1, DEBUG off, gthread workers.

    Adapted from bench/ingest_calls.py (its own process group, SIGTERM then SIGKILL on
    stop, PR_SET_PDEATHSIG). Its keep-alive outlasts any simulated client's wait between
    requests, as behind a proxy that reuses its upstream connections; the integrations
    retry a batch whose answer was lost with the same Idempotency-Key anyway, and the
    report counts them.
    """

    def __init__(self, settings, pool, log_path):
        self.pool = pool
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        env = django_env(settings) | {"DATABASE_CONN_MAX_AGE": "600", "API_POOL": pool}
        workers, threads = (
            (settings.ingest_workers, settings.ingest_threads)
            if pool == "ingest"
            else (settings.workers, settings.threads)
        )
        if workers:
            env["GUNICORN_WORKERS"] = str(workers)
        if threads:
            env["GUNICORN_THREADS"] = str(threads)
        if settings.ingest_nice >= 0:
            env["API_INGEST_NICE"] = str(settings.ingest_nice)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, our own app)
            [str(gunicorn), "--config", str(GUNICORN_CONFIG), "--bind", f"{HOST}:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches the workers
            preexec_fn=_stop_with_parent,
        )

    def describe(self):
        """``ingest 3x2 nice 10``: workers x threads and nice value, as the pool logged them."""
        found = re.search(
            r"API pool \w+: (\d+) workers x (\d+) threads, nice (-?\d+)", self.log_text()
        )
        figures = f"{found[1]}x{found[2]}" if found else "?"
        if found and found[3] != "0":
            figures += f" nice {found[3]}"
        return f"{self.pool} {figures}"

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError):
                if self.request("GET", "/healthz/")[0] == 200:
                    return True
            time.sleep(0.2)
        return False

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self):
        return self.log_text()[-3000:]

    def logged_errors(self):
        """Tracebacks and ERROR lines in the server's log (a 500 always leaves one)."""
        marks = ("Traceback", " ERROR ", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT")
        lines = self.log_text().splitlines()
        return [line for line in lines if any(mark in line for mark in marks)][:20]

    def stop(self):
        """SIGTERM (gunicorn stops its workers gracefully), SIGKILL to the group if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def warm_up(server, fixtures):
    """Every worker imports and connects before the clock: a few small POSTs and reads."""
    client = fixtures["clients"][0]
    headers = {"Authorization": f"Token {client['token']}", "Content-Type": "application/json"}
    for n in range(6):
        rows = generate_batch(
            run_id="warm",
            user=0,
            seq=n,
            size=20,
            projects=client["projects"],
            operators=fixtures["operators"],
            day=LOAD_DAY - dt.timedelta(days=1),
        )
        status, body = server.ingest.request("POST", "/api/v1/calls/", json.dumps(rows), headers)
        if status >= 300:
            raise LoadTestError(f"warm-up POST: HTTP {status}: {body[:300]!r}")


class RollupTicker:
    """``manage.py rollup_kpis`` every ``rollup_every`` seconds during the load, as beat runs
    it every minute in production; each run's seconds and exit status are kept."""

    def __init__(self, settings, *, delay):
        self.settings = settings
        self.delay = delay
        self.runs = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        if self.settings.rollup_every > 0:
            self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self):
        if self._stop.wait(self.delay + self.settings.rollup_every):
            return
        while True:
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "manage.py", "rollup_kpis"],
                cwd=ROOT,
                env=django_env(self.settings),
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
                preexec_fn=_stop_with_parent,
            )
            self.runs.append(
                {
                    "seconds": time.perf_counter() - started,
                    "returncode": result.returncode,
                    "error": result.stderr[-1000:] if result.returncode else "",
                }
            )
            if self._stop.wait(self.settings.rollup_every):
                return


class AutoAnalyze:
    """What autovacuum's ANALYZE does, when the server's autovacuum is off.

    Each run empties the call tables and then writes millions of rows into them; with
    autovacuum on (PostgreSQL's default, and production's) the planner's statistics follow
    within a minute. A test server may run with ``autovacuum = off`` (this machine's does):
    the statistics would then describe the seeded 20,000 calls for the whole run, and the
    calls list, planned for a small table, sorts a whole day of a project's calls (0.3 s at
    2 million rows instead of 1 ms). So every ``autovacuum_naptime``, as the launcher would,
    each table past autovacuum's rule (``autovacuum_analyze_threshold`` plus
    ``autovacuum_analyze_scale_factor`` times its rows, changed since its last ANALYZE) is
    analyzed; nothing is done when autovacuum is on. Each run's tables and seconds are kept.
    """

    def __init__(self, url):
        self.url = url
        self.runs = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        import psycopg

        with psycopg.connect(self.url) as conn:
            on, naptime, threshold, scale = (
                conn.execute(f"SHOW {name}").fetchone()[0]
                for name in (
                    "autovacuum",
                    "autovacuum_naptime",
                    "autovacuum_analyze_threshold",
                    "autovacuum_analyze_scale_factor",
                )
            )
        if on == "on":
            return
        self.naptime = _seconds(naptime)
        self.threshold, self.scale = int(threshold), float(scale)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(self.naptime):
                started = time.perf_counter()
                due = [
                    name
                    for (name,) in conn.execute(
                        "SELECT s.relname FROM pg_stat_user_tables s "
                        "JOIN pg_class c ON c.oid = s.relid "
                        "WHERE s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0) "
                        "ORDER BY s.relname",
                        [self.threshold, self.scale],
                    )
                ]
                for name in due:
                    conn.execute(f'ANALYZE "{name}"')
                self.runs.append({"tables": due, "seconds": time.perf_counter() - started})


def _seconds(setting):
    """``1min`` / ``30s`` / ``60`` (a PostgreSQL duration setting) in seconds."""
    number = int(re.match(r"\d+", setting)[0])
    return number * {"min": 60, "h": 3600}.get(setting.lstrip("0123456789"), 1)


# --- The swarm ------------------------------------------------------------------------------------


def swarm_config(settings, fixtures, server, run_id, workdir):
    return {
        "api_host": f"http://{HOST}:{server.api.port}",
        "ingest_host": f"http://{HOST}:{server.ingest.port}",
        "run_id": run_id,
        "duration": settings.duration,
        "baseline_seconds": settings.baseline_seconds,
        "integrations": settings.integrations,
        "pms": settings.pms,
        "batch_size": settings.batch_size,
        "p_replay": settings.p_replay,
        "p_resend": settings.p_resend,
        "p_invalid": settings.p_invalid,
        "p_conflict": settings.p_conflict,
        "clients": fixtures["clients"],
        "pm_accounts": fixtures["pms"],
        "operators": fixtures["operators"],
        "load_day": LOAD_DAY.isoformat(),
        "seed_first_day": SEED_FIRST_DAY.isoformat(),
        "seed_days": SEED_DAYS,
        "output": str(workdir / "swarm.json"),
    }


def run_swarm(config, workdir, settings, out):
    """locust in its own process (gevent patches everything it imports); its results."""
    config_path = workdir / "swarm-config.json"
    config_path.write_text(json.dumps(config))
    timeout = settings.baseline_seconds + settings.duration + 300
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, str(Path(__file__).with_name("_load_swarm.py")), str(config_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_stop_with_parent,
    )
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            out.write(line)
            out.flush()
        process.wait()
    finally:
        killer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        raise LoadTestError(
            f"The locust swarm exited with {process.returncode}:\n{''.join(lines[-40:])}"
        )
    return json.loads(Path(config["output"]).read_text())


# --- Verification ------------------------------------------------------------------------------


EXPECTED_COLUMNS = (
    "project text, external_id text, direction text, caller text, operator text, "
    "offered_at timestamptz, answered_at timestamptz, ended_at timestamptz, "
    "hold_seconds int, wrap_seconds int, disposition text, recording_url text"
)


def rebuild(batch, config_clients, operators, run_id):
    """The rows of a batch the swarm sent, from (user, seq, size, client)."""
    user, seq, size, client = batch[:4]
    return generate_batch(
        run_id=run_id,
        user=user,
        seq=seq,
        size=size,
        projects=config_clients[client]["projects"],
        operators=operators,
        day=LOAD_DAY,
    )


def verify(url, swarm, fixtures, run_id):
    """Compare what the API acknowledged with what is stored, row by row, in PostgreSQL.

    The acknowledged rows are rebuilt from the swarm's record of its batches and COPYed into
    a temporary table; so are the keys of rejected batches and of batches whose answer was
    lost. Exact counts: acknowledged, stored, missing, extra, changed, doubled.
    """
    import psycopg

    clients, operators = fixtures["clients"], fixtures["operators"]
    acknowledged = swarm["batches"]["acknowledged"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TEMP TABLE expected ({EXPECTED_COLUMNS})")
        conn.execute("CREATE TEMP TABLE refused (external_id text, why text)")
        with conn.cursor().copy("COPY expected FROM STDIN") as copy:
            for batch in acknowledged:
                for row in rebuild(batch, clients, operators, run_id):
                    copy.write_row(
                        (
                            row["project"],
                            row["external_id"],
                            row["direction"],
                            row["caller"],
                            row.get("operator"),
                            row["offered_at"],
                            row.get("answered_at"),
                            row["ended_at"],
                            row.get("hold_seconds", 0),
                            row.get("wrap_seconds", 0),
                            row.get("disposition", ""),
                            row.get("recording_url", ""),
                        )
                    )
        with conn.cursor().copy("COPY refused FROM STDIN") as copy:
            for why in ("rejected", "lost"):
                for batch in swarm["batches"][why]:
                    # A conflict batch's row 0 is a stored call of an earlier batch, changed.
                    start = 1 if batch[4] == "conflict" else 0
                    for index in range(start, batch[2]):
                        copy.write_row((external_id(run_id, *batch[:2], index), why))
        conn.execute("CREATE INDEX ON expected (project, external_id)")
        conn.execute("CREATE INDEX ON refused (external_id)")
        conn.execute(
            "CREATE TEMP TABLE stored AS SELECT p.code AS project, c.external_id, c.direction, "
            "c.caller, o.code AS operator, c.offered_at, c.answered_at, c.ended_at, "
            "c.hold_seconds, c.wrap_seconds, c.disposition, c.recording_url "
            "FROM calls_call c JOIN projects_project p ON p.id = c.project_id "
            "LEFT JOIN agents_operator o ON o.id = c.operator_id "
            "WHERE c.external_id LIKE %s",
            [f"{run_id}-%"],
        )
        conn.execute("CREATE INDEX ON stored (project, external_id)")
        conn.execute("ANALYZE expected, refused, stored")

        def count(query):
            return conn.execute(query).fetchone()[0]

        figures = {
            "acknowledged_calls": count("SELECT count(*) FROM expected"),
            "acknowledged_distinct": count(
                "SELECT count(*) FROM (SELECT DISTINCT project, external_id FROM expected) d"
            ),
            "stored_calls": count("SELECT count(*) FROM stored"),
            "stored_distinct_external_ids": count("SELECT count(DISTINCT external_id) FROM stored"),
            "missing": count(
                "SELECT count(*) FROM expected e WHERE NOT EXISTS (SELECT 1 FROM stored s "
                "WHERE s.project = e.project AND s.external_id = e.external_id)"
            ),
            "changed": count(
                "SELECT count(*) FROM expected e JOIN stored s USING (project, external_id) "
                "WHERE (e.direction, e.caller, e.operator, e.offered_at, e.answered_at, "
                "e.ended_at, e.hold_seconds, e.wrap_seconds, e.disposition, e.recording_url) "
                "IS DISTINCT FROM (s.direction, s.caller, s.operator, s.offered_at, "
                "s.answered_at, s.ended_at, s.hold_seconds, s.wrap_seconds, s.disposition, "
                "s.recording_url)"
            ),
            "stored_more_than_once": count(
                "SELECT count(*) FROM (SELECT external_id FROM stored GROUP BY external_id "
                "HAVING count(*) > 1) d"
            ),
            "extra_unacknowledged": count(
                "SELECT count(*) FROM stored s WHERE NOT EXISTS (SELECT 1 FROM expected e "
                "WHERE e.project = s.project AND e.external_id = s.external_id) "
                "AND NOT EXISTS (SELECT 1 FROM refused r "
                "WHERE r.external_id = s.external_id AND r.why = 'lost')"
            ),
            "stored_from_rejected_batches": count(
                "SELECT count(*) FROM stored s JOIN refused r USING (external_id) "
                "WHERE r.why = 'rejected'"
            ),
            "stored_from_lost_answers": count(
                "SELECT count(*) FROM stored s JOIN refused r USING (external_id) "
                "WHERE r.why = 'lost'"
            ),
            "rejected_calls": count("SELECT count(*) FROM refused WHERE why = 'rejected'"),
            "lost_answer_calls": count("SELECT count(*) FROM refused WHERE why = 'lost'"),
        }
    figures["created_reported"] = swarm["counts"]["created_reported"]
    figures["exactly_once"] = (
        figures["acknowledged_calls"] == figures["acknowledged_distinct"]
        and figures["stored_calls"] - figures["stored_from_lost_answers"]
        == figures["acknowledged_calls"]
        and figures["created_reported"] == figures["acknowledged_calls"]
        and not any(
            figures[key]
            for key in (
                "missing",
                "changed",
                "stored_more_than_once",
                "extra_unacknowledged",
                "stored_from_rejected_batches",
            )
        )
    )
    return figures


# --- The COPY floor -------------------------------------------------------------------------------


def copy_baseline(settings, run_id):
    """PostgreSQL's own COPY of exactly the rows the API stored, in batches of the same size,
    one transaction each, one session, into the same table (the rows are taken out first and
    are back, identical, afterwards). What is left is the API's cost over the database's."""
    import psycopg

    with psycopg.connect(settings.database_url) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'calls_call' AND is_generated = 'NEVER' AND column_name <> 'id' "
                "ORDER BY ordinal_position"
            )
        ]
        column_list = ", ".join(columns)
        buffer = io.BytesIO()
        with conn.cursor().copy(
            f"COPY (SELECT {column_list} FROM calls_call WHERE external_id LIKE %s "
            "ORDER BY id) TO STDOUT",
            [f"{run_id}-%"],
        ) as copy:
            for data in copy:
                buffer.write(data)
        lines = buffer.getvalue().splitlines(keepends=True)
        del buffer
        if not lines:
            return None
        conn.execute("DELETE FROM calls_call WHERE external_id LIKE %s", [f"{run_id}-%"])
        conn.commit()
        size = settings.batch_size
        batches = [b"".join(lines[n : n + size]) for n in range(0, len(lines), size)]
        started = time.perf_counter()
        for payload in batches:
            with (
                conn.transaction(),
                conn.cursor().copy(f"COPY calls_call ({column_list}) FROM STDIN") as copy,
            ):
                copy.write(payload)
        seconds = time.perf_counter() - started
    return {"calls": len(lines), "batches": len(batches), "seconds": seconds}


# --- Report ------------------------------------------------------------------------------------


def print_report(report, out=None):
    out = out or sys.stdout
    swarm, check = report["swarm"], report["verification"]
    load_seconds = swarm["phases"]["load"]["seconds"]
    print(
        f"\n{'request':52}{'requests':>9}{'fails':>7}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}",
        file=out,
    )
    for phase in ("baseline", "load"):
        for row in swarm["phases"][phase]["requests"]:
            print(
                f"{row['name'][:51]:52}{row['requests']:>9,}{row['failures']:>7,}"
                f"{row['rps']:>8.1f}{row['p50']:>8.0f}{row['p95']:>8.0f}{row['p99']:>8.0f}"
                f"{row['max']:>8.0f}",
                file=out,
            )
        print("", file=out)
    counts = swarm["counts"]
    print(
        f"Calls acknowledged as created: {counts['created_reported']:,} in {load_seconds:.1f} s "
        f"= {counts['created_reported'] / load_seconds:,.0f} calls/s through the API; "
        f"HTTP statuses {swarm['statuses']}; 5xx: {swarm['server_errors']}; unexpected "
        f"answers: {swarm['unexpected']}; requests without an answer (connection failed): "
        f"{counts['no_answer']}, batches whose answer was lost {counts['lost_answers']}, "
        f"acknowledged on a same-key retry {counts['recovered']}",
        file=out,
    )
    for example in swarm["unexpected_examples"][:5] + swarm["no_answer_examples"][:5]:
        print("  ", *example, file=out)
    copy = report["copy"]
    if copy:
        rate = copy["calls"] / copy["seconds"]
        api_rate = counts["created_reported"] / load_seconds
        print(
            f"COPY of the same {copy['calls']:,} rows in {copy['batches']:,} batches: "
            f"{copy['seconds']:.2f} s = {rate:,.0f} calls/s; the API under mixed load took "
            f"{rate / api_rate:.1f}x as long per call",
            file=out,
        )
    print(
        "Exactly once: "
        + ("yes" if check["exactly_once"] else "NO")
        + " - "
        + ", ".join(f"{key} {value:,}" for key, value in check.items() if key != "exactly_once"),
        file=out,
    )
    if report["rollups"]:
        runs = report["rollups"]
        failed = [run for run in runs if run["returncode"]]
        print(
            f"rollup_kpis during the load: {len(runs)} runs, "
            f"{', '.join(format(run['seconds'], '.1f') for run in runs)} s; "
            f"failed: {len(failed)}",
            file=out,
        )
        for run in failed[:2]:
            print(run["error"], file=out)
    if report.get("analyzed"):
        runs = report["analyzed"]
        print(
            f"ANALYZE in autovacuum's stead (autovacuum is off on this server): {len(runs)} "
            f"runs, {', '.join(format(run['seconds'], '.1f') for run in runs)} s; "
            f"tables: {', '.join(sorted({name for run in runs for name in run['tables']}))}",
            file=out,
        )
    if report["server_errors_logged"]:
        print("Server log errors:", *report["server_errors_logged"][:10], sep="\n  ", file=out)
    print(
        f"Seeded (migrate, fixtures, calls, rollup) in {report['seed_seconds']:.1f} s; "
        f"{report['cpus']} CPUs; load average at the end {report['load_average']:.1f} "
        "(other work on this machine moves every figure)",
        file=out,
    )


def request_row(report, phase, name):
    for row in report["swarm"]["phases"][phase]["requests"]:
        if row["name"] == name:
            return row
    return None


TABULATED = (
    "POST calls/ new batch (201)",
    "GET kpis/ hour x 14 days",
    "GET kpis/ 15min x 1 day",
    "GET pool/occupancy/ hour x 1 day",
    "GET calls/ ?project&from&to, first page",
)


def report_rows(report):
    """Rows for bench/run_all.py: {benchmark, measure, value, unit, baseline, baseline_value,
    ratio, note}."""
    swarm, check = report["swarm"], report["verification"]
    settings = report["settings"]
    load_seconds = swarm["phases"]["load"]["seconds"]
    health = request_row(report, "baseline", "GET /healthz/")
    shape = (
        f"{settings['integrations']} integrations + {settings['pms']} PMs, "
        f"{settings['duration']:.0f} s, {report.get('server', 'gunicorn')} gthread, "
        f"batches of {settings['batch_size']}"
    )
    rows = []
    api_rate = swarm["counts"]["created_reported"] / load_seconds
    copy = report["copy"]
    if copy:
        copy_rate = copy["calls"] / copy["seconds"]
        rows.append(
            {
                "benchmark": "load_api",
                "measure": "POST calls/ under mixed load: calls stored per second",
                "value": api_rate,
                "unit": "calls/s",
                "baseline": "PostgreSQL COPY of the same rows, same batch size",
                "baseline_value": copy_rate,
                "ratio": copy_rate / api_rate,
                "note": f"{shape}; ratio: times slower than COPY",
            }
        )
    total = swarm["phases"]["load"]["total"]
    rows.append(
        {
            "benchmark": "load_api",
            "measure": "all requests under mixed load: requests per second",
            "value": total["rps"],
            "unit": "req/s",
            "baseline": "GET /healthz/, same users, no waits",
            "baseline_value": health["rps"],
            "ratio": health["rps"] / total["rps"] if total["rps"] else float("nan"),
            "note": f"{shape}; ratio: times fewer requests than the HTTP stack's ceiling",
        }
    )
    for row in swarm["phases"]["load"]["requests"]:
        if row["requests"] == 0 or row["name"] not in TABULATED:
            continue  # the CLI prints every request type; the common table the main ones
        rows.append(
            {
                "benchmark": "load_api",
                "measure": f"{row['name']}: p95 latency ({row['requests']:,} requests)",
                "value": float(row["p95"]),
                "unit": "ms",
                "baseline": "GET /healthz/ p95, same users, no waits",
                "baseline_value": float(health["p95"]),
                "ratio": row["p95"] / health["p95"] if health["p95"] else float("nan"),
                "note": f"p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, "
                f"{row['failures']} failures; {shape}",
            }
        )
    rows.append(
        {
            "benchmark": "load_api",
            "measure": "acknowledged calls stored exactly once",
            "value": float(check["stored_calls"] - check["stored_from_lost_answers"]),
            "unit": "calls",
            "baseline": "calls acknowledged by a 2xx",
            "baseline_value": float(check["acknowledged_calls"]),
            "ratio": (check["stored_calls"] - check["stored_from_lost_answers"])
            / max(1, check["acknowledged_calls"]),
            "note": (
                f"exactly once: {'yes' if check['exactly_once'] else 'NO'}; missing "
                f"{check['missing']}, changed {check['changed']}, extra "
                f"{check['extra_unacknowledged']}, from rejected batches "
                f"{check['stored_from_rejected_batches']}; 5xx {swarm['server_errors']}"
            ),
        }
    )
    return rows


# --- Command line ------------------------------------------------------------------------------


def parse_args(argv=None):
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the load database (default: $LOAD_DATABASE_URL or contactcenter_load)",
    )
    parser.add_argument("--quick", action="store_true", help="the short form CI runs (~20 s)")
    numbers = {
        "duration": "seconds of mixed load",
        "baseline_seconds": "seconds of GET /healthz/ before it",
        "integrations": "simulated integrations posting batches",
        "pms": "simulated PMs reading reports",
        "clients": "clients (2 projects and 1 integration token each)",
        "batch_size": "calls per POST",
        "seed_calls": "rolled-up calls seeded for the reports",
        "workers": "gunicorn workers of the api pool (0: deploy/gunicorn.conf.py's)",
        "threads": "threads per worker of the api pool (0: the config's)",
        "ingest_workers": "gunicorn workers of the ingest pool (0: the config's)",
        "ingest_threads": "threads per worker of the ingest pool (0: the config's)",
        "ingest_nice": "nice value of the ingest workers (-1: the config's)",
        "rollup_every": "seconds between rollup_kpis runs during the load (0: none)",
    }
    for name, help_text in numbers.items():
        default = getattr(defaults, name)
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=type(default),
            default=None,
            help=f"{help_text} (default {default:g}; --quick: {getattr(Settings.quick(), name):g})",
        )
    parser.add_argument(
        "--pools",
        choices=["split", "all"],
        default=None,
        help="split: the api and ingest pools of deploy/gunicorn.conf.py, routed by path as "
        "the proxy does (default); all: one pool serves everything",
    )
    parser.add_argument("--no-copy-baseline", action="store_true", help="skip the COPY floor")
    parser.add_argument("--keep-files", action="store_true", help="keep the work directory")
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # A SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so every finally stops its child.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    overrides = {
        name: value
        for name, value in vars(args).items()
        if value is not None and name in Settings.__dataclass_fields__
    }
    overrides["copy_baseline"] = not args.no_copy_baseline
    overrides["keep_files"] = args.keep_files
    settings = Settings.quick(**overrides) if args.quick else Settings(**overrides)
    try:
        report = run_load(settings)
    except LoadTestError as exc:
        sys.exit(str(exc))
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    ok = (
        report["verification"]["exactly_once"]
        and report["swarm"]["server_errors"] == 0
        and report["swarm"]["unexpected"] == 0
        and report["swarm"]["counts"]["not_recovered"] == 0
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["_seed"]:
        _seed_main(sys.argv[2])
    else:
        main()
