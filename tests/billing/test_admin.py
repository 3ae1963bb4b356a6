"""The admin of tariffs, invoices (locked once issued) and invoice number sequences."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.admin import weekday_ranges
from billing.models import Invoice, InvoiceLine, InvoiceNumberSequence, Tariff, TariffBand
from tests.admin_pages import changelist, page, rows
from tests.factories import (
    T0,
    ClientFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    InvoiceNumberSequenceFactory,
    ProjectFactory,
    TariffBandFactory,
    TariffFactory,
)

pytestmark = pytest.mark.django_db


def test_models_are_registered_and_lines_and_bands_live_inline():
    for model in (Tariff, Invoice, InvoiceNumberSequence):
        assert admin.site.is_registered(model)
    assert not admin.site.is_registered(TariffBand)
    assert not admin.site.is_registered(InvoiceLine)


@pytest.mark.parametrize(
    ("weekdays", "text"),
    [([0, 1, 2, 3, 4], "Mon-Fri"), ([5, 6], "Sat-Sun"), ([0, 2, 3, 6], "Mon, Wed-Thu, Sun")],
)
def test_weekday_ranges(weekdays, text):
    assert weekday_ranges(weekdays) == text


class TestTariffAdmin:
    @pytest.fixture
    def tariffs(self):
        bank = ProjectFactory(code="bank")
        old = TariffFactory(project=bank, valid_from=dt.date(2026, 1, 1))
        new = TariffFactory(
            project=bank,
            valid_from=dt.date(2026, 7, 1),
            first_increment_seconds=30,
            next_increment_seconds=6,
            billable=Tariff.Billable.HANDLE,
        )
        shop = TariffFactory(project__code="shop", valid_from=dt.date(2026, 3, 1))
        TariffBandFactory(tariff=new)
        return old, new, shop

    def test_changelist_shows_validity_increments_and_bands(self, admin_client, tariffs):
        old, new, shop = tariffs
        response = changelist(admin_client, Tariff)
        assert rows(response) == [new, old, shop]
        html = response.content.decode()
        old_row = html[html.index(f"/billing/tariff/{old.pk}/change/") :].split("</tr>")[0]
        assert '<td class="field-valid_until nowrap">July 1, 2026</td>' in old_row
        assert '<td class="field-increments">60/60</td>' in old_row
        assert '<td class="field-band_count">0</td>' in old_row
        new_row = html[html.index(f"/billing/tariff/{new.pk}/change/") :].split("</tr>")[0]
        assert '<td class="field-increments">30/6</td>' in new_row
        assert '<td class="field-band_count">1</td>' in new_row

    def test_search_and_filters(self, admin_client, tariffs):
        old, new, shop = tariffs
        assert rows(changelist(admin_client, Tariff, q="shop")) == [shop]
        assert rows(changelist(admin_client, Tariff, billable__exact="handle")) == [new]
        bank_only = {"project__id__exact": old.project_id}
        assert rows(changelist(admin_client, Tariff, **bank_only)) == [new, old]

    def test_change_page_shows_band_windows_with_24_00(self, admin_client, tariffs):
        _, new, _ = tariffs
        TariffBandFactory(
            tariff=new, name="weekend", weekdays=[5, 6], start=dt.time(18), end=dt.time(0)
        )
        response = page(admin_client, Tariff, "change", new.pk)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Mon-Fri 22:00-08:00 (ends next day)" in html
        assert "Sat-Sun 18:00-24:00" in html
        assert 'name="bands-1-name" value="weekend"' in html

    def test_add_page_loads(self, admin_client):
        assert page(admin_client, Tariff, "add").status_code == 200


@pytest.fixture
def acme():
    return ClientFactory(code="acme", legal_name="OOO Acme", tax_id="7701234560")


@pytest.fixture
def draft(acme):
    invoice = InvoiceFactory(client=acme, period=dt.date(2026, 10, 1))
    InvoiceLineFactory(invoice=invoice, project=ProjectFactory(client=acme, code="acme-line"))
    return invoice


@pytest.fixture
def issued(acme):
    # Lines go on a draft; the database refuses any line change once it is issued.
    invoice = InvoiceFactory(
        client=acme,
        period=dt.date(2026, 9, 1),
        vat_rate=Decimal("0.2000"),
        subtotal=Decimal("125.00"),
        vat=Decimal("25.00"),
        total=Decimal("150.00"),
    )
    InvoiceLineFactory(invoice=invoice, project=ProjectFactory(client=acme))
    Invoice.objects.filter(pk=invoice.pk).update(
        status=Invoice.Status.ISSUED, number="INV-2026-000001", issued_at=T0
    )
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def other_client_invoice():
    return InvoiceFactory(
        client=ClientFactory(code="globex", tax_id="7809876549"),
        period=dt.date(2026, 9, 1),
        status=Invoice.Status.PAID,
        number="INV-2026-000002",
        issued_at=T0,
        paid_at=T0,
    )


class TestInvoiceChangelist:
    def test_rows_show_number_period_status_and_amounts(
        self, admin_client, draft, issued, other_client_invoice
    ):
        response = changelist(admin_client, Invoice)
        assert rows(response) == [draft, issued, other_client_invoice]
        html = response.content.decode()
        issued_row = html[html.index(">INV-2026-000001</a>") :].split("</tr>")[0]
        for cell in (
            '<td class="field-period_month">2026-09</td>',
            '<td class="field-status">Issued</td>',
            '<td class="field-subtotal">125.00</td>',
            '<td class="field-vat_rate_percent">20%</td>',
            '<td class="field-vat">25.00</td>',
            '<td class="field-total">150.00</td>',
        ):
            assert cell in issued_row
        assert ">(draft)</a>" in html

    def test_search_by_number_and_by_tax_id(
        self, admin_client, draft, issued, other_client_invoice
    ):
        response = changelist(admin_client, Invoice, q="INV-2026-000002")
        assert rows(response) == [other_client_invoice]
        assert ">INV-2026-000001</a>" not in response.content.decode()
        assert rows(changelist(admin_client, Invoice, q="7701234560")) == [draft, issued]

    def test_filters_by_status_client_and_period(
        self, admin_client, draft, issued, other_client_invoice
    ):
        assert rows(changelist(admin_client, Invoice, status__exact="issued")) == [issued]
        acme_only = {"client__id__exact": draft.client_id}
        assert rows(changelist(admin_client, Invoice, **acme_only)) == [draft, issued]
        september = {"period__year": "2026", "period__month": "9"}
        assert rows(changelist(admin_client, Invoice, **september)) == [
            issued,
            other_client_invoice,
        ]

    def test_query_count_does_not_grow_with_rows(self, admin_client):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                changelist(admin_client, Invoice)
            return len(captured)

        InvoiceFactory.create_batch(2)
        changelist(admin_client, Invoice)  # warm caches
        few = queries()
        InvoiceFactory.create_batch(10)
        assert queries() == few


class TestDraftInvoice:
    def test_no_invoice_is_typed_in_the_add_page_is_refused(self, admin_client):
        response = page(admin_client, Invoice, "add")
        assert response.status_code == 403

    def test_change_page_shows_the_draft_and_its_lines_read_only(self, admin_client, draft):
        response = page(admin_client, Invoice, "change", draft.pk)
        assert response.status_code == 200
        html = response.content.decode()
        for name in ("client", "subtotal", "vat", "total", "lines-0-amount", "lines-0-calls"):
            assert f'name="{name}"' not in html
        assert re.search(r'<td class="field-minutes">\s*<p>10.00</p>', html)
        assert re.search(r'<td class="field-amount">\s*<p>125.00</p>', html)

    def test_a_post_of_changed_totals_and_lines_changes_nothing(self, admin_client, draft):
        line = draft.lines.get()
        form = {
            "subtotal": "1.00",
            "vat": "0.00",
            "total": "1.00",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": line.pk,
            "lines-0-invoice": draft.pk,
            "lines-0-amount": "1.00",
            "lines-0-billed_seconds": "60",
        }
        admin_client.post(reverse("admin:billing_invoice_change", args=[draft.pk]), form)
        stored = Invoice.objects.get(pk=draft.pk)
        assert (stored.subtotal, stored.vat, stored.total) == (
            draft.subtotal,
            draft.vat,
            draft.total,
        )
        assert draft.lines.values_list("amount", "billed_seconds").get() == (
            Decimal("125.00"),
            600,
        )

    def test_a_draft_can_be_deleted(self, admin_client, draft):
        response = admin_client.post(
            reverse("admin:billing_invoice_delete", args=[draft.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Invoice.objects.filter(pk=draft.pk).exists()


class TestIssuedInvoiceIsReadOnly:
    def test_change_page_has_no_editable_field(self, admin_client, issued):
        response = page(admin_client, Invoice, "change", issued.pk)
        assert response.status_code == 200
        html = response.content.decode()
        assert "INV-2026-000001" in html
        for name in ("client", "subtotal", "total", "lines-0-amount", "lines-0-project", "_save"):
            assert f'name="{name}"' not in html
        assert re.search(r'<td class="field-amount">\s*<p>125.00</p>', html)

    def test_a_post_is_refused_and_changes_nothing(self, admin_client, issued):
        other = ClientFactory()
        form = {
            "client": other.pk,
            "period": "2026-09-01",
            "currency": "USD",
            "vat_rate": "0",
            "subtotal": "1.00",
            "vat": "0.00",
            "total": "1.00",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        }
        response = admin_client.post(
            reverse("admin:billing_invoice_change", args=[issued.pk]), form
        )
        assert response.status_code == 403
        stored = Invoice.objects.get(pk=issued.pk)
        assert (stored.client_id, stored.currency, stored.total) == (
            issued.client_id,
            "RUB",
            Decimal("150.00"),
        )

    def test_it_cannot_be_deleted_alone_or_in_bulk(self, admin_client, issued, draft):
        url = reverse("admin:billing_invoice_delete", args=[issued.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
        bulk = {"action": "delete_selected", "_selected_action": [issued.pk, draft.pk]}
        changelist_url = reverse("admin:billing_invoice_changelist")
        confirmation = admin_client.post(changelist_url, bulk).content.decode()
        assert "<title>Cannot delete invoices" in confirmation
        assert admin_client.post(changelist_url, {**bulk, "post": "yes"}).status_code == 403
        assert Invoice.objects.filter(pk__in=[issued.pk, draft.pk]).count() == 2

    def test_paid_and_void_invoices_are_read_only_too(self, admin_client, other_client_invoice):
        html = page(admin_client, Invoice, "change", other_client_invoice.pk).content.decode()
        assert 'name="client"' not in html


class TestInvoiceNumberSequenceAdmin:
    def test_changelist_shows_the_last_number_per_year(self, admin_client):
        current = InvoiceNumberSequenceFactory(year=2026, last_number=41)
        previous = InvoiceNumberSequenceFactory(year=2025, last_number=980)
        response = changelist(admin_client, InvoiceNumberSequence)
        assert set(rows(response)) == {current, previous}
        assert '<td class="field-last_number">41</td>' in response.content.decode()

    def test_it_can_be_viewed_but_not_added_changed_or_deleted(self, admin_client):
        sequence = InvoiceNumberSequenceFactory(year=2026, last_number=41)
        assert page(admin_client, InvoiceNumberSequence, "add").status_code == 403
        view = page(admin_client, InvoiceNumberSequence, "change", sequence.pk)
        assert view.status_code == 200
        assert 'name="last_number"' not in view.content.decode()
        change = reverse("admin:billing_invoicenumbersequence_change", args=[sequence.pk])
        assert admin_client.post(change, {"year": 2026, "last_number": 0}).status_code == 403
        delete = reverse("admin:billing_invoicenumbersequence_delete", args=[sequence.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        sequence.refresh_from_db()
        assert sequence.last_number == 41


def test_a_recorded_payment_opens_read_only(admin_client, issued):
    """A payment is an accounting record: its page shows it (it used to answer 500: the
    read-only form has no ``invoice`` field to narrow) and offers no save."""
    from billing.models import Payment
    from billing.payments import payment_record

    result = payment_record(
        invoice=issued, amount=Decimal("40.00"), paid_on=dt.date(2026, 10, 5), reference="п/п 7"
    )

    response = page(admin_client, Payment, "change", result.payment.pk)

    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="readonly">п/п 7</div>' in body
    assert 'name="_save"' not in body
    assert Payment.objects.get().applied_amount == Decimal("40.00")


def test_an_invoice_issued_late_at_night_utc_reads_the_next_local_day_with_its_zone(
    admin_client, acme
):
    invoice = InvoiceFactory(client=acme, period=dt.date(2026, 11, 1), vat_rate=Decimal("0"))
    InvoiceLineFactory(invoice=invoice, project=ProjectFactory(client=acme))
    Invoice.objects.filter(pk=invoice.pk).update(
        status=Invoice.Status.ISSUED,
        number="INV-2026-000002",
        issued_at=dt.datetime(2026, 11, 30, 22, tzinfo=dt.UTC),  # 1 December 01:00 in Moscow
    )

    english = changelist(admin_client, Invoice).content.decode()
    admin_client.cookies["django_language"] = "ru"
    russian = changelist(admin_client, Invoice).content.decode()
    change = page(admin_client, Invoice, "change", invoice.pk).content.decode()

    assert '<td class="field-issued_local">2026-12-01 01:00:00 MSK</td>' in english
    assert '<td class="field-issued_local">01.12.2026 01:00:00 MSK</td>' in russian
    assert '<div class="readonly">01.12.2026 01:00:00 MSK</div>' in change
    assert '<td class="field-status">Выставлен</td>' in russian
