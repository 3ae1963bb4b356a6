"""Invoice generation (SPEC section 7) on worked examples with exact kopecks.

Every generation runs on a fixed clock: a draft bills the calls received before it is built
(billing.invoicing.received_cut; no other transaction is open in these tests), so the
tests pick clocks after the calls' received_at.
"""

import datetime as dt
from decimal import Decimal

import pytest

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate, invoice_totals
from billing.models import Invoice, InvoiceCoverage, InvoiceLine
from contactcenter.errors import DomainError
from tests.factories import ClientFactory, ProjectFactory, VatRateFactory
from tests.factories.billing import (
    abandoned_call,
    answered_call,
    clock,
    local_dt,
    tariff,
)

pytestmark = pytest.mark.django_db

SEPTEMBER = dt.date(2026, 9, 1)
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
UTC = dt.UTC


def generate(period, client, at="2026-11-05T12:00"):
    with clock(at):
        [invoice] = invoice_generate(period=period, client_code=client.code)
    return invoice


def lines_of(invoice):
    return [
        (
            line.project.code,
            line.kind,
            line.band,
            f"{line.service_period:%Y-%m}",
            line.calls,
            line.billed_seconds,
            str(line.rate_per_minute),
            str(line.amount),
        )
        for line in invoice.lines.select_related("project").order_by("position")
    ]


def money_of(invoice):
    invoice.refresh_from_db()
    return (str(invoice.subtotal), str(invoice.vat), str(invoice.total))


@pytest.fixture
def acme():
    client = ClientFactory(code="acme", timezone="Europe/Moscow")
    VatRateFactory(client=client, valid_from=dt.date(2000, 1, 1), rate=Decimal("0.2000"))
    return client


@pytest.fixture
def hotline(acme):
    return ProjectFactory(code="hotline", name="Hotline", client=acme, timezone="Europe/Moscow")


def test_increments_free_seconds_and_vat_on_top(acme, hotline):
    tariff(hotline, rate="1.2000", scheme="30/6")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=61)  # bills 66
    answered_call(hotline, local_dt("2026-10-05 11:00"), connected=31)  # 36
    answered_call(hotline, local_dt("2026-10-05 12:00"), connected=10)  # 30
    answered_call(hotline, local_dt("2026-10-05 13:00"), connected=0)  # 0
    abandoned_call(hotline, local_dt("2026-10-05 14:00"))  # unanswered: not billed
    answered_call(  # another client's call
        ProjectFactory(), local_dt("2026-10-05 10:00"), connected=600
    )

    invoice = generate(OCTOBER, acme)

    # 132 s = 2.2 min * 1.20 = 2.64; VAT 20% on top: 0.528 -> 0.53
    assert lines_of(invoice) == [
        ("hotline", "usage", "", "2026-10", 4, 132, "1.2000", "2.64"),
    ]
    assert money_of(invoice) == ("2.64", "0.53", "3.17")
    assert (invoice.status, invoice.number, invoice.currency, invoice.vat_rate) == (
        "draft",
        None,
        "RUB",
        Decimal("0.2000"),
    )


@pytest.mark.parametrize(
    ("basis", "wrap_cap", "billed", "amount"),
    [
        ("talk", None, 140, "2.80"),  # 150 connected - 10 hold
        ("connected", None, 150, "3.00"),
        ("handle", None, 170, "3.40"),  # + 20 wrap
        ("handle", 5, 155, "3.10"),  # wrap capped at 5
    ],
)
def test_billable_basis(acme, hotline, basis, wrap_cap, billed, amount):
    tariff(hotline, rate="1.2000", billable=basis, wrap_cap_seconds=wrap_cap)
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=150, hold=10, wrap=20)

    invoice = generate(OCTOBER, acme)

    assert lines_of(invoice) == [
        ("hotline", "usage", "", "2026-10", 1, billed, "1.2000", amount),
    ]


