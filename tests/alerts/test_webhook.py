"""Signed webhooks: a real HTTP server on loopback receives the alert, checks the
HMAC-SHA256 signature over "timestamp.body"; failures are logged and retried."""

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from alerts.delivery import deliveries_plan, deliveries_requeue
from alerts.models import Alert, AlertDelivery, AlertWebhook
from contactcenter.celery import app
from tests.celery_worker import Worker
from tests.factories import ProjectFactory

SECRET = "s3cret-shared-with-the-receiver"
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


class Receiver:
    """An HTTP server in a thread: answers 500 to the first ``failures`` posts, then 200,
    and keeps every post with whether its signature verified."""

    def __init__(self, failures: int) -> None:
        self.failures, self.posts = failures, []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Alert-Timestamp"]
                expected = hmac.new(
                    SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                signed = hmac.compare_digest(
                    self.headers["X-Alert-Signature"], f"sha256={expected}"
                )
                fresh = abs(time.time() - int(timestamp)) < 300
                receiver.posts.append((signed and fresh, json.loads(body)))
                status = 500 if len(receiver.posts) <= receiver.failures else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def open_alert(project):
    return Alert.objects.create(
        project=project,
        condition="hour_service_level",
        opened_at=T0,
        last_seen_at=T0,
        message="Service level of the last hour below target: 50.0%",
    )


@pytest.fixture
def eager_retries():
    """Eager tasks that retry in place: the test settings propagate a task's exceptions, a
    retry's included, which would stop at the first failure."""
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db
def test_a_webhook_failing_twice_is_delivered_once_on_the_third_attempt(
    django_capture_on_commit_callbacks, eager_retries
):
    project = ProjectFactory(code="hotline")
    with Receiver(failures=2) as receiver:
        AlertWebhook.objects.create(project=project, url=receiver.url, secret=SECRET)
        AlertWebhook.objects.create(project=None, url=receiver.url + "/all", secret=SECRET * 2,
                                    is_active=False)  # fmt: skip
        alert = open_alert(project)
        with django_capture_on_commit_callbacks(execute=True):
            deliveries_plan(alert, AlertDelivery.Event.OPENED)

    [delivery] = AlertDelivery.objects.all()
    assert (delivery.channel, delivery.target, delivery.status, delivery.attempts) == (
        "webhook", receiver.url, "sent", 3,
    )  # fmt: skip
    assert delivery.last_error == "HTTP Error 500: Internal Server Error"
    assert [signed for signed, _ in receiver.posts] == [True, True, True]
    body = receiver.posts[-1][1]
    assert body["event"] == "opened"
    assert body["delivery"] == delivery.pk
    assert body["alert"]["project"] == "hotline"
    assert body["alert"]["condition"] == "hour_service_level"
    assert body["alert"]["state"] == "open"


@pytest.mark.django_db
def test_a_webhook_that_never_answers_fails_after_the_attempts(
    django_capture_on_commit_callbacks, settings, eager_retries
):
    settings.ALERT_DELIVERY_MAX_ATTEMPTS = 3
    project = ProjectFactory(code="hotline")
    with Receiver(failures=99) as receiver:
        AlertWebhook.objects.create(project=None, url=receiver.url, secret=SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            deliveries_plan(open_alert(project), AlertDelivery.Event.OPENED)
    [delivery] = AlertDelivery.objects.all()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert len(receiver.posts) == 3


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_retries_run_on_a_real_worker_with_backoff(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        queue=queue,
        broker_url=settings.CELERY_BROKER_URL,
        log_dir=tmp_path,
        name="worker",
        env={"ALERT_DELIVERY_BACKOFF_SECONDS": "1"},
    ).start()
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        project = ProjectFactory(code="hotline")
        with Receiver(failures=2) as receiver:
            AlertWebhook.objects.create(project=project, url=receiver.url, secret=SECRET)
            deliveries_plan(open_alert(project), AlertDelivery.Event.OPENED)  # autocommit
            sent = wait_for(lambda: AlertDelivery.objects.filter(status="sent").exists())
            assert sent, worker.log()
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        worker.process.terminate()
        worker.process.wait(timeout=30)
    connection.close()
    [delivery] = AlertDelivery.objects.all()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert [signed for signed, _ in receiver.posts] == [True, True, True]


@pytest.mark.django_db
def test_a_delivery_the_broker_missed_is_queued_again_by_the_beat(eager_retries):
    project = ProjectFactory(code="hotline")
    with Receiver(failures=0) as receiver:
        AlertWebhook.objects.create(project=project, url=receiver.url, secret=SECRET)
        # Planned, but its transaction's on_commit never queued it (the broker was down).
        deliveries_plan(open_alert(project), AlertDelivery.Event.OPENED)
        [delivery] = AlertDelivery.objects.all()
        assert deliveries_requeue(now=delivery.created_at + dt.timedelta(minutes=9)) == 0
        assert deliveries_requeue(now=delivery.created_at + dt.timedelta(minutes=11)) == 1
        assert deliveries_requeue(now=delivery.created_at + dt.timedelta(minutes=12)) == 0

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(receiver.posts) == 1
