"""Payments (partial, full, over into credit), the old pay/, void refused, reconciliation
statement, and delivery by e-mail (locmem backend, eager tasks)."""

import datetime as dt
import io
import smtplib
from decimal import Decimal

import openpyxl
import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from billing.delivery import deliver_invoice
from billing.invoices import invoice_issue
from billing.models import Delivery, Invoice, Payment
from billing.payments import invoice_pay
from tests.billing.test_bank_statement import issued
from tests.factories import ClientFactory, InvoiceFactory
from tests.factories.billing import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/invoices/"


@pytest.fixture(autouse=True)
def december():
    with clock("2026-12-20T09:00:00"):
        yield


@pytest.fixture
def invoice():
    client = ClientFactory(code="volga", tax_id="7700000023", billing_email="buh@volga.example")
    # Issued 30 Nov 22:00 UTC: 1 December 01:00 in Moscow.
    return issued(
        client, "INV-2026-000010", Decimal("1000.00"), dt.date(2026, 11, 1),
        issued_at=dt.datetime(2026, 11, 30, 22, tzinfo=dt.UTC),
    )  # fmt: skip


def pay(api, invoice, amount, paid_on, reference=""):
    body = {"amount": amount, "paid_on": paid_on, "reference": reference}
    return api.post(f"{URL}{invoice.pk}/payments/", body, format="json")


def test_partial_then_over_payment(admin_api, invoice):
    first = pay(admin_api, invoice, "400.00", "2026-12-10", "п/п 1")
    assert first.status_code == 201
    assert {k: first.json()[k] for k in ("invoice_status", "paid_amount", "balance_due")} == {
        "invoice_status": "issued",
        "paid_amount": "400.00",
        "balance_due": "600.00",
    }
    second = pay(admin_api, invoice, "700.00", "2026-12-12")
    assert (second.json()["credit"], second.json()["client_credit"], second.json()["message"]) == (
        "100.00",
        "100.00",
        "INV-2026-000010 paid; overpaid by 100.00 RUB, kept as credit of client volga.",
    )
    body = admin_api.get(f"{URL}{invoice.pk}/").json()
    assert (body["status"], body["paid_amount"], body["balance_due"], body["paid_at"]) == (
        "paid",
        "1000.00",
        "0.00",
        "2026-12-11T21:00:00Z",  # 12 December, 00:00 in Moscow: the date of that payment
    )
    listed = admin_api.get(f"{URL}{invoice.pk}/payments/").json()
    assert [(p["paid_on"], p["amount"], p["applied_amount"], p["credit"]) for p in listed] == [
        ("2026-12-10", "400.00", "400.00", "0.00"),
        ("2026-12-12", "700.00", "600.00", "100.00"),
    ]
    assert admin_api.get("/api/v1/clients/volga/credit/").json()["balance"] == "100.00"
    refused = pay(admin_api, invoice, "1.00", "2026-12-13")
    assert (refused.status_code, refused.json()["errors"]) == (
        409,
        {"status": ["Invoice INV-2026-000010 is paid."]},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0.00", "paid_on": "2026-12-10"}, "amount"),
        ({"amount": "1.005", "paid_on": "2026-12-10"}, "amount"),
        ({"amount": "1000000000000.00", "paid_on": "2026-12-10"}, "amount"),
        ({"amount": "10.00", "paid_on": "2026-12-21"}, "paid_on"),
        ({"amount": "10.00"}, "paid_on"),
    ],
)
def test_bad_payments_are_refused_by_field(admin_api, invoice, body, field):
    response = admin_api.post(f"{URL}{invoice.pk}/payments/", body, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, [field])
    assert Payment.objects.count() == 0


def test_a_draft_takes_no_payment_and_a_paid_invoice_cannot_be_voided(admin_api, invoice):
    pay(admin_api, invoice, "10.00", "2026-12-10")
    voided = admin_api.post(f"{URL}{invoice.pk}/void/")
    assert (voided.status_code, voided.json()["errors"]) == (
        409,
        {"status": ["Invoice INV-2026-000010 has payments recorded against it."]},
    )
    draft = Invoice.objects.create(
        client=invoice.client, period=dt.date(2026, 12, 1), currency="RUB"
    )
    assert pay(admin_api, draft, "10.00", "2026-12-10").status_code == 409


def test_old_pay_records_the_whole_balance_today(admin_api, invoice):
    pay(admin_api, invoice, "250.00", "2026-12-01")
    response = admin_api.post(f"{URL}{invoice.pk}/pay/")
    assert (response.json()["status"], response.json()["paid_at"]) == (
        "paid",
        "2026-12-19T21:00:00Z",  # today, 20 December in Moscow
    )
    payments = Invoice.objects.get(pk=invoice.pk).payments.order_by("id")
    assert [(p.amount, p.paid_on) for p in payments] == [
        (Decimal("250.00"), dt.date(2026, 12, 1)),
        (Decimal("750.00"), dt.date(2026, 12, 20)),
    ]


