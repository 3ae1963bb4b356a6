"""Issue, pay and void (SPEC section 7): allowed transitions, numbers, refusals by name."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.invoices import invoice_issue, invoice_void
from billing.models import Invoice, InvoiceNumberSequence
from billing.payments import invoice_pay
from contactcenter.errors import ConflictError, DomainError
from tests.billing.test_invoicing import generate
from tests.factories import ClientFactory, InvoiceFactory, ProjectFactory
from tests.factories.billing import answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

UTC = dt.UTC
T = dt.datetime(2026, 11, 5, 12, tzinfo=UTC)


def test_draft_issued_paid():
    draft = InvoiceFactory()
    with clock(T):
        issued = invoice_issue(invoice=draft)
    with clock(T + dt.timedelta(days=3)):
        paid = invoice_pay(invoice=issued)

    paid.refresh_from_db()
    assert (paid.status, paid.number, paid.issued_at, paid.paid_at) == (
        "paid",
        "INV-2026-000001",
        T,
        dt.datetime(2026, 11, 7, 21, tzinfo=UTC),  # the payment's date, 8 Nov, in Moscow
    )


def test_void_keeps_its_number_and_the_next_one_follows():
    with clock(T):
        voided = invoice_void(invoice=invoice_issue(invoice=InvoiceFactory()))
        following = invoice_issue(invoice=InvoiceFactory())

    voided.refresh_from_db()
    assert (voided.status, voided.number, voided.voided_at) == ("void", "INV-2026-000001", T)
    assert following.number == "INV-2026-000002"
    assert InvoiceNumberSequence.objects.get(year=2026).last_number == 2


def test_numbers_are_per_year_of_issue_in_the_sellers_calendar():
    with clock("2026-12-31T20:59:59"):  # 23:59:59 in Moscow
        december = invoice_issue(invoice=InvoiceFactory())
    with clock("2026-12-31T21:00:00"):  # 1 January 2027, 00:00 in Moscow
        january = invoice_issue(invoice=InvoiceFactory())
        second = invoice_issue(invoice=InvoiceFactory())

    assert [december.number, january.number, second.number] == [
        "INV-2026-000001",
        "INV-2027-000001",
        "INV-2027-000002",
    ]


def test_a_sequence_row_created_elsewhere_is_continued():
    InvoiceNumberSequence.objects.create(year=2026, last_number=41)
    with clock(T):
        assert invoice_issue(invoice=InvoiceFactory()).number == "INV-2026-000042"


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("draft", invoice_pay),
        ("draft", invoice_void),
        ("issued", invoice_issue),
        ("paid", invoice_issue),
        ("paid", invoice_pay),
        ("paid", invoice_void),
        ("void", invoice_issue),
        ("void", invoice_pay),
        ("void", invoice_void),
    ],
)
def test_any_other_transition_is_a_400_naming_status(start, action):
    fields = {}
    if start != "draft":
        fields = {"status": start, "number": "INV-2026-000009", "issued_at": T}
        fields |= {"paid_at": T} if start == "paid" else {}
        fields |= {"voided_at": T} if start == "void" else {}
    invoice = InvoiceFactory(**fields)

    with pytest.raises(DomainError) as refused:
        action(invoice=invoice)

    assert refused.value.status == 400
    assert list(refused.value.details) == ["status"]
    assert start in refused.value.details["status"][0]
    invoice.refresh_from_db()
    assert invoice.status == start


def test_a_stale_copy_is_checked_against_the_stored_row():
    invoice = InvoiceFactory()
    stale = Invoice.objects.get(pk=invoice.pk)
    with clock(T):
        invoice_issue(invoice=invoice)
        with pytest.raises(DomainError, match="issued"):
            invoice_issue(invoice=stale)
    assert InvoiceNumberSequence.objects.get(year=2026).last_number == 1


def test_a_draft_billing_late_calls_already_billed_elsewhere_must_be_rebuilt():
    client = ClientFactory(code="acme")
    project = ProjectFactory(client=client)
    tariff(project, rate="1.0000")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-02T09:00"):
        invoice_issue(invoice=generate(dt.date(2026, 10, 1), client, at="2026-11-02T09:00"))
    answered_call(
        project,
        local_dt("2026-10-20 10:00"),
        connected=120,
        received_at=dt.datetime(2026, 11, 3, tzinfo=UTC),
    )
    answered_call(project, local_dt("2026-11-10 10:00"), connected=60)
    # Both drafts pick up the late October call; the first issued wins.
    november = generate(dt.date(2026, 11, 1), client, at="2026-12-02T09:00")
    december = generate(dt.date(2026, 12, 1), client, at="2027-01-02T09:00")
    with clock("2027-01-02T10:00"):
        invoice_issue(invoice=december)

        with pytest.raises(ConflictError, match="generate it again") as refused:
            invoice_issue(invoice=november)
        assert "2026-10" in refused.value.details["status"][0]

    november = generate(dt.date(2026, 11, 1), client, at="2027-01-02T11:00")
    assert list(november.lines.values_list("service_period", "amount")) == [
        (dt.date(2026, 11, 1), Decimal("1.00"))
    ]
    with clock("2027-01-02T11:00"):
        assert invoice_issue(invoice=november).number == "INV-2027-000002"
    assert december.total == Decimal("2.00")
