"""The selectors over the rollups (calls.selectors): buckets by granularity in a time zone,
across DST changes (a 23- and a 25-hour day), empty buckets, occupancy and peak hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agents.models import AgentStateEvent
from calls import rollups, selectors
from calls.models import Call
from contactcenter.errors import DomainError
from tests.factories import OperatorFactory, ProjectFactory

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 20, tzinfo=UTC)  # the fixed clock: after every call below


def offered(project, *instants, answered_after=None, operator=None):
    for instant in instants:
        answered = (
            None if answered_after is None else instant + dt.timedelta(seconds=answered_after)
        )
        Call.objects.create(
            project=project,
            external_id=f"c{Call.objects.count()}",
            offered_at=instant,
            answered_at=answered,
            ended_at=(answered or instant) + dt.timedelta(seconds=60),
            operator=operator if answered else None,
        )


def fill():
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_kpis(now=NOW)


def local(*args):
    return dt.datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def berlin(db):
    return ProjectFactory(code="berlin-line", timezone="Europe/Berlin")


def test_the_23_hour_day_holds_exactly_its_local_calls(berlin):
    offered(
        berlin,
        dt.datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC),  # 23:59:59 on the 28th, local
        dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # 00:00 on the 29th (CET)
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 CEST, just after the jump
        dt.datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC),  # 23:59:59 CEST on the 29th
        dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC),  # 00:00 on the 30th
    )
    fill()

    body = selectors.project_kpis(
        project=berlin, start=local(2026, 3, 28), end=local(2026, 3, 31), granularity="day"
    )

    assert [(b["start"], b["offered"]) for b in body["buckets"]] == [
        ("2026-03-28T00:00:00+01:00", 1),
        ("2026-03-29T00:00:00+01:00", 3),
        ("2026-03-30T00:00:00+02:00", 1),
    ]
    assert body["totals"]["offered"] == 5
    day = {"start": local(2026, 3, 29), "end": local(2026, 3, 30)}
    hours = selectors.project_kpis(project=berlin, granularity="hour", **day)["buckets"]
    assert len(hours) == 23
    assert [b["start"] for b in hours[1:3]] == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",  # 02:00 never happened
    ]
    quarters = selectors.project_kpis(project=berlin, granularity="15min", **day)["buckets"]
    assert len(quarters) == 92


def test_the_25_hour_day_holds_exactly_its_local_calls(berlin):
    offered(
        berlin,
        dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC),  # 23:59 CEST on the 24th
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first 02:30
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the second one
        dt.datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 23:59 CET on the 25th
        dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # 00:00 on the 26th
    )
    fill()
    day = {"start": local(2026, 10, 25), "end": local(2026, 10, 26)}

    days = selectors.project_kpis(project=berlin, granularity="day", **day)["buckets"]
    hours = selectors.project_kpis(project=berlin, granularity="hour", **day)["buckets"]

    assert [(b["start"], b["offered"]) for b in days] == [("2026-10-25T00:00:00+02:00", 3)]
    assert len(hours) == 25
    assert [(b["start"], b["offered"]) for b in hours[2:4]] == [
        ("2026-10-25T02:00:00+02:00", 1),  # the repeated hour, twice, each with its call
        ("2026-10-25T02:00:00+01:00", 1),
    ]
    months = selectors.project_kpis(
        project=berlin, start=local(2026, 10, 1), end=local(2026, 12, 1), granularity="month"
    )["buckets"]
    assert [(b["start"], b["offered"]) for b in months] == [
        ("2026-10-01T00:00:00+02:00", 5),
        ("2026-11-01T00:00:00+01:00", 0),
    ]


def test_empty_buckets_are_listed_with_zeros_and_null_ratios(berlin):
    operator = OperatorFactory()
    offered(
        berlin, dt.datetime(2026, 10, 5, 9, 5, tzinfo=UTC), answered_after=10, operator=operator
    )
    fill()

    body = selectors.project_kpis(
        project=berlin,
        start=dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        end=dt.datetime(2026, 10, 5, 9, 30, tzinfo=UTC),
        granularity="15min",
    )

    assert body["buckets"][1] == {
        "start": "2026-10-05T11:15:00+02:00",
        **dict.fromkeys(
            ["offered", "answered", "abandoned", "short_abandoned", "answered_within_threshold",
             "abandoned_within_threshold", "wait_seconds_answered", "talk_seconds",
             "hold_seconds", "wrap_seconds", "reserve_inside_hours"], 0),
        "service_level": None,
        "asa_seconds": None,
        "aht_seconds": None,
        "abandon_rate": None,
    }  # fmt: skip
    assert body["buckets"][0]["service_level"] == 1.0
    assert body["totals"]["asa_seconds"] == 10.0
    assert set(body) == {
        "project", "granularity", "timezone", "sl_formula", "from", "to", "buckets", "totals",
    }  # fmt: skip


def test_an_hour_of_a_half_hour_zone_starts_at_half_past_utc(db):
    kolkata = ProjectFactory(code="kolkata", timezone="Asia/Kolkata")
    offered(kolkata, dt.datetime(2026, 10, 5, 9, 20, tzinfo=UTC))  # 14:50 IST
    fill()

    hours = selectors.project_kpis(
        project=kolkata,
        start=dt.datetime(2026, 10, 5, 8, 30, tzinfo=UTC),
        end=dt.datetime(2026, 10, 5, 10, 30, tzinfo=UTC),
        granularity="hour",
    )["buckets"]

    assert [(b["start"], b["offered"]) for b in hours] == [
        ("2026-10-05T14:00:00+05:30", 1),
        ("2026-10-05T15:00:00+05:30", 0),
    ]


@pytest.mark.parametrize(
    ("granularity", "days", "field"),
    [("15min", 32, "to"), ("hour", 367, "to"), ("weekly", 1, "granularity")],
)
def test_ranges_the_rollups_cannot_answer_are_refused(berlin, granularity, days, field):
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(DomainError) as refused:
        selectors.project_kpis(
            project=berlin,
            start=start,
            end=start + dt.timedelta(days=days),
            granularity=granularity,
        )
    assert field in refused.value.details


def test_operator_and_pool_occupancy(berlin):
    anna, boris = OperatorFactory(code="anna"), OperatorFactory(code="boris")
    other = ProjectFactory(code="other-line")
    nine = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    for operator, start, stop in ((anna, 0, 60), (boris, 0, 30)):
        AgentStateEvent.objects.create(
            operator=operator, state="ready", at=nine + dt.timedelta(minutes=start)
        )
        AgentStateEvent.objects.create(
            operator=operator, state="offline", at=nine + dt.timedelta(minutes=stop)
        )
    AgentStateEvent.objects.create(
        operator=anna, state="break", at=nine + dt.timedelta(minutes=45)
    )  # ready 09:00-09:45, break 09:45-10:00
    offered(berlin, nine, answered_after=0, operator=anna)  # 60 s each
    offered(other, nine + dt.timedelta(minutes=20), answered_after=0, operator=boris)
    fill()
    hour = {"start": nine, "end": nine + dt.timedelta(hours=1), "granularity": "hour"}

    mine = selectors.operator_occupancy(operator=anna, tz="Europe/Berlin", **hour)
    pool = selectors.pool_occupancy(projects_queryset_or_None=None, operators_queryset=None, **hour)
    only_berlin = selectors.pool_occupancy(
        projects_queryset_or_None=type(berlin).objects.filter(pk=berlin.pk),
        operators_queryset=type(anna).objects.filter(code__in=["anna", "boris"]),
        **hour,
    )

    assert mine["operator"] == "anna"
    assert mine["buckets"] == [
        {
            "start": "2026-10-05T11:00:00+02:00",
            "staffed_seconds": 2700,
            "break_seconds": 900,
            "handle_seconds": 60,
            "occupancy": 60 / 2700,
            "utilization": 60 / 3600,
            "shrinkage": 0.25,
        }
    ]
    assert pool["pool"] == {"operators": ["anna", "boris"], "projects": None}
    assert pool["totals"] == {
        "staffed_seconds": 2700 + 1800,
        "break_seconds": 900,
        "handle_seconds": 120,
        "occupancy": 120 / 4500,
        "utilization": 120 / 5400,
        "shrinkage": 900 / 5400,
    }
    assert only_berlin["pool"] == {"operators": ["anna", "boris"], "projects": ["berlin-line"]}
    assert only_berlin["totals"]["handle_seconds"] == 60
    assert only_berlin["totals"]["staffed_seconds"] == 4500


def test_peak_hours_per_project_by_local_hour_and_the_pool(berlin):
    new_york = ProjectFactory(code="ny-line", timezone="America/New_York")
    day = dt.datetime(2026, 10, 5, tzinfo=UTC)
    offered(berlin, day + dt.timedelta(hours=8), day + dt.timedelta(hours=8, minutes=30))
    offered(new_york, day + dt.timedelta(hours=14))  # 10:00 in New York (EDT, -04:00)
    fill()

    body = selectors.peak_hours(
        projects=[new_york, berlin], start=day, end=day + dt.timedelta(days=1)
    )

    rows = {row["project"]: row for row in body["projects"]}
    assert list(rows) == ["berlin-line", "ny-line"]
    assert rows["berlin-line"]["hours"][10] == 2  # 08:00 UTC is 10:00 in Berlin (CEST)
    assert rows["berlin-line"]["tz_hours"][8] == 2
    assert rows["berlin-line"]["peak_hour"] == 10
    assert rows["ny-line"]["hours"][10] == 1
    assert rows["ny-line"]["tz_hours"][14] == 1
    # Both peak at 10:00 local, six hours apart in real time: the pool sees two peaks.
    assert body["pool"]["hours"][10] == 3
    assert (body["pool"]["tz_hours"][8], body["pool"]["tz_hours"][14]) == (2, 1)
    assert body["pool"]["offered"] == 3
    assert sum(body["pool"]["hours"]) == sum(body["pool"]["tz_hours"]) == 3
