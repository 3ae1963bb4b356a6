"""The database itself refuses tariffs, bands, invoices, lines and number sequences that
break SPEC section 7.

Rows are written through the ORM (``create``, ``queryset.update``, ``bulk_create``), which
never calls ``full_clean``: what is refused here is refused by PostgreSQL, whichever code
path writes. Each refused statement runs in its own savepoint so the test can go on.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.models import Invoice, InvoiceLine, InvoiceNumberSequence, Tariff, TariffBand
from tests.constraints import assert_refused_on_insert_and_update, assert_saved_as_given
from tests.factories import (
    T0,
    ClientFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    InvoiceNumberSequenceFactory,
    TariffBandFactory,
    TariffFactory,
)

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
ISSUED = {"status": "issued", "number": "INV-2026-000001", "issued_at": T0}


@pytest.mark.parametrize(
    "factory",
    [
        TariffFactory,
        TariffBandFactory,
        InvoiceFactory,
        InvoiceLineFactory,
        InvoiceNumberSequenceFactory,
    ],
)
def test_a_valid_factory_row_saves(factory):
    row = factory()

    row.refresh_from_db()
    assert type(row).objects.filter(pk=row.pk).exists()


# --- Tariff -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param(
            {"rate_per_minute": Decimal("-0.0001")}, "tariff_rate_non_negative", id="negative rate"
        ),
        pytest.param(
            {"first_increment_seconds": 0}, "tariff_increments_positive", id="first increment 0"
        ),
        pytest.param(
            {"next_increment_seconds": 0}, "tariff_increments_positive", id="next increment 0"
        ),
        pytest.param(
            {"monthly_minimum": Decimal("-0.01")},
            "tariff_minimum_non_negative",
            id="negative monthly minimum",
        ),
        pytest.param({"billable": "wrap"}, "tariff_billable_valid", id="unknown billable"),
        pytest.param({"currency": "rub"}, "tariff_currency_format", id="lowercase currency"),
        pytest.param({"currency": "RU"}, "tariff_currency_format", id="currency of 2 letters"),
        pytest.param({"currency": "R1B"}, "tariff_currency_format", id="currency with a digit"),
        # PositiveIntegerField columns get a ">= 0" check from Django itself.
        pytest.param(
            {"free_seconds": -1}, "billing_tariff_free_seconds_check", id="negative free seconds"
        ),
        pytest.param(
            {"wrap_cap_seconds": -1},
            "billing_tariff_wrap_cap_seconds_check",
            id="negative wrap cap",
        ),
    ],
)
def test_tariff_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(TariffFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"rate_per_minute": Decimal("0")}, id="free of charge"),
        pytest.param({"first_increment_seconds": 1, "next_increment_seconds": 1}, id="1/1"),
        pytest.param({"first_increment_seconds": 30, "next_increment_seconds": 6}, id="30/6"),
        pytest.param({"monthly_minimum": Decimal("0")}, id="no monthly minimum"),
        pytest.param({"free_seconds": 0, "wrap_cap_seconds": 0}, id="no free seconds, no wrap"),
        pytest.param({"currency": "USD"}, id="another currency"),
        *(
            pytest.param({"billable": value}, id=f"billable {value}")
            for value in Tariff.Billable.values
        ),
    ],
)
def test_tariff_accepts_a_valid_row(overrides):
    assert_saved_as_given(TariffFactory(**overrides), overrides)


def test_tariff_is_once_per_project_and_day():
    first = TariffFactory(valid_from=dt.date(2026, 1, 1))

    with pytest.raises(IntegrityError, match="tariff_once_per_day"), transaction.atomic():
        TariffFactory(project=first.project, valid_from=dt.date(2026, 1, 1))
    TariffFactory(project=first.project, valid_from=dt.date(2026, 7, 1))
    TariffFactory(valid_from=dt.date(2026, 1, 1))  # another project

    assert Tariff.objects.filter(project=first.project).count() == 2
    assert Tariff.objects.filter(valid_from=dt.date(2026, 1, 1)).count() == 2


# --- TariffBand ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"weekdays": []}, "tariff_band_weekdays_valid", id="no weekday"),
        pytest.param({"weekdays": [7]}, "tariff_band_weekdays_valid", id="weekday 7"),
        pytest.param({"weekdays": [0, 7]}, "tariff_band_weekdays_valid", id="one weekday 7"),
        pytest.param({"weekdays": [-1]}, "tariff_band_weekdays_valid", id="weekday -1"),
        pytest.param({"weekdays": [0, None]}, "tariff_band_weekdays_valid", id="null weekday"),
        pytest.param(
            {"rate_per_minute": Decimal("-0.0001")},
            "tariff_band_rate_non_negative",
            id="negative rate",
        ),
        pytest.param({"position": -1}, "billing_tariffband_position_check", id="negative position"),
    ],
)
def test_tariff_band_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(TariffBandFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"weekdays": [6]}, id="sunday only"),
        pytest.param({"weekdays": [0, 1, 2, 3, 4, 5, 6]}, id="every day"),
        pytest.param({"rate_per_minute": Decimal("0")}, id="free of charge"),
        pytest.param({"start": dt.time(18), "end": dt.time(0)}, id="until midnight, 18-24"),
        pytest.param({"start": dt.time(22), "end": dt.time(8)}, id="across midnight, 22-08"),
    ],
)
def test_tariff_band_accepts_a_valid_row(overrides):
    assert_saved_as_given(TariffBandFactory(**overrides), overrides)


def test_tariff_band_position_and_name_are_unique_per_tariff():
    first = TariffBandFactory(position=0, name="night")
    tariff = first.tariff

    with pytest.raises(IntegrityError, match="tariff_band_position"), transaction.atomic():
        TariffBandFactory(tariff=tariff, position=0, name="weekend")
    with pytest.raises(IntegrityError, match="tariff_band_name"), transaction.atomic():
        TariffBandFactory(tariff=tariff, position=1, name="night")
    TariffBandFactory(tariff=tariff, position=1, name="weekend")
    TariffBandFactory(position=0, name="night")  # another tariff

    assert list(tariff.bands.values_list("position", "name")) == [(0, "night"), (1, "weekend")]
    assert TariffBand.objects.filter(position=0, name="night").count() == 2


# --- Invoice ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param(
            {"period": dt.date(2026, 10, 2)},
            "invoice_period_first_of_month",
            id="period not on the 1st",
        ),
        pytest.param({**ISSUED, "status": "sent"}, "invoice_status_valid", id="unknown status"),
        pytest.param(
            {"number": "INV-2026-000001"}, "invoice_number_iff_issued", id="draft with a number"
        ),
        pytest.param(
            {**ISSUED, "number": "INV-26-000001"},
            "invoice_number_iff_issued",
            id="number with a 2-digit year",
        ),
        pytest.param(
            {**ISSUED, "number": "INV-2026-0000001"},
            "invoice_number_iff_issued",
            id="number of 7 digits",
        ),
        pytest.param(
            {**ISSUED, "number": "inv-2026-000001"},
            "invoice_number_iff_issued",
            id="lowercase number",
        ),
        pytest.param(
            {**ISSUED, "number": ""}, "invoice_number_iff_issued", id="issued with an empty number"
        ),
        pytest.param(
            {**ISSUED, "number": None},
            "invoice_number_iff_issued",
            id="issued without a number",
        ),
        pytest.param(
            {**ISSUED, "status": "paid", "number": None},
            "invoice_number_iff_issued",
            id="paid without a number",
        ),
        *(
            pytest.param(
                {**ISSUED, "status": status, "issued_at": None},
                "invoice_issued_has_date",
                id=f"{status} without an issue date",
            )
            for status in ["issued", "paid", "void"]
        ),
        pytest.param(
            {**ISSUED, "status": "paid"}, "invoice_paid_has_date", id="paid without a payment date"
        ),
        pytest.param(
            {**ISSUED, "status": "void"}, "invoice_void_has_date", id="void without a void date"
        ),
        pytest.param({"currency": "rub"}, "invoice_currency_format", id="lowercase currency"),
        pytest.param(
            {"subtotal": Decimal("100.00"), "vat": Decimal("20.00"), "total": Decimal("100.00")},
            "invoice_total_adds_up",
            id="vat on top, total without the vat",
        ),
        pytest.param(
            {"subtotal": Decimal("100.00"), "vat": Decimal("20.00"), "total": Decimal("120.01")},
            "invoice_total_adds_up",
            id="vat on top, total a cent off",
        ),
        pytest.param(
            {
                "vat_included": True,
                "subtotal": Decimal("120.00"),
                "vat": Decimal("20.00"),
                "total": Decimal("140.00"),
            },
            "invoice_total_adds_up",
            id="vat included, vat added again",
        ),
        pytest.param(
            {"vat_rate": Decimal("1")}, "invoice_vat_rate_fraction", id="vat rate of 100%"
        ),
        pytest.param(
            {"vat_rate": Decimal("-0.0001")}, "invoice_vat_rate_fraction", id="negative vat rate"
        ),
    ],
)
def test_invoice_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(InvoiceFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"status": "draft", "number": None}, id="draft without a number"),
        pytest.param(ISSUED, id="issued"),
        pytest.param({**ISSUED, "status": "paid", "paid_at": T0}, id="paid"),
        pytest.param({**ISSUED, "status": "void", "voided_at": T0}, id="void keeps its number"),
        pytest.param(
            {
                "vat_rate": Decimal("0.2"),
                "subtotal": Decimal("100.00"),
                "vat": Decimal("20.00"),
                "total": Decimal("120.00"),
            },
            id="vat on top: total = subtotal + vat",
        ),
        pytest.param(
            {
                "vat_included": True,
                "vat_rate": Decimal("0.2"),
                "subtotal": Decimal("120.00"),
                "vat": Decimal("20.00"),
                "total": Decimal("120.00"),
            },
            id="vat included: total = subtotal",
        ),
        pytest.param({"vat_rate": Decimal("0")}, id="vat rate 0"),
        pytest.param({"vat_rate": Decimal("0.9999")}, id="vat rate just under 1"),
    ],
)
def test_invoice_accepts_a_valid_row(overrides):
    assert_saved_as_given(InvoiceFactory(**overrides), overrides)


@pytest.mark.parametrize(
    "first",
    [
        pytest.param({"status": "draft"}, id="draft"),
        pytest.param(ISSUED, id="issued"),
        pytest.param({**ISSUED, "status": "paid", "paid_at": T0}, id="paid"),
    ],
)
def test_a_client_has_one_live_invoice_per_period(first):
    live = InvoiceFactory(period=OCTOBER, **first)
    elsewhere = InvoiceFactory(client=live.client, period=dt.date(2026, 9, 1))

    with (
        pytest.raises(IntegrityError, match="invoice_one_live_per_client_period"),
        transaction.atomic(),
    ):
        InvoiceFactory(client=live.client, period=OCTOBER)
    with (
        pytest.raises(IntegrityError, match="invoice_one_live_per_client_period"),
        transaction.atomic(),
    ):
        Invoice.objects.filter(pk=elsewhere.pk).update(period=OCTOBER)
    InvoiceFactory(period=OCTOBER)  # another client

    assert Invoice.objects.filter(client=live.client, period=OCTOBER).count() == 1
    assert Invoice.objects.filter(period=OCTOBER).count() == 2


def test_a_void_invoice_leaves_room_for_its_replacement():
    void = InvoiceFactory(period=OCTOBER, **{**ISSUED, "status": "void"}, voided_at=T0)
    InvoiceFactory(
        client=void.client,
        period=OCTOBER,
        **{**ISSUED, "status": "void", "number": "INV-2026-000002"},
        voided_at=T0,
    )

    replacement = InvoiceFactory(client=void.client, period=OCTOBER)

    assert list(
        Invoice.objects.filter(client=void.client, period=OCTOBER)
        .order_by("id")
        .values_list("status", "number")
    ) == [("void", "INV-2026-000001"), ("void", "INV-2026-000002"), ("draft", None)]
    with (
        pytest.raises(IntegrityError, match="invoice_one_live_per_client_period"),
        transaction.atomic(),
    ):
        InvoiceFactory(client=void.client, period=OCTOBER)
    assert replacement.status == "draft"


def test_an_invoice_number_is_never_reused():
    client = ClientFactory()
    InvoiceFactory(
        client=client, period=dt.date(2026, 9, 1), **{**ISSUED, "status": "void", "voided_at": T0}
    )

    with pytest.raises(IntegrityError, match="billing_invoice_number_key"), transaction.atomic():
        InvoiceFactory(client=client, period=OCTOBER, **ISSUED)
    InvoiceFactory(client=client, period=OCTOBER, **{**ISSUED, "number": "INV-2026-000002"})

    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-2026-000001",
        "INV-2026-000002",
    ]


# --- InvoiceLine --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param(
            {"billed_seconds": -1},
            "invoice_line_seconds_non_negative",
            id="negative billed seconds",
        ),
        pytest.param(
            {"service_period": dt.date(2026, 10, 15)},
            "invoice_line_period_first_of_month",
            id="service period not on the 1st",
        ),
        pytest.param({"kind": "discount"}, "invoice_line_kind_valid", id="unknown kind"),
        # PositiveIntegerField columns get a ">= 0" check from Django itself.
        pytest.param({"calls": -1}, "billing_invoiceline_calls_check", id="negative calls"),
        pytest.param(
            {"position": -1}, "billing_invoiceline_position_check", id="negative position"
        ),
    ],
)
def test_invoice_line_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(InvoiceLineFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"billed_seconds": 0, "calls": 0}, id="no usage"),
        pytest.param({"kind": "minimum_topup", "billed_seconds": 0}, id="minimum top-up"),
        pytest.param({"band": "night"}, id="in a band"),
        pytest.param({"service_period": dt.date(2026, 9, 1)}, id="late calls of an earlier month"),
    ],
)
def test_invoice_line_accepts_a_valid_row(overrides):
    assert_saved_as_given(InvoiceLineFactory(**overrides), overrides)


def test_invoice_line_position_is_unique_per_invoice():
    first = InvoiceLineFactory(position=0)

    with pytest.raises(IntegrityError, match="invoice_line_position"), transaction.atomic():
        InvoiceLineFactory(invoice=first.invoice, project=first.project, position=0)
    with pytest.raises(IntegrityError, match="invoice_line_position"), transaction.atomic():
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=first.invoice,
                    project=first.project,
                    position=0,
                    service_period=OCTOBER,
                    description="Night minutes",
                    rate_per_minute=Decimal("15.0000"),
                    amount=Decimal("0.00"),
                )
            ]
        )
    InvoiceLineFactory(invoice=first.invoice, project=first.project, position=1)
    InvoiceLineFactory(position=0)  # another invoice

    assert list(first.invoice.lines.values_list("position", flat=True)) == [0, 1]
    assert InvoiceLine.objects.filter(position=0).count() == 2


# --- InvoiceNumberSequence ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"year": 1999}, "invoice_sequence_year_range", id="year 1999"),
        pytest.param({"year": 10000}, "invoice_sequence_year_range", id="year 10000"),
        pytest.param(
            {"last_number": -1},
            "billing_invoicenumbersequence_last_number_check",
            id="negative last number",
        ),
    ],
)
def test_invoice_number_sequence_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(InvoiceNumberSequenceFactory, overrides, constraint)


@pytest.mark.parametrize("year", [2000, 2026, 9999])
def test_invoice_number_sequence_accepts_a_year_in_range(year):
    sequence = InvoiceNumberSequenceFactory(year=year, last_number=0)

    assert_saved_as_given(sequence, {"year": year, "last_number": 0})


def test_invoice_number_sequence_is_one_row_per_year():
    InvoiceNumberSequenceFactory(year=2026, last_number=7)

    with (
        pytest.raises(IntegrityError, match="billing_invoicenumbersequence_pkey"),
        transaction.atomic(),
    ):
        InvoiceNumberSequence.objects.create(year=2026, last_number=0)

    assert list(InvoiceNumberSequence.objects.values_list("year", "last_number")) == [(2026, 7)]
