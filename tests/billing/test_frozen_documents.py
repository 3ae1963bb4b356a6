"""Issued documents never change: the snapshot taken at issue feeds every export, tariffs that
rated an issued invoice are refused (409 naming it), and a client's billing fields need the
billing right (docs/billing.md "Frozen documents", docs/exports.md "Safe CSV")."""

import csv
import datetime as dt
import importlib
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from billing.archive import invoice_archive
from billing.frozen import invoice_snapshot, legacy_seller_details
from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from billing.models import Invoice, Tariff, TariffBand
from contactcenter.csv_safety import neutralize_cell, safe_csv_writer
from projects.models import Client, Project, Seller, VatRate
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.factories import ClientFactory, ProjectFactory, UserFactory, VatRateFactory
from tests.factories.billing import answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
INVOICES = "/api/v1/invoices/"
TARIFFS = "/api/v1/tariffs/"
EVIL = '=HYPERLINK("http://evil.example","x")'


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def xlsx_cells(data):
    sheet = load_workbook(io.BytesIO(data)).active
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


def download(api, invoice, name):
    response = api.get(f"{INVOICES}{invoice.pk}/export/", {"format": name})
    assert response.status_code == 200, response.content[:300]
    if name == "detail":
        return b"".join(response.streaming_content)
    return response.content


def documents(api, invoice):
    return {
        "pdf": pdf_text(download(api, invoice, "pdf")),
        "xlsx": xlsx_cells(download(api, invoice, "xlsx")),
        "csv": download(api, invoice, "csv"),
        "detail": download(api, invoice, "detail"),
    }


@pytest.fixture
def volga(db):
    client = ClientFactory(
        code="volga-bank",
        legal_name="ПАО «Волга Банк»",
        tax_id="7701234560",
        kpp="770101001",
        address="125009, г. Москва, ул. Тверская, д. 7",
    )
    VatRateFactory(client=client, rate=Decimal("0.2000"))
    return client


@pytest.fixture
def hotline(volga):
    return ProjectFactory(client=volga, code="volga-hotline", name="Горячая линия")


@pytest.fixture
def rated(hotline):
    """The tariff of 2026-01-01: 12.50/min, 30/6 s, a '+night' band at 15.00 (22:00-08:00)."""
    return tariff(
        hotline,
        rate="12.5000",
        scheme="30/6",
        bands=[("+night", [0, 1, 2, 3, 4, 5, 6], "22:00", "08:00", "15.0000")],
    )


@pytest.fixture
def issued(volga, hotline, rated):
    """October: a day call of 100 s (its external_id is a formula) and a night call of
    61 s. 100 s -> 30 + 12*6 = 102 s = 21.25; 61 s -> 66 s at 15.00 = 16.50."""
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=100, external_id=EVIL)
    answered_call(hotline, local_dt("2026-10-06 23:00"), connected=61, external_id="cdr-night")
    with clock("2026-11-05T12:00"):
        [draft] = invoice_generate(period=OCTOBER, client_code=volga.code)
        return invoice_issue(invoice=draft)


