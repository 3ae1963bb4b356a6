"""Webhooks delivered by a real Celery worker to a real HTTP receiver on loopback: an
issued invoice arrives as ``invoice.issued`` signed so that the ``standardwebhooks``
verifier accepts it; a receiver failing twice gets the event on the third attempt, once,
and the delivery log holds the three attempts."""

import datetime as dt
import json
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from standardwebhooks import Webhook

from billing.invoices import invoice_issue
from contactcenter.celery import app
from tests.billing.invoice_samples import sample_invoice, volga_client
from tests.celery_worker import Worker
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.services import endpoint_create


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path):
    """A real worker on a queue of its own; retries after 1 s (WEBHOOK_RETRY_SECONDS)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    started = Worker(
        queue=queue,
        broker_url=settings.CELERY_BROKER_URL,
        log_dir=tmp_path,
        name="webhooks-worker",
        env={"WEBHOOK_RETRY_SECONDS": "1,1,1", "WEBHOOK_ALLOW_PRIVATE_URLS": "1"},
    ).start()
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield started
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        started.process.terminate()
        started.process.wait(timeout=30)
        connection.close()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_issued_invoice_reaches_a_receiver_failing_twice_on_the_third_attempt(worker):
    client = volga_client()
    draft = sample_invoice(client)
    with Receiver(failures=2) as receiver:
        endpoint = endpoint_create(client=client, url=receiver.url, events=["invoice.issued"])
        other = endpoint_create(client=None, url=receiver.url, events=["invoice.paid"])
        issued = invoice_issue(invoice=draft)  # autocommit: published once committed

        done = wait_for(
            lambda: (
                WebhookDelivery.objects.filter(status="succeeded").exists()
                and len(receiver.requests) >= 3
            )
        )
        assert done, worker.log()
        time.sleep(1.5)  # nothing more arrives: delivered once

    assert len(receiver.requests) == 3
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.endpoint_id, delivery.status, delivery.attempts) == (
        endpoint.pk, "succeeded", 3,
    )  # fmt: skip
    assert not other.deliveries.exists()  # the center's endpoint takes invoice.paid only
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code, a.response_snippet, a.manual) for a in log] == [
        (1, 500, "receiver down", False),
        (2, 500, "receiver down", False),
        (3, 200, "ok", False),
    ]
    assert all(a.latency_ms < 5000 for a in log)

    # Every attempt carries the same webhook-id and a signature the verifier accepts.
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert ids == {delivery.message.message_id}
    headers, body = receiver.requests[-1]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "invoice.issued"
    assert payload["data"]["invoice"] == {
        "id": issued.pk,
        "number": issued.number,
        "client": "volga-bank",
        "period": "2026-10",
        "status": "issued",
        "currency": "RUB",
        "subtotal": "12845.57",
        "vat": "2569.11",
        "total": "15414.68",
        "issued_at": issued.issued_at.isoformat(),
        "due_date": issued.due_date.isoformat(),
        "paid_at": None,
    }
    assert json.loads(body) == payload
    assert abs(int(headers["webhook-timestamp"]) - dt.datetime.now(dt.UTC).timestamp()) < 120
