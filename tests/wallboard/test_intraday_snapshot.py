"""Intraday on the wallboard: the snapshot's numbers on the written day of
tests/workforce/test_intraday.py (pm-hotline, seen at 09:35 Moscow time), and the figure
computed at most once a minute per project."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from live.ingest import call_events_ingest
from tests.factories import CallFactory, UserFactory
from tests.workforce.test_intraday import MSK, NOW, day  # noqa: F401 - the day's fixture
from wallboard import snapshot
from wallboard.subscription import for_user

pytestmark = pytest.mark.django_db

INTERVAL_0930 = {
    "start": "2026-10-06T06:30:00+00:00",  # 09:30 Moscow
    "forecast": 20.0,
    "actual": 5,
    "reforecast": 30.0,
    "required_agents": 9,
    "on_shift": 2,
    "gap": -7,
}


def test_the_tile_gets_offered_against_forecast_and_the_intervals_staffing(
    day,  # noqa: F811 - the imported fixture
    django_capture_on_commit_callbacks,
):
    cache.clear()
    pm = UserFactory(username="pm-wall", is_staff=True)
    day.managers.add(pm)
    # Three calls offered live (call events) since 09:30: the live state's today.offered.
    rows = [
        {
            "external_id": f"live-{n}",
            "project": "pm-hotline",
            "event": "offered",
            "at": dt.datetime(2026, 10, 6, 9, 31 + n, tzinfo=MSK).isoformat(),
        }
        for n in range(3)
    ]
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_events_ingest(rows=rows)
        messages = snapshot.initial(for_user(pm))

    assert [m["type"] for m in messages] == [
        "wallboard.hello",
        "alerts",
        "live.update",
        "intraday",
        "pool.update",
        "operators",
    ]
    today = messages[2]["state"]["today"]
    # Forecast so far: 20 (09:00) + 20 (09:15) + 20 x 5/15 of 09:30 = 46.67.
    assert (today["offered"], today["forecast_offered"]) == (3, 46.67)
    assert messages[3] == {"type": "intraday", "projects": {"pm-hotline": INTERVAL_0930}}


def test_the_interval_is_computed_once_a_minute(day):  # noqa: F811 - the imported fixture
    cache.clear()
    subscription = for_user(UserFactory(username="root", is_superuser=True, is_staff=True))
    with time_machine.travel(NOW, tick=False) as clock:
        assert snapshot.intraday(subscription)["projects"]["pm-hotline"] == INTERVAL_0930
        offered = NOW + dt.timedelta(seconds=30)
        CallFactory(
            project=day,
            operator=None,
            offered_at=offered,
            answered_at=None,
            ended_at=offered + dt.timedelta(seconds=5),
            hold_seconds=0,
            wrap_seconds=0,
        )
        clock.move_to(NOW + dt.timedelta(seconds=50))
        assert snapshot.intraday(subscription)["projects"]["pm-hotline"]["actual"] == 5
        clock.move_to(NOW + dt.timedelta(seconds=60))
        assert snapshot.intraday(subscription)["projects"]["pm-hotline"]["actual"] == 6
