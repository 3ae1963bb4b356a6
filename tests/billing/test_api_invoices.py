"""invoices/: list with filters, detail shape, generate, lifecycle, downloads, tenancy."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Invoice
from tests.billing.invoice_samples import issue, sample_invoice, volga_client
from tests.factories import ClientFactory, InvoiceFactory, InvoiceLineFactory, ProjectFactory
from tests.factories.billing import answered_call, local_dt, tariff

pytestmark = pytest.mark.django_db
URL = "/api/v1/invoices/"


@pytest.fixture
def volga():
    return issue(sample_invoice())


@pytest.fixture
def pm_invoice(pm_project):
    """A draft of the PM's client (pm_project's), October 2026."""
    invoice = InvoiceFactory(client=pm_project.client, period=dt.date(2026, 10, 1))
    InvoiceLineFactory(invoice=invoice, project=pm_project)
    return invoice


def test_detail_has_the_contract_shape(admin_api, volga):
    body = admin_api.get(f"{URL}{volga.pk}/").json()
    assert {key: body[key] for key in body if key != "lines"} == {
        "id": volga.pk,
        "number": "INV-2026-000001",
        "client": "volga-bank",
        "period": "2026-10",
        "status": "issued",
        "currency": "RUB",
        "subtotal": "12845.57",
        "vat": "2569.11",
        "total": "15414.68",
        "vat_rate": "0.2000",
        "vat_included": False,
        "issued_at": "2026-11-01T07:00:00Z",
        "due_date": "2026-11-11",
        "paid_at": None,
        "voided_at": None,
        "paid_amount": "0.00",
        "balance_due": "15414.68",
        "calls_received_before": body["calls_received_before"],
        "calls_after_build": 0,
    }
    assert body["lines"][2] == {
        "position": 2,
        "project": "volga-sales",
        "kind": "usage",
        "band": "",
        "service_period": "2026-09",
        "description": "Продажи: минуты разговора (звонки, поступившие после выставления счёта)",
        "calls": 60,
        "billed_seconds": 6382,
        "quantity": "106.3667",
        "rate_per_minute": "12.4975",
        "amount": "1329.32",
    }
    assert [line["position"] for line in body["lines"]] == [0, 1, 2, 3]
    assert body["lines"][3]["kind"] == "minimum_topup"
    assert body["lines"][0]["quantity"] == "810.5000"


def test_list_filters_by_client_period_and_status(admin_api, volga):
    other = sample_invoice(volga_client(code="sib"), code="sib")
    september = InvoiceFactory(client=other.client, period=dt.date(2026, 9, 1))

    def ids(**params):
        response = admin_api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [other.pk, volga.pk, september.pk]  # newest month first, then client
    assert ids(client="sib") == [other.pk, september.pk]
    assert ids(period="2026-09") == [september.pk]
    assert ids(status="issued") == [volga.pk]
    assert ids(client="sib", period="2026-10", status="draft") == [other.pk]
    assert ids(client="ghost") == []


@pytest.mark.parametrize("period", ["2026-13", "10-2026", "2026-1", "x"])
def test_a_bad_period_filter_is_a_400_naming_it(admin_api, period):
    response = admin_api.get(URL, {"period": period})
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_list_query_count_does_not_grow_with_invoices(admin_api):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_api.get(URL).status_code == 200
        return len(queries)

    sample_invoice(volga_client(code="a1"), code="a1")
    baseline = count()
    for code in ("a2", "a3", "a4"):
        sample_invoice(volga_client(code=code), code=code)
    assert count() == baseline


def test_scoped_roles_see_only_their_clients(
    pm_api, integration_api, integration_client, volga, pm_invoice
):
    ours = InvoiceFactory(client=integration_client)
    assert [row["id"] for row in pm_api.get(URL).json()["results"]] == [pm_invoice.pk]
    assert [row["id"] for row in integration_api.get(URL).json()["results"]] == [ours.pk]
    assert pm_api.get(f"{URL}{volga.pk}/").status_code == 404
    assert integration_api.get(f"{URL}{volga.pk}/export/", {"format": "pdf"}).status_code == 404
    assert pm_api.get(f"{URL}{pm_invoice.pk}/export/", {"format": "csv"}).status_code == 200


def test_unknown_id_is_a_404(admin_api):
    assert admin_api.get(f"{URL}987654321/").status_code == 404
    assert admin_api.post(f"{URL}987654321/issue/").status_code == 404


# --- Lifecycle ------------------------------------------------------------------------------


def test_issue_pay_and_void_go_through_the_services(admin_api, pm_api, pm_invoice):
    issued = pm_api.post(f"{URL}{pm_invoice.pk}/issue/")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["status"] == "issued"
    assert issued.json()["number"].startswith("INV-")
    paid = admin_api.post(f"{URL}{pm_invoice.pk}/pay/")
    assert paid.json()["status"] == "paid"
    assert paid.json()["paid_at"]
    assert Invoice.objects.get(pk=pm_invoice.pk).status == "paid"


@pytest.mark.parametrize(
    ("status", "action"),
    [("draft", "pay"), ("draft", "void"), ("issued", "issue"), ("paid", "void"), ("void", "pay")],
)
def test_a_wrong_transition_is_a_400_naming_status(admin_api, status, action):
    invoice = sample_invoice()
    if status != "draft":
        issue(invoice)
    if status == "paid":
        Invoice.objects.filter(pk=invoice.pk).update(status="paid", paid_at=invoice.issued_at)
    if status == "void":
        Invoice.objects.filter(pk=invoice.pk).update(status="void", voided_at=invoice.issued_at)
    before = Invoice.objects.filter(pk=invoice.pk).values().get()

    response = admin_api.post(f"{URL}{invoice.pk}/{action}/")

    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert Invoice.objects.filter(pk=invoice.pk).values().get() == before


def test_an_integration_may_not_change_invoices(integration_api, integration_client):
    invoice = InvoiceFactory(client=integration_client)
    for action in ("issue", "pay", "void"):
        assert integration_api.post(f"{URL}{invoice.pk}/{action}/").status_code == 403
    response = integration_api.post(f"{URL}generate/", {"period": "2026-10"})
    assert response.status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).status == "draft"


# --- Generate -------------------------------------------------------------------------------


@pytest.fixture
def billed_projects(pm_project):
    """Two clients with an answered October call each: the PM's and another one."""
    other = ProjectFactory(code="other-line", client=ClientFactory(code="other-co"))
    for project in (pm_project, other):
        tariff(project, rate="10.0000", scheme="60/60")
        answered_call(project, local_dt("2026-10-05 10:00"), connected=90)
    return pm_project, other