def test_bands_cross_midnight_and_the_first_listed_wins(acme, hotline):
    tariff(
        hotline,
        rate="10.0000",
        scheme="60/60",
        bands=[
            ("night", [0, 1, 2, 3, 4], "22:00", "08:00", "15.0000"),
            ("weekend", [5, 6], "00:00", "00:00", "12.0000"),
        ],
    )
    # Friday 23:00: night. Saturday 03:00: still Friday's night, listed before weekend.
    answered_call(hotline, local_dt("2026-10-09 23:00"), connected=90)  # 120 s
    answered_call(hotline, local_dt("2026-10-10 03:00"), connected=60)  # 60 s
    answered_call(hotline, local_dt("2026-10-10 12:00"), connected=30)  # weekend, 60 s
    # Monday 03:00: Sunday has no night window and Monday is no weekend: base rate.
    answered_call(hotline, local_dt("2026-10-12 03:00"), connected=60)
    answered_call(hotline, local_dt("2026-10-12 12:00"), connected=120)  # base
    # The band is the answer's: offered 21:59:50, answered 22:00:05 (Wednesday): night.
    answered_call(hotline, local_dt("2026-10-14 21:59:50"), connected=60, answer_after=15)
    # Answered 21:59:59 (Thursday): base, however long the call runs into the night.
    answered_call(hotline, local_dt("2026-10-15 21:59:54"), connected=600, answer_after=5)

    invoice = generate(OCTOBER, acme)

    assert lines_of(invoice) == [
        ("hotline", "usage", "", "2026-10", 3, 780, "10.0000", "130.00"),
        ("hotline", "usage", "night", "2026-10", 3, 240, "15.0000", "60.00"),
        ("hotline", "usage", "weekend", "2026-10", 1, 60, "12.0000", "12.00"),
    ]
    assert money_of(invoice) == ("202.00", "40.40", "242.40")


def test_a_tariff_change_mid_month_by_the_local_date_of_offered_at(acme, hotline):
    tariff(hotline, dt.date(2026, 1, 1), rate="10.0000")
    tariff(hotline, dt.date(2026, 10, 16), rate="12.0000")
    answered_call(hotline, local_dt("2026-10-10 12:00"), connected=60)
    # Offered on the 15th, answered on the 16th: the old tariff (date of offered_at).
    answered_call(hotline, local_dt("2026-10-15 23:59:50"), connected=60, answer_after=20)
    answered_call(hotline, local_dt("2026-10-16 00:00"), connected=60)
    answered_call(hotline, local_dt("2026-10-20 12:00"), connected=120)

    invoice = generate(OCTOBER, acme)

    assert lines_of(invoice) == [
        ("hotline", "usage", "", "2026-10", 2, 120, "10.0000", "20.00"),
        ("hotline", "usage", "", "2026-10", 2, 180, "12.0000", "36.00"),
    ]
    assert money_of(invoice) == ("56.00", "11.20", "67.20")


def test_the_month_is_the_projects_local_month_far_from_utc():
    """A client on UTC with a Vladivostok project (UTC+10): the project's calendar rules."""
    client = ClientFactory(code="dv", timezone="UTC")
    project = ProjectFactory(code="dv-line", client=client, timezone="Asia/Vladivostok")
    tariff(project, dt.date(2026, 1, 1), rate="6.0000")
    tariff(project, dt.date(2026, 11, 1), rate="9.0000")  # from 1 November, local
    at = dt.datetime
    answered_call(project, at(2026, 9, 30, 14, 30, tzinfo=UTC), connected=55)  # 1 Oct 00:30
    answered_call(project, at(2026, 10, 31, 13, 59, tzinfo=UTC), connected=55)  # 31 Oct 23:59
    answered_call(project, at(2026, 10, 31, 14, 0, tzinfo=UTC), connected=55)  # 1 Nov 00:00

    october = generate(OCTOBER, client, at="2026-11-03T00:00")
    november = generate(NOVEMBER, client, at="2026-12-03T00:00")

    assert lines_of(october) == [("dv-line", "usage", "", "2026-10", 2, 110, "6.0000", "11.00")]
    assert lines_of(november) == [("dv-line", "usage", "", "2026-11", 1, 55, "9.0000", "8.25")]
    assert money_of(october) == ("11.00", "0.00", "11.00")  # no VAT rate: 0


