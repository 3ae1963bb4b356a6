"""A day of alerts: three projects' local day written out hour by hour, the beat (rollup,
then evaluation) every 5 simulated minutes; the lifecycle opens one alert per project and
condition per stretch of missed hours where the hourly scheme stored one per hour."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from alerts.engine import alerts_evaluate
from alerts.models import Alert
from calls import rollups
from calls.hourly import filled_hours
from calls.ingest import calls_ingest
from calls.kpis import abandon_rate, service_level
from tests.factories import ProjectFactory

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
DAY = dt.datetime(2026, 10, 5, tzinfo=MOSCOW)  # local midnight, 21:00 UTC the day before

# One letter per local hour 00..23. "-": no call; "g": 20 calls answered in 5 s; "b": 10
# answered in 5 s, then 7 answered after 60 s and 3 abandoned after 30 s (service level 50%,
# abandon rate 15%); "a": 18 answered in 5 s, then 2 abandoned (90%, 10%).
PATTERNS = {
    "steady": "------gggggggggggggggggg",
    "rough": "------ggbbbbggggggggbggg",
    "night": "bbbbbbbbbbbbbbbbbbbbbbbb",
    "choppy": "gagagagagagagagagagagaga",
}
CALLS = {
    "-": [],
    "g": [(5, True)] * 20,
    "b": [(5, True)] * 10 + [(60, True)] * 7 + [(30, False)] * 3,
    "a": [(5, True)] * 18 + [(30, False)] * 2,
}


def day_rows():
    """Every call of the day as API rows, with the instant it ends (when it is sent)."""
    rows = []
    for code, pattern in PATTERNS.items():
        for hour, letter in enumerate(pattern):
            for i, (wait, answered) in enumerate(CALLS[letter]):
                offered = DAY + dt.timedelta(hours=hour, minutes=3 * i)
                reached = offered + dt.timedelta(seconds=wait)
                ended = reached + dt.timedelta(seconds=60 if answered else 0)
                row = {
                    "project": code,
                    "external_id": f"{code}-{hour:02}-{i:02}",
                    "offered_at": offered.isoformat(),
                    "ended_at": ended.isoformat(),
                }
                if answered:
                    row["answered_at"] = reached.isoformat()
                rows.append((ended, row))
    return sorted(rows, key=lambda pair: pair[0])


def hourly_scheme_count(now):
    """What the hourly scheme (``calls.kpi_alerts`` before) stored over the same day: one
    row per project, filled hour and target missed, with at least 10 calls offered."""
    projects = {p.pk: p for p in ProjectFactory._meta.model.objects.all()}
    count = 0
    for project_id, _, counters in filled_hours(since=DAY, now=now):
        project = projects[project_id]
        if counters["offered"] < 10:
            continue
        sl = service_level(counters, project.sl_formula)
        count += sl is not None and sl < project.sl_target
        rate = abandon_rate(counters)
        count += rate is not None and rate > project.abandon_rate_target
    return count


@pytest.mark.django_db
def test_a_day_of_alerts_gives_one_open_alert_per_project_and_condition():
    for code in PATTERNS:
        ProjectFactory(
            code=code,
            timezone="Europe/Moscow",
            sl_target=Decimal("0.800"),
            abandon_rate_target=Decimal("0.050"),
        )
    pending = day_rows()
    now = DAY
    most_open = 0
    while now < DAY + dt.timedelta(hours=24, minutes=55):
        now += dt.timedelta(minutes=5)
        with time_machine.travel(now, tick=False):
            due = [row for ended, row in pending if ended <= now]
            pending = [(ended, row) for ended, row in pending if ended > now]
            if due:
                calls_ingest(rows=due)
            rollups.rollup_kpis(now=now)
            alerts_evaluate(now=now)
        open_keys = list(Alert.objects.not_cleared().values_list("project_id", "condition"))
        assert len(open_keys) == len(set(open_keys))  # one per project and condition
        most_open = max(most_open, len(open_keys))

    assert not pending
    summary = {}
    for code, condition, cleared_at in Alert.objects.values_list(
        "project__code", "condition", "cleared_at"
    ):
        key = (code, condition)
        opened, cleared = summary.get(key, (0, 0))
        summary[key] = (opened + 1, cleared + (cleared_at is not None))
    # (project, condition): (alerts opened, of which cleared)
    assert summary == {
        ("rough", "hour_service_level"): (2, 2),  # hours 08-11, then hour 20
        ("rough", "hour_abandon_rate"): (2, 2),
        ("rough", "service_level_today"): (1, 1),  # from hour 09 until hour 15 ends at 80%
        ("night", "hour_service_level"): (1, 0),  # every hour; hour 23 still judged
        ("night", "hour_abandon_rate"): (1, 0),
        ("night", "service_level_today"): (1, 1),  # cleared when the local day ended
        ("choppy", "hour_abandon_rate"): (12, 11),  # every other hour
    }
    assert Alert.objects.count() == 20
    assert Alert.objects.not_cleared().count() == 3
    # At most: rough and night with all three conditions, choppy with one (hours 09-11).
    assert most_open == 7
    # The hourly scheme stored one row per missed hour and target for the same day.
    assert hourly_scheme_count(now) == 70