def test_generate_answers_the_invoices(admin_api, billed_projects):
    response = admin_api.post(f"{URL}generate/", {"period": "2026-10"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert sorted(row["client"] for row in body) == sorted(p.client.code for p in billed_projects)
    assert {row["total"] for row in body} == {"20.00"}  # 90 s at 60/60: 2 min at 10.00
    assert body[0]["lines"][0]["quantity"] == "2.0000"
    again = admin_api.post(f"{URL}generate/", {"period": "2026-10"})
    assert sorted(row["id"] for row in again.json()) == sorted(row["id"] for row in body)
    assert Invoice.objects.count() == 2


def test_a_pm_generates_only_for_their_clients(pm_api, billed_projects):
    mine, other = billed_projects
    response = pm_api.post(f"{URL}generate/", {"period": "2026-10"})
    assert [row["client"] for row in response.json()] == [mine.client.code]
    refused = pm_api.post(f"{URL}generate/", {"period": "2026-10", "client": other.client.code})
    assert refused.status_code == 400
    assert "client" in refused.json()["errors"]
    assert not Invoice.objects.filter(client=other.client).exists()


@pytest.mark.parametrize("body", [{}, {"period": "2026-13"}, {"period": "October"}])
def test_generate_refuses_a_bad_period(admin_api, body):
    response = admin_api.post(f"{URL}generate/", body)
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


# --- Downloads ------------------------------------------------------------------------------


def test_export_pdf(admin_api, volga):
    response = admin_api.get(f"{URL}{volga.pk}/export/", {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="INV-2026-000001.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_export_xlsx(admin_api, volga):
    response = admin_api.get(f"{URL}{volga.pk}/export/", {"format": "xlsx"})
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="INV-2026-000001.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "Счёт на оплату № INV-2026-000001 от 01.11.2026"


def test_export_csv_of_a_draft_is_named_after_client_and_month(admin_api):
    draft = sample_invoice()
    response = admin_api.get(f"{URL}{draft.pk}/export/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="draft-volga-bank-2026-10.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][9:15] == ["total", "", "", "", "", "15414.68"]


def test_export_detail_is_streamed(admin_api, pm_project):
    tariff(pm_project, rate="10.0000", scheme="1/1")
    for minute in range(3):
        answered_call(pm_project, local_dt(f"2026-10-05 10:0{minute}"), connected=30 + minute)
    (invoice,) = admin_api.post(f"{URL}generate/", {"period": "2026-10"}).json()

    response = admin_api.get(f"{URL}{invoice['id']}/export/", {"format": "detail"})

    assert response.status_code == 200
    assert response.streaming
    name = f"draft-{pm_project.client.code}-2026-10-detail.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[-1] for row in rows[1:4]] == ["5.00", "5.17", "5.33"]
    assert rows[-1][0] == "total"
    assert rows[-1][-1] == invoice["total"]


@pytest.mark.parametrize("params", [{"format": "docx"}, {"format": ""}, {}])
def test_a_bad_format_is_a_400_naming_format(admin_api, volga, params):
    response = admin_api.get(f"{URL}{volga.pk}/export/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "format" in response.json()["errors"]


def test_an_accept_header_does_not_break_the_download(admin_api, volga):
    response = admin_api.get(
        f"{URL}{volga.pk}/export/", {"format": "pdf"}, HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_anonymous_is_401(anon_api, volga):
    assert anon_api.get(URL).status_code == 401
    assert anon_api.get(f"{URL}{volga.pk}/export/", {"format": "pdf"}).status_code == 401
    assert anon_api.get(f"{URL}archive/", {"period": "2026-10"}).status_code == 401


def test_amounts_are_decimal_strings(admin_api, volga):
    row = admin_api.get(URL).json()["results"][0]
    assert isinstance(row["total"], str)
    assert Decimal(row["total"]) == volga.total


def test_a_detail_whose_calls_no_longer_match_is_a_409_before_any_byte(admin_api):
    invoice = sample_invoice()  # hand-made lines: no calls rate to them
    response = admin_api.get(f"{URL}{invoice.pk}/export/", {"format": "detail"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