def test_the_snapshot_holds_both_parties_vat_and_the_tariffs_as_rated(issued, rated):
    snapshot = Invoice.objects.get(pk=issued.pk).snapshot

    assert snapshot["buyer"] == {
        "code": "volga-bank",
        "name": "ПАО «Волга Банк»",
        "inn": "7701234560",
        "kpp": "770101001",
        "address": "125009, г. Москва, ул. Тверская, д. 7",
        "ogrn": "",
        "billing_email": "",
        "timezone": "Europe/Moscow",
        "currency": "RUB",
        "contract_number": "",
        "contract_date": None,
        "payment_terms_days": 10,
    }
    assert snapshot["seller"] == {
        "code": "main",
        "name": "ООО «Контакт-Центр Демо»",
        "inn": "7709876545",
        "kpp": "770901001",
        "ogrn": "1027709876545",
        "address": "105064, г. Москва, ул. Земляной Вал, д. 9",
        "bank": "АО «Демо Банк», г. Москва",
        "bik": "044525999",
        "account": "40702810600000012345",
        "correspondent_account": "30101810600000000999",
        "director": "Иванов И. И.",
        "accountant": "Петрова А. С.",
        "chief_accountant": "Петрова А. С.",
    }
    assert snapshot["vat"] == {"rate": "0.2000", "included": False}
    assert snapshot["months"] == ["2026-10-01"]
    [project] = snapshot["projects"]
    assert (project["code"], project["timezone"]) == ("volga-hotline", "Europe/Moscow")
    assert project["tariffs"] == [
        {
            "id": rated.pk,
            "valid_from": "2026-01-01",
            "currency": "RUB",
            "rate_per_minute": "12.5000",
            "first_increment_seconds": 30,
            "next_increment_seconds": 6,
            "free_seconds": 0,
            "billable": "connected",
            "wrap_cap_seconds": None,
            "monthly_minimum": "0.00",
            "bands": [
                {
                    "position": 0,
                    "name": "+night",
                    "display_name": "+night",  # blank display name: the name is printed
                    "weekdays": [0, 1, 2, 3, 4, 5, 6],
                    "start": "22:00:00",
                    "end": "08:00:00",
                    "rate_per_minute": "15.0000",
                }
            ],
        }
    ]
    assert (issued.subtotal, issued.vat, issued.total) == (
        Decimal("37.75"),
        Decimal("7.55"),
        Decimal("45.30"),
    )


def test_its_documents_stay_the_same_after_the_client_tariff_and_seller_change(
    admin_api, issued, volga, hotline, rated
):
    before = documents(admin_api, issued)
    archive_before = invoice_archive(period=OCTOBER)
    assert "ПАО «Волга Банк»" in before["pdf"]
    assert "7701234560" in before["pdf"]

    renamed = admin_api.patch(
        f"/api/v1/clients/{volga.code}/",
        {
            "legal_name": "ООО «Новое имя»",
            "tax_id": "7812345675",
            "address": "190000, Санкт-Петербург",
            "vat_rate": "0.1000",
        },
        format="json",
    )
    assert renamed.status_code == 200
    refused = admin_api.patch(f"{TARIFFS}{rated.pk}/", {"rate_per_minute": "99.0000"})
    assert refused.status_code == 409
    # Even a write behind the API's back (the database, a script) does not reach the files.
    Tariff.objects.filter(pk=rated.pk).update(rate_per_minute=Decimal("50.0000"))
    TariffBand.objects.filter(tariff=rated).update(start=dt.time(0), name="renamed")
    Project.objects.filter(pk=hotline.pk).update(code="renamed-line", timezone="Asia/Tokyo")
    Seller.objects.filter(code="main").update(name="ООО «Другой продавец»", inn="7707083893")
    after = documents(admin_api, issued)
    archive_after = invoice_archive(period=OCTOBER)

    assert after["pdf"] == before["pdf"]
    assert after["xlsx"] == before["xlsx"]
    assert after["csv"] == before["csv"]
    assert after["detail"] == before["detail"]
    assert archive_after == archive_before  # same fingerprint: the stored archive is served
    assert "Новое имя" not in after["pdf"]
    assert "Другой продавец" not in after["pdf"]
    assert Client.objects.get(pk=volga.pk).legal_name == "ООО «Новое имя»"


def test_a_draft_reads_the_live_client(admin_api, volga, hotline, rated):
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-05T12:00"):
        [draft] = admin_api.post(
            f"{INVOICES}generate/", {"period": "2026-10"}, format="json"
        ).json()
    Client.objects.filter(pk=volga.pk).update(legal_name="ООО «Новое имя»")

    text = pdf_text(admin_api.get(f"{INVOICES}{draft['id']}/export/?format=pdf").content)

    assert "ООО «Новое имя»" in text
    assert Invoice.objects.get(pk=draft["id"]).snapshot is None


