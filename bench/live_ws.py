"""The wallboard under load: call events POSTed to the API, each one's update timed to its
arrival on a WebSocket subscriber, beside Redis's own publish-to-receive time.

    .venv/bin/python bench/live_ws.py             # 300 s, 500 operators, 30 projects, 200/s
    .venv/bin/python bench/live_ws.py --quick         # 30 s
    .venv/bin/python bench/live_ws.py --seconds 60 --rate 100 --batch 10

Runs against its own database (``--database-url``, default ``contactcenter_bench_live``;
created and migrated if missing, refused unless its name contains ``bench``) and its own
Redis database numbers for the live state and the channel layer, so a running demo is
neither read nor disturbed. It seeds 30 projects and 500 active operators (each certified
on 3 projects), all ready; starts uvicorn (``contactcenter.asgi``, one worker) on a free
port of 127.0.0.1; opens ``ws/live/`` as a superuser's token (it hears every project);
then for ``--seconds`` one poster sends calls' events (offered, then answered by a free
operator of the project and ended, or abandoned) at ``--rate`` events a second, in batches
of ``--batch`` (100) per ``POST /api/v1/call-events/``.

Measured:
- latency: for every (batch, project) whose events move the project's counters, from the
  POST's start to the first message of that project whose counters include them;
- nothing lost: every such pair observed, and the last message of each project equal to
  what the events sent imply (offered, answered, abandoned, waiting; the pool's on-call);
- memory: the server's RSS sampled every 2 s (first and last quarter compared);
- the baseline: a Redis PUBLISH every 50 ms to a subscriber in the same process, same Redis.
"""

import argparse
import asyncio
import bisect
import dataclasses
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"  # the only address this benchmark talks to
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/contactcenter_bench_live"
# Redis database numbers of the benchmark's own (the dev server uses 2 and 3).
LIVE_REDIS_URL = "redis://127.0.0.1:6379/12"
CHANNEL_REDIS_URL = "redis://127.0.0.1:6379/13"
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "contactcenter.settings.dev",
    "DJANGO_DEBUG": "0",
    "LIVE_REDIS_URL": LIVE_REDIS_URL,
    "LIVE_KEY_PREFIX": "bench-live:",
    "CHANNEL_REDIS_URL": CHANNEL_REDIS_URL,
    "API_THROTTLE_USER": "1000000/minute",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "LOG_LEVEL": "WARNING",
}
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.update({k: v for k, v in SERVER_ENV.items() if k != "DATABASE_URL"})

import django  # noqa: E402  (settings come from the environment set above)

django.setup()

import psutil  # noqa: E402
import psycopg  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from agents.ingest import agent_events_ingest  # noqa: E402
from agents.models import Certification, Operator  # noqa: E402
from contactcenter import tokens  # noqa: E402
from projects.models import Client, Project  # noqa: E402

PROJECTS, OPERATORS, CERTIFIED_ON = 30, 500, 3
TALK_SECONDS = (2.0, 8.0)
PATIENCE_SECONDS = (5.0, 20.0)
SAFE_NAME = re.compile(r"bench")


@dataclasses.dataclass
class Options:
    seconds: float = 300.0
    rate: float = 200.0  # events per second
    batch: int = 100  # events per POST (a telephony batches its events)
    database_url: str = DEFAULT_DATABASE_URL


# --- The database and the server -----------------------------------------------------------


