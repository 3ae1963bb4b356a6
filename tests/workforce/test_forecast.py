"""The forecast (workforce.forecast): weighted same-weekday-and-interval averages with trend,
aligned in local time, and its backtest error (WAPE)."""

import datetime as dt

import numpy as np
import pytest

from calls.models import ProjectInterval
from tests.factories import ProjectFactory
from workforce import forecast

UTC = dt.UTC
WEEK = 672


def _pattern():
    """A known weekly pattern: a daily wave, busier on weekdays than at the weekend."""
    slot = np.arange(WEEK)
    daily = 10 + 8 * np.sin((slot % 96) / 96 * 2 * np.pi - np.pi / 2)
    weekend = np.where(slot // 96 >= 5, 0.5, 1.0)
    return daily * weekend


def test_the_forecast_recovers_a_weekly_pattern_with_its_trend():
    pattern = _pattern()
    growth = 1.03  # 3 % more calls every week
    # Row k is k + 1 weeks back: pattern / growth ** (k + 1).
    offered = np.array([pattern * growth ** -(k + 1) for k in range(6)])
    answered = offered * 0.9
    handle = answered * 240.0

    result, aht, ratio = forecast.forecast_matrix(offered, answered, handle, horizon=np.zeros(WEEK))

    assert ratio == pytest.approx(growth**3)  # recent half over older half: 3 weeks apart
    np.testing.assert_allclose(result, pattern, rtol=2e-3)
    np.testing.assert_allclose(aht, 240.0)


def test_a_second_week_ahead_grows_once_more():
    pattern = _pattern()
    offered = np.array([pattern * 1.03 ** -(k + 1) for k in range(6)])
    horizon = np.concatenate([np.zeros(WEEK), np.ones(WEEK)])
    twice = np.concatenate([offered, offered], axis=1)

    result, _, _ = forecast.forecast_matrix(twice, twice, twice, horizon=horizon)

    np.testing.assert_allclose(result[WEEK:] / result[:WEEK], 1.03)


def test_without_trend_the_weighted_average_is_exact():
    # Week k back has the value k + 1 in every slot; weights 0.35/0.25/0.15/0.1/0.1/0.05.
    offered = np.array([[k + 1.0] * 4 for k in range(6)])
    ratio, gap = forecast.trend_factor(offered.mean(axis=1), clip=(0.1, 10))
    assert (ratio, gap) == (pytest.approx(6 / 15), 3.0)  # (1+2+3)/(4+5+6), unclipped

    result, _, clipped = forecast.forecast_matrix(
        offered, offered, offered, horizon=np.zeros(4), clip=(1.0, 1.0)
    )
    expected = 0.35 * 1 + 0.25 * 2 + 0.15 * 3 + 0.1 * 4 + 0.1 * 5 + 0.05 * 6
    np.testing.assert_allclose(result, expected)
    assert clipped == 1.0


def test_the_trend_is_clipped():
    means = [100, 100, 100, 10, 10, 10]  # tenfold growth
    assert forecast.trend_factor(means) == (2.0, 3.0)
    assert forecast.trend_factor([1, 1, 1, 10, 10, 10])[0] == 0.5


def test_missing_weeks_are_left_out_and_the_weights_renormalised():
    offered = np.array([[4.0], [8.0], [np.nan], [np.nan], [np.nan], [np.nan]])
    result, aht, ratio = forecast.forecast_matrix(
        offered, offered, offered * 100, horizon=np.zeros(1), clip=(1.0, 1.0)
    )
    assert ratio == 1.0
    assert result[0] == pytest.approx((0.35 * 4 + 0.25 * 8) / 0.6)
    assert aht[0] == pytest.approx(100.0)


def test_aht_is_a_ratio_of_weighted_sums_and_null_without_answered_calls():
    answered = np.array([[2.0, 0.0], [1.0, 0.0]])
    handle = np.array([[400.0, 0.0], [500.0, 0.0]])
    _, aht, _ = forecast.forecast_matrix(answered, answered, handle, horizon=np.zeros(2))
    assert aht[0] == pytest.approx((0.35 * 400 + 0.25 * 500) / (0.35 * 2 + 0.25 * 1))
    assert np.isnan(aht[1])


def test_wape_exact_on_a_small_case():
    assert forecast.wape([10, 0, 5], [8, 1, 5]) == pytest.approx(3 / 15)
    assert forecast.wape([0, 0], [1, 2]) is None
    assert forecast.wape([4, np.nan], [3, 100]) == pytest.approx(0.25)


def test_the_grid_of_a_dst_week_holds_its_extra_hour():
    autumn = forecast.local_week_grid(dt.date(2026, 10, 19), 1, "Europe/Berlin")
    spring = forecast.local_week_grid(dt.date(2026, 3, 23), 1, "Europe/Berlin")
    assert (len(autumn), len(spring)) == (676, 668)
    assert autumn[0] == dt.datetime(2026, 10, 18, 22, 0, tzinfo=UTC)


# --- Over the rollups ----------------------------------------------------------------------


def _history(project, *, start, weeks, calls_at, answered=None, handle=0):
    """Rows at 09:00 local every day for ``weeks`` weeks before ``start`` (a local date)."""
    zone = forecast.ZoneInfo(project.timezone)
    rows = []
    for day in range(1, 7 * weeks + 1):
        date = start - dt.timedelta(days=day)
        local = dt.datetime.combine(date, dt.time(9), zone)
        rows.append(
            ProjectInterval(
                project=project,
                interval_start=local.astimezone(UTC),
                offered=calls_at,
                answered=calls_at if answered is None else answered,
                talk_seconds=handle,
            )
        )
    ProjectInterval.objects.bulk_create(rows)


@pytest.mark.django_db
def test_the_daily_pattern_stays_at_local_nine_across_the_dst_change():
    # Berlin leaves summer time on Sunday 25 October 2026: 09:00 local was 07:00 UTC in the
    # history and is 08:00 UTC in the forecast's second week.
    project = ProjectFactory(code="berlin", timezone="Europe/Berlin")
    start = dt.date(2026, 10, 19)
    _history(project, start=start, weeks=8, calls_at=10, handle=10 * 200)

    answer = forecast.project_forecast(project=project, start_date=start, weeks=2)

    busy = {row["start"]: row for row in answer["intervals"] if row["offered"]}
    local_starts = sorted(s.astimezone(forecast.ZoneInfo("Europe/Berlin")) for s in busy)
    assert [s.strftime("%d %H:%M") for s in local_starts] == [
        f"{day:02d} 09:00" for day in range(19, 32)
    ] + ["01 09:00"]
    assert {row["offered"] for row in busy.values()} == {10.0}
    assert {row["aht_seconds"] for row in busy.values()} == {200.0}
    assert len(answer["intervals"]) == 672 + 4 + 672
    assert answer["backtest"] == {
        "from": dt.date(2026, 10, 12),
        "to": start,
        "wape": 0.0,
        "actual_offered": 70.0,
        "forecast_offered": 70.0,
    }
    assert answer["trend"] == 1.0


@pytest.mark.django_db
def test_weeks_before_the_projects_history_are_not_zeros():
    project = ProjectFactory(code="young", timezone="Europe/Moscow")
    start = dt.date(2026, 10, 12)
    _history(project, start=start, weeks=2, calls_at=6)  # two weeks of data only

    answer = forecast.project_forecast(project=project, start_date=start)

    assert {row["offered"] for row in answer["intervals"] if row["offered"]} == {6.0}
    assert answer["backtest"]["wape"] == 0.0  # the week before, from the one before it


@pytest.mark.django_db
def test_wape_is_null_without_actual_calls():
    project = ProjectFactory(code="silent")
    answer = forecast.project_forecast(project=project, start_date=dt.date(2026, 10, 12))
    assert answer["backtest"]["wape"] is None
    assert {row["offered"] for row in answer["intervals"]} == {0.0}
    assert {row["aht_seconds"] for row in answer["intervals"]} == {None}