class TestTariffBehindAnIssuedInvoice:
    def test_delete_is_409_naming_the_invoice_and_keeps_the_tariff(self, admin_api, issued, rated):
        response = admin_api.delete(f"{TARIFFS}{rated.pk}/")

        assert response.status_code == 409
        assert issued.number in response.json()["errors"]["tariff"][0]
        assert issued.number in response.json()["detail"]
        assert Tariff.objects.filter(pk=rated.pk).exists()
        assert TariffBand.objects.filter(tariff=rated).count() == 1

    def test_patch_of_its_rate_or_bands_is_409_and_changes_nothing(
        self, admin_api, pm_api, issued, rated
    ):
        rate = admin_api.patch(f"{TARIFFS}{rated.pk}/", {"rate_per_minute": "13.0000"})
        bands = admin_api.patch(f"{TARIFFS}{rated.pk}/", {"bands": []}, format="json")

        assert (rate.status_code, bands.status_code) == (409, 409)
        assert rate.json()["errors"]["tariff"] == [
            f"Invoice {issued.number} was rated by this project's tariffs in force then and "
            "cannot change; create a new tariff from a later date instead."
        ]
        stored = Tariff.objects.get(pk=rated.pk)
        assert stored.rate_per_minute == Decimal("12.5000")
        assert list(stored.bands.values_list("name", "start")) == [("+night", dt.time(22))]

    def test_a_new_tariff_from_the_next_month_is_created(self, admin_api, issued, rated):
        body = {"project": "volga-hotline", "valid_from": "2026-11-01", "rate_per_minute": "14"}

        response = admin_api.post(TARIFFS, body, format="json")

        assert response.status_code == 201
        assert Tariff.objects.filter(project__code="volga-hotline").count() == 2

    def test_a_new_tariff_inside_the_issued_month_is_409_on_valid_from(
        self, admin_api, issued, rated
    ):
        body = {"project": "volga-hotline", "valid_from": "2026-10-15", "rate_per_minute": "14"}

        response = admin_api.post(TARIFFS, body, format="json")

        assert response.status_code == 409
        assert issued.number in response.json()["errors"]["valid_from"][0]
        assert Tariff.objects.filter(project__code="volga-hotline").count() == 1

    def test_a_later_tariff_stays_editable(self, admin_api, issued, rated):
        later = tariff(rated.project, dt.date(2026, 12, 1), rate="14.0000")

        response = admin_api.patch(f"{TARIFFS}{later.pk}/", {"rate_per_minute": "15.0000"})

        assert response.status_code == 200
        assert Tariff.objects.get(pk=later.pk).rate_per_minute == Decimal("15.0000")
        # ...but not moved into the issued month.
        moved = admin_api.patch(f"{TARIFFS}{later.pk}/", {"valid_from": "2026-10-20"})
        assert moved.status_code == 409
        assert Tariff.objects.get(pk=later.pk).valid_from == dt.date(2026, 12, 1)

    def test_a_draft_does_not_freeze_its_tariff(self, admin_api, hotline, rated):
        answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
        with clock("2026-11-05T12:00"):
            admin_api.post(f"{INVOICES}generate/", {"period": "2026-10"}, format="json")

        response = admin_api.patch(f"{TARIFFS}{rated.pk}/", {"rate_per_minute": "13.0000"})

        assert response.status_code == 200

    def test_the_admin_shows_it_read_only_and_refuses_deletion(self, admin_client, issued, rated):
        url = f"/admin/billing/tariff/{rated.pk}/change/"
        html = admin_client.get(url).content.decode()
        assert f"This tariff rated issued invoice {issued.number}" in html
        for name in ("rate_per_minute", "valid_from", "bands-0-rate_per_minute"):
            assert f'name="{name}"' not in html
        admin_client.post(url, {"rate_per_minute": "99", "valid_from": "2026-02-01"})
        delete = admin_client.post(f"/admin/billing/tariff/{rated.pk}/delete/", {"post": "yes"})
        bulk = admin_client.post(
            "/admin/billing/tariff/",
            {"action": "delete_selected", "_selected_action": [rated.pk], "post": "yes"},
        )

        assert delete.status_code == 403
        assert bulk.status_code == 403
        stored = Tariff.objects.get(pk=rated.pk)
        assert (stored.rate_per_minute, stored.valid_from) == (
            Decimal("12.5000"),
            dt.date(2026, 1, 1),
        )

    def test_the_admin_refuses_a_new_tariff_inside_the_issued_month(
        self, admin_client, issued, hotline
    ):
        form = {
            "project": hotline.pk,
            "valid_from": "2026-10-15",
            "currency": "RUB",
            "rate_per_minute": "14",
            "first_increment_seconds": "60",
            "next_increment_seconds": "60",
            "free_seconds": "0",
            "billable": "connected",
            "monthly_minimum": "0",
            "bands-TOTAL_FORMS": "0",
            "bands-INITIAL_FORMS": "0",
        }

        response = admin_client.post("/admin/billing/tariff/add/", form)

        assert response.status_code == 200
        assert issued.number in response.content.decode()
        assert Tariff.objects.filter(project=hotline).count() == 1