def test_reconciliation_adds_up(admin_api, invoice):
    client = invoice.client
    october = issued(
        client, "INV-2026-000005", Decimal("300.00"), dt.date(2026, 10, 1),
        issued_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    invoice_pay(invoice=october, paid_on=dt.date(2026, 11, 20))
    pay(admin_api, invoice, "1200.00", "2026-12-15", "п/п 77")

    url = "/api/v1/clients/volga/reconciliation/"
    body = admin_api.get(url, {"from": "2026-12", "to": "2026-12"}).json()
    assert body == {
        "client": "volga",
        "currency": "RUB",
        "from": "2026-12-01",
        "to": "2026-12-31",
        "opening_balance": "0.00",  # 300.00 invoiced in November, 300.00 paid
        "entries": [
            # issued 30 Nov 22:00 UTC = 1 December 01:00 in Moscow
            {"date": "2026-12-01", "document": "Счёт INV-2026-000010 от 01.12.2026",
             "debit": "1000.00", "credit": "0.00"},
            {"date": "2026-12-15", "document": "Оплата п/п 77 по счёту INV-2026-000010",
             "debit": "0.00", "credit": "1200.00"},
        ],
        "debit_total": "1000.00",
        "credit_total": "1200.00",
        "closing_balance": "-200.00",
    }  # fmt: skip
    xlsx = admin_api.get(url, {"from": "2026-11", "to": "2026-12", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert cells == [
        ["", "Сальдо начальное", 0, None],
        ["02.11.2026", "Счёт INV-2026-000005 от 02.11.2026", 300, None],
        ["20.11.2026", "Оплата по счёту INV-2026-000005", None, 300],
        ["01.12.2026", "Счёт INV-2026-000010 от 01.12.2026", 1000, None],
        ["15.12.2026", "Оплата п/п 77 по счёту INV-2026-000010", None, 1200],
        ["", "Обороты за период", 1300, 1500],
        ["", "Сальдо конечное", -200, None],
    ]
    pdf = admin_api.get(url, {"from": "2026-12", "to": "2026-12", "format": "pdf"})
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )
    bad = admin_api.get(url, {"from": "2026-12", "to": "2026-11"})
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["to"])


def test_delivery_sends_once_and_resend_sends_again(admin_api, invoice):
    deliver_invoice.delay(invoice.pk)
    deliver_invoice.delay(invoice.pk)  # a re-run sends nothing twice
    assert [(m.to, m.subject, [a[0] for a in m.attachments]) for m in mail.outbox] == [
        (
            ["buh@volga.example"],
            "Invoice INV-2026-000010 of 01.12.2026",
            # The счёт, the акт and the printed УПД; the УПД's XML needs the buyer's КПП,
            # which this client has not given, so it is left out (and logged).
            ["INV-2026-000010.pdf", "INV-2026-000010-act.pdf", "INV-2026-000010-upd.pdf"],
        )
    ]
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.sent_at) == (
        "sent",
        1,
        dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC),
    )

    response = admin_api.post(f"{URL}{invoice.pk}/deliver/")
    # The resend is queued on commit: the test's transaction never commits, so run it here.
    assert response.status_code == 202
    deliver_invoice.delay(invoice.pk)
    assert len(mail.outbox) == 2
    assert Delivery.objects.get().attempts == 2


def test_a_failing_send_is_retried_then_succeeds_once(invoice, monkeypatch):
    sent = EmailBackend.send_messages
    calls = []

    def flaky(self, messages):
        calls.append(len(messages))
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return sent(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    # Eager, Celery raises Retry (with the backoff) to the caller instead of scheduling it.
    with pytest.raises(Retry, match="Retry in 60s"):
        deliver_invoice.delay(invoice.pk)
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error, len(mail.outbox)) == (
        "failed",
        1,
        "SMTPServerDisconnected: connection lost",
        0,
    )

    deliver_invoice.delay(invoice.pk)  # the retry, as the worker runs it
    deliver_invoice.delay(invoice.pk)  # and a duplicate run: nothing more is sent

    row.refresh_from_db()
    assert (len(calls), len(mail.outbox), row.status, row.attempts, row.last_error) == (
        2,
        1,
        "sent",
        2,
        "",
    )


def test_issuing_sends_the_invoice_once_committed(invoice, django_capture_on_commit_callbacks):
    draft = InvoiceFactory(client=invoice.client, period=dt.date(2026, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        issued_draft = invoice_issue(invoice=draft)
    assert [(m.to, m.attachments[0][0]) for m in mail.outbox] == [
        (["buh@volga.example"], f"{issued_draft.number}.pdf")
    ]
    assert Delivery.objects.get(invoice=draft).status == "sent"


def test_admin_import_previews_then_imports(admin_client, invoice):
    from tests.billing.test_bank_statement import OURS, document, statement

    Invoice.objects.filter(pk=invoice.pk).update(
        snapshot={**invoice.snapshot, "seller": {**invoice.snapshot["seller"], "account": OURS}}
    )
    data = statement(
        document("55", "08.12.2026", "1000.00", "7700000023", "Оплата INV-2026-000010")
    )
    url = "/admin/billing/payment/import/"
    upload = io.BytesIO(data)
    upload.name = "kl_to_1c.txt"
    preview = admin_client.post(url, {"file": upload})
    assert preview.context["result"]["dry_run"] is True
    assert [r["status"] for r in preview.context["result"]["matched"]] == ["paid"]
    assert Payment.objects.count() == 0

    done = admin_client.post(url, {"payload": preview.context["payload"], "confirm": "1"})
    assert done.context["result"]["dry_run"] is False
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert admin_client.get("/admin/billing/payment/").status_code == 200
    assert admin_client.get("/admin/billing/delivery/").status_code == 200
    assert admin_client.get(f"/admin/billing/invoice/{invoice.pk}/change/").status_code == 200
