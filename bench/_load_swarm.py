"""The locust side of bench/load_api.py, in a process of its own (gevent patches the standard
library on import, which the Django process, pytest and bench/run_all.py must not see).

    python bench/_load_swarm.py CONFIG.json    # started by bench/load_api.py, not by hand

Two phases, each a fresh locust ``Environment`` with a local runner: ``baseline`` (users GET
``/healthz/`` back to back) and ``load`` (integrations POST batches, PMs read reports).
Writes every request type's figures, the HTTP statuses and the record of every batch
(acknowledged, rejected on purpose, or whose answer was lost) to the config's ``output``.
"""

from gevent import monkey

monkey.patch_all()  # before anything else imports socket, ssl or threading

import collections  # noqa: E402
import datetime as dt  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, between, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402

from bench.load_api import generate_batch  # noqa: E402

CONFIG = json.loads(Path(sys.argv[1]).read_text())
RUN_ID = CONFIG["run_id"]
LOAD_DAY = dt.date.fromisoformat(CONFIG["load_day"])
SEED_FIRST_DAY = dt.date.fromisoformat(CONFIG["seed_first_day"])
CALLS = "/api/v1/calls/"
NEW = "POST calls/ new batch (201)"
REPLAY = "POST calls/ same key again: replay"
RETRY = "POST calls/ same key after a lost answer"
RESEND = "POST calls/ fresh key: all duplicates (200)"
INVALID = "POST calls/ one invalid row (400 expected)"
CONFLICT = "POST calls/ one stored row changed (409 expected)"


class Record:
    """What the swarm saw, for the report and for the database check."""

    def __init__(self):
        self.statuses = collections.Counter()
        self.batches = {"acknowledged": [], "rejected": [], "lost": []}
        self.counts = collections.Counter()
        self.unexpected = []  # (request, status, problem, body) of the first few
        self.no_answer = []  # (request, error) of the first few failed connections

    def answer(self, status):
        self.statuses[str(status or "no answer")] += 1

    def lost(self, name, error):
        self.counts["no_answer"] += 1
        if len(self.no_answer) < 30:
            self.no_answer.append([name, repr(error)[:300]])

    def complain(self, name, status, problem, body):
        self.counts["unexpected"] += 1
        if len(self.unexpected) < 30:
            text = body.decode(errors="replace") if isinstance(body, bytes) else str(body)
            self.unexpected.append([name, status, problem, text[:300]])


RECORD = Record()
STOP_AT = [float("inf")]  # integrations start no new batch past this (time.monotonic())


def instant(day, hours=0):
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(hours=hours)
    return moment.isoformat().replace("+00:00", "Z")


def in_progress(status, answer):
    """The Idempotency-Key's first request is still running (the server's 409)."""
    details = answer.get("details") if isinstance(answer, dict) else None
    return status == 409 and "In progress." in json.dumps(details or answer)


def body_of(response):
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


