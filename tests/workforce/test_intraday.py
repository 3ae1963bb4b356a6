"""Intraday against a small day written out here (docs/intraday.md).

Project ``pm-hotline`` (Europe/Moscow, +03:00, default 80/20 target), Tuesday 2026-10-06.
History: the 6 Tuesdays before, 20 calls at each of 09:00, 09:15, 09:30, 09:45, 10:00 and
10:15, AHT 180 s, nothing else: the forecast is 20 at those intervals (no trend), 0 elsewhere.

Today, seen at 09:35: 30 calls at 09:00, 30 at 09:15, 5 so far at 09:30. The finished
intervals (up to 09:30) hold 60 calls against 40 forecast: factor 1.5 (applied, 60 >= 30
calls), so 09:30..10:15 are reforecast at 30 each; the day at 60 + 4 x 30 = 180.

On shift: anna (pool shift 09:00-11:00, break 09:45-10:00), boris (this project,
09:00-10:00); carol certified but absent today, dave on another project's shift, erik not
certified: none of those three counts.
"""

import datetime as dt

import pytest
import time_machine

from calls.models import ProjectInterval
from tests.factories import (
    AbsenceFactory,
    CallFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
)
from workforce import intraday

pytestmark = pytest.mark.django_db

MSK = dt.timezone(dt.timedelta(hours=3))
DAY = dt.date(2026, 10, 6)
NOW = dt.datetime(2026, 10, 6, 9, 35, tzinfo=MSK)
SLOTS = [(9, 0), (9, 15), (9, 30), (9, 45), (10, 0), (10, 15)]


def at(hour, minute=0, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), MSK)


@pytest.fixture
def day(pm_project):
    for weeks in range(1, 7):
        past = DAY - dt.timedelta(weeks=weeks)
        for hour, minute in SLOTS:
            ProjectInterval.objects.create(
                project=pm_project,
                interval_start=at(hour, minute, past),
                offered=20,
                answered=20,
                talk_seconds=20 * 180,
            )
    for (hour, minute), count in zip(SLOTS, (30, 30, 5), strict=False):
        for n in range(count):
            offered = at(hour, minute) + dt.timedelta(seconds=10 * n)
            CallFactory(
                project=pm_project,
                operator=None,
                offered_at=offered,
                answered_at=None,
                ended_at=offered + dt.timedelta(seconds=5),
                hold_seconds=0,
                wrap_seconds=0,
            )
    anna, boris, carol, dave, erik = (
        OperatorFactory(code=code) for code in ("anna", "boris", "carol", "dave", "erik")
    )
    other = ProjectFactory(code="other-line")
    for operator in (anna, boris, carol, dave):
        CertificationFactory(operator=operator, project=pm_project)
    CertificationFactory(operator=dave, project=other)
    shift = ShiftFactory(operator=anna, starts_at=at(9), ends_at=at(11))
    shift.activities.create(kind="break", starts_at=at(9, 45), ends_at=at(10))
    ShiftFactory(operator=boris, project=pm_project, starts_at=at(9), ends_at=at(10))
    ShiftFactory(operator=carol, starts_at=at(9), ends_at=at(10))
    AbsenceFactory(operator=carol, starts_on=DAY, ends_on=DAY)
    ShiftFactory(operator=dave, project=other, starts_at=at(9), ends_at=at(10))
    ShiftFactory(operator=erik, starts_at=at(9), ends_at=at(10))
    return pm_project


# 08:45 .. 11:00 local: (forecast, actual, reforecast, expected, required, on shift, gap)
EXPECTED = {
    (8, 45): (0.0, 0, None, 0.0, 0, 0, 0),
    (9, 0): (20.0, 30, None, 30.0, 9, 2, -7),
    (9, 15): (20.0, 30, None, 30.0, 9, 2, -7),
    (9, 30): (20.0, 5, 30.0, 30.0, 9, 2, -7),
    (9, 45): (20.0, None, 30.0, 30.0, 9, 1, -8),
    (10, 0): (20.0, None, 30.0, 30.0, 9, 1, -8),
    (10, 15): (20.0, None, 30.0, 30.0, 9, 1, -8),
    (10, 30): (0.0, None, 0.0, 0.0, 0, 1, 1),
    (10, 45): (0.0, None, 0.0, 0.0, 0, 1, 1),
    (11, 0): (0.0, None, 0.0, 0.0, 0, 0, 0),
}
FIELDS = ("forecast", "actual", "reforecast", "expected", "required_agents", "on_shift", "gap")