class TestClientBillingFields:
    def test_a_pm_may_not_change_vat_through_the_api(self, pm_api, pm_project):
        client = pm_project.client
        VatRateFactory(client=client, rate=Decimal("0.2000"))

        response = pm_api.patch(
            f"/api/v1/clients/{client.code}/", {"vat_rate": "0.0000"}, format="json"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert list(response.json()["errors"]) == ["vat_rate"]
        assert list(VatRate.objects.filter(client=client).values_list("rate", flat=True)) == [
            Decimal("0.2000")
        ]

    def test_a_pm_may_not_change_the_legal_name_inn_or_vat_mode(self, pm_api, pm_project):
        client = pm_project.client
        body = {"legal_name": "Other", "tax_id": "7812345675", "vat_included": True}

        response = pm_api.patch(f"/api/v1/clients/{client.code}/", body, format="json")

        assert response.status_code == 403
        assert sorted(response.json()["errors"]) == ["legal_name", "tax_id", "vat_included"]
        stored = Client.objects.get(pk=client.pk)
        assert (stored.legal_name, stored.tax_id, stored.vat_included) == (
            client.legal_name,
            client.tax_id,
            False,
        )

    def test_a_pm_may_still_change_other_fields_and_resend_unchanged_ones(self, pm_api, pm_project):
        client = pm_project.client
        body = {"is_active": False, "legal_name": client.legal_name}

        response = pm_api.patch(f"/api/v1/clients/{client.code}/", body, format="json")

        assert response.status_code == 200
        assert Client.objects.get(pk=client.pk).is_active is False

    def test_a_superuser_changes_the_vat(self, admin_api, pm_project):
        client = pm_project.client

        response = admin_api.patch(
            f"/api/v1/clients/{client.code}/", {"vat_rate": "0.1000"}, format="json"
        )

        assert response.status_code == 200
        assert VatRate.objects.get(client=client).rate == Decimal("0.1000")

    def test_the_admin_refuses_a_pm_the_same(self, client, db):
        roles_setup()
        pm = UserFactory(username="olga", is_staff=True)
        pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
        project = ProjectFactory(code="olga-line")
        project.managers.add(pm)
        client.force_login(pm)
        url = f"/admin/projects/client/{project.client.pk}/change/"

        response = client.post(url, {"code": project.client.code, "legal_name": "Other"})

        assert response.status_code == 403
        assert Client.objects.get(pk=project.client.pk).legal_name != "Other"


class TestSafeCsv:
    def test_the_detail_neutralizes_formulas_and_keeps_numbers(self, admin_api, issued):
        rows = list(csv.reader(io.StringIO(download(admin_api, issued, "detail").decode())))

        assert rows[1][:2] == ["volga-hotline", "'" + EVIL]
        assert (rows[1][7], rows[1][9], rows[1][10]) == ("", "no", "21.25")  # inside hours: no
        assert (rows[2][1], rows[2][7], rows[2][10]) == ("cdr-night", "'+night", "16.50")
        assert rows[3][:2] == ["calls total", "2"]
        assert rows[-1][0] == "total"
        assert rows[-1][-1] == "45.30"

    def test_the_invoice_csv_neutralizes_band_names(self, admin_api, issued):
        rows = list(csv.reader(io.StringIO(download(admin_api, issued, "csv").decode())))
        header = rows[0]

        night = rows[2]
        assert night[header.index("band")] == "'+night"
        assert night[header.index("amount")] == "16.50"
        assert night[header.index("rate_per_minute")] == "15.0000"

    def test_xlsx_writes_a_formula_like_name_as_text(self, admin_api, volga, hotline, rated):
        Client.objects.filter(pk=volga.pk).update(legal_name="=1+1")
        answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
        with clock("2026-11-05T12:00"):
            [draft] = admin_api.post(
                f"{INVOICES}generate/", {"period": "2026-10"}, format="json"
            ).json()

        cells = [
            cell
            for row in xlsx_cells(
                admin_api.get(f"{INVOICES}{draft['id']}/export/?format=xlsx").content
            )
            for cell in row
        ]

        buyer = [(value, kind) for value, kind in cells if str(value).startswith("=1+1")]
        assert buyer == [(f"=1+1, ИНН {volga.tax_id}, КПП {volga.kpp}, {volga.address}", "s")]
        assert not any(kind == "f" for _, kind in cells)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+7 901", "'+7 901"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
    ],
)
def test_neutralize_cell(value, written):
    assert neutralize_cell(value) == written


