"""Amounts are derived, never typed (issue 15): no API field edits a line or a total, and
the database refuses to issue an invoice whose totals do not add up (migration 0009)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from billing.models import Invoice, InvoiceLine
from tests.factories import ClientFactory, InvoiceFactory, InvoiceLineFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/invoices/"


@pytest.fixture
def draft():
    """A draft of 125.00 + 25.00 VAT (20%, on top) = 150.00, its totals as generation sets."""
    client = ClientFactory(code="acme")
    invoice = InvoiceFactory(client=client, period=dt.date(2026, 10, 1), vat_rate=Decimal("0.2"))
    InvoiceLineFactory(invoice=invoice, project=ProjectFactory(client=client))
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.vat, invoice.total) == (
        Decimal("125.00"),
        Decimal("25.00"),
        Decimal("150.00"),
    )
    return invoice


def stored(invoice):
    return Invoice.objects.filter(pk=invoice.pk).values().get()


def raw_issue(invoice, **sets):
    """Issue behind the services' back, as psql would."""
    columns = {"status": "issued", "number": "INV-2026-000042", **sets}
    assignments = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE billing_invoice SET {assignments}, issued_at = now() WHERE id = %s",  # noqa: S608
            [*columns.values(), invoice.pk],
        )


class TestTheApiRefusesTypedAmounts:
    def test_a_patch_or_put_of_an_invoice_is_refused_and_changes_nothing(self, admin_api, draft):
        before = stored(draft)
        patch = admin_api.patch(f"{URL}{draft.pk}/", {"total": "1.00"}, format="json")
        put = admin_api.put(f"{URL}{draft.pk}/", {"subtotal": "1.00"}, format="json")

        assert (patch.status_code, put.status_code) == (405, 405)
        assert stored(draft) == before

    def test_generate_naming_an_amount_is_a_400_naming_it(self, admin_api, draft):
        before = stored(draft)
        body = {"period": "2026-10", "client": "acme", "total": "1.00", "lines": []}

        response = admin_api.post(f"{URL}generate/", body, format="json")

        assert response.status_code == 400
        assert sorted(response.json()["errors"]) == ["lines", "total"]
        assert stored(draft) == before


class TestTheDatabaseRefusesToIssueBadTotals:
    def test_a_line_changed_under_unchanged_totals_cannot_be_issued(self, admin_api, draft):
        InvoiceLine.objects.filter(invoice=draft).update(amount=Decimal("1.00"))
        before = stored(draft)

        response = admin_api.post(f"{URL}{draft.pk}/issue/")

        assert response.status_code == 409
        assert response.json()["errors"] == {
            "total": [
                f"invoice {draft.pk} cannot be issued: subtotal 125.00 is not the sum of its "
                "lines 1.00"
            ]
        }
        assert stored(draft) == before
        with pytest.raises(IntegrityError, match="not the sum of its lines"), transaction.atomic():
            raw_issue(draft)
        assert Invoice.objects.get(pk=draft.pk).status == "draft"

    @pytest.mark.parametrize(
        ("sets", "message"),
        [
            pytest.param(
                {"subtotal": "124.00", "total": "148.80", "vat": "24.80"}, "sum", id="sub"
            ),
            pytest.param({"vat": "24.00", "total": "149.00"}, "VAT 24.00 must be 25.00", id="vat"),
        ],
    )
    def test_raw_sql_issuing_a_bad_invoice_is_refused(self, draft, sets, message):
        Invoice.objects.filter(pk=draft.pk).update(**sets)  # a draft changes freely
        with pytest.raises(IntegrityError, match=message), transaction.atomic():
            raw_issue(draft)
        assert Invoice.objects.get(pk=draft.pk).status == "draft"

    def test_vat_included_issues_with_the_included_part_and_refuses_another(self, draft):
        # VAT included: total = subtotal = 125.00, VAT = round(125 * 0.2 / 1.2, 2) = 20.83.
        Invoice.objects.filter(pk=draft.pk).update(
            vat_included=True, vat=Decimal("20.84"), total=Decimal("125.00")
        )
        with pytest.raises(IntegrityError, match="VAT included"), transaction.atomic():
            raw_issue(draft)
        Invoice.objects.filter(pk=draft.pk).update(vat=Decimal("20.83"))

        raw_issue(draft)

        issued = Invoice.objects.get(pk=draft.pk)
        assert (issued.status, issued.subtotal, issued.vat, issued.total) == (
            "issued",
            Decimal("125.00"),
            Decimal("20.83"),
            Decimal("125.00"),
        )

    def test_the_admin_action_is_refused_with_a_message(self, admin_client, draft):
        InvoiceLine.objects.filter(invoice=draft).update(amount=Decimal("1.00"))
        before = stored(draft)
        action = {"action": "issue_invoices", "_selected_action": [draft.pk]}

        response = admin_client.post("/admin/billing/invoice/", action, follow=True)

        assert [str(m) for m in response.context["messages"]] == [
            "draft acme 2026-10: The invoice's amounts do not add up: generate it again."
        ]
        assert stored(draft) == before

    def test_a_good_invoice_issues_by_raw_sql_too(self, draft):
        raw_issue(draft)
        assert Invoice.objects.get(pk=draft.pk).status == "issued"
