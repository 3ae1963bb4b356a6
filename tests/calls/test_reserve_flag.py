"""Reserve lines: a call offered inside the client's own business hours on a reserve project
is flagged on every path, counted apart in the KPIs and marked in the invoice detail."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from billing.exports.detail_csv import invoice_detail_csv
from billing.invoicing import invoice_generate
from calls import rollups
from calls.ingest import calls_ingest
from calls.models import Call
from calls.selectors import project_kpis
from projects.models import BusinessHours, Project
from tests.factories import BusinessHoursFactory, ClientFactory, ProjectFactory, VatRateFactory
from tests.factories.billing import abandoned_call, answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

# The client's own hours (Moscow): Monday-Friday 09:00-18:00, Friday also 20:00-24:00,
# Saturday 10:00-14:00, Sunday closed. The week of Monday 2026-10-05.
HOURS = [(day, "09:00", "18:00") for day in range(5)] + [
    (4, "20:00", "00:00"),
    (5, "10:00", "14:00"),
]

# (external id, local offered time, answered?, inside the client's hours?)
WEEK = [
    ("mon-0859", "2026-10-05 08:59:59", True, False),
    ("mon-0900", "2026-10-05 09:00:00", True, True),
    ("mon-1759", "2026-10-05 17:59:59", True, True),
    ("mon-1800", "2026-10-05 18:00:00", True, False),
    ("tue-1200", "2026-10-06 12:00:00", False, True),  # abandoned inside: counted too
    ("wed-2330", "2026-10-07 23:30:00", True, False),
    ("fri-1900", "2026-10-09 19:00:00", True, False),
    ("fri-2359", "2026-10-09 23:59:00", True, True),  # the window closing at midnight
    ("sat-1030", "2026-10-10 10:30:00", True, True),
    ("sat-1500", "2026-10-10 15:00:00", True, False),
    ("sun-1200", "2026-10-11 12:00:00", True, False),
]


@pytest.fixture
def reserve():
    client = ClientFactory(code="volga")
    VatRateFactory(client=client)
    project = ProjectFactory(code="volga-night", client=client, service_mode="reserve")
    for weekday, opens, closes in HOURS:
        BusinessHoursFactory(
            project=project,
            weekday=weekday,
            opens=dt.time.fromisoformat(opens),
            closes=dt.time.fromisoformat(closes),
        )
    return project


def store_week(project):
    for external_id, local, answered, _ in WEEK:
        offered = local_dt(local)
        if answered:
            answered_call(project, offered, connected=60, external_id=external_id, operator=None)
        else:
            abandoned_call(project, offered, external_id=external_id)


def flags(project):
    return dict(
        Call.objects.filter(project=project).values_list("external_id", "inside_client_hours")
    )


def test_the_week_is_flagged_exactly(reserve):
    store_week(reserve)
    assert flags(reserve) == {external_id: inside for external_id, _, _, inside in WEEK}
    assert Call.objects.filter(inside_client_hours=True).count() == 5


def test_every_path_flags_alike_and_a_full_project_never(reserve):
    full = ProjectFactory(code="volga-day", client=reserve.client, service_mode="full")
    BusinessHoursFactory(project=full, weekday=0, opens=dt.time(9), closes=dt.time(18))
    noon = local_dt("2026-10-05 12:00:00")
    rows = [
        {"project": code, "external_id": f"api-{code}", "direction": direction,
         "offered_at": noon.isoformat(), "ended_at": (noon + dt.timedelta(seconds=30)).isoformat()}
        for code in ("volga-night", "volga-day")
        for direction in ("inbound",)
    ] + [
        {"project": "volga-night", "external_id": "api-out", "direction": "outbound",
         "offered_at": noon.isoformat(), "ended_at": (noon + dt.timedelta(seconds=30)).isoformat()}
    ]  # fmt: skip
    with clock("2026-10-12T00:00"):
        assert calls_ingest(rows=rows).created == 3

    assert dict(Call.objects.values_list("external_id", "inside_client_hours")) == {
        "api-volga-night": True,  # the COPY path of the API, CSV and queue_log
        "api-volga-day": False,  # a full project's hours are when the pool staffs it
        "api-out": False,  # an outbound call is not offered to the line
    }


def test_moving_a_call_or_its_project_recomputes_the_flag(reserve):
    store_week(reserve)
    sunday = Call.objects.get(external_id="sun-1200")
    sunday.offered_at = local_dt("2026-10-05 10:00:00")
    sunday.answered_at = sunday.offered_at + dt.timedelta(seconds=5)
    sunday.ended_at = sunday.answered_at + dt.timedelta(seconds=60)
    sunday.save()
    Project.objects.filter(pk=reserve.pk).update(service_mode="full")  # not retroactive
    assert Call.objects.get(pk=sunday.pk).inside_client_hours is True
    assert Call.objects.filter(inside_client_hours=True).count() == 6
    # Nobody sets it by hand: a write of the flag itself is judged again.
    Call.objects.filter(external_id="mon-0859").update(inside_client_hours=True)
    assert Call.objects.get(external_id="mon-0859").inside_client_hours is False
    BusinessHours.objects.filter(project=reserve).delete()  # nor are the hours
    Call.objects.filter(pk=sunday.pk).update(offered_at=local_dt("2026-10-05 10:00:01"))
    assert Call.objects.get(pk=sunday.pk).inside_client_hours is False


def test_kpis_count_them_apart_per_local_day(reserve):
    store_week(reserve)
    with clock("2026-10-12T00:00"):
        rollups.rollup_kpis()
    answer = project_kpis(
        project=reserve,
        start=local_dt("2026-10-05 00:00"),
        end=local_dt("2026-10-12 00:00"),
        granularity="day",
    )
    assert [b["reserve_inside_hours"] for b in answer["buckets"]] == [2, 1, 0, 0, 1, 1, 0]
    assert [b["offered"] for b in answer["buckets"]] == [4, 1, 1, 0, 2, 2, 1]
    assert answer["totals"]["reserve_inside_hours"] == 5
    assert answer["totals"]["offered"] == 11


def test_the_invoice_detail_marks_them_and_counts_them(reserve):
    store_week(reserve)
    tariff(reserve, rate="2.0000")
    with clock("2026-11-05T12:00"):
        [invoice] = invoice_generate(period=dt.date(2026, 10, 1), client_code="volga")
    table = list(csv.reader(io.StringIO(invoice_detail_csv(invoice).decode())))
    header, rows = table[0], [row for row in table[1:] if row[1] and row[0] == "volga-night"]
    column = header.index("inside_client_hours")

    assert header[-2:] == ["inside_client_hours", "amount"]
    # Answered calls are billed: the abandoned Tuesday call is not on the invoice.
    assert {row[1]: row[column] for row in rows} == {
        external_id: "yes" if inside else "no"
        for external_id, _, answered, inside in WEEK
        if answered
    }
    trailer = {row[0]: row for row in table if not row[0].startswith("volga")}
    assert trailer["inside client hours"][1] == "4"
    assert trailer["inside client hours"][-1] == ""
    assert Decimal(trailer["calls total"][-1]) == Decimal("20.00")  # 10 calls x 1 min x 2.00
