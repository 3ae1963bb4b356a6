"""Drafts are complete (issue 15): a draft bills every call committed before it is built;
the watermark only holds back transactions still in flight, and issuing builds a draft
again when calls reached it since (docs/billing.md, "Drafts are complete")."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate, received_cut
from billing.models import Invoice
from calls.models import Call
from tests.factories import ClientFactory, OperatorFactory, ProjectFactory, VatRateFactory
from tests.factories.billing import answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

URL = "/api/v1/invoices/"
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
OCTOBER = dt.date(2026, 10, 1)


def last_month() -> dt.date:
    """The month before today's, in Moscow: it has ended, so it may be billed now."""
    first = timezone.now().astimezone(MOSCOW).date().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def acme():
    client = ClientFactory(code="acme")
    VatRateFactory(client=client, rate=Decimal("0.2000"))
    return client


@pytest.fixture
def hotline(acme):
    return ProjectFactory(code="hotline", client=acme, timezone="Europe/Moscow")


def call_rows(month: dt.date, count: int) -> list[dict]:
    """``count`` answered calls on the 10th of ``month`` (Moscow), 90 s connected each."""
    rows = []
    for index in range(count):
        offered = dt.datetime.combine(month.replace(day=10), dt.time(10), MOSCOW)
        offered += dt.timedelta(minutes=5 * index)
        answered = offered + dt.timedelta(seconds=10)
        rows.append(
            {
                "external_id": f"cdr-{index}",
                "project": "hotline",
                "operator": "ivan",
                "offered_at": offered.isoformat(),
                "answered_at": answered.isoformat(),
                "ended_at": (answered + dt.timedelta(seconds=90)).isoformat(),
            }
        )
    return rows


def test_calls_posted_through_the_api_and_generated_at_once_are_all_billed(admin_api, hotline):
    """No clock travel: the calls are posted, then the month is generated and issued."""
    month = last_month()
    tariff(hotline, dt.date(2020, 1, 1), rate="2.5000", scheme="60/60")
    OperatorFactory(code="ivan")
    posted = admin_api.post("/api/v1/calls/", call_rows(month, 30), format="json")
    assert posted.status_code == 201, posted.json()
    assert Call.objects.count() == 30

    generated = admin_api.post(
        f"{URL}generate/", {"period": f"{month:%Y-%m}", "client": "acme"}, format="json"
    )

    assert generated.status_code == 200, generated.json()
    [draft] = generated.json()
    # 30 calls of 90 s, billed 120 s each in 60/60 steps: 60 minutes at 2.50 = 150.00.
    assert (draft["subtotal"], draft["vat"], draft["total"]) == ("150.00", "30.00", "180.00")
    assert draft["calls_after_build"] == 0
    assert [(line["calls"], line["billed_seconds"]) for line in draft["lines"]] == [(30, 3600)]

    issued = admin_api.post(f"{URL}{draft['id']}/issue/")
    assert issued.status_code == 200, issued.json()
    body = issued.json()
    assert (body["status"], body["total"], body["calls_after_build"]) == ("issued", "180.00", 0)
    issued_on = dt.datetime.fromisoformat(body["issued_at"]).astimezone(MOSCOW).date()
    assert body["due_date"] == (issued_on + dt.timedelta(days=10)).isoformat()


def test_a_transaction_in_flight_holds_the_cut_at_its_start():
    """A transaction open elsewhere (an ingestion batch not committed yet): the cut is its
    start less the settle margin (5 s), so its rows fall after the cut."""
    params = connection.get_connection_params()
    with psycopg.connect(**params) as other:
        started = other.execute("SELECT now()").fetchone()[0]  # BEGIN is implicit
        now = timezone.now()
        assert received_cut(now) == started - dt.timedelta(seconds=5)
        other.rollback()
    assert received_cut(now) == now  # nothing in flight: everything committed is billed


def test_issuing_builds_the_draft_again_when_calls_reached_it(acme, hotline):
    tariff(hotline, rate="1.0000", scheme="1/1")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-05T12:00"):
        [draft] = invoice_generate(period=OCTOBER, client_code="acme")
    assert (draft.subtotal, draft.calls_after_build) == (Decimal("1.00"), 0)
    # Committed after the draft was built: received after its watermark.
    late = dt.datetime(2026, 11, 5, 12, 30, tzinfo=dt.UTC)
    answered_call(hotline, local_dt("2026-10-20 10:00"), connected=120, received_at=late)

    with clock("2026-11-05T13:00"):
        issued = invoice_issue(invoice=draft)

    stored = Invoice.objects.get(pk=draft.pk)
    assert (stored.status, stored.number) == ("issued", issued.number)
    assert (stored.subtotal, stored.vat, stored.total) == (
        Decimal("3.00"),
        Decimal("0.60"),
        Decimal("3.60"),
    )
    assert stored.lines.get().calls == 2
    assert stored.calls_received_before == dt.datetime(2026, 11, 5, 13, tzinfo=dt.UTC)
    assert stored.due_date == dt.date(2026, 11, 15)


def test_generate_says_how_many_calls_arrived_after_the_build(admin_api, admin_client, hotline):
    tariff(hotline, rate="1.0000", scheme="1/1")
    answered_call(hotline, local_dt("2026-10-05 10:00"), connected=60)
    # A call stamped after the cut: its transaction committed after the build.
    after = dt.datetime(2026, 11, 5, 12, 0, 30, tzinfo=dt.UTC)
    answered_call(hotline, local_dt("2026-10-06 10:00"), connected=60, received_at=after)

    with clock("2026-11-05T12:00"):
        answer = admin_api.post(f"{URL}generate/", {"period": "2026-10"}, format="json")
        response = admin_client.post(
            "/admin/billing/invoice/generate/", {"period": "2026-10", "client": "acme"}, follow=True
        )

    [draft] = answer.json()
    assert (draft["subtotal"], draft["calls_after_build"]) == ("1.00", 1)
    assert Invoice.objects.get().calls_after_build == 1
    texts = [str(message) for message in response.context["messages"]]
    assert texts == [
        "draft acme 2026-10: draft, total 1.20 RUB. 1 call(s) of the period arrived after it "
        "was built (still being stored): generate it again, or issue it, which includes them."
    ]
