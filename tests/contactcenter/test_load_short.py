"""The load test's short form (``bench/load_api.py --quick``), run by ``make test``.

About 20 seconds of mixed load against a real gunicorn on 127.0.0.1 and a database of its
own (created from this run's settings, dropped at the end): integrations posting batches
with replays, re-sends, an invalid row and a changed stored row, PMs reading KPIs and
occupancy, rollup_kpis running meanwhile. What it asserts is correctness under concurrency:
no 5xx, no answer other than the expected one, and every call acknowledged by a 2xx stored
exactly once and as sent, nothing from a rejected batch. The latency bound is only a sanity
check on a shared 2-core machine; the figures are printed (``-s`` shows them).

locust (gevent) runs in a subprocess of its own, so its monkey-patching never reaches this
pytest process or its psycopg connections; gunicorn is stopped in a ``finally`` and gets
SIGTERM from Linux if this process dies (PR_SET_PDEATHSIG).
"""

import importlib.util
import io
import os
import urllib.parse

import pytest
from django.conf import settings

from bench import load_api

SANITY_P95_MS = 30_000  # not a timing target: catches a hung worker, nothing finer


def load_database_url():
    """This run's database server and credentials, a database name of this process's own."""
    db = settings.DATABASES["default"]
    base = db["NAME"].removeprefix("test_")
    name = f"test_{base}_load_{os.getpid()}"[:63]
    user = urllib.parse.quote(db.get("USER") or "postgres", safe="")
    password = db.get("PASSWORD")
    credentials = f"{user}:{urllib.parse.quote(password, safe='')}" if password else user
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


@pytest.fixture
def load_database():
    url = load_database_url()
    try:
        yield url
    finally:
        load_api.drop_database(url)


def test_short_load_stores_every_acknowledged_call_exactly_once(load_database):
    if importlib.util.find_spec("locust") is None:
        pytest.fail("locust is not installed: the load test needs locust==2.47.0 (dev extras)")
    out = io.StringIO()
    report = load_api.run_load(load_api.Settings.quick(database_url=load_database), out=out)
    load_api.print_report(report, out=out)
    print(out.getvalue())

    swarm, check = report["swarm"], report["verification"]
    load = swarm["phases"]["load"]
    assert swarm["server_errors"] == 0, swarm["statuses"]
    assert report["server_errors_logged"] == []
    assert swarm["unexpected"] == 0, swarm["unexpected_examples"]
    assert load["exceptions"] == []
    # The only failures allowed are connections that failed before an answer (a keep-alive
    # race on a starved machine), and every batch concerned was acknowledged on a retry
    # with the same Idempotency-Key, as an integration must retry.
    counts = swarm["counts"]
    assert sum(row["failures"] for row in load["requests"]) == counts["no_answer"]
    assert counts["lost_answers"] == counts["recovered"]
    assert counts["not_recovered"] == 0

    # Every path was taken: new batches, replays, re-sends, both kinds of rejection, reads.
    names = {row["name"]: row["requests"] for row in load["requests"]}
    assert all(names.get(name, 0) > 0 for name in EXPECTED_REQUESTS), names

    # Exactly once, in exact counts.
    acknowledged = check["acknowledged_calls"]
    batch_size = report["settings"]["batch_size"]
    assert acknowledged == swarm["counts"]["acknowledged"] * batch_size > 0
    assert check["created_reported"] == acknowledged
    assert check["stored_calls"] == acknowledged
    assert check["stored_distinct_external_ids"] == acknowledged
    assert check["rejected_calls"] > 0
    assert {key: check[key] for key in PROBLEMS} == dict.fromkeys(PROBLEMS, 0)
    assert check["exactly_once"]
    assert report["copy"]["calls"] == acknowledged

    assert all(run["returncode"] == 0 for run in report["rollups"]), report["rollups"]
    assert max(row["p95"] for row in load["requests"]) < SANITY_P95_MS


PROBLEMS = (
    "missing",
    "changed",
    "stored_more_than_once",
    "extra_unacknowledged",
    "stored_from_rejected_batches",
    "lost_answer_calls",
)
EXPECTED_REQUESTS = [
    "POST calls/ new batch (201)",
    "POST calls/ same key again: replay",
    "POST calls/ fresh key: all duplicates (200)",
    "POST calls/ one invalid row (400 expected)",
    "POST calls/ one stored row changed (409 expected)",
    "GET kpis/ hour x 14 days",
    "GET pool/occupancy/ hour x 1 day",
]
