"""Events published by the rooms reach the endpoints subscribed to them (eager Celery, a
real receiver on loopback): payment.received and invoice.paid from billing, alert.opened
from alerts, import.finished from the calls' CSV import; the center's endpoint gets every
client's events, a client's only its own. A rotated secret signs beside the new one for
the grace period; an endpoint failing for WEBHOOK_DISABLE_AFTER_DAYS is switched off and
its owner told by e-mail."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from alerts.delivery import deliveries_plan
from alerts.models import Alert, AlertDelivery
from billing.payments import payment_record
from calls.csv_import import csv_import
from tests.billing.invoice_samples import issue, sample_invoice, volga_client
from tests.factories import ClientFactory, ProjectFactory
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import delivery_attempt, endpoint_create, endpoint_rotate_secret

pytestmark = pytest.mark.django_db


def events_of(receiver):
    return [json.loads(body)["type"] for _, body in receiver.requests]


def test_a_payment_in_full_sends_payment_received_then_invoice_paid(
    django_capture_on_commit_callbacks,
):
    client = volga_client()
    invoice = issue(sample_invoice(client))
    with Receiver() as ours, Receiver() as center, Receiver() as stranger:
        endpoint_create(client=client, url=ours.url, events=["payment.received", "invoice.paid"])
        endpoint_create(client=None, url=center.url, events=["invoice.paid"])
        endpoint_create(client=ClientFactory(code="other"), url=stranger.url,
                        events=["payment.received", "invoice.paid"])  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            payment_record(invoice=invoice, amount=Decimal("15500.00"),
                           paid_on=dt.date(2026, 11, 10), reference="п/п 17")  # fmt: skip

    assert events_of(ours) == ["payment.received", "invoice.paid"]
    assert events_of(center) == ["invoice.paid"]
    assert stranger.requests == []
    received = json.loads(ours.requests[0][1])["data"]
    assert received == {
        "payment": {
            "id": received["payment"]["id"],
            "invoice": "INV-2026-000001",
            "amount": "15500.00",
            "applied_amount": "15414.68",
            "paid_on": "2026-11-10",
            "reference": "п/п 17",
            "source": "manual",
        },
        "invoice": {"id": invoice.pk, "number": "INV-2026-000001", "status": "paid",
                    "balance_due": "0.00"},
        "credit": "85.32",
    }  # fmt: skip
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 3


def test_an_opened_alert_and_a_finished_import_are_published(django_capture_on_commit_callbacks):
    project = ProjectFactory(code="hotline")
    with Receiver() as center:
        endpoint_create(client=None, url=center.url, events=["alert.opened", "import.finished"])
        alert = Alert.objects.create(
            project=project, condition="hour_service_level", opened_at=timezone.now(),
            last_seen_at=timezone.now(), message="Service level 50%",
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            deliveries_plan(alert, AlertDelivery.Event.OPENED)
        content = (
            "external_id,project,offered_at,ended_at\n"
            "imp-1,hotline,2026-10-05T11:00:00Z,2026-10-05T11:02:00Z\n"
        )
        with django_capture_on_commit_callbacks(execute=True):
            csv_import(file=content.encode(), client_id=project.client_id)

    assert events_of(center) == ["alert.opened", "import.finished"]
    opened = json.loads(center.requests[0][1])["data"]["alert"]
    assert (opened["id"], opened["project"], opened["state"]) == (alert.pk, "hotline", "open")
    finished = json.loads(center.requests[1][1])["data"]
    assert finished == {"import": {"kind": "calls_csv", "rows": 1, "created": 1, "duplicates": 0}}


def test_a_rotated_secret_signs_beside_the_old_one_for_the_grace_period(
    django_capture_on_commit_callbacks,
):
    client = volga_client()
    invoice = issue(sample_invoice(client))
    with Receiver() as receiver:
        endpoint = endpoint_create(client=client, url=receiver.url, events=["invoice.paid"])
        old = endpoint.secret
        endpoint = endpoint_rotate_secret(endpoint=endpoint)
        with django_capture_on_commit_callbacks(execute=True):
            payment_record(invoice=invoice, amount=invoice.total, paid_on=dt.date(2026, 11, 10))
    headers, body = receiver.requests[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers)["type"] == "invoice.paid"
    assert Webhook(endpoint.secret).verify(body, headers)["type"] == "invoice.paid"


def test_an_endpoint_failing_for_days_is_switched_off_and_its_owner_told(
    django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_DISABLE_AFTER_DAYS = 3
    client = volga_client(billing_email="buh@volga.example")
    invoice = issue(sample_invoice(client))
    with Receiver(failures=99) as receiver:
        endpoint = endpoint_create(client=client, url=receiver.url, events=["invoice.paid"])
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=timezone.now() - dt.timedelta(days=3, minutes=1)
        )
        with django_capture_on_commit_callbacks(execute=False) as queued:
            payment_record(invoice=invoice, amount=invoice.total, paid_on=dt.date(2026, 11, 10))
        for publish in queued:  # the events: store the delivery (its queueing left out)
            publish()
        [delivery] = WebhookDelivery.objects.all()
        with django_capture_on_commit_callbacks(execute=True):
            attempt = delivery_attempt(delivery.pk)

    assert attempt.status_code == 500
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_at is not None) == (False, True)
    assert endpoint.disabled_reason.startswith("Every delivery failed since ")
    [message] = mail.outbox
    assert message.to == ["buh@volga.example"]
    assert message.subject == f"Webhook endpoint disabled: {receiver.url}"
    assert delivery_attempt(delivery.pk) is None  # switched off: nothing more is attempted
