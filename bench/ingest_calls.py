"""Call ingestion benchmark: calls/s through the HTTP API, in-process, and PostgreSQL's COPY.

    .venv/bin/python bench/ingest_calls.py --batches 10 --batch-size 10000

Runs against its own database (``DATABASE_URL``, default ``contactcenter_bench``; created
and migrated if missing, its calls and contacts emptied first). For each batch it times,
on the same generated calls under different external ids:

1. ``COPY``: PostgreSQL's own COPY of the rows into ``calls_call`` itself (same indexes,
   constraints, generated columns and foreign keys), commit included: the floor.
2. ``in-process``: ``calls.ingest.calls_ingest()`` called directly: checks, contacts, COPY.
3. ``HTTP``: ``POST /api/v1/calls/`` with the batch as a JSON list, to ``manage.py
   runserver`` in a subprocess (DEBUG off): JSON, DRF, auth and scoping on top.

An HTTP error (the list endpoint may not be wired yet) is printed and the HTTP figure
skipped. See bench/README.md for what the figures mean.
"""

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/contactcenter_bench")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402  (settings come from the environment set above)

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from agents.models import Operator  # noqa: E402
from calls.ingest import calls_ingest  # noqa: E402
from projects.models import Client, Project  # noqa: E402

SERVER_LOG = Path(tempfile.gettempdir()) / "contactcenter-bench-server.log"
PROJECT = "bench-line"
OPERATORS = [f"bench-op-{n:02d}" for n in range(50)]
DAY = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
COPY_COLUMNS = (
    "project_id, external_id, direction, caller, operator_id, offered_at, answered_at, "
    "ended_at, hold_seconds, wrap_seconds, disposition, recording_url, received_at"
)


def main():
    args = parse_args()
    prepare_database(keep=args.keep_data)
    project_id, operator_ids, token = create_fixtures()
    run = time.strftime("%Y%m%d%H%M%S")
    print(
        f"{args.batches} batches x {args.batch_size:,} calls, database "
        f"{connection.settings_dict['NAME']} (PostgreSQL {server_version()}), "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )

    server = None if args.skip_http else start_server()
    timings = {"copy": [], "inprocess": [], "http": [], "json": []}
    body_sizes = []
    http_error = "skipped (--skip-http)" if args.skip_http else None
    profiler = cProfile.Profile() if args.profile else None
    try:
        warm_up(generate_calls(100, seed=-1), run, server, token, project_id, operator_ids)
        for number in range(args.batches):
            # One batch in memory at a time, as in a server: a bigger heap slows Python's GC.
            calls = generate_calls(args.batch_size, seed=number)
            timings["copy"].append(time_copy(calls, f"{run}-c{number}", project_id, operator_ids))
            timings["inprocess"].append(time_in_process(calls, f"{run}-i{number}", profiler))
            body_sizes.append(time_json_decode(calls, timings["json"]))
            if server and http_error is None:
                seconds, http_error = time_http(server, token, calls, f"{run}-h{number}")
                if http_error is None:
                    timings["http"].append(seconds)
    finally:
        if server:
            server.stop()

    report(timings, args.batch_size, http_error)
    print(
        f"JSON body of a batch: {mean(body_sizes) / 1e6:.1f} MB; json.loads of it: "
        f"{mean(timings['json']) * 1000:.0f} ms (the server's first step, before any check)"
    )
    if profiler:
        print("\nIn-process profile (top 25 by own time):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--skip-http", action="store_true", help="no server, no HTTP figure")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process path")
    parser.add_argument(
        "--keep-data", action="store_true", help="do not empty calls and contacts first"
    )
    return parser.parse_args()


# --- Setup ---------------------------------------------------------------------------------


def prepare_database(*, keep):
    call_command("ensure_database")
    call_command("migrate", verbosity=0, interactive=False)
    name = connection.settings_dict["NAME"]
    if keep:
        return
    if "bench" not in name:
        sys.exit(f"Refusing to empty calls in {name!r}: not a benchmark database.")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE calls_call, calls_contact CASCADE")


def create_fixtures():
    client, _ = Client.objects.get_or_create(code="bench", defaults={"legal_name": "Bench"})
    project, _ = Project.objects.get_or_create(
        code=PROJECT, defaults={"name": "Bench line", "client": client, "timezone": "UTC"}
    )
    operator_ids = {
        code: Operator.objects.get_or_create(code=code, defaults={"full_name": code})[0].id
        for code in OPERATORS
    }
    user, created = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    token, _ = Token.objects.get_or_create(user=user)
    return project.id, operator_ids, token.key