def test_monthly_minimum_tops_up_each_project(acme, hotline):
    tariff(hotline, rate="1.2000", scheme="30/6", monthly_minimum=Decimal("100.00"))
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=61)  # 1.32
    quiet = ProjectFactory(code="quiet", name="Quiet", client=acme)
    tariff(quiet, monthly_minimum=Decimal("50.00"))  # no calls: the whole minimum
    busy = ProjectFactory(code="busy", name="Busy", client=acme)
    tariff(busy, rate="60.0000", monthly_minimum=Decimal("50.00"))
    answered_call(busy, local_dt("2026-10-06 10:00"), connected=60)  # 60.00, above
    closed = ProjectFactory(code="closed", client=acme, is_active=False)
    tariff(closed, monthly_minimum=Decimal("70.00"))  # inactive and silent: nothing
    newcomer = ProjectFactory(code="newcomer", name="Newcomer", client=acme)
    tariff(newcomer, dt.date(2026, 10, 10), monthly_minimum=Decimal("80.00"))
    answered_call(newcomer, local_dt("2026-10-20 10:00"), connected=60)  # 1.00, first month

    invoice = generate(OCTOBER, acme)

    assert lines_of(invoice) == [
        ("busy", "usage", "", "2026-10", 1, 60, "60.0000", "60.00"),
        ("hotline", "usage", "", "2026-10", 1, 66, "1.2000", "1.32"),
        ("hotline", "minimum_topup", "", "2026-10", 0, 0, "0.0000", "98.68"),
        ("newcomer", "usage", "", "2026-10", 1, 60, "1.0000", "1.00"),
        ("quiet", "minimum_topup", "", "2026-10", 0, 0, "0.0000", "50.00"),
    ]
    assert money_of(invoice) == ("211.00", "42.20", "253.20")
    topup = invoice.lines.get(project=hotline, kind="minimum_topup")
    assert "100.00" in topup.description


def test_vat_included_in_prices():
    client = ClientFactory(code="gross", vat_included=True)
    VatRateFactory(client=client, valid_from=dt.date(2000, 1, 1), rate=Decimal("0.2200"))
    project = ProjectFactory(client=client, code="gross-line")
    tariff(project, rate="1.0000")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=6000)  # 100.00

    invoice = generate(OCTOBER, client)

    # vat = round(100.00 * 0.22 / 1.22, 2) = 18.03; the total is what the lines say
    assert money_of(invoice) == ("100.00", "18.03", "100.00")
    assert invoice.vat_included is True


def test_vat_on_top_of_three_lines_matches_the_published_case():
    assert invoice_totals(
        amounts=[Decimal("10.33")] * 3, vat_rate=Decimal("0.20"), vat_included=False
    ) == {"subtotal": Decimal("30.99"), "vat": Decimal("6.20"), "total": Decimal("37.19")}


def test_the_vat_rate_is_the_latest_valid_on_the_periods_first_day():
    client = ClientFactory(code="law")
    VatRateFactory(client=client, valid_from=dt.date(2000, 1, 1), rate=Decimal("0.2000"))
    VatRateFactory(client=client, valid_from=dt.date(2026, 1, 1), rate=Decimal("0.2200"))
    VatRateFactory(client=client, valid_from=dt.date(2026, 2, 15), rate=Decimal("0.2500"))
    project = ProjectFactory(client=client, code="law-line")
    tariff(project, dt.date(2025, 1, 1), rate="1.0000")
    for day in ["2025-12-20", "2026-01-20", "2026-02-20", "2026-03-20"]:
        answered_call(project, local_dt(f"{day} 12:00"), connected=6000)  # 100.00 each

    found = {
        f"{period:%Y-%m}": money_of(generate(period, client, at="2026-04-02T00:00"))
        for period in [dt.date(2025, 12, 1), *(dt.date(2026, month, 1) for month in (1, 2, 3))]
    }

    assert found == {
        "2025-12": ("100.00", "20.00", "120.00"),
        "2026-01": ("100.00", "22.00", "122.00"),
        "2026-02": ("100.00", "22.00", "122.00"),  # 25% from the 15th: not on the 1st
        "2026-03": ("100.00", "25.00", "125.00"),
    }