def picked(rows, key):
    by_start = {row["start"]: row for row in rows}
    found = {}
    for hour, minute in EXPECTED:
        row = by_start[key(at(hour, minute))]
        found[hour, minute] = tuple(row[name] for name in FIELDS)
    return found


def test_the_written_day(day):
    answer = intraday.project_intraday(project=day, day=DAY, now=NOW)

    assert len(answer["intervals"]) == 96
    assert answer["intervals"][0]["start"] == at(0)
    assert (answer["factor"], answer["factor_applied"]) == (1.5, True)
    assert answer["totals"] == {
        "forecast": 120.0,
        "actual": 65,
        "reforecast": 180.0,
        "shortest_gap": -8,
    }
    assert picked(answer["intervals"], lambda instant: instant) == EXPECTED
    assert {row["aht_seconds"] for row in answer["intervals"]} == {180.0}


def test_too_early_the_forecast_stands(day):
    # At 09:15 only 09:00 is finished: 30 calls (>= 30) would already apply 1.5 ...
    early = intraday.project_intraday(project=day, day=DAY, now=at(9, 15))
    assert (early["factor"], early["factor_applied"]) == (1.5, True)
    # ... while at 09:10 nothing with a forecast is finished: factor 1, forecast as is.
    earlier = intraday.project_intraday(project=day, day=DAY, now=at(9, 10))
    assert (earlier["factor"], earlier["factor_applied"]) == (1.0, False)
    assert earlier["totals"]["reforecast"] == 120.0


def test_the_factor_is_bounded():
    kwargs = {"elapsed": 2, "min_calls": 30, "min_elapsed_seconds": 3600, "bounds": (0.5, 2.0)}

    assert intraday.reforecast_factor(actual=[100, 100], forecast_offered=[20, 20], **kwargs) == (
        2.0,
        True,
    )
    assert intraday.reforecast_factor(actual=[1, 0], forecast_offered=[20, 20], **kwargs) == (
        1.0,
        False,
    )
    # Four finished intervals with a forecast: an hour in, so applied even on few calls.
    hour = {**kwargs, "elapsed": 4}
    assert intraday.reforecast_factor(actual=[1, 0, 0, 1], forecast_offered=[5] * 4, **hour) == (
        0.5,
        True,
    )


def test_the_api_answers_the_same_day(pm_api, day):
    with time_machine.travel(NOW, tick=False):
        response = pm_api.get("/api/v1/projects/pm-hotline/intraday/", {"date": "2026-10-06"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["factor"], body["totals"]["reforecast"], body["date"]) == (
        1.5,
        180.0,
        "2026-10-06",
    )

    def as_text(instant):
        return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

    assert picked(body["intervals"], as_text) == EXPECTED


def test_out_of_scope_and_integrations(pm_api, integration_api, day):
    ProjectFactory(code="their-line")

    assert pm_api.get("/api/v1/projects/their-line/intraday/").status_code == 404
    assert pm_api.get("/api/v1/projects/pm-hotline/intraday/", {"date": "x"}).status_code == 400
    assert integration_api.get("/api/v1/projects/pm-hotline/intraday/").status_code == 403


def test_the_admin_page(admin_client, day):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(
            "/admin/intraday/", {"project": "pm-hotline", "date": "2026-10-06"}
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-factor="1.5" data-applied="yes"' in page
    assert 'data-start="09:45" data-gap="-8"' in page


def test_a_dst_change_day_has_100_intervals(pm_project):
    pm_project.timezone = "Europe/Berlin"
    pm_project.save()

    answer = intraday.project_intraday(
        project=pm_project, day=dt.date(2026, 10, 25), now=dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    )

    assert len(answer["intervals"]) == 100
    assert answer["intervals"][0]["start"] == dt.datetime(2026, 10, 24, 22, tzinfo=dt.UTC)
    assert {row["actual"] for row in answer["intervals"]} == {None}  # not begun at all