def prepare_database() -> None:
    db = settings.DATABASES["default"]
    if not SAFE_NAME.search(db["NAME"]):
        sys.exit(f"Refusing to use {db['NAME']!r}: its name must contain 'bench'.")
    admin = f"host={db['HOST'] or HOST} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [db["NAME"]]).fetchone():
            conn.execute(f'DROP DATABASE "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)


def seed() -> tuple[str, dict[str, list[str]]]:
    """Projects, operators, certifications, all ready; returns (token key, certified)."""
    client = Client.objects.create(code="bench-live", legal_name="Bench", timezone="UTC")
    projects = [
        Project.objects.create(
            code=f"live-{n:02d}", name=f"Line {n}", client=client, timezone="Europe/Moscow"
        )
        for n in range(PROJECTS)
    ]
    today = timezone.localdate()
    operators = Operator.objects.bulk_create(
        Operator(
            code=f"op-{n:03d}",
            full_name=f"Operator {n}",
            status=Operator.Status.ACTIVE,
            hired_on=today,
        )
        for n in range(OPERATORS)
    )
    Certification.objects.bulk_create(
        Certification(operator=op, project=projects[(n + k) % PROJECTS], certified_on=today)
        for n, op in enumerate(operators)
        for k in range(CERTIFIED_ON)
    )
    now = timezone.now().isoformat()
    agent_events_ingest(
        rows=[{"operator": op.code, "at": now, "state": "ready"} for op in operators]
    )
    user = get_user_model().objects.create_superuser("bench-live", password=None)
    certified: dict[str, list[str]] = {}
    for project, operator in Certification.objects.values_list("project__code", "operator__code"):
        certified.setdefault(project, []).append(operator)
    return tokens.reissue(user, name="bench-live"), certified


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(port: int, database_url: str) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    server = subprocess.Popen(  # noqa: S603  (our interpreter, our server)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "contactcenter.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("uvicorn did not start")


# --- The load: calls' events, posted in batches --------------------------------------------


@dataclasses.dataclass
class Load:
    """The calls in flight and what the events sent so far imply, per project."""

    certified: dict[str, list[str]]
    rng: random.Random = dataclasses.field(default_factory=lambda: random.Random(17))
    free: set[str] = dataclasses.field(default_factory=set)
    waiting: dict[str, list[tuple[float, str]]] = dataclasses.field(default_factory=dict)
    talking: list[tuple[float, str, str, str]] = dataclasses.field(default_factory=list)
    counters: dict[str, list[int]] = dataclasses.field(default_factory=dict)  # o, a, ab
    serial: int = 0

    def __post_init__(self):
        self.free = {op for ops in self.certified.values() for op in ops}
        for project in self.certified:
            self.waiting[project], self.counters[project] = [], [0, 0, 0]

    def next_events(self, count: int, now: float) -> list[dict]:
        """``count`` events, those due first (ends, abandons, answers), then new calls."""
        events: list[dict] = []
        stamp = timezone.now().isoformat()
        while self.talking and self.talking[0][0] <= now and len(events) < count:
            _, project, call, operator = self.talking.pop(0)
            events.append(self._event(call, project, "ended", stamp, operator))
            self.free.add(operator)
        for project, queue in self.waiting.items():
            while queue and len(events) < count:
                patience, call = queue[0]
                operator = next((o for o in self.certified[project] if o in self.free), None)
                if patience > now and operator is None:
                    break  # waits on
                queue.pop(0)
                if operator is None:  # out of patience: hangs up
                    events.append(self._event(call, project, "abandoned", stamp))
                    self.counters[project][2] += 1
                    continue
                self.free.discard(operator)
                events.append(self._event(call, project, "answered", stamp, operator))
                self.counters[project][1] += 1
                end = now + self.rng.uniform(*TALK_SECONDS)
                bisect.insort(self.talking, (end, project, call, operator))
        while len(events) < count:
            project = self.rng.choice(list(self.certified))
            self.serial += 1
            call = f"bench-{self.serial}"
            events.append(self._event(call, project, "offered", stamp))
            self.counters[project][0] += 1
            self.waiting[project].append((now + self.rng.uniform(*PATIENCE_SECONDS), call))
        return events

    @staticmethod
    def _event(call, project, event, at, operator=None) -> dict:
        row = {"external_id": call, "project": project, "event": event, "at": at}
        if operator:
            row["operator"] = operator
        return row

    def expected(self) -> dict[str, dict]:
        return {
            project: {
                "offered": o,
                "answered": a,
                "abandoned": ab,
                "waiting": len(self.waiting[project]),
            }
            for project, (o, a, ab) in self.counters.items()
        }


def warm_up(port, key) -> None:
    """GET pool/live/ once: today's forecast of every project is computed and kept in Redis
    before the clock starts (once a day in production)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    conn.request("GET", "/api/v1/pool/live/", headers={"Authorization": f"Token {key}"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        sys.exit(f"GET pool/live/ answered {response.status}")


def post_loop(port, key, load, options, sent, stop) -> None:
    """The poster (a thread): a batch every batch/rate seconds; records each POST."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    interval = options.batch / options.rate
    began = time.perf_counter()
    n = 0
    while not stop.is_set() and time.perf_counter() - began < options.seconds:
        due = began + n * interval
        time.sleep(max(0.0, due - time.perf_counter()))
        events = load.next_events(options.batch, time.perf_counter())
        touched = {e["project"] for e in events if e["event"] != "ended"}
        snapshot = {p: tuple(load.counters[p]) for p in touched}
        started = time.perf_counter()
        conn.request("POST", "/api/v1/call-events/", json.dumps(events), headers)
        response = conn.getresponse()
        body = response.read()
        if response.status not in (200, 201):
            sent.append((started, None, response.status, body[:300]))
        else:
            sent.append((started, snapshot, response.status, None))
        n += 1
    conn.close()


# --- The listeners: the wallboard's socket, Redis pub/sub ----------------------------------


async def listen_socket(port, key, received, ready, stop) -> None:
    uri = f"ws://{HOST}:{port}/ws/live/"
    async with websockets.connect(
        uri, subprotocols=["contactcenter.token", key], max_size=2**24
    ) as ws:
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            at = time.perf_counter()
            message = json.loads(raw)
            if message.get("type") in ("live.update", "pool.update"):
                received.append((at, message.get("project"), message.get("state")))


async def redis_baseline(latencies, stop) -> None:
    """PUBLISH a perf_counter stamp every 50 ms; the subscriber notes its delay."""
    url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    client = aioredis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe("bench-live-baseline")

    async def publish():
        while not stop.is_set():
            await client.publish("bench-live-baseline", repr(time.perf_counter()))
            await asyncio.sleep(0.05)

    publisher = asyncio.ensure_future(publish())
    while not stop.is_set():
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message:
            latencies.append(time.perf_counter() - float(message["data"]))
    publisher.cancel()
    await pubsub.aclose()
    await client.aclose()


def sample_rss(pid, samples, stop) -> None:
    process = psutil.Process(pid)
    while not stop.wait(2.0):
        rss = process.memory_info().rss + sum(
            child.memory_info().rss for child in process.children(recursive=True)
        )
        samples.append((time.perf_counter(), rss))


# --- Matching and figures --------------------------------------------------------------------


def latencies_of(sent, received) -> tuple[list[float], int]:
    """Per (batch, project): POST start -> first message of the project with its counters."""
    by_project: dict[str, list[tuple[float, tuple]]] = {}
    for at, project, state in received:
        if project:
            today = state["today"]
            counts = (today["offered"], today["answered"], today["abandoned"])
            by_project.setdefault(project, []).append((at, counts))
    times = {project: [at for at, _ in rows] for project, rows in by_project.items()}
    found, missing = [], 0
    for started, snapshot, _, _ in sent:
        for project, expected in (snapshot or {}).items():
            rows = by_project.get(project, [])
            index = bisect.bisect_left(times.get(project, []), started)
            hit = next(
                (
                    at
                    for at, counts in rows[index:]
                    if all(c >= e for c, e in zip(counts, expected, strict=True))
                ),
                None,
            )
            if hit is None:
                missing += 1
            else:
                found.append(hit - started)
    return found, missing


def final_mismatches(received, load) -> list[str]:
    last: dict = {}
    for _, project, state in received:
        last[project or "pool"] = state
    wrong = []
    for project, expected in load.expected().items():
        state = last.get(project)
        got = state and {
            **{k: state["today"][k] for k in ("offered", "answered", "abandoned")},
            "waiting": state["waiting"],
        }
        if got != expected:
            wrong.append(f"{project}: {got} != {expected}")
    on_call = len(load.talking)
    pool = last.get("pool")
    if pool is None or pool["agents"]["on_call"] != on_call:
        wrong.append(f"pool on_call: {pool and pool['agents']['on_call']} != {on_call}")
    return wrong


def p(values, q) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(options, sent, received, baseline, rss, load, elapsed) -> dict:
    found, missing = latencies_of(sent, received)
    errors = [(status, body) for _, snapshot, status, body in sent if snapshot is None]
    quarter = max(1, len(rss) // 4)
    first = statistics.mean(v for _, v in rss[:quarter]) if rss else 0
    last = statistics.mean(v for _, v in rss[-quarter:]) if rss else 0
    events = len(sent) * options.batch
    return {
        "events": events,
        "events_per_second": events / elapsed,
        "posts": len(sent),
        "post_errors": errors[:3],
        "post_error_count": len(errors),
        "pairs": len(found) + missing,
        "missing": missing,
        "p50_ms": p(found, 0.50) * 1000,
        "p95_ms": p(found, 0.95) * 1000,
        "p99_ms": p(found, 0.99) * 1000,
        "max_ms": max(found, default=float("nan")) * 1000,
        "messages": len(received),
        "redis_p50_ms": p(baseline, 0.50) * 1000,
        "redis_p95_ms": p(baseline, 0.95) * 1000,
        "redis_samples": len(baseline),
        "rss_first_mb": first / 2**20,
        "rss_last_mb": last / 2**20,
        "final_mismatches": final_mismatches(received, load),
    }


def measure(options: Options) -> dict:
    prepare_database()
    for url in (LIVE_REDIS_URL, CHANNEL_REDIS_URL):
        subprocess.run(["redis-cli", "-u", url, "FLUSHDB"], check=True, capture_output=True)  # noqa: S603,S607
    key, certified = seed()
    port = free_port()
    server = start_server(port, options.database_url)
    warm_up(port, key)
    load, sent, received, baseline, rss = Load(certified), [], [], [], []
    stop, socket_stop = threading.Event(), threading.Event()
    try:
        loop = asyncio.new_event_loop()
        ready = asyncio.Event()
        listener = loop.create_task(listen_socket(port, key, received, ready, socket_stop))
        pubsub = loop.create_task(redis_baseline(baseline, socket_stop))
        loop.run_until_complete(asyncio.wait_for(ready.wait(), 30))
        sampler = threading.Thread(target=sample_rss, args=(server.pid, rss, stop), daemon=True)
        poster = threading.Thread(
            target=post_loop, args=(port, key, load, options, sent, stop), daemon=True
        )
        began = time.perf_counter()
        sampler.start()
        poster.start()
        while poster.is_alive():
            loop.run_until_complete(asyncio.sleep(0.2))
        elapsed = time.perf_counter() - began
        loop.run_until_complete(asyncio.sleep(3.0))  # the last messages come in
        stop.set()
        socket_stop.set()
        loop.run_until_complete(asyncio.gather(listener, pubsub))
        loop.close()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    return figures(options, sent, received, baseline, rss, load, elapsed)


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows: the POST-to-message p95 beside Redis's publish-to-receive."""
    options = Options(seconds=30.0 if quick else 300.0)
    found = measure(options)
    wrong, errors = len(found["final_mismatches"]), found["post_error_count"]
    note = (
        f"{found['events']:,} events in {options.seconds:.0f} s "
        f"({found['events_per_second']:.0f}/s, batches of {options.batch}), {PROJECTS} projects, "
        f"{OPERATORS} operators; {found['missing']} of {found['pairs']:,} updates lost, "
        f"{wrong} final states wrong, {errors} POST errors; p50 {found['p50_ms']:.0f} ms, "
        f"p99 {found['p99_ms']:.0f} ms; target p95 under 1 s"
    )
    growth = found["rss_last_mb"] - found["rss_first_mb"]
    return [
        {
            "benchmark": "live_ws",
            "measure": "call events POST -> WebSocket message: p95",
            "value": round(found["p95_ms"], 1),
            "unit": "ms",
            "baseline": "Redis PUBLISH -> subscriber, same run: p95",
            "baseline_value": round(found["redis_p95_ms"], 2),
            "ratio": round(found["p95_ms"] / found["redis_p95_ms"], 1),
            "note": note,
        },
        {
            "benchmark": "live_ws",
            "measure": "server RSS, last quarter of the run",
            "value": round(found["rss_last_mb"], 1),
            "unit": "MB",
            "baseline": "server RSS, first quarter",
            "baseline_value": round(found["rss_first_mb"], 1),
            "ratio": round(found["rss_last_mb"] / found["rss_first_mb"], 3),
            "note": f"growth {growth:+.1f} MB over the run; sampled every 2 s (uvicorn, 1 worker)",
        },
    ]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--quick", action="store_true", help="30 s instead of --seconds")
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--batch", type=int, default=100, help="events per POST")
    args = parser.parse_args(argv)
    if not (1 <= args.seconds <= 3600 and 1 <= args.rate <= 5000 and 1 <= args.batch <= 1000):
        parser.error("--seconds 1..3600, --rate 1..5000, --batch 1..1000")
    options = Options(
        seconds=30.0 if args.quick else args.seconds, rate=args.rate, batch=args.batch
    )
    found = measure(options)
    print(json.dumps(found, indent=2, default=str))
    return found


if __name__ == "__main__":
    main()
