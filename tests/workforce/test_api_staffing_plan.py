"""The forecast and staffing-plan endpoints: answers over HTTP, the 400s naming the field,
the scope (another tenant's project is an unknown one), and 401 without a token."""

import datetime as dt

import pytest

from calls.models import ProjectInterval
from tests.factories import OperatorFactory, ProjectFactory

UTC = dt.UTC
PLAN = "/api/v1/staffing/plan/"
MONDAY = dt.date(2026, 10, 12)


def _fill(project, calls=20):
    """Six weeks of ``calls`` at 10:00-10:15 UTC every day before MONDAY."""
    ProjectInterval.objects.bulk_create(
        ProjectInterval(
            project=project,
            interval_start=dt.datetime.combine(MONDAY - dt.timedelta(days=day), dt.time(10), UTC),
            offered=calls,
            answered=calls,
            talk_seconds=calls * 180,
        )
        for day in range(1, 43)
    )


@pytest.fixture
def pm_world(pm_project):
    pm_project.timezone = "UTC"
    pm_project.save()
    _fill(pm_project)
    OperatorFactory(code="pm-op")  # hourly cost 450.00: the default cost
    return pm_project


def test_a_plan_over_http(pm_api, pm_world):
    response = pm_api.post(
        PLAN,
        {"projects": [pm_world.code], "from": "2026-10-12", "days": 2, "shrinkage": 0.3},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["projects"] == ["pm-hotline"]
    assert (body["from"], body["days"], body["tz"]) == ("2026-10-12", 2, "UTC")
    assert len(body["intervals"]) == 192
    ten = body["intervals"][40]
    assert ten["start"] == "2026-10-12T10:00:00Z"
    assert ten["traffic_erlangs"] == 4.0  # 20 calls x 180 s / 900 s
    assert ten["dedicated"] == {"pm-hotline": ten["dedicated_total"]}
    assert ten["pooled"] == ten["dedicated_total"]  # one project: nothing to pool
    assert [day["date"] for day in body["days_totals"]] == ["2026-10-12", "2026-10-13"]
    assert body["gain"]["hours"] == "0.00"
    assert body["hourly_cost"] == "450.00"


def test_an_explicit_hourly_cost_is_used(pm_api, pm_world):
    response = pm_api.post(
        PLAN,
        {"projects": [pm_world.code], "from": "2026-10-12", "days": 1, "hourly_cost": "12.5"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["hourly_cost"] == "12.50"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2026-10-12"}, "projects"),
        ({"projects": ["pm-hotline"]}, "from"),
        ({"projects": [], "from": "2026-10-12"}, "projects"),
        ({"projects": ["pm-hotline", "pm-hotline"], "from": "2026-10-12"}, "projects"),
        ({"projects": ["pm-hotline"], "from": "12/10/2026"}, "from"),
        ({"projects": ["pm-hotline"], "from": "2026-10-12", "days": 0}, "days"),
        ({"projects": ["pm-hotline"], "from": "2026-10-12", "days": 32}, "days"),
        ({"projects": ["pm-hotline"], "from": "2026-10-12", "shrinkage": 1}, "shrinkage"),
        ({"projects": ["pm-hotline"], "from": "2026-10-12", "max_occupancy": 0}, "max_occupancy"),
        ({"projects": ["pm-hotline"], "from": "2026-10-12", "hourly_cost": -1}, "hourly_cost"),
        ({"projects": ["pm-hotline"], "from": "2026-10-12", "tz": "Mars/Olympus"}, "tz"),
        ({"projects": ["nope"], "from": "2026-10-12"}, "projects"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(pm_api, pm_world, body, field):
    response = pm_api.post(PLAN, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_a_project_out_of_scope_is_an_unknown_project(pm_api, pm_world):
    ProjectFactory(code="their-line")
    theirs = pm_api.post(PLAN, {"projects": ["their-line"], "from": "2026-10-12"}, format="json")
    ghost = pm_api.post(PLAN, {"projects": ["ghost"], "from": "2026-10-12"}, format="json")

    assert theirs.status_code == 400
    assert theirs.json()["errors"] == {"projects": ["Unknown project 'their-line'."]}
    assert ghost.json()["errors"] == {"projects": ["Unknown project 'ghost'."]}
    mixed = pm_api.post(
        PLAN, {"projects": ["pm-hotline", "their-line"], "from": "2026-10-12"}, format="json"
    )
    assert mixed.status_code == 400


def test_an_integration_plans_its_clients_projects_only(integration_api, integration_client):
    ours = ProjectFactory(code="crm-line", client=integration_client, timezone="UTC")
    ProjectFactory(code="other-line")
    ok = integration_api.post(PLAN, {"projects": [ours.code], "from": "2026-10-12"}, format="json")
    refused = integration_api.post(
        PLAN, {"projects": ["other-line"], "from": "2026-10-12"}, format="json"
    )
    assert ok.status_code == 200
    # The operators' cost is internal: no cost and no money derived from it, not even 0.
    assert "hourly_cost" not in ok.json()
    assert "gain_money" not in ok.json()["totals"]
    assert refused.status_code == 400


def test_anonymous_is_a_401(anon_api, db):
    assert anon_api.post(PLAN, {}, format="json").status_code == 401
    assert anon_api.get("/api/v1/projects/x/forecast/").status_code == 401


# --- The forecast endpoint -----------------------------------------------------------------


def test_the_forecast_over_http(pm_api, pm_world):
    response = pm_api.get(
        f"/api/v1/projects/{pm_world.code}/forecast/", {"from": "2026-10-12", "weeks": 2}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["project"], body["weeks"], body["from"]) == ("pm-hotline", 2, "2026-10-12")
    assert len(body["intervals"]) == 2 * 672
    assert body["intervals"][40] == {
        "start": "2026-10-12T10:00:00Z",
        "offered": 20.0,
        "aht_seconds": 180.0,
    }
    assert body["backtest"]["wape"] == 0.0


def test_the_forecast_defaults_to_tomorrow(pm_api, pm_world):
    response = pm_api.get(f"/api/v1/projects/{pm_world.code}/forecast/")
    assert response.status_code == 200
    assert len(response.json()["intervals"]) in (668, 672, 676)


@pytest.mark.parametrize("query", [{"weeks": 0}, {"weeks": 9}, {"weeks": "x"}])
def test_the_forecast_refuses_bad_weeks(pm_api, pm_world, query):
    response = pm_api.get(f"/api/v1/projects/{pm_world.code}/forecast/", query)
    assert response.status_code == 400
    assert "weeks" in response.json()["errors"]


def test_another_tenants_forecast_is_a_404(pm_api, pm_world):
    ProjectFactory(code="their-line")
    assert pm_api.get("/api/v1/projects/their-line/forecast/").status_code == 404
