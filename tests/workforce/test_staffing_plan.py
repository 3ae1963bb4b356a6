"""The staffing plan (workforce.staffing): dedicated teams against one pool, checked against
workforce.erlang directly, and the pooling gain in hours and money."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from agents.models import Operator
from calls.models import ProjectInterval
from tests.factories import OperatorFactory, ProjectFactory
from workforce import erlang, staffing

UTC = dt.UTC
# Two projects peaking at different intervals: the case for pooling.
OFFERED = np.array([[40.0, 10.0, 0.0, 25.0], [5.0, 30.0, 20.0, 25.0]])
AHT = np.array([[180.0, 180.0, 180.0, 180.0], [300.0, 300.0, 240.0, 300.0]])
THRESHOLD = [20, 30]
TARGET = [0.8, 0.9]


def _plan(**extra):
    return staffing.plan(
        offered=OFFERED,
        aht_seconds=AHT,
        threshold_seconds=THRESHOLD,
        target_service_level=TARGET,
        shrinkage=0.3,
        max_occupancy=0.85,
        **extra,
    )


def test_dedicated_is_erlang_c_per_project_with_its_own_target():
    result = _plan()
    for p in range(2):
        traffic = erlang.traffic_erlangs(OFFERED[p], AHT[p], 900)
        expected = erlang.erlang_c_agents(
            traffic,
            aht_seconds=AHT[p],
            threshold_seconds=THRESHOLD[p],
            target_service_level=TARGET[p],
            max_occupancy=0.85,
        )
        np.testing.assert_array_equal(result.dedicated[p], expected)
        np.testing.assert_array_equal(
            result.dedicated_scheduled[p], erlang.scheduled_agents(expected, 0.3)
        )
    assert result.dedicated[0].tolist() == [11, 4, 0, 8]
    assert result.dedicated[1].tolist() == [4, 15, 9, 13]


def test_pooled_is_one_erlang_c_on_the_summed_traffic_at_the_strictest_target():
    result = _plan()
    calls = OFFERED.sum(axis=0)
    aht = (OFFERED * AHT).sum(axis=0) / calls  # calls-weighted: the traffic adds up
    traffic = erlang.traffic_erlangs(calls, aht, 900)
    np.testing.assert_allclose(traffic, result.traffic.sum(axis=0))
    expected = erlang.erlang_c_agents(
        traffic,
        aht_seconds=aht,
        threshold_seconds=20,  # the shorter threshold
        target_service_level=0.9,  # the higher target
        max_occupancy=0.85,
    )
    np.testing.assert_array_equal(result.pooled, expected)
    assert (result.pooled_threshold_seconds, result.pooled_target_service_level) == (20, 0.9)
    assert result.pooled.tolist() == [14, 17, 9, 19]
    assert np.all(result.pooled <= result.dedicated_total)
    np.testing.assert_allclose(result.pooled_occupancy, result.traffic.sum(axis=0) / result.pooled)
    assert result.dedicated_occupancy[0, 2] == 0.0  # nobody needed: 0, not nan


def test_the_gain_in_hours_and_money_is_exact():
    result = _plan()
    dedicated = result.dedicated_scheduled.sum(axis=0)
    assert dedicated.tolist() == [22, 28, 13, 31]  # 16+6+0+12 and 6+22+13+19
    assert result.pooled_scheduled.tolist() == [20, 25, 13, 28]
    starts = [dt.datetime(2026, 10, 12, 0, 15 * i, tzinfo=UTC) for i in range(4)]
    day = dt.date(2026, 10, 12)

    report = staffing.plan_report(
        plan_result=result,
        project_codes=["bank", "shop"],
        starts=starts,
        days=[day] * 4,
        tz="UTC",
        hourly_cost=Decimal("450.00"),
    )

    # 94 - 86 = 8 scheduled agent-intervals = 2 operator-hours, x 450 = 900.00.
    assert report["totals"] == {
        "dedicated_agent_intervals": 64,
        "pooled_agent_intervals": 59,
        "dedicated_hours": "23.50",
        "pooled_hours": "21.50",
        "gain_hours": "2.00",
        "gain_money": "900.00",
    }
    assert report["gain"] == {
        "agent_intervals": 5,
        "scheduled_agent_intervals": 8,
        "hours": "2.00",
        "hours_per_day": "2.00",
        "hours_per_month": "60.88",  # 2 x 30.4375 = 60.875, half-up
        "money": "900.00",
        "money_per_day": "900.00",
        "money_per_month": "27393.75",  # 60.875 x 450, rounded once at the end
    }
    assert report["days_totals"] == [{"date": day, **report["totals"]}]
    first = report["intervals"][0]
    assert first["dedicated"] == {"bank": 11, "shop": 4}
    assert (first["dedicated_total"], first["pooled"], first["pooled_scheduled"]) == (15, 14, 20)
    assert report["hourly_cost"] == "450.00"


def test_missing_aht_takes_the_projects_overall_then_the_default():
    offered = np.array([[10.0, 30.0, 5.0], [4.0, 0.0, 0.0]])
    aht = np.array([[100.0, 200.0, np.nan], [np.nan, np.nan, np.nan]])
    filled = staffing.fill_aht(offered, aht)
    assert filled[0].tolist() == [100.0, 200.0, 175.0]  # (10 x 100 + 30 x 200) / 40
    assert filled[1].tolist() == [staffing.DEFAULT_AHT_SECONDS] * 3


@pytest.mark.django_db
def test_the_default_hourly_cost_is_the_average_of_active_operators():
    assert staffing.default_hourly_cost() == Decimal("0.00")
    OperatorFactory(hourly_cost=Decimal("400.00"))
    OperatorFactory(hourly_cost=Decimal("501.00"))
    OperatorFactory(
        hourly_cost=Decimal("9999.00"),
        status=Operator.Status.DISMISSED,
        left_on=dt.date(2026, 1, 31),
    )
    assert staffing.default_hourly_cost() == Decimal("450.50")


@pytest.mark.django_db
def test_a_plan_from_the_rollups_pools_two_projects_peaking_apart():
    morning = ProjectFactory(code="morning", timezone="UTC")
    evening = ProjectFactory(code="evening", timezone="UTC", sl_target=Decimal("0.9"))
    start = dt.date(2026, 10, 12)
    rows = []
    for day in range(1, 43):
        date = dt.datetime.combine(start - dt.timedelta(days=day), dt.time(), UTC)
        rows.extend(
            ProjectInterval(
                project=project,
                interval_start=date + dt.timedelta(hours=hour, minutes=15 * quarter),
                offered=30,
                answered=30,
                talk_seconds=30 * 180,
            )
            for project, hour in ((morning, 9), (evening, 18))
            for quarter in range(4)
        )
    ProjectInterval.objects.bulk_create(rows)

    answer = staffing.staffing_plan(
        projects=[morning, evening], start_date=start, days=1, hourly_cost=Decimal("10")
    )

    assert len(answer["intervals"]) == 96
    nine = answer["intervals"][36]
    # 30 calls x 180 s / 900 s = 6 Erlangs at 80/20 alone; the pool serves the morning
    # calls to the stricter (evening's) 0.9 target.
    alone, pooled = (
        int(
            erlang.erlang_c_agents(
                6.0, aht_seconds=180, threshold_seconds=20, target_service_level=t
            )
        )
        for t in (0.8, 0.9)
    )
    assert nine["traffic_erlangs"] == 6.0
    assert (alone, pooled) == (9, 10)
    assert nine["dedicated"] == {"morning": alone, "evening": 0}
    assert nine["pooled"] == pooled
    assert answer["pooled_target_service_level"] == 0.9
    assert answer["days_totals"][0]["date"] == start
