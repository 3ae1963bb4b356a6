"""The monthly archive: one ZIP per period with each invoice's PDF, XLSX and detail CSV, the
act and УПД (XML and PDF) of issued ones, and a registry sheet; drafts stay out; stored under
MEDIA_ROOT, rebuilt when an invoice changes, scoped."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from billing.archive import invoice_archive
from billing.archive_tasks import build_invoice_archive, build_last_month_archive
from billing.exports.act import invoice_act_pdf
from billing.exports.upd import upd_filename, upd_xml
from billing.models import Invoice
from tests.billing.invoice_samples import generated_invoice, issue, sample_invoice, volga_client

# Files are stored under a fresh MEDIA_ROOT per test (conftest.py's media).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def invoices(pm_project):
    volga = issue(generated_invoice(calls=12))
    pm_client = pm_project.client
    pm_client.legal_name = "ООО «Менеджер»"
    pm_client.tax_id, pm_client.kpp = "7736207543", "773601001"
    pm_client.save()
    other = issue(generated_invoice(pm_client, code="pmc", calls=5), number="INV-2026-000002")
    # A draft of the month (another client) is not in the archive.
    generated_invoice(volga_client(code="drafty", tax_id="7707083893"), code="dr", calls=3)
    return volga, other


def registry_rows(archive, name="registry-2026-10.xlsx"):
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read(name))).worksheets[0]
    return list(sheet.iter_rows(min_row=5, values_only=True))


def test_the_archive_holds_every_file_and_the_registry(invoices, media):
    volga, other = invoices
    path = invoice_archive(period=OCTOBER)

    assert path.parent == media / "invoice-archives"
    assert path.name.startswith("invoices-2026-10-")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        upd_names = {invoice.number: upd_filename(invoice) for invoice in (volga, other)}
        assert sorted(names) == sorted(
            [
                "registry-2026-10.xlsx",
                *(
                    f"{number}{suffix}"
                    for number in ("INV-2026-000001", "INV-2026-000002")
                    for suffix in (".pdf", ".xlsx", "-detail.csv", "-act.pdf", "-upd.pdf")
                ),
                *upd_names.values(),
            ]
        )
        assert not any(name.startswith("draft-") for name in names)
        assert archive.read("INV-2026-000001.pdf").startswith(b"%PDF-")
        assert archive.read("INV-2026-000001-act.pdf") == invoice_act_pdf(volga)
        assert archive.read(upd_names["INV-2026-000001"]) == upd_xml(volga)
        detail = archive.read("INV-2026-000001-detail.csv").decode().splitlines()
        assert detail[-1].startswith("total,")
        assert detail[-1].endswith(f",{volga.total}")
        rows = registry_rows(archive)
    by_number = {row[0]: row for row in rows}
    assert by_number["INV-2026-000001"][1:6] == (
        "volga-bank", "ПАО «Волга Банк»", "7701234560", "2026-10", "выставлен",
    )  # fmt: skip
    assert Decimal(str(by_number["INV-2026-000001"][9])) == volga.total
    assert by_number["INV-2026-000002"][1] == other.client.code
    assert "(черновик)" not in by_number
    totals = rows[2]
    assert totals[0] == "Итого (кроме аннулированных)"
    assert Decimal(str(totals[9])).quantize(Decimal("0.01")) == volga.total + other.total


def test_the_same_invoices_serve_the_stored_file_and_a_change_rebuilds(invoices, media):
    volga, _ = invoices
    first = invoice_archive(period=OCTOBER)
    assert invoice_archive(period=OCTOBER) == first
    Invoice.objects.filter(pk=volga.pk).update(
        status="paid", paid_at=dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    )
    second = invoice_archive(period=OCTOBER)
    assert second != first
    with zipfile.ZipFile(second) as archive:
        assert {row[5] for row in registry_rows(archive)[:2]} == {"оплачен", "выставлен"}


def test_the_celery_task_builds_the_full_archive(invoices, media):
    path = build_invoice_archive("2026-10")
    with zipfile.ZipFile(path) as archive:
        # Two issued invoices: счёт, act and УПД form each.
        assert len([name for name in archive.namelist() if name.endswith(".pdf")]) == 6


def test_the_daily_job_builds_last_months_archive(invoices, media):
    with time_machine.travel(dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC), tick=False):
        path = build_last_month_archive()

    assert path.endswith(".zip")
    with zipfile.ZipFile(path) as archive:
        assert "registry-2026-10.xlsx" in archive.namelist()


def test_an_empty_month_gives_a_registry_alone(db):
    with zipfile.ZipFile(invoice_archive(period=dt.date(2026, 1, 1))) as archive:
        assert archive.namelist() == ["registry-2026-01.xlsx"]


def test_the_api_archive_is_cut_to_the_callers_clients(invoices, pm_api, admin_api):
    _, other = invoices
    response = pm_api.get("/api/v1/invoices/archive/", {"period": "2026-10"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="invoices-2026-10.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(name for name in archive.namelist() if name.endswith(".pdf")) == [
        "INV-2026-000002-act.pdf", "INV-2026-000002-upd.pdf", "INV-2026-000002.pdf",
    ]  # fmt: skip
    assert [
        row[1] for row in registry_rows(archive) if row[0] != "Итого (кроме аннулированных)"
    ] == [other.client.code]

    full = admin_api.get("/api/v1/invoices/archive/", {"period": "2026-10"})
    names = zipfile.ZipFile(io.BytesIO(b"".join(full.streaming_content))).namelist()
    assert "INV-2026-000001.pdf" in names


@pytest.mark.parametrize("params", [{}, {"period": "2026-1"}, {"period": "2026-10-01"}])
def test_the_api_archive_needs_a_period(admin_api, params):
    response = admin_api.get("/api/v1/invoices/archive/", params)
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_a_void_invoice_is_listed_but_not_totalled(media):
    volga = issue(sample_invoice())
    Invoice.objects.filter(pk=volga.pk).update(
        status="void", voided_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    )
    other = issue(sample_invoice(volga_client(code="sib"), code="sib"), number="INV-2026-000002")
    with zipfile.ZipFile(invoice_archive(period=OCTOBER)) as archive:
        rows = registry_rows(archive)
        names = archive.namelist()
    assert [row[5] for row in rows[:2]] == ["выставлен", "аннулирован"]
    assert Decimal(str(rows[2][9])).quantize(Decimal("0.01")) == other.total
    # A void invoice keeps its счёт in the archive, but has no act or УПД.
    assert "INV-2026-000001.pdf" in names
    assert "INV-2026-000001-act.pdf" not in names


def test_a_buyer_without_a_russian_inn_gets_a_note_instead_of_an_upd(media):
    issue(sample_invoice(volga_client(tax_id="", kpp="")))
    with zipfile.ZipFile(invoice_archive(period=OCTOBER)) as archive:
        names = archive.namelist()
        note = archive.read("INV-2026-000001-upd-ERROR.txt").decode()
    assert "INV-2026-000001-act.pdf" in names
    assert "INV-2026-000001-upd.pdf" not in names
    assert note == "An УПД needs a Russian legal entity: a 10-digit ИНН and a 9-character КПП."


def test_the_registry_net_column_is_net_for_vat_included_clients(media):
    issue(sample_invoice(vat_included=True))
    with zipfile.ZipFile(invoice_archive(period=OCTOBER)) as archive:
        row = registry_rows(archive)[0]
    # Lines are gross: 12845.57 with VAT 2140.93 included, so 10704.64 without it.
    assert [Decimal(str(value)).quantize(Decimal("0.01")) for value in row[7:10]] == [
        Decimal("10704.64"), Decimal("2140.93"), Decimal("12845.57"),
    ]  # fmt: skip


def test_an_invoice_whose_calls_no_longer_match_gets_a_note_not_a_failed_archive(media):
    # Lines made by hand: no calls rate to them, so the detail selector refuses.
    invoice = issue(sample_invoice())
    with zipfile.ZipFile(invoice_archive(period=OCTOBER)) as archive:
        names = archive.namelist()
        note = archive.read("INV-2026-000001-detail-ERROR.txt").decode()
    assert "INV-2026-000001.pdf" in names
    assert "INV-2026-000001-detail.csv" not in names
    assert note
    assert invoice.pk
