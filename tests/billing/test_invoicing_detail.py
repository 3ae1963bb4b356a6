"""The call-by-call detail of an invoice (billing.selectors.invoice_call_details) sums to
its lines exactly, kopecks allocated by largest remainder, in a stable order."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.invoices import invoice_issue
from billing.models import Tariff
from billing.selectors import invoice_call_details
from contactcenter.errors import ConflictError
from tests.billing.test_invoicing import generate
from tests.billing.test_invoicing_agreement import build
from tests.factories import ProjectFactory
from tests.factories.billing import answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
UTC = dt.UTC


def test_thirds_of_a_kopeck_go_to_the_largest_remainders_then_the_earliest(acme):
    project = ProjectFactory(code="line", client=acme)
    tariff(
        project, rate="1.0000", bands=[("night", [0, 1, 2, 3, 4, 5, 6], "22:00", "06:00", "2.0000")]
    )
    # base: 10 s, 25 s, 25 s at 1.00/min = 0.1666.., 0.41666.., 0.41666.. -> line 1.00
    first = answered_call(project, local_dt("2026-10-05 10:00"), connected=10)
    second = answered_call(project, local_dt("2026-10-05 11:00"), connected=25)
    third = answered_call(project, local_dt("2026-10-05 12:00"), connected=25)
    # night: three 20 s calls at 2.00/min = 0.6666.. each -> line 2.00
    nights = [
        answered_call(project, local_dt(f"2026-10-0{day} 23:00"), connected=20) for day in (7, 6, 8)
    ]
    invoice = generate(OCTOBER, acme)

    rows = list(invoice_call_details(invoice=invoice))

    assert [(row["external_id"], row["band"], str(row["amount"])) for row in rows] == [
        (first.external_id, "", "0.17"),  # floors 16 + 41 + 41 = 98; remainders all 4000/6000
        (second.external_id, "", "0.42"),
        (third.external_id, "", "0.41"),
        (nights[1].external_id, "night", "0.67"),  # by offered_at: the 6th, 7th, 8th
        (nights[0].external_id, "night", "0.67"),
        (nights[2].external_id, "night", "0.66"),
    ]
    assert rows[0] == {
        "project": "line",
        "external_id": first.external_id,
        "offered_at": local_dt("2026-10-05 10:00").astimezone(UTC),
        "answered_at": local_dt("2026-10-05 10:00:05").astimezone(UTC),
        "local_date": dt.date(2026, 10, 5),
        "billable_seconds": 10,
        "billed_seconds": 10,
        "band": "",
        "rate_per_minute": Decimal("1.0000"),
        "amount": Decimal("0.17"),
        "inside_client_hours": False,
        "service_period": OCTOBER,
        "line": 0,
    }
    assert [str(line.amount) for line in invoice.lines.order_by("position")] == ["1.00", "2.00"]


def test_the_detail_sums_to_every_line_on_random_data():
    client = build(11)
    invoice = generate(OCTOBER, client, at="2026-12-15T00:00")
    sums, counts = {}, {}
    for row in invoice_call_details(invoice=invoice):
        sums[row["line"]] = sums.get(row["line"], Decimal("0")) + row["amount"]
        counts[row["line"]] = counts.get(row["line"], 0) + 1
        exact = Decimal(row["billed_seconds"]) * row["rate_per_minute"] / 60
        assert abs(row["amount"] - exact) < Decimal("0.01")
    usage = invoice.lines.filter(kind="usage")
    assert sums == {line.position: line.amount for line in usage}
    assert counts == {line.position: line.calls for line in usage}
    assert sum(sums.values()) == sum(line.amount for line in usage)


def test_late_calls_are_listed_on_the_invoice_that_billed_them(acme):
    project = ProjectFactory(code="line", client=acme)
    tariff(project, rate="1.0000")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-02T09:00"):
        october = invoice_issue(invoice=generate(OCTOBER, acme, at="2026-11-02T09:00"))
    late = answered_call(
        project,
        local_dt("2026-10-20 10:00"),
        connected=120,
        received_at=dt.datetime(2026, 11, 3, tzinfo=UTC),
    )
    current = answered_call(project, local_dt("2026-11-10 10:00"), connected=180)
    november = generate(dt.date(2026, 11, 1), acme, at="2026-12-02T09:00")

    assert [row["amount"] for row in invoice_call_details(invoice=october)] == [Decimal("1.00")]
    assert [
        (row["external_id"], row["service_period"], row["amount"])
        for row in invoice_call_details(invoice=november)
    ] == [
        (late.external_id, OCTOBER, Decimal("2.00")),
        (current.external_id, dt.date(2026, 11, 1), Decimal("3.00")),
    ]


def test_a_tariff_changed_after_issue_is_refused_rather_than_listed(acme):
    project = ProjectFactory(code="line", client=acme)
    tariff(project, rate="1.0000")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=60)
    invoice = generate(OCTOBER, acme)
    Tariff.objects.filter(project=project).update(rate_per_minute=Decimal("2.0000"))

    with pytest.raises(ConflictError, match="no longer rate"):
        list(invoice_call_details(invoice=invoice))


def test_an_invoice_of_top_ups_only_has_no_calls(acme):
    project = ProjectFactory(code="line", client=acme)
    tariff(project, rate="1.0000", monthly_minimum=Decimal("10.00"))
    invoice = generate(OCTOBER, acme)

    assert list(invoice_call_details(invoice=invoice)) == []
