"""History is history: a historical queue_log leaves nobody staffed past its end, and the
first KPI rollup after its import marks only the intervals the file covers."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from agents.models import AgentStateEvent
from calls import rollups
from calls.models import OperatorInterval, RollupInterval
from telephony.queue_log import END_OF_LOG
from telephony.queue_log_import import queue_log_import_file
from tests.factories import OperatorFactory, ProjectFactory

SAMPLE = Path(__file__).parent / "data" / "queue_log_sample.txt"
MAPS = {
    "queue_map": {"sales": "volga-sales"},
    "agent_map": {"1002": "op002", "Agent/1005": "op005"},
}
FIRST_LINE = dt.datetime(2026, 10, 5, 6, 0, 0, tzinfo=dt.UTC)  # the sample's span
LAST_LINE = dt.datetime(2026, 10, 5, 6, 51, 40, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # the import runs two months later

pytestmark = pytest.mark.django_db


@pytest.fixture
def center():
    with time_machine.travel(NOW, tick=False):  # one clock for received_at and the runs
        yield _center()


def _center():
    hotline = ProjectFactory(code="volga-hotline")
    ProjectFactory(code="volga-sales", client=hotline.client)
    for code in ("op001", "op002", "op003", "op005"):
        OperatorFactory(code=code)
    # The center has run its rollups all along: the first run after the import is not the
    # engine's very first (which fills every interval since the oldest data by design).
    rollups.rollup_kpis(now=NOW)


def intervals_of_the_span():
    """Independently: the 15-minute intervals from the first line's to the last line's."""
    start = rollups.floor_interval(FIRST_LINE)
    count = int((rollups.floor_interval(LAST_LINE) - start) / rollups.INTERVAL) + 1
    return [start + i * rollups.INTERVAL for i in range(count)]


def test_no_operator_is_staffed_past_the_end_of_the_file(center):
    queue_log_import_file(path=SAMPLE, **MAPS)

    last = {}
    for code, state, at, reason in AgentStateEvent.objects.order_by("at").values_list(
        "operator__code", "state", "at", "reason"
    ):
        last[code] = (state, at, reason)
    assert last == {
        "op001": ("offline", LAST_LINE, END_OF_LOG),  # was ready: closed at the last line
        "op002": ("offline", dt.datetime(2026, 10, 5, 6, 43, 20, tzinfo=dt.UTC), ""),
        "op003": ("offline", dt.datetime(2026, 10, 5, 6, 41, 40, tzinfo=dt.UTC), ""),
        "op005": ("offline", dt.datetime(2026, 10, 5, 6, 45, tzinfo=dt.UTC), ""),
    }


def test_the_first_rollup_after_the_import_touches_only_the_files_intervals(center):
    queue_log_import_file(path=SAMPLE, **MAPS)

    result = rollups.rollup_kpis(now=NOW)

    span = intervals_of_the_span()
    assert (result.marked, result.filled) == (4, 4) == (len(span), len(span))
    touched = RollupInterval.objects.filter(interval_start__lt=NOW)
    assert sorted(touched.values_list("interval_start", flat=True)) == span
    # Pool occupancy of the range: staffed time only inside the file's span.
    assert not OperatorInterval.objects.filter(interval_start__gte=span[-1] + rollups.INTERVAL)
    assert OperatorInterval.objects.filter(operator__code="op001").count() == 4
    again = rollups.rollup_kpis(now=NOW + dt.timedelta(minutes=1))
    # The engine looks LATE_COMMIT_SECONDS behind its watermark once (rows committed late):
    # the file's 4 intervals again, and the interval that began at NOW. Nothing else.
    assert (again.marked, again.filled) == (5, 5)


def test_keep_open_leaves_the_last_state_open_up_to_now(center):
    queue_log_import_file(path=SAMPLE, keep_open=True, **MAPS)

    result = rollups.rollup_kpis(now=NOW)

    # op001 stays ready from 06:40 (the UNPAUSEALL) until now: every interval up to NOW.
    open_from = rollups.floor_interval(dt.datetime(2026, 10, 5, 6, 40, tzinfo=dt.UTC))
    assert result.marked == 2 + int((NOW - open_from) / rollups.INTERVAL)  # 06:00, 06:15
    assert result.marked == 5448
