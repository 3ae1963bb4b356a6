"""The harness of the fault tests: real Celery workers on the real broker, killed and
restarted; plain database connections that hold the locks the application waits on.

Nothing in the code under test is mocked or patched. A test pauses a job "in the middle" by
holding, from its own connection (``Side``), a row or a lock that the job's next statement
needs; it then sees the job waiting in ``pg_stat_activity`` (``Observer``), and kills the
worker, cuts the job's database connection, or lets it go.

Workers (``Worker``) consume a queue of their own on a Redis database of their own
(``FAULTS_BROKER_URL``; default: the configured broker's server, database 7), so the short
visibility timeout the kill tests give their workers never hands out anybody else's
messages. ``Broker`` publishes by task name, as beat does, and tells when a task is done:
its success in the workers' logs, and nothing of it left queued or unacknowledged.
"""

import contextlib
import json
import os
import time
import urllib.parse
import uuid

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from contactcenter.celery import app
from tests.celery_worker import Worker, database_url

POLL_SECONDS = 0.05
TIMEOUT_SECONDS = 90  # generous: the CI machine is a busy 2-core one; polls end far sooner
FAULTS_REDIS_DB = 7


def faults_broker_url():
    explicit = os.environ.get("FAULTS_BROKER_URL")
    if explicit:
        return explicit
    parts = urllib.parse.urlsplit(settings.CELERY_BROKER_URL)
    if not parts.scheme.startswith("redis"):
        pytest.skip("the fault tests need a Redis broker (visibility timeout, unacked set)")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{FAULTS_REDIS_DB}"))


def wait_for(condition, *, what, workers=(), timeout=TIMEOUT_SECONDS):
    """Poll ``condition()`` until it returns something true, and return that.

    Fails at once when a worker that should be alive died, and after ``timeout`` seconds
    with ``what`` and the workers' logs.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        for worker in workers:
            if not worker.alive:
                raise AssertionError(f"worker died while waiting for {what}:\n{worker.log()}")
        if time.monotonic() > deadline:
            logs = "\n".join(worker.log() for worker in workers)
            raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")
        time.sleep(POLL_SECONDS)


class Broker:
    """The test's queue on its Redis database: publish by task name, as beat does."""

    def __init__(self, *, url, queue):
        self.url, self.queue = url, queue
        self.redis = redis.Redis.from_url(url)

    def send(self, name, *args):
        """Publish the task; returns its id."""
        with app.connection_for_write(self.url) as conn:
            return app.send_task(name, args=list(args), queue=self.queue, connection=conn).id

    def queued(self):
        return self.redis.llen(self.queue)

    def unacked(self):
        """This queue's messages delivered to a worker and not acknowledged yet (running, or
        orphaned by a killed worker until the visibility timeout hands them out again)."""
        return sum(json.loads(entry)[2] == self.queue for entry in self.redis.hvals("unacked"))

    def idle(self):
        """Nothing queued, nothing delivered and unacknowledged. Alone it does not mean
        "done": a worker pops a message before it records it as unacknowledged."""
        return self.queued() == 0 and self.unacked() == 0

    def wait_done(self, task_ids, *, workers):
        """Wait until every task of ``task_ids`` succeeded (the workers log it) and the
        broker holds nothing more of them; fail at once if one raised."""

        def done():
            logs = "".join(worker.text() for worker in workers)
            for task_id in task_ids:
                if f"[{task_id}] raised" in logs:
                    raise AssertionError(f"task {task_id} raised:\n{logs[-6000:]}")
            succeeded = all(f"[{task_id}] succeeded" in logs for task_id in task_ids)
            return succeeded and self.idle()

        wait_for(done, what=f"tasks {task_ids} to succeed", workers=workers)

    def close(self):
        self.redis.delete(self.queue)
        self.redis.close()


class Observer:
    """An autocommit connection that reads PostgreSQL's view of the other sessions."""

    def __init__(self):
        self.conn = psycopg.connect(database_url(), autocommit=True)

    def rows(self, query, params=None):
        return self.conn.execute(query, params).fetchall()

    def value(self, query, params=None):
        row = self.conn.execute(query, params).fetchone()
        return row[0] if row else None

    def blocked_by(self, pid):
        """``[(pid, query)]`` of the sessions waiting for a lock that ``pid`` holds."""
        return self.rows(
            "SELECT pid, query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))"
            " ORDER BY pid",
            [pid],
        )

    def waiting(self):
        """``[(pid, query)]`` of this database's sessions waiting for a lock."""
        return self.rows(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() ORDER BY pid"
        )

    def alive(self, pid):
        return bool(self.value("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]))

    def close(self):
        self.conn.close()


class Side:
    """A session of the test's own, in one open transaction: it holds the locks that pause
    the application at a chosen statement, until ``release()``."""

    def __init__(self):
        self.conn = psycopg.connect(database_url(), autocommit=False)
        self.pid = self.conn.info.backend_pid

    def execute(self, query, params=None):
        return self.conn.execute(query, params)

    def release(self):
        self.conn.rollback()

    def close(self):
        with contextlib.suppress(psycopg.Error):
            self.conn.rollback()
        self.conn.close()


@pytest.fixture
def observer(transactional_db):
    watcher = Observer()
    yield watcher
    watcher.close()


@pytest.fixture
def side(transactional_db):
    sessions = []

    def open_side():
        session = Side()
        sessions.append(session)
        return session

    yield open_side
    for session in sessions:
        session.close()


@pytest.fixture
def celery_cluster(transactional_db, tmp_path):
    """``(broker, start_worker)``: the workers are killed when the test ends, before the
    database is flushed."""
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    broker = Broker(url=faults_broker_url(), queue=queue)
    workers = []
    media = tmp_path / "media"

    def start_worker(*, pool="solo", concurrency=1, env=None):
        worker = Worker(
            queue=queue,
            broker_url=broker.url,
            log_dir=tmp_path,
            name=f"worker{len(workers) + 1}",
            pool=pool,
            concurrency=concurrency,
            env={"MEDIA_ROOT": str(media), **(env or {})},
        )
        workers.append(worker)
        return worker.start()

    start_worker.media_root = media
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield broker, start_worker
    finally:
        app.conf.task_always_eager = eager
        for worker in workers:  # their work is checked: no need for a warm shutdown
            worker.kill()
        broker.close()
        connection.close()
