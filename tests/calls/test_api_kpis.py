"""The KPI endpoints: the selectors' answers over HTTP, the 400s naming the parameter, and
the scope (out of scope is a 404)."""

import datetime as dt

import pytest
import time_machine

from calls import rollups
from calls.models import Call
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory

UTC = dt.UTC
NINE = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
DAY = {"from": "2026-10-05T00:00:00Z", "to": "2026-10-06T00:00:00Z"}


@pytest.fixture
def filled(pm_project):
    """Two calls of the PM's project at 09:00 UTC (12:00 in Moscow), rolled up."""
    operator = OperatorFactory(code="anna")
    CertificationFactory(operator=operator, project=pm_project)
    Call.objects.create(
        project=pm_project, external_id="a", offered_at=NINE, operator=operator,
        answered_at=NINE + dt.timedelta(seconds=8), ended_at=NINE + dt.timedelta(seconds=128),
        wrap_seconds=12,
    )  # fmt: skip
    Call.objects.create(
        project=pm_project, external_id="b", offered_at=NINE,
        ended_at=NINE + dt.timedelta(seconds=30),
    )  # fmt: skip
    now = NINE + dt.timedelta(hours=3)
    with time_machine.travel(now, tick=False):
        rollups.rollup_kpis(now=now)
    return pm_project


