"""Shift templates in the admin: project managers create and edit them (pool templates and
their projects' own), in local time of day; another client's project template stays hidden."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from agents.models import ShiftTemplate
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(client):
    roles_setup()
    pm = UserFactory(username="templates-pm", is_staff=True)
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    mine = ProjectFactory(code="mine", timezone="Asia/Novosibirsk")
    mine.managers.add(pm)
    client.force_login(pm)
    client.mine = mine
    return client


def test_a_pm_creates_a_template_for_their_project_in_its_local_time(pm_client):
    form = {
        "name": "nsk-day",
        "start_time": "09:00",
        "duration_minutes": "540",
        "break_minutes": "60",
        "project": pm_client.mine.pk,
        "is_active": "on",
    }

    page = pm_client.get("/admin/agents/shifttemplate/add/")
    added = pm_client.post("/admin/agents/shifttemplate/add/", form)

    assert page.status_code == 200
    assert "Local time of day the shift starts" in page.content.decode()
    assert added.status_code == 302
    template = ShiftTemplate.objects.get()
    assert (template.project, template.start_time) == (pm_client.mine, dt.time(9))
    assert str(template) == "nsk-day (09:00, 540 min)"


def test_a_pm_sees_pool_templates_and_their_projects_only(pm_client):
    theirs = ProjectFactory(code="theirs")
    ShiftTemplate.objects.create(name="pool-day", start_time=dt.time(9), duration_minutes=480)
    hidden = ShiftTemplate.objects.create(
        name="their-day", start_time=dt.time(9), duration_minutes=480, project=theirs
    )

    listing = pm_client.get("/admin/agents/shifttemplate/").content.decode()
    form = pm_client.get("/admin/agents/shifttemplate/add/").content.decode()

    assert "pool-day" in listing
    assert "their-day" not in listing
    assert f'<option value="{theirs.pk}"' not in form
    assert pm_client.get(f"/admin/agents/shifttemplate/{hidden.pk}/change/").status_code == 302
