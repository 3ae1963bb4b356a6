"""The accountant's pages: invoices with their documents, payments and balance, the
reconciliation statement; drafts and another client's invoices never appear."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from billing.payments import payment_record
from calls.models import Call
from tests.factories.billing import clock, tariff
from tests.portal.world import build_world, call, html_tables, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    call(world["foreign"], "2026-10-06 09:00", wait=5)  # B's billable call
    # Received a minute after being offered, as billing's own tests store them.
    Call.objects.update(received_at=F("offered_at") + dt.timedelta(minutes=1))
    call_command("rollup_kpis", verbosity=0)
    for project in (world["hotline"], world["sales"], world["foreign"]):
        tariff(project, rate="1.0000")
    with clock("2026-11-05T12:00"):
        october = dt.date(2026, 10, 1)
        issued = invoice_issue(invoice=invoice_generate(period=october, client_code="alfa")[0])
        invoice_generate(period=october, client_code="beta")  # B's draft
    with clock("2026-11-10T12:00"):
        payment_record(
            invoice=issued,
            amount=Decimal("5.00"),
            paid_on=dt.date(2026, 11, 10),
            reference="п/п 17",
        )
    world["invoice"] = issued
    return world


def test_the_accountant_reads_invoices_payments_and_balance(client, world):
    logged_in(client, "alfa-accountant")

    page = client.get("/portal/invoices/")

    assert page.status_code == 200
    tables = html_tables(page)
    # 4 hotline calls of 100 s and 1 sales call of 100 s at 1 ₽ a minute, no VAT rate:
    # 6.67 + 1.67 = 8.34; 5.00 paid.
    assert tables["invoices"]["rows"] == [
        ["INV-2026-000001", "2026-10", "Issued", "8.34", "5.00", "3.34", "2026-11-15"]
    ]
    assert tables["payments"]["rows"] == [["2026-11-10", "INV-2026-000001", "5.00", "п/п 17"]]
    assert 'id="owed">3.34 RUB' in page.content.decode()


def test_the_accountant_downloads_the_closing_documents(client, world):
    logged_in(client, "alfa-accountant")
    pk = world["invoice"].pk

    pdf = client.get(f"/portal/invoices/{pk}/pdf/")
    act = client.get(f"/portal/invoices/{pk}/act/")
    upd = client.get(f"/portal/invoices/{pk}/upd/")

    assert (pdf.status_code, act.status_code, upd.status_code) == (200, 200, 200), (
        upd.content.decode()
    )
    assert pdf.content.startswith(b"%PDF")
    assert act.content.startswith(b"%PDF")
    assert upd["Content-Type"].startswith("application/xml")
    assert client.get(f"/portal/invoices/{pk}/detail/").status_code == 404  # not offered


def test_another_clients_invoice_is_a_404(client, world):
    beta_draft = world["beta"].invoices.get()
    logged_in(client, "alfa-accountant")
    assert client.get(f"/portal/invoices/{beta_draft.pk}/pdf/").status_code == 404


def test_the_reconciliation_statement_and_its_exports(client, world):
    logged_in(client, "alfa-accountant")
    query = {"month_from": "2026-10", "month_to": "2026-11"}

    page = client.get("/portal/reconciliation/", query)
    exported = client.get("/portal/reconciliation/", {**query, "export": "csv"})
    pdf = client.get("/portal/reconciliation/", {**query, "export": "pdf"})

    rows = html_tables(page)["reconciliation"]["rows"]
    assert rows == [
        ["", "Opening balance", "0.00", ""],
        ["2026-11-05", "Счёт INV-2026-000001 от 05.11.2026", "8.34", "0.00"],
        ["2026-11-10", "Оплата п/п 17 по счёту INV-2026-000001", "0.00", "5.00"],
        ["", "Turnover", "8.34", "5.00"],
        ["", "Closing balance", "3.34", ""],
    ]
    assert exported.content.decode().splitlines()[1:] == [",".join(row) for row in rows]
    assert pdf.content.startswith(b"%PDF")
    bad = client.get("/portal/reconciliation/", {"month_from": "2026-13"})
    assert bad.status_code == 400
    assert 'data-field="month_from"' in bad.content.decode()