def test_project_kpis_per_hour_in_the_projects_time_zone(pm_api, filled):
    response = pm_api.get(f"/api/v1/projects/{filled.code}/kpis/", {**DAY, "granularity": "hour"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["project"], body["granularity"], body["timezone"]) == (
        "pm-hotline", "hour", "Europe/Moscow",
    )  # fmt: skip
    assert len(body["buckets"]) == 24
    noon = body["buckets"][9]
    assert noon["start"] == "2026-10-05T12:00:00+03:00"
    assert {k: noon[k] for k in ("offered", "answered", "abandoned", "wait_seconds_answered")} == {
        "offered": 2, "answered": 1, "abandoned": 1, "wait_seconds_answered": 8,
    }  # fmt: skip
    assert noon["service_level"] == 0.5  # 1 within 20 s of 2 offered, no short abandons
    assert noon["abandon_rate"] == 0.5
    assert noon["asa_seconds"] == 8.0
    assert noon["aht_seconds"] == 132.0
    assert body["buckets"][0]["service_level"] is None  # no calls: null, not 0
    assert body["totals"]["offered"] == 2
    assert body["totals"]["aht_seconds"] == 132.0


def test_operator_and_pool_occupancy(admin_api, filled):
    operator = "/api/v1/operators/anna/occupancy/"
    query = {**DAY, "granularity": "day", "tz": "Europe/Moscow"}

    mine = admin_api.get(operator, query)
    pool = admin_api.get("/api/v1/pool/occupancy/", query)

    assert mine.status_code == pool.status_code == 200, mine.json()
    assert mine.json()["buckets"] == [
        {
            "start": "2026-10-05T00:00:00+03:00",
            "staffed_seconds": 0,
            "break_seconds": 0,
            "handle_seconds": 132,
            "occupancy": None,
            "utilization": None,
            "shrinkage": None,
        },
        {
            "start": "2026-10-06T00:00:00+03:00",  # the range ends at 03:00 on the 6th, local
            "staffed_seconds": 0,
            "break_seconds": 0,
            "handle_seconds": 0,
            "occupancy": None,
            "utilization": None,
            "shrinkage": None,
        },
    ]
    assert pool.json()["pool"] == {"operators": ["anna"], "projects": None}
    assert pool.json()["totals"]["handle_seconds"] == 132


def test_peak_hours(pm_api, filled):
    project = pm_api.get(f"/api/v1/projects/{filled.code}/peak-hours/", DAY)
    pool = pm_api.get("/api/v1/pool/peak-hours/", {**DAY, "tz": "Europe/Moscow"})

    assert project.status_code == pool.status_code == 200
    (row,) = project.json()["projects"]
    assert (row["project"], row["hours"][12], row["tz_hours"][9], row["peak_hour"]) == (
        "pm-hotline", 2, 2, 12,
    )  # fmt: skip
    assert pool.json()["pool"]["tz_hours"][12] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": DAY["to"], "granularity": "hour"}, "from"),
        ({"from": "2026-10-05T00:00:00", "to": DAY["to"], "granularity": "hour"}, "from"),
        ({"from": DAY["from"], "to": "yesterday", "granularity": "hour"}, "to"),
        ({**DAY, "granularity": "weekly"}, "granularity"),
        ({**DAY}, "granularity"),
        ({"from": DAY["to"], "to": DAY["from"], "granularity": "hour"}, "to"),
        (
            {"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z", "granularity": "15min"},
            "to",
        ),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(pm_api, pm_project, query, field):
    response = pm_api.get(f"/api/v1/projects/{pm_project.code}/kpis/", query)

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_a_naive_instant_is_refused_with_a_clear_message(pm_api, pm_project):
    query = {"from": "2026-10-05T00:00:00", "to": DAY["to"], "granularity": "hour"}
    response = pm_api.get(f"/api/v1/projects/{pm_project.code}/kpis/", query)
    assert "offset" in response.json()["errors"]["from"][0]


def test_an_offset_whose_plus_became_a_space_is_understood(pm_api, pm_project):
    query = "from=2026-10-05T00:00:00+03:00&to=2026-10-06T00:00:00+03:00&granularity=day"
    response = pm_api.get(f"/api/v1/projects/{pm_project.code}/kpis/?{query}")
    assert response.status_code == 200
    assert [b["start"] for b in response.json()["buckets"]] == ["2026-10-05T00:00:00+03:00"]


def test_an_unknown_tz_is_a_400(admin_api, db):
    response = admin_api.get(
        "/api/v1/pool/occupancy/", {**DAY, "granularity": "hour", "tz": "Mars/Base"}
    )
    assert response.status_code == 400
    assert "tz" in response.json()["errors"]


def test_another_clients_project_is_a_404(pm_api, db):
    other = ProjectFactory(code="not-mine")
    for path in (
        f"/api/v1/projects/{other.code}/kpis/",
        f"/api/v1/projects/{other.code}/peak-hours/",
    ):
        response = pm_api.get(path, {**DAY, "granularity": "hour"})
        assert response.status_code == 404


def test_an_integration_counts_only_its_own_calls_as_handle_time(
    integration_api, integration_client
):
    mine = ProjectFactory(code="mine", client=integration_client)
    theirs = ProjectFactory(code="theirs")
    operator = OperatorFactory(code="shared-op")
    CertificationFactory(operator=operator, project=mine)
    CertificationFactory(operator=operator, project=theirs)
    for project, external_id in ((mine, "m"), (theirs, "t")):
        Call.objects.create(
            project=project, external_id=external_id, offered_at=NINE, operator=operator,
            answered_at=NINE, ended_at=NINE + dt.timedelta(seconds=100),
        )  # fmt: skip
    now = NINE + dt.timedelta(hours=1)
    with time_machine.travel(now, tick=False):
        rollups.rollup_kpis(now=now)
    query = {**DAY, "granularity": "day"}

    pool = integration_api.get("/api/v1/pool/occupancy/", query).json()
    one = integration_api.get("/api/v1/operators/shared-op/occupancy/", query).json()

    assert pool["pool"] == {"operators": ["shared-op"], "projects": ["mine"]}
    assert pool["totals"]["handle_seconds"] == one["totals"]["handle_seconds"] == 100
    assert "theirs" not in str(pool)


def test_the_month_hourly_answer_is_fast_enough_in_queries(
    pm_api, filled, django_assert_max_num_queries
):
    query = {
        "from": "2026-10-01T00:00:00+03:00",
        "to": "2026-11-01T00:00:00+03:00",
        "granularity": "hour",
    }
    with django_assert_max_num_queries(6):
        response = pm_api.get(f"/api/v1/projects/{filled.code}/kpis/", query)
    assert len(response.json()["buckets"]) == 31 * 24  # Moscow keeps no DST