def server_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def generate_calls(count, *, seed):
    """Calls in the API's JSON shape: 85% answered, 5% withheld callers, 20,000 numbers.

    ``external_id`` is a suffix; each mode prefixes it, so every mode stores new calls.
    """
    rng = random.Random(seed)
    calls = []
    for n in range(count):
        offered = DAY + dt.timedelta(
            seconds=rng.randrange(86_400), milliseconds=rng.randrange(1000)
        )
        call = {
            "external_id": f"{seed}-{n}",
            "project": PROJECT,
            "direction": "inbound" if rng.random() < 0.9 else "outbound",
            "caller": "" if rng.random() < 0.05 else f"+7495{rng.randrange(20_000):07d}",
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


def renamed(calls, prefix):
    return [call | {"external_id": f"{prefix}-{call['external_id']}"} for call in calls]


# --- The three ways in -------------------------------------------------------------------------


def time_copy(calls, prefix, project_id, operator_ids):
    """COPY the calls (codes resolved to ids, as a loader that knows them would) into
    ``calls_call`` in one transaction; the text is built before the clock starts."""
    received_at = iso(dt.datetime.now(dt.UTC))
    lines = []
    for call in calls:
        operator = call.get("operator")
        fields = (
            project_id,
            f"{prefix}-{call['external_id']}",
            call["direction"],
            call["caller"],
            operator_ids[operator] if operator else r"\N",
            call["offered_at"],
            call.get("answered_at") or r"\N",
            call["ended_at"],
            call.get("hold_seconds", 0),
            call.get("wrap_seconds", 0),
            call.get("disposition", ""),
            call.get("recording_url", ""),
            received_at,
        )
        lines.append("\t".join(map(str, fields)))
    payload = "\n".join(lines) + "\n"
    connection.ensure_connection()
    raw = connection.connection
    start = time.perf_counter()
    statement = f"COPY calls_call ({COPY_COLUMNS}) FROM STDIN"
    with raw.transaction(), raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(payload)
    return time.perf_counter() - start


def time_in_process(calls, prefix, profiler):
    rows = renamed(calls, prefix)
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    result = calls_ingest(rows=rows)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    assert result.created == len(rows), result
    return seconds


def time_http(server, token, calls, prefix):
    """Seconds for one POST of the batch (JSON encoded before the clock), or the error."""
    body = json.dumps(renamed(calls, prefix)).encode()
    request = urllib.request.Request(  # noqa: S310 (our own server on 127.0.0.1)
        f"{server.url}/api/v1/calls/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        answer = exc.read().decode(errors="replace").strip()
        if answer.startswith("<"):  # Django's HTML error page: the server log says more
            answer = server.last_complaint()
        return None, f"HTTP {exc.code}: {answer[:300]}"
    except OSError as exc:
        return None, f"no answer: {exc}"
    seconds = time.perf_counter() - start
    if answer.get("created") != len(calls):
        return None, f"unexpected answer: {str(answer)[:300]}"
    return seconds, None


def time_json_decode(calls, timings):
    """Time ``json.loads`` of the batch's body into ``timings``; return the body's size."""
    body = json.dumps(calls)
    start = time.perf_counter()
    json.loads(body)
    timings.append(time.perf_counter() - start)
    return len(body.encode())


def warm_up(calls, run, server, token, project_id, operator_ids):
    """One small untimed batch per mode: imports, connections, first-query planning."""
    time_copy(calls, f"{run}-cw", project_id, operator_ids)
    time_in_process(calls, f"{run}-iw", None)
    if server:
        time_http(server, token, calls, f"{run}-hw")


class Server:
    """``manage.py runserver`` in a subprocess, single-threaded, DEBUG off."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(SERVER_LOG, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--nothreading",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_DEBUG": "0"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/", timeout=2).close()  # noqa: S310
                return True
            except urllib.error.HTTPError:
                return True  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.2)
        return False

    def last_complaint(self):
        self.log.flush()
        lines = SERVER_LOG.read_text(errors="replace").splitlines()
        complaints = [line for line in lines if " ERROR " in line or " WARNING " in line]
        return complaints[-1] if complaints else f"see {SERVER_LOG}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def start_server():
    server = Server()
    if server.wait_ready():
        return server
    server.stop()
    print(f"The HTTP server did not start; see {SERVER_LOG}. Going on without HTTP.")
    return None


# --- Report --------------------------------------------------------------------------------


def report(timings, batch_size, http_error):
    labels = {
        "copy": "PostgreSQL COPY into calls_call",
        "inprocess": "calls_ingest() in-process",
        "http": "POST /api/v1/calls/ over HTTP",
    }
    copy_per_batch = mean(timings["copy"])
    print(f"\n{'':34}{'calls':>9}{'seconds':>9}{'calls/s':>10}{'best batch':>12}{'/ COPY':>8}")
    for mode, label in labels.items():
        batch_seconds = timings[mode]
        if not batch_seconds:
            print(f"{label:34}{'-':>9}  {http_error or 'no figure'}")
            continue
        calls, seconds = batch_size * len(batch_seconds), sum(batch_seconds)
        print(
            f"{label:34}{calls:>9,}{seconds:>9.2f}{calls / seconds:>10,.0f}"
            f"{min(batch_seconds) * 1000:>10.0f}ms{mean(batch_seconds) / copy_per_batch:>7.2f}x"
        )
    if timings["http"]:
        print(f"\nAPI time / COPY time: {mean(timings['http']) / copy_per_batch:.2f}")
    print(f"In-process time / COPY time: {mean(timings['inprocess']) / copy_per_batch:.2f}")


def mean(values):
    return sum(values) / len(values)


if __name__ == "__main__":
    main()