class Integration(FastHttpUser):
    """A client's telephony: posts batches of calls with its client's integration token."""

    host = CONFIG["ingest_host"]  # the proxy routes the POSTs of calls/ to the ingest pool
    wait_time = between(0.1, 0.6)
    network_timeout = 180.0
    connection_timeout = 30.0
    fixed_count = CONFIG["integrations"]
    numbers = itertools.count()

    def on_start(self):
        self.number = next(Integration.numbers)
        self.client_index = self.number % len(CONFIG["clients"])
        account = CONFIG["clients"][self.client_index]
        self.projects = account["projects"]
        self.headers = {"Authorization": f"Token {account['token']}"}
        self.rng = random.Random(f"{RUN_ID}/integration/{self.number}")
        self.seq = 0
        self.last_row = None  # the first row of the last acknowledged batch

    @task
    def post_a_batch(self):
        if time.monotonic() >= STOP_AT[0]:
            gevent.sleep(0.5)  # the phase is over: wait to be stopped, start nothing new
            return
        self.seq += 1
        size = CONFIG["batch_size"]
        rows = generate_batch(
            run_id=RUN_ID,
            user=self.number,
            seq=self.seq,
            size=size,
            projects=self.projects,
            operators=CONFIG["operators"],
            day=LOAD_DAY,
        )
        # Every integration's first batches take each path once (replay and re-send, a
        # conflict, an invalid row), so even a short run covers them; then chance decides.
        draw = {1: 1.0, 2: CONFIG["p_invalid"], 3: 0.0}.get(self.seq, self.rng.random())
        record = [self.number, self.seq, size, self.client_index]
        if draw < CONFIG["p_invalid"]:
            rows[self.rng.randrange(size)]["ended_at"] = "2000-01-01T00:00:00Z"
            self.send_rejected(rows, [*record, "invalid"], INVALID, 400)
            return
        if draw < CONFIG["p_invalid"] + CONFIG["p_conflict"] and self.last_row is not None:
            rows[0] = self.last_row | {"disposition": f"changed-{self.seq}"}
            self.send_rejected(rows, [*record, "conflict"], CONFLICT, 409)
            return
        body = json.dumps(rows, separators=(",", ":"))
        key = f"{RUN_ID}-{uuid.uuid4()}"
        status, answer, _ = self.post(NEW, body, key, self.expect_created(size))
        if status is None:
            status, answer = self.retry_after_lost_answer(body, key, size)
        if status is None or status >= 500:
            RECORD.batches["lost"].append([*record, "new"])
            return
        if not 200 <= status < 300:
            return  # reported as unexpected; stored nothing, checked below as unacknowledged
        RECORD.batches["acknowledged"].append([*record, "new"])
        RECORD.counts["created_reported"] += answer.get("created", 0)
        self.last_row = rows[0]
        first = self.seq == 1
        if first or self.rng.random() < CONFIG["p_replay"]:
            self.post(REPLAY, body, key, self.expect_replay(status, answer))
        if first or self.rng.random() < CONFIG["p_resend"]:
            self.post(RESEND, body, f"{RUN_ID}-{uuid.uuid4()}", self.expect_duplicates(size))

    def retry_after_lost_answer(self, body, key, size):
        """No answer came (the connection failed): as an integration must, send the same
        batch with the same key again until one comes. Stored then or before, the batch is
        acknowledged once; "still being processed" (409) means wait and ask again."""
        RECORD.counts["lost_answers"] += 1
        for _ in range(10):
            gevent.sleep(1)
            status, answer, _ = self.post(RETRY, body, key, self.expect_after_loss(size))
            if status is not None and not in_progress(status, answer):
                RECORD.counts["recovered" if status in (200, 201) else "not_recovered"] += 1
                return status, answer
        RECORD.counts["not_recovered"] += 1
        return None, {}

    def send_rejected(self, rows, record, name, expected):
        body = json.dumps(rows, separators=(",", ":"))
        key = f"{RUN_ID}-{uuid.uuid4()}"
        status, _, _ = self.post(name, body, key, self.expect_status(expected))
        for _ in range(10 if status is None else 0):  # no answer: the same key again
            gevent.sleep(1)
            status, _, _ = self.post(name, body, key, self.expect_status(expected))
            if status is not None:
                break
        RECORD.batches["rejected" if status == expected else "lost"].append(record)

    def post(self, name, body, key, check):
        headers = self.headers | {"Content-Type": "application/json", "Idempotency-Key": key}
        with self.client.post(
            CALLS, data=body, headers=headers, name=name, catch_response=True
        ) as response:
            status = response.status_code or None
            RECORD.answer(status)
            answer = body_of(response)
            if status is None:  # the connection failed: the answer, if any, is lost
                error = response.request_meta.get("exception") or getattr(response, "error", "")
                response.failure(f"no answer: {error!r}")
                RECORD.lost(name, error)
                return None, {}, response
            problem = check(status, answer, response)
            if problem:
                response.failure(problem)
                RECORD.complain(name, status, problem, response.content or b"")
            else:
                response.success()
            return status, answer if isinstance(answer, dict) else {}, response

    @staticmethod
    def expect_created(size):
        def check(status, answer, response):
            if status != 201 or answer != {"created": size, "duplicates": 0}:
                return f"expected 201 created {size}, got {status} {answer}"
            return None

        return check

    @staticmethod
    def expect_after_loss(size):
        def check(status, answer, response):
            if in_progress(status, answer):
                return None
            if status != 201 or answer != {"created": size, "duplicates": 0}:
                return f"expected 201 created {size} (new or replayed), got {status} {answer}"
            return None

        return check

    @staticmethod
    def expect_replay(status_before, answer_before):
        def check(status, answer, response):
            if status != status_before or answer != answer_before:
                return f"replay answered {status} {answer}, first {status_before} {answer_before}"
            if response.headers.get("Idempotent-Replayed") != "true":
                return "replay without Idempotent-Replayed: true"
            return None

        return check

    @staticmethod
    def expect_duplicates(size):
        def check(status, answer, response):
            if status != 200 or answer != {"created": 0, "duplicates": size}:
                return f"expected 200 duplicates {size}, got {status} {answer}"
            return None

        return check

    @staticmethod
    def expect_status(expected):
        def check(status, answer, response):
            if status != expected:
                return f"expected {expected}, got {status}"
            return None

        return check