def test_generating_again_rebuilds_the_draft_and_never_duplicates(acme, hotline):
    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    first = generate(OCTOBER, acme)
    answered_call(hotline, local_dt("2026-10-06 10:00"), connected=120)

    again = generate(OCTOBER, acme, at="2026-11-06T12:00")
    third = generate(OCTOBER, acme, at="2026-11-07T12:00")

    assert again.pk == first.pk == third.pk
    assert Invoice.objects.filter(client=acme, period=OCTOBER).count() == 1
    assert lines_of(third) == [("hotline", "usage", "", "2026-10", 2, 180, "1.0000", "3.00")]
    assert InvoiceLine.objects.filter(invoice__client=acme).count() == 1
    assert InvoiceCoverage.objects.filter(invoice=third).count() == 1
    third.refresh_from_db()
    assert third.generated_at == dt.datetime(2026, 11, 7, 12, tzinfo=UTC)
    assert third.calls_received_before == dt.datetime(2026, 11, 7, 12, tzinfo=UTC)


def test_an_issued_invoice_is_left_untouched(acme, hotline):
    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-05T12:00"):
        issued = invoice_issue(invoice=generate(OCTOBER, acme))
    answered_call(hotline, local_dt("2026-10-06 10:00"), connected=600)

    again = generate(OCTOBER, acme, at="2026-11-08T12:00")

    assert again.pk == issued.pk
    assert (again.status, again.number) == ("issued", "INV-2026-000001")
    assert money_of(again) == ("1.00", "0.20", "1.20")
    assert lines_of(again) == [("hotline", "usage", "", "2026-10", 1, 60, "1.0000", "1.00")]


def test_a_call_received_before_the_run_is_billed_and_one_after_it_counted(acme, hotline):
    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    just_before = dt.datetime(2026, 11, 5, 11, 59, 59, tzinfo=UTC)
    answered_call(hotline, local_dt("2026-10-31 23:00"), connected=60, received_at=just_before)
    # Stamped after the run's cut: a transaction that committed after the draft was built.
    after = dt.datetime(2026, 11, 5, 12, 0, 30, tzinfo=UTC)
    answered_call(hotline, local_dt("2026-10-31 23:30"), connected=120, received_at=after)

    draft = generate(OCTOBER, acme, at="2026-11-05T12:00")
    assert (draft.lines.get().calls, draft.subtotal, draft.calls_after_build) == (
        2,
        Decimal("2.00"),
        1,
    )
    again = generate(OCTOBER, acme, at="2026-11-05T12:01")
    assert (again.lines.get().calls, again.subtotal, again.calls_after_build) == (
        3,
        Decimal("4.00"),
        0,
    )


def test_a_late_call_goes_on_the_next_invoice_naming_its_month(acme, hotline):
    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-02T09:00"):
        october = invoice_issue(invoice=generate(OCTOBER, acme, at="2026-11-02T09:00"))
    # Offered in October, received after the October invoice was generated and issued.
    late = dt.datetime(2026, 11, 3, 10, tzinfo=UTC)
    answered_call(hotline, local_dt("2026-10-20 10:00"), connected=120, received_at=late)
    answered_call(hotline, local_dt("2026-11-10 10:00"), connected=180)

    november = generate(NOVEMBER, acme, at="2026-12-02T09:00")
    november_again = generate(NOVEMBER, acme, at="2026-12-02T10:00")

    assert november_again.pk == november.pk
    assert lines_of(november_again) == [
        ("hotline", "usage", "", "2026-10", 1, 120, "1.0000", "2.00"),
        ("hotline", "usage", "", "2026-11", 1, 180, "1.0000", "3.00"),
    ]
    late_line = november_again.lines.get(service_period=OCTOBER)
    assert "октябрь 2026" in late_line.description
    assert "после выставления" in late_line.description
    assert money_of(november_again) == ("5.00", "1.00", "6.00")
    assert lines_of(october) == [("hotline", "usage", "", "2026-10", 1, 60, "1.0000", "1.00")]
    assert money_of(october) == ("1.00", "0.20", "1.20")

    # Once November is issued, a later October call and a late November call go to
    # December; the October call already billed on November is not billed again.
    with clock("2026-12-02T11:00"):
        invoice_issue(invoice=november_again)
    answered_call(
        hotline,
        local_dt("2026-10-25 10:00"),
        connected=240,
        received_at=dt.datetime(2026, 12, 5, tzinfo=UTC),
    )
    answered_call(
        hotline,
        local_dt("2026-11-30 10:00"),
        connected=300,
        received_at=dt.datetime(2026, 12, 5, tzinfo=UTC),
    )
    answered_call(hotline, local_dt("2026-12-01 10:00"), connected=60)

    december = generate(DECEMBER, acme, at="2027-01-02T09:00")

    assert lines_of(december) == [
        ("hotline", "usage", "", "2026-10", 1, 240, "1.0000", "4.00"),
        ("hotline", "usage", "", "2026-11", 1, 300, "1.0000", "5.00"),
        ("hotline", "usage", "", "2026-12", 1, 60, "1.0000", "1.00"),
    ]


