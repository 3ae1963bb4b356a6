"""The "Pooling gain" admin page: staff only, the projects the user may see, per day."""

import datetime as dt
from decimal import Decimal

import pytest

from calls.models import ProjectInterval
from projects.models import Project
from tests.factories import ProjectFactory, UserFactory

UTC = dt.UTC
URL = "/admin/staffing-plan/"


@pytest.fixture
def pm(db):
    user = UserFactory(username="pm", is_staff=True)
    for code, hour in (("day-line", 10), ("night-line", 10)):
        project = ProjectFactory(code=code, timezone="UTC")
        project.managers.add(user)
        ProjectInterval.objects.bulk_create(
            ProjectInterval(
                project=project,
                interval_start=dt.datetime.combine(
                    dt.date(2026, 10, 12) - dt.timedelta(days=day), dt.time(hour), UTC
                ),
                offered=20,
                answered=20,
                talk_seconds=20 * 180,
            )
            for day in range(1, 43)
        )
    ProjectFactory(code="hidden-line")
    return user


def test_the_admin_index_links_to_it(client, pm):
    client.force_login(pm)
    assert URL in client.get("/admin/").content.decode()


def test_the_form_lists_only_visible_projects(client, pm):
    client.force_login(pm)
    page = client.get(URL).content.decode()
    assert "day-line" in page
    assert "night-line" in page
    assert "hidden-line" not in page


def test_a_week_per_day_dedicated_vs_pooled(client, pm):
    client.force_login(pm)
    ids = [str(pk) for pk in Project.objects.filter(managers=pm).values_list("pk", flat=True)]
    response = client.get(
        URL,
        {
            "projects": ids,
            "week": "2026-10-12",
            "shrinkage": "0.3",
            "max_occupancy": "0.85",
            "hourly_cost": "10",
        },
    )
    assert response.status_code == 200
    plan = response.context["plan"]
    assert len(plan["days_totals"]) == 7
    page = response.content.decode()
    assert 'id="pooling-chart"' in page
    assert 'data-date="2026-10-12"' in page
    assert plan["totals"]["gain_hours"] == plan["gain"]["hours"]
    # One pool of 8 Erlangs needs fewer agents than two teams of 4.
    assert Decimal(plan["gain"]["hours"]) > 0


def test_a_hidden_project_is_refused(client, pm):
    client.force_login(pm)
    hidden = Project.objects.get(code="hidden-line")
    response = client.get(URL, {"projects": [hidden.pk], "week": "2026-10-12"})
    assert "plan" not in response.context
    assert "projects" in response.context["form"].errors


def test_not_staff_cannot_open_it(client, db):
    client.force_login(UserFactory(username="bot", is_staff=False))
    response = client.get(URL)
    assert response.status_code == 302
