"""KPI answers are cached until a rollup fills a day they cover (calls/kpi_cache.py).

A real rollup after a new call: the answer changes at once; the same query in between
costs no query of the rollup tables; another day's fill leaves the answer cached; the
project's own settings (its SL formula) are part of the key.
"""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from calls import rollups
from calls.models import Call

UTC = dt.UTC
NINE = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
DAY = {"from": "2026-10-05T00:00:00Z", "to": "2026-10-06T00:00:00Z", "granularity": "hour"}


@pytest.fixture(autouse=True)
def kpi_cache_on(settings):
    settings.KPI_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def call(project, external_id, offered_at, *, answered=True):
    return Call.objects.create(
        project=project,
        external_id=external_id,
        offered_at=offered_at,
        answered_at=offered_at + dt.timedelta(seconds=8) if answered else None,
        ended_at=offered_at + dt.timedelta(seconds=128),
    )


def rollup(now):
    # The bump follows the fill's commit; the test's transaction never commits, so run the
    # on-commit callbacks as the commit would.
    with time_machine.travel(now, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        rollups.rollup_kpis(now=now)


def interval_reads(queries):
    return sum("calls_projectinterval" in q["sql"] for q in queries)


def test_an_answer_is_kept_until_a_rollup_fills_its_day(pm_api, pm_project):
    url = f"/api/v1/projects/{pm_project.code}/kpis/"
    with time_machine.travel(NINE + dt.timedelta(hours=1), tick=False):
        call(pm_project, "a", NINE)
    rollup(NINE + dt.timedelta(hours=18))  # the day has ended: a closed day

    first = pm_api.get(url, DAY).json()
    with CaptureQueriesContext(connection) as queries:
        again = pm_api.get(url, DAY).json()
    assert again == first
    assert first["totals"]["offered"] == 1
    assert interval_reads(queries.captured_queries) == 0  # served from the cache

    # A fill of another day leaves the answer cached.
    with time_machine.travel(NINE + dt.timedelta(days=2, hours=1), tick=False):
        call(pm_project, "b", NINE + dt.timedelta(days=2))
    rollup(NINE + dt.timedelta(days=2, hours=3))
    with CaptureQueriesContext(connection) as queries:
        assert pm_api.get(url, DAY).json() == first
    assert interval_reads(queries.captured_queries) == 0

    # A call of that day, once rolled up, changes the answer at once.
    with time_machine.travel(NINE + dt.timedelta(days=2, hours=3, minutes=30), tick=False):
        call(pm_project, "c", NINE + dt.timedelta(hours=1), answered=False)  # a late call
    rollup(NINE + dt.timedelta(days=2, hours=4))
    with CaptureQueriesContext(connection) as queries:
        after = pm_api.get(url, DAY).json()
    assert interval_reads(queries.captured_queries) == 1
    assert (after["totals"]["offered"], after["totals"]["abandoned"]) == (2, 1)


def test_the_projects_settings_are_part_of_the_key(pm_api, pm_project):
    url = f"/api/v1/projects/{pm_project.code}/kpis/"
    call(pm_project, "a", NINE)
    call(pm_project, "b", NINE, answered=False)
    rollup(NINE + dt.timedelta(hours=3))
    before = pm_api.get(url, DAY).json()
    assert (before["sl_formula"], before["totals"]["service_level"]) == ("offered_minus_short", 0.5)
    pm_project.sl_formula = "answered_only"
    pm_project.save(update_fields=["sl_formula"])
    after = pm_api.get(url, DAY).json()
    assert (after["sl_formula"], after["totals"]["service_level"]) == ("answered_only", 1.0)


def test_pool_occupancy_is_cached_per_scope(admin_api, pm_api, pm_project):
    call(pm_project, "a", NINE)
    rollup(NINE + dt.timedelta(hours=3))
    query = {**DAY, "tz": "UTC"}
    whole = admin_api.get("/api/v1/pool/occupancy/", query)
    assert whole.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert admin_api.get("/api/v1/pool/occupancy/", query).json() == whole.json()
    assert not any("calls_operatorinterval" in q["sql"] for q in queries.captured_queries)
