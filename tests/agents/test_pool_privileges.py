"""Least privilege over the shared operator pool (issue 13, items 2 and 6).

Only superusers, project managers and, for agent states, the center's telephony change the
pool. A team lead (staff with no project role) reads it and changes nothing; a client's
integration never posts agent states nor reads internal costs. Through the API and the
admin, each refusal pinned by its status and the stored state.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from agents.models import (
    Absence,
    AgentStateEvent,
    Certification,
    Operator,
    OperatorStatusChange,
    Shift,
)
from calls.models import Call
from projects.models import IntegrationAccount
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.factories import (
    T0,
    AbsenceFactory,
    AgentStateEventFactory,
    CertificationFactory,
    ClientFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
    TokenFactory,
    UserFactory,
)

# The clock of conftest.py: today is 2026-10-30, 12:00 UTC, for every test here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
API = "/api/v1"
FORBIDDEN = "Only administrators and project managers may change this."
POOL_FORBIDDEN = "Only administrators and project managers may change the operator pool."


def client_for(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=user).key}")
    return api


@pytest.fixture
def op001(pm_project, integration_client):
    """An operator of the pool working for the PM's project and the integration's client."""
    operator = OperatorFactory(code="op001", hourly_cost=Decimal("450.00"))
    CertificationFactory(operator=operator, project=pm_project)
    CertificationFactory(operator=operator, project=ProjectFactory(client=integration_client))
    return operator


@pytest.fixture
def lead(op001):
    """A team lead: staff, supervises op001, holds no role on any project."""
    user = UserFactory(username="lead", is_staff=True)
    op001.supervisor = user
    op001.save(update_fields=["supervisor"])
    return user


@pytest.fixture
def lead_api(lead):
    return client_for(lead)


@pytest.fixture
def telephony_api(db):
    account = IntegrationAccountFactory(
        user=UserFactory(username="pbx"), kind=IntegrationAccount.Kind.TELEPHONY, client=None
    )
    return client_for(account.user)


def event_body(operator="op001", at="2026-10-05T09:00:00Z", state="offline"):
    return {"operator": operator, "state": state, "at": at}


def dismiss_body():
    return {"to_status": "dismissed", "on": "2026-10-09", "reason": "other"}


class TestTeamLeadReadsThePoolAndChangesNothing:
    def test_reads_every_operator_with_its_cost(self, lead_api, op001):
        response = lead_api.get(f"{API}/operators/")

        assert response.status_code == 200
        assert [(o["code"], o["hourly_cost"]) for o in response.json()["results"]] == [
            ("op001", "450.00")
        ]

    def test_may_not_change_an_operators_hourly_cost(self, lead_api, op001):
        response = lead_api.patch(
            f"{API}/operators/op001/", {"hourly_cost": "9999.00"}, format="json"
        )

        assert response.status_code == 403
        assert response.json()["detail"] == FORBIDDEN
        op001.refresh_from_db()
        assert op001.hourly_cost == Decimal("450.00")

    def test_may_not_create_an_operator(self, lead_api, op001):
        body = {"code": "op999", "full_name": "New", "status": "active", "hired_on": "2026-10-01"}

        response = lead_api.post(f"{API}/operators/", body, format="json")

        assert response.status_code == 403
        assert list(Operator.objects.values_list("code", flat=True)) == ["op001"]

    def test_may_not_dismiss_an_operator(self, lead_api, op001):
        response = lead_api.post(f"{API}/operators/op001/status/", dismiss_body(), format="json")

        assert response.status_code == 403
        assert response.json()["detail"] == POOL_FORBIDDEN
        op001.refresh_from_db()
        assert (op001.status, op001.left_on) == ("active", None)
        assert not OperatorStatusChange.objects.filter(to_status="dismissed").exists()

    def test_reads_the_history_it_may_not_change(self, lead_api, op001):
        assert lead_api.get(f"{API}/operators/op001/history/").status_code == 200

    def test_may_not_post_agent_states(self, lead_api, op001):
        response = lead_api.post(f"{API}/agent-events/", [event_body()], format="json")

        assert response.status_code == 403
        assert AgentStateEvent.objects.count() == 0

    def test_may_not_plan_shifts(self, lead_api, op001):
        response = lead_api.post(
            f"{API}/schedules/generate/",
            {"start": "2026-11-02", "requirements": {"pm-hotline": [1] * 672}},
            format="json",
        )

        assert response.status_code == 403
        assert Shift.objects.count() == 0


class TestManagerChangesThePool:
    def test_changes_the_cost_creates_dismisses_and_posts_states(self, pm_api, op001):
        patched = pm_api.patch(f"{API}/operators/op001/", {"hourly_cost": "500.00"}, format="json")
        created = pm_api.post(
            f"{API}/operators/",
            {"code": "op002", "full_name": "New", "status": "active", "hired_on": "2026-10-01"},
            format="json",
        )
        dismissed = pm_api.post(f"{API}/operators/op001/status/", dismiss_body(), format="json")
        posted = pm_api.post(f"{API}/agent-events/", [event_body(operator="op002")], format="json")

        assert (patched.status_code, created.status_code) == (200, 201)
        assert (dismissed.status_code, posted.status_code) == (200, 201)
        op001.refresh_from_db()
        assert (op001.hourly_cost, op001.status) == (Decimal("500.00"), "dismissed")
        assert op001.left_on == dt.date(2026, 10, 9)
        assert Operator.objects.filter(code="op002").exists()
        assert posted.json()["created"] == 1
        assert AgentStateEvent.objects.get().operator.code == "op002"


class TestClientIntegration:
    def test_may_not_post_agent_states_even_of_its_own_operators(self, integration_api, op001):
        response = integration_api.post(f"{API}/agent-events/", [event_body()], format="json")

        assert response.status_code == 403
        assert AgentStateEvent.objects.count() == 0

    def test_never_reads_internal_costs_nor_the_team_lead(self, integration_api, op001, lead):
        listed = integration_api.get(f"{API}/operators/").json()["results"]
        detail = integration_api.get(f"{API}/operators/op001/").json()

        assert [row["code"] for row in listed] == ["op001"]
        for body in (listed[0], detail):
            assert "hourly_cost" not in body
            assert "supervisor" not in body

    def test_still_posts_its_own_calls(self, integration_api, integration_client, op001):
        project = op001.projects.get(client=integration_client)
        body = {
            "external_id": "crm-1",
            "project": project.code,
            "offered_at": "2026-10-05T10:00:00Z",
            "ended_at": "2026-10-05T10:01:00Z",
        }

        response = integration_api.post(f"{API}/calls/", body, format="json")

        assert response.status_code == 201
        assert Call.objects.get(external_id="crm-1").project == project


class TestTelephony:
    def test_posts_agent_states_of_the_whole_pool(self, telephony_api, op001):
        other = OperatorFactory(code="op002")  # certified nowhere: still the pool's
        rows = [event_body(), event_body(operator="op002", state="ready")]

        response = telephony_api.post(f"{API}/agent-events/", rows, format="json")

        assert response.status_code == 201
        assert response.json()["created"] == 2
        stored = AgentStateEvent.objects.order_by("operator__code")
        assert [(e.operator, e.state, e.at) for e in stored] == [
            (op001, "offline", T0),
            (other, "ready", T0),
        ]

    def test_posts_calls_of_every_clients_projects(self, telephony_api, op001, pm_project):
        other_client_line = ProjectFactory(code="other-line", client=ClientFactory())
        body = [
            {
                "external_id": f"pbx-{project.code}",
                "project": project.code,
                "offered_at": "2026-10-05T10:00:00Z",
                "ended_at": "2026-10-05T10:01:00Z",
            }
            for project in (pm_project, other_client_line)
        ]

        response = telephony_api.post(f"{API}/calls/", body, format="json")

        assert response.status_code == 201
        assert sorted(Call.objects.values_list("external_id", flat=True)) == [
            "pbx-other-line",
            "pbx-pm-hotline",
        ]

    def test_reads_the_pool_without_costs_and_changes_no_operator(self, telephony_api, op001):
        listed = telephony_api.get(f"{API}/operators/").json()["results"]
        patched = telephony_api.patch(
            f"{API}/operators/op001/", {"hourly_cost": "1.00"}, format="json"
        )
        dismissed = telephony_api.post(
            f"{API}/operators/op001/status/", dismiss_body(), format="json"
        )

        assert [row["code"] for row in listed] == ["op001"]
        assert "hourly_cost" not in listed[0]
        assert (patched.status_code, dismissed.status_code) == (403, 403)
        op001.refresh_from_db()
        assert (op001.hourly_cost, op001.status) == (Decimal("450.00"), "active")

    def test_sees_no_client_and_no_invoice(self, telephony_api, op001):
        assert telephony_api.get(f"{API}/clients/").json()["results"] == []
        assert telephony_api.get(f"{API}/invoices/").json()["results"] == []


class TestIntegrationKind:
    def test_a_client_integration_needs_a_client(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            IntegrationAccountFactory(client=None)

    def test_the_telephony_belongs_to_no_client(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            IntegrationAccountFactory(kind=IntegrationAccount.Kind.TELEPHONY)

    def test_the_command_creates_the_telephony_and_its_token_posts_states(self, op001, capsys):
        call_command("create_api_token", "pbx", "--telephony")
        key = capsys.readouterr().out.strip()

        account = IntegrationAccount.objects.get(user__username="pbx")
        assert (account.kind, account.client) == ("telephony", None)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = api.post(f"{API}/agent-events/", [event_body()], format="json")
        assert response.status_code == 201
        assert AgentStateEvent.objects.get().operator == op001

    def test_the_command_refuses_telephony_with_a_client_or_over_a_client_binding(self):
        acme = ClientFactory(code="acme")
        IntegrationAccountFactory(user=UserFactory(username="crm-bot"), client=acme)

        with pytest.raises(CommandError, match="takes no --client"):
            call_command("create_api_token", "pbx", "--telephony", "--client", "acme")
        with pytest.raises(CommandError, match="integration of client 'acme'"):
            call_command("create_api_token", "crm-bot", "--telephony")
        assert IntegrationAccount.objects.get(user__username="crm-bot").kind == "client"
        assert not IntegrationAccount.objects.filter(user__username="pbx").exists()


# --- The admin ------------------------------------------------------------------------------


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def staff_in_pm_group(client, op001):
    """A staff user holding the project managers' group but managing no project: the
    group grants operator and shift changes, the tenancy takes them back."""
    roles_setup()
    user = UserFactory(username="lead-with-group", is_staff=True)
    user.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    client.force_login(user)
    return user


class TestAdmin:
    @pytest.mark.parametrize("model", [Operator, Shift, Absence, Certification])
    def test_no_role_staff_may_not_add(self, client, staff_in_pm_group, model):
        assert client.get(admin_url(model, "add")).status_code == 403

    def test_no_role_staff_reads_an_operator_but_may_not_change_it(
        self, client, staff_in_pm_group, op001
    ):
        url = admin_url(Operator, "change", op001.pk)
        name = op001.full_name

        page = client.get(url)
        posted = client.post(url, {"code": "op001", "full_name": "X", "hourly_cost": "1.00"})

        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert posted.status_code == 403
        op001.refresh_from_db()
        assert (op001.full_name, op001.hourly_cost) == (name, Decimal("450.00"))

    def test_no_role_staff_has_no_actions_and_may_not_delete(
        self, client, staff_in_pm_group, op001
    ):
        shift = ShiftFactory(operator=op001)
        AbsenceFactory(operator=op001)
        event = AgentStateEventFactory(operator=op001)

        changelist = client.get(admin_url(Operator, "changelist"))
        deleted = client.post(admin_url(Shift, "delete", shift.pk), {"post": "yes"})
        status = client.post(
            reverse("admin:agents_operator_status", args=[op001.pk]),
            {"to_status": "dismissed", "on": "2026-10-09", "reason": "other"},
        )

        assert changelist.status_code == 200
        assert changelist.context["action_form"] is None
        assert deleted.status_code == 403
        assert Shift.objects.filter(pk=shift.pk).exists()
        assert status.status_code == 302  # back to the read-only operator page
        op001.refresh_from_db()
        assert op001.status == "active"
        assert AgentStateEvent.objects.get() == event

    def test_a_manager_in_the_same_group_may_change_the_pool(
        self, client, staff_in_pm_group, op001, pm_project
    ):
        pm_project.managers.add(staff_in_pm_group)

        assert client.get(admin_url(Operator, "add")).status_code == 200
        assert client.get(admin_url(Shift, "add")).status_code == 200
        page = client.get(admin_url(Operator, "change", op001.pk))
        assert page.context["has_change_permission"] is True