def test_a_late_call_of_a_month_still_in_draft_waits_for_that_month(acme, hotline):
    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    october = generate(OCTOBER, acme, at="2026-11-02T09:00")
    answered_call(
        hotline,
        local_dt("2026-10-20 10:00"),
        connected=120,
        received_at=dt.datetime(2026, 11, 3, tzinfo=UTC),
    )
    answered_call(hotline, local_dt("2026-11-10 10:00"), connected=180)

    november = generate(NOVEMBER, acme, at="2026-12-02T09:00")
    october = generate(OCTOBER, acme, at="2026-12-02T09:00")

    assert lines_of(november) == [("hotline", "usage", "", "2026-11", 1, 180, "1.0000", "3.00")]
    assert lines_of(october) == [("hotline", "usage", "", "2026-10", 2, 180, "1.0000", "3.00")]


def test_a_void_invoices_calls_are_billed_by_its_replacement(acme, hotline):
    from billing.invoices import invoice_void

    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-02T09:00"):
        invoice_void(invoice=invoice_issue(invoice=generate(OCTOBER, acme, at="2026-11-02T09:00")))

    replacement = generate(OCTOBER, acme, at="2026-11-03T09:00")

    assert replacement.status == "draft"
    assert lines_of(replacement) == [("hotline", "usage", "", "2026-10", 1, 60, "1.0000", "1.00")]
    assert list(
        Invoice.objects.filter(client=acme).order_by("id").values_list("status", "number")
    ) == [("void", "INV-2026-000001"), ("draft", None)]


def test_nothing_to_bill_makes_no_invoice_and_drops_a_stale_draft(acme, hotline):
    tariff(hotline, rate="1.0000")
    call = answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    generate(OCTOBER, acme)
    call.delete()

    with clock("2026-11-06T12:00"):
        assert invoice_generate(period=OCTOBER, client_code="acme") == []
    assert not Invoice.objects.filter(client=acme).exists()


def test_calls_without_a_tariff_are_refused_by_name(acme, hotline):
    tariff(hotline, dt.date(2026, 10, 10), rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)

    with pytest.raises(DomainError) as refused, clock("2026-11-05T12:00"):
        invoice_generate(period=OCTOBER, client_code="acme")

    assert refused.value.details == {
        "tariff": ["Project 'hotline' has 1 answered call(s) in 2026-10 before its first tariff."]
    }
    assert not Invoice.objects.exists()


def test_all_clients_at_once_and_one_refusal_does_not_stop_the_others(acme, hotline):
    tariff(hotline, rate="1.0000")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    broken = ProjectFactory(code="broken", client=ClientFactory(code="broken-client"))
    answered_call(broken, local_dt("2026-10-05 10:00"), connected=60)

    with pytest.raises(DomainError) as refused, clock("2026-11-05T12:00"):
        invoice_generate(period=OCTOBER)

    assert list(refused.value.details["clients"]) == ["broken-client"]
    assert Invoice.objects.get().client == acme


@pytest.mark.parametrize(
    ("period", "client_code", "status"),
    [(dt.date(2026, 10, 2), None, 400), (OCTOBER, "nobody", 404)],
)
def test_bad_arguments(period, client_code, status):
    with pytest.raises(DomainError) as refused:
        invoice_generate(period=period, client_code=client_code)
    assert refused.value.status == status


def test_a_tariff_in_another_currency_is_refused(acme, hotline):
    tariff(hotline, rate="1.0000", currency="EUR")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)

    with pytest.raises(DomainError, match="currency") as refused, clock("2026-11-05T12:00"):
        invoice_generate(period=OCTOBER, client_code="acme")
    assert "EUR" in refused.value.details["currency"][0]