class ProjectManager(FastHttpUser):
    """A PM watching the dashboard's figures: KPIs, occupancy, the day's calls."""

    host = CONFIG["api_host"]
    wait_time = between(0.5, 2.0)
    network_timeout = 180.0
    connection_timeout = 30.0
    fixed_count = CONFIG["pms"]
    numbers = itertools.count()

    def on_start(self):
        number = next(ProjectManager.numbers)
        account = CONFIG["pm_accounts"][number % len(CONFIG["pm_accounts"])]
        self.projects = account["projects"]
        self.headers = {"Authorization": f"Token {account['token']}"}
        self.rng = random.Random(f"{RUN_ID}/pm/{number}")

    def read(self, name, path, params, key):
        url = f"{path}?{urllib.parse.urlencode(params)}"
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as response:
            status = response.status_code or None
            RECORD.answer(status)
            answer = body_of(response)
            if status is None:
                error = response.request_meta.get("exception") or getattr(response, "error", "")
                response.failure(f"no answer: {error!r}")
                RECORD.lost(name, error)
            elif status != 200 or not isinstance(answer, dict) or key not in answer:
                problem = f"expected 200 with {key!r}, got {status}"
                response.failure(problem)
                RECORD.complain(name, status, problem, response.content or b"")
            else:
                response.success()

    def seeded_day(self):
        return SEED_FIRST_DAY + dt.timedelta(days=self.rng.randrange(CONFIG["seed_days"]))

    @task(3)
    def kpis_by_hour_two_weeks(self):
        params = {
            "from": instant(SEED_FIRST_DAY),
            "to": instant(SEED_FIRST_DAY + dt.timedelta(days=CONFIG["seed_days"])),
            "granularity": "hour",
        }
        code = self.rng.choice(self.projects)
        self.read("GET kpis/ hour x 14 days", f"/api/v1/projects/{code}/kpis/", params, "totals")

    @task(2)
    def kpis_by_15min_one_day(self):
        day = self.rng.choice([self.seeded_day(), LOAD_DAY])  # the load day fills as we go
        params = {
            "from": instant(day),
            "to": instant(day + dt.timedelta(days=1)),
            "granularity": "15min",
        }
        code = self.rng.choice(self.projects)
        self.read("GET kpis/ 15min x 1 day", f"/api/v1/projects/{code}/kpis/", params, "totals")

    @task(1)
    def kpis_by_day_month(self):
        params = {
            "from": instant(SEED_FIRST_DAY),
            "to": instant(SEED_FIRST_DAY.replace(month=SEED_FIRST_DAY.month + 1)),
            "granularity": "day",
        }
        code = self.rng.choice(self.projects)
        self.read("GET kpis/ day x 1 month", f"/api/v1/projects/{code}/kpis/", params, "totals")

    @task(2)
    def pool_occupancy(self):
        day = self.seeded_day()
        params = {
            "from": instant(day),
            "to": instant(day + dt.timedelta(days=1)),
            "granularity": "hour",
        }
        self.read("GET pool/occupancy/ hour x 1 day", "/api/v1/pool/occupancy/", params, "totals")

    @task(1)
    def operator_occupancy(self):
        day = self.seeded_day()
        code = self.rng.choice(CONFIG["operators"])
        params = {
            "from": instant(day),
            "to": instant(day + dt.timedelta(days=1)),
            "granularity": "15min",
        }
        path = f"/api/v1/operators/{code}/occupancy/"
        self.read("GET operators/{code}/occupancy/ 15min x 1 day", path, params, "totals")

    @task(1)
    def calls_of_the_day(self):
        params = {
            "project": self.rng.choice(self.projects),
            "from": instant(LOAD_DAY, self.rng.randrange(24)),
            "to": instant(LOAD_DAY + dt.timedelta(days=1)),
        }
        self.read("GET calls/ ?project&from&to, first page", CALLS, params, "results")


