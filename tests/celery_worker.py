"""A real ``celery worker`` for the tests that need one: on the real broker, reading the
test database, consuming a queue of its own, in a process group of its own."""

import contextlib
import os
import signal
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url():
    """The test database (pytest-django's ``test_`` one) as a URL, for workers and psycopg."""
    db = connection.settings_dict
    quote = urllib.parse.quote
    user = quote(db["USER"], safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


class Worker:
    """``celery worker`` in a process group of its own (SIGKILL reaches the whole worker)."""

    def __init__(self, *, queue, broker_url, log_dir, name, pool="solo", concurrency=1,
                 env=None):  # fmt: skip
        self.queue, self.broker_url, self.pool, self.concurrency = (
            queue, broker_url, pool, concurrency,
        )  # fmt: skip
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.process = None

    def start(self):
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "contactcenter",
                "worker",
                "-Q",
                self.queue,
                "-n",
                f"{self.name}-{uuid.uuid4().hex[:6]}@%h",
                "--pool",
                self.pool,
                "--concurrency",
                str(self.concurrency),
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the pool too
        )
        log.close()
        return self

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    def children(self):
        """The pids of the worker's pool processes (prefork)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def kill(self):
        """SIGKILL the whole worker: no shutdown, no acknowledgement, nothing flushed."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log(self):
        return f"--- {self.name} log (last 4000 chars) ---\n{self.text()[-4000:]}"
