"""PostgreSQL itself refuses changes to an issued invoice and to its lines and coverage.

Writes go through ``queryset.update``/``delete``, ``bulk_create`` and raw SQL: no service
checks anything on the way, so what is refused here is refused by the trigger of
billing/migrations/0004_issued_invoice_guard.py.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from billing.models import Invoice, InvoiceCoverage, InvoiceLine
from tests.factories import InvoiceFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC)
ISSUED = {"status": "issued", "number": "INV-2026-000001", "issued_at": T}


@pytest.fixture
def issued():
    """An invoice with a line and a coverage window, issued (as a draft would be)."""
    invoice = InvoiceFactory(subtotal=Decimal("125.00"), total=Decimal("125.00"))
    InvoiceLineFactory(invoice=invoice, amount=Decimal("125.00"))
    InvoiceCoverage.objects.create(
        invoice=invoice, service_period=invoice.period, received_before=T
    )
    Invoice.objects.filter(pk=invoice.pk).update(**ISSUED)
    return invoice


def refused(message="billing: invoice"):
    return pytest.raises(IntegrityError, match=message)


def test_an_update_of_an_issued_invoice_is_refused(issued):
    with refused(f"invoice {issued.pk} is issued, it cannot change"), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(total=Decimal("1.00"), subtotal=Decimal("1"))

    issued.refresh_from_db()
    assert issued.total == Decimal("125.00")


@pytest.mark.parametrize(
    "change",
    [
        {"number": "INV-2026-000777"},
        {"status": "draft", "number": None, "issued_at": None},
        {"issued_at": T + dt.timedelta(days=1)},
        {"vat_rate": Decimal("0.2")},
        {"period": dt.date(2026, 9, 1)},
        {"status": "paid", "paid_at": T, "total": Decimal("1.00"), "subtotal": Decimal("1.00")},
    ],
)
def test_no_other_column_of_an_issued_invoice_changes(issued, change):
    with refused("cannot change"), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(**change)


def test_issued_to_paid_and_issued_to_void_pass(issued):
    Invoice.objects.filter(pk=issued.pk).update(status="paid", paid_at=T)
    other = InvoiceFactory()
    Invoice.objects.filter(pk=other.pk).update(**{**ISSUED, "number": "INV-2026-000002"})
    Invoice.objects.filter(pk=other.pk).update(status="void", voided_at=T)

    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid", "void"}


@pytest.mark.parametrize(
    ("start", "change"),
    [
        ({"status": "paid", "paid_at": T}, {"status": "issued", "paid_at": None}),
        ({"status": "paid", "paid_at": T}, {"status": "void", "voided_at": T}),
        ({"status": "void", "voided_at": T}, {"status": "issued", "voided_at": None}),
        ({"status": "paid", "paid_at": T}, {"paid_at": T + dt.timedelta(days=1)}),
    ],
)
def test_paid_and_void_are_final(issued, start, change):
    Invoice.objects.filter(pk=issued.pk).update(**start)
    with refused("cannot change"), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(**change)


def test_an_issued_invoice_cannot_be_deleted(issued):
    with refused(), transaction.atomic():
        issued.delete()  # the ORM deletes the lines first: the line trigger refuses
    with refused("cannot be deleted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_invoice WHERE id = %s", [issued.pk])
    assert Invoice.objects.filter(pk=issued.pk).exists()


def test_lines_of_an_issued_invoice_cannot_be_added_changed_or_removed(issued):
    line = issued.lines.get()
    with refused("its billing_invoiceline cannot change"), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00"))
    with refused("its billing_invoiceline cannot change"), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).delete()
    with refused("its billing_invoiceline cannot change"), transaction.atomic():
        InvoiceLineFactory(invoice=issued, position=5)
    draft = InvoiceFactory(client=issued.client, period=dt.date(2026, 9, 1))
    with refused("its billing_invoiceline cannot change"), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).update(invoice=draft)  # moved out
    moved_in = InvoiceLineFactory(invoice=draft)
    with refused("its billing_invoiceline cannot change"), transaction.atomic():
        InvoiceLine.objects.filter(pk=moved_in.pk).update(invoice=issued)
    assert list(issued.lines.values_list("amount", flat=True)) == [Decimal("125.00")]


def test_coverage_of_an_issued_invoice_cannot_change(issued):
    with refused("its billing_invoicecoverage cannot change"), transaction.atomic():
        InvoiceCoverage.objects.filter(invoice=issued).update(received_before=T + dt.timedelta(1))
    with refused("its billing_invoicecoverage cannot change"), transaction.atomic():
        InvoiceCoverage.objects.filter(invoice=issued).delete()
    with refused("its billing_invoicecoverage cannot change"), transaction.atomic():
        InvoiceCoverage.objects.create(
            invoice=issued, service_period=dt.date(2026, 9, 1), received_before=T
        )


def test_a_draft_and_its_lines_change_freely():
    draft = InvoiceFactory()
    line = InvoiceLineFactory(invoice=draft)
    InvoiceLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00"))
    Invoice.objects.filter(pk=draft.pk).update(subtotal=Decimal("1.00"), total=Decimal("1.00"))
    draft.delete()
    assert not InvoiceLine.objects.exists()


def test_a_save_of_unchanged_fields_is_no_change(issued):
    issued.refresh_from_db()
    issued.save()  # what an admin form without changes would do
    issued.refresh_from_db()
    assert issued.status == "issued"