class Health(FastHttpUser):
    """The baseline: the HTTP stack alone (gunicorn, Django's routing, no database), as many
    users on each pool as the load sends there (one pool: the same host twice)."""

    host = CONFIG["api_host"]
    wait_time = constant(0)
    fixed_count = CONFIG["pms"]

    @task
    def live(self):
        with self.client.get("/healthz/", name="GET /healthz/", catch_response=True) as response:
            RECORD.answer(response.status_code or None)


class IngestHealth(Health):
    host = CONFIG["ingest_host"]
    fixed_count = CONFIG["integrations"]


def run_phase(name, user_classes, seconds):
    """Run ``user_classes`` for ``seconds``; in-flight tasks finish (stop_timeout); stats."""
    env = Environment(user_classes=user_classes, stop_timeout=300, catch_exceptions=True)
    runner = env.create_local_runner()
    users = sum(cls.fixed_count for cls in user_classes)
    start = time.monotonic()
    STOP_AT[0] = start + seconds
    runner.start(users, spawn_rate=max(users / 2, 1))
    while time.monotonic() < STOP_AT[0]:
        gevent.sleep(min(10, max(0.05, STOP_AT[0] - time.monotonic())))
        total = env.stats.total
        print(
            f"  {name} {time.monotonic() - start:5.0f} s: {total.num_requests:,} requests, "
            f"{total.num_failures:,} failures, p95 {total.get_response_time_percentile(0.95)} ms",
            flush=True,
        )
    runner.stop()  # waits for the batches in flight: their answers are part of the record
    elapsed = time.monotonic() - start
    runner.quit()
    rows = [stats_row(entry, elapsed) for entry in sorted(env.stats.entries.values(), key=order)]
    return {
        "seconds": elapsed,
        "requests": rows,
        "total": stats_row(env.stats.total, elapsed),
        "errors": [
            [error.name, str(error.error)[:300], error.occurrences]
            for error in env.stats.errors.values()
        ],
        "exceptions": [row["msg"][:300] for row in runner.exceptions.values()],
    }


def order(entry):
    return (entry.method != "POST", entry.name)


def stats_row(entry, seconds):
    return {
        "name": entry.name,
        "method": entry.method,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / seconds,
        "p50": entry.get_response_time_percentile(0.5) or 0,
        "p95": entry.get_response_time_percentile(0.95) or 0,
        "p99": entry.get_response_time_percentile(0.99) or 0,
        "max": entry.max_response_time or 0,
        "avg": entry.avg_response_time,
    }


def main():
    phases = {"baseline": run_phase("baseline", [Health, IngestHealth], CONFIG["baseline_seconds"])}
    RECORD.statuses.clear()
    phases["load"] = run_phase("load", [Integration, ProjectManager], CONFIG["duration"])
    statuses = dict(sorted(RECORD.statuses.items()))
    result = {
        "phases": phases,
        "statuses": statuses,
        "server_errors": sum(n for code, n in statuses.items() if code.startswith("5")),
        "unexpected": RECORD.counts["unexpected"],
        "unexpected_examples": RECORD.unexpected,
        "no_answer_examples": RECORD.no_answer,
        "counts": {
            "created_reported": RECORD.counts["created_reported"],
            "no_answer": RECORD.counts["no_answer"],
            "lost_answers": RECORD.counts["lost_answers"],
            "recovered": RECORD.counts["recovered"],
            "not_recovered": RECORD.counts["not_recovered"],
            **{kind: len(batches) for kind, batches in RECORD.batches.items()},
        },
        "batches": RECORD.batches,
    }
    Path(CONFIG["output"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