def test_a_negative_number_is_written_as_a_number():
    buffer = io.StringIO(newline="")
    safe_csv_writer(buffer).writerow([Decimal("-12.50"), "-12.50", 5])

    assert buffer.getvalue() == "-12.50,'-12.50,5\r\n"


def test_every_csv_writer_of_the_project_is_the_safe_one():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("billing", "calls", "agents", "projects", "contactcenter")
        for path in (root / app).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
        and path.name != "csv_safety.py"
    ]

    assert offenders == []


def test_the_migration_fills_the_snapshot_of_invoices_issued_before_it(volga, hotline, rated):
    """0007's data step, run on an issued invoice without a snapshot (as before 0007):
    it gets today's data, and the issued-invoice guard is on again afterwards."""
    migration = importlib.import_module("billing.migrations.0007_invoice_snapshot")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=100)
    with clock("2026-11-05T12:00"):
        [draft] = invoice_generate(period=OCTOBER, client_code=volga.code)
    Invoice.objects.filter(pk=draft.pk).update(
        status="issued", number="INV-2026-000007", issued_at=dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
    )
    assert Invoice.objects.get(pk=draft.pk).snapshot is None

    migration.fill_snapshots(django_apps, SimpleNamespace(connection=connection))

    stored = Invoice.objects.get(pk=draft.pk)
    # The seller as the SELLER_* settings said (sellers became data in projects 0005).
    assert stored.snapshot == {**invoice_snapshot(stored), "seller": legacy_seller_details()}
    assert stored.snapshot["seller"]["inn"] == "7709876545"
    assert stored.snapshot["buyer"]["inn"] == "7701234560"
    assert [t["id"] for t in stored.snapshot["projects"][0]["tariffs"]] == [rated.pk]
    with pytest.raises(IntegrityError, match="is issued"), transaction.atomic():
        Invoice.objects.filter(pk=draft.pk).update(snapshot=None)
