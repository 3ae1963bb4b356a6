"""Alerts in the API and the admin: filters, acknowledging (managers of the project and
superusers), read-only for a client's integration, and the admin list and action."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from alerts.models import Alert
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.admin_pages import changelist, rows
from tests.factories import ProjectFactory, UserFactory

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
URL = "/api/v1/alerts/"


def alert(project, condition="service_level_today", *, opened=T0, cleared=False, acked=False):
    return Alert.objects.create(
        project=project,
        condition=condition,
        opened_at=opened,
        last_seen_at=opened,
        cleared_at=opened + dt.timedelta(hours=1) if cleared else None,
        acknowledged_at=opened + dt.timedelta(minutes=5) if acked else None,
        message=f"{condition} of {project.code}",
    )


@pytest.fixture
def alerts(pm_project, integration_client):
    other = ProjectFactory(code="other-line")
    theirs = ProjectFactory(code="crm-line", client=integration_client)
    return {
        "open": alert(pm_project, opened=T0 + dt.timedelta(hours=2)),
        "acked": alert(pm_project, "hour_service_level", acked=True),
        "cleared": alert(
            pm_project, "hour_abandon_rate", opened=T0 - dt.timedelta(hours=3), cleared=True
        ),
        "other": alert(other),
        "crm": alert(theirs),
    }  # fmt: skip


def listed(api, **query):
    response = api.get(URL, query)
    assert response.status_code == 200, response.json()
    return [(row["project"], row["condition"], row["state"]) for row in response.json()["results"]]


def test_a_manager_lists_their_projects_alerts_by_state(pm_api, alerts):
    assert listed(pm_api) == [
        ("pm-hotline", "service_level_today", "open"),
        ("pm-hotline", "hour_service_level", "acknowledged"),
        ("pm-hotline", "hour_abandon_rate", "cleared"),
    ]
    assert listed(pm_api, state="open") == [("pm-hotline", "service_level_today", "open")]
    assert listed(pm_api, state="cleared", project="pm-hotline") == [
        ("pm-hotline", "hour_abandon_rate", "cleared")
    ]
    assert listed(pm_api, project="other-line") == []


def test_bad_filters_are_a_400_naming_them(pm_api, alerts):
    response = pm_api.get(URL, {"state": "burning"})
    assert response.status_code == 400
    assert "state" in response.json()["errors"]
    response = pm_api.get(URL, {"severity": "high"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["severity"]


def test_acknowledging_keeps_the_first_and_refuses_a_cleared_alert(pm_api, alerts):
    url = f"{URL}{alerts['open'].pk}/acknowledge/"
    first = pm_api.post(url)
    again = pm_api.post(url)
    assert first.status_code == again.status_code == 200
    assert first.json()["state"] == "acknowledged"
    assert first.json()["acknowledged_by"] == "pm"
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]

    cleared = pm_api.post(f"{URL}{alerts['cleared'].pk}/acknowledge/")
    assert cleared.status_code == 409
    assert Alert.objects.get(pk=alerts["cleared"].pk).acknowledged_at is None
    assert pm_api.post(f"{URL}{alerts['other'].pk}/acknowledge/").status_code == 404


def test_a_client_integration_reads_its_own_alerts_and_acknowledges_none(integration_api, alerts):
    assert listed(integration_api) == [("crm-line", "service_level_today", "open")]
    response = integration_api.post(f"{URL}{alerts['crm'].pk}/acknowledge/")
    assert response.status_code == 403
    assert Alert.objects.get(pk=alerts["crm"].pk).acknowledged_at is None


def test_the_admin_lists_a_managers_alerts_and_acknowledges_them(client, alerts, pm_project):
    roles_setup()
    pm = UserFactory(username="olga", is_staff=True)
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    pm_project.managers.add(pm)
    client.force_login(pm)

    assert {a.pk for a in rows(changelist(client, Alert))} == {
        alerts["open"].pk, alerts["acked"].pk, alerts["cleared"].pk,
    }  # fmt: skip
    assert [a.pk for a in rows(changelist(client, Alert, state="open"))] == [alerts["open"].pk]
    filtered = changelist(client, Alert, condition="hour_abandon_rate")
    assert [a.pk for a in rows(filtered)] == [alerts["cleared"].pk]

    url = reverse("admin:alerts_alert_changelist")
    selected = [alerts["open"].pk, alerts["cleared"].pk, alerts["other"].pk]
    response = client.post(url, {"action": "acknowledge", "_selected_action": selected})
    assert response.status_code == 302
    acked = Alert.objects.filter(acknowledged_by=pm).values_list("pk", flat=True)
    assert list(acked) == [alerts["open"].pk]  # the cleared one and another project's: no
    assert client.get(reverse("admin:alerts_alertwebhook_changelist")).status_code == 403
