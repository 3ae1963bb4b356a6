"""Attempts of a delivery: a redirect is the receiver's answer (never followed), a manual
redelivery is logged as such, and the beat queues again a delivery whose task was lost."""

import datetime as dt
import http.server
import importlib
import threading

import pytest
from django.apps import apps
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookDelivery
from webhooks.services import (
    deliveries_requeue,
    delivery_attempt,
    endpoint_create,
    message_publish,
)

pytestmark = pytest.mark.django_db


def planned(url, django_capture_on_commit_callbacks):
    """A delivery stored but not queued (its on-commit queueing left out)."""
    endpoint_create(client=None, url=url, events=["report.ready"])
    with django_capture_on_commit_callbacks(execute=False):
        [delivery] = message_publish(
            event_type="report.ready", client_id=None, data={"report": {"id": 1}}
        )
    return delivery


def test_a_redirect_is_an_answer_not_followed(django_capture_on_commit_callbacks):
    hits = []

    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks"
        delivery = planned(url, django_capture_on_commit_callbacks)
        attempt = delivery_attempt(delivery.pk)
    finally:
        server.shutdown()
        server.server_close()
    assert hits == ["/hooks"]
    assert (attempt.status_code, attempt.succeeded) == (302, False)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)


def test_a_manual_redelivery_of_a_delivered_event_is_logged_as_manual(
    django_capture_on_commit_callbacks,
):
    with Receiver() as receiver:
        delivery = planned(receiver.url, django_capture_on_commit_callbacks)
        assert delivery_attempt(delivery.pk).succeeded
        assert delivery_attempt(delivery.pk) is None  # delivered: nothing more by itself
        again = delivery_attempt(delivery.pk, manual=True)
    assert (again.number, again.status_code, again.manual) == (2, 200, True)
    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]


def test_the_beat_queues_again_a_delivery_whose_task_was_lost(django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        delivery = planned(receiver.url, django_capture_on_commit_callbacks)
        due = delivery.next_attempt_at
        assert deliveries_requeue(now=due + dt.timedelta(minutes=9)) == 0
        assert deliveries_requeue(now=due + dt.timedelta(minutes=11)) == 1  # eager: sent
        assert deliveries_requeue(now=timezone.now() + dt.timedelta(hours=1)) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert len(receiver.requests) == 1

    migration = importlib.import_module("webhooks.migrations.0002_schedule_requeue")
    migration.create_schedule(apps, None)  # idempotent; a flushed test database lacks it
    migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(name=migration.NAME)
    assert (task.task, task.interval.every, task.interval.period) == (
        "webhooks.requeue", 5, "minutes",
    )  # fmt: skip
    assert WebhookDelivery.objects.count() == 1
