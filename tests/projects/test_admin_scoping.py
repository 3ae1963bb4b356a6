"""A project manager in the admin: the role's permissions and only their projects' rows."""

import pytest
from django.contrib.auth.models import Group

from billing.models import Tariff
from projects.roles import OPERATORS, PROJECT_MANAGERS, QA_EVALUATORS, TRAINERS, roles_setup
from tests.factories import (
    CallFactory,
    CertificationFactory,
    ContactFactory,
    InvoiceFactory,
    ProjectFactory,
    TariffFactory,
    UserFactory,
)


@pytest.fixture
def pm(db):
    roles_setup()
    user = UserFactory(username="olga", is_staff=True)
    user.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    return user


@pytest.fixture
def mine(pm):
    project = ProjectFactory(code="volga-hotline", client__code="volga-bank")
    project.managers.add(pm)
    return project


@pytest.fixture
def theirs(db):
    return ProjectFactory(code="sib-support", client__code="sib-telecom")


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


ROLE_COUNTS = {
    PROJECT_MANAGERS: 91,
    QA_EVALUATORS: 20,
    TRAINERS: 11,
    OPERATORS: 0,
}  # + payments, break reasons, alerts, shift templates, telephony, time-off requests, swaps


def test_the_role_is_created_once_with_its_permissions(db):
    assert roles_setup() == ROLE_COUNTS
    assert roles_setup() == ROLE_COUNTS
    group = Group.objects.get(name=PROJECT_MANAGERS)
    assert group.permissions.filter(codename="change_project").exists()
    assert not group.permissions.filter(codename="delete_project").exists()
    assert not group.permissions.filter(codename="change_invoice").exists()


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        ("/admin/projects/project/", "volga-hotline", "sib-support"),
        ("/admin/projects/client/", "volga-bank", "sib-telecom"),
        ("/admin/billing/tariff/", "volga-hotline", "sib-support"),
        ("/admin/billing/invoice/", "volga-bank", "sib-telecom"),
        ("/admin/agents/certification/", "volga-hotline", "sib-support"),
        ("/admin/calls/call/", "mine-cdr", "their-cdr"),
        ("/admin/calls/contact/", "+74950000001", "+74950000002"),
    ],
)
def test_lists_show_only_the_managed_projects_rows(pm_client, mine, theirs, url, shown, hidden):
    TariffFactory(project=mine)
    TariffFactory(project=theirs)
    InvoiceFactory(client=mine.client)
    InvoiceFactory(client=theirs.client)
    CertificationFactory(project=mine)
    CertificationFactory(project=theirs)
    CallFactory(project=mine, external_id="mine-cdr", caller="+74950000001")
    CallFactory(project=theirs, external_id="their-cdr", caller="+74950000002")
    ContactFactory(project=mine, phone="+74950000001")
    ContactFactory(project=theirs, phone="+74950000002")

    response = pm_client.get(url)

    assert response.status_code == 200
    assert shown in response.text
    assert hidden not in response.text


def test_another_projects_page_does_not_exist_for_the_pm(pm_client, mine, theirs):
    assert pm_client.get(f"/admin/projects/project/{mine.pk}/change/").status_code == 200
    # The admin answers an object outside the queryset by redirecting with "doesn't exist".
    response = pm_client.get(f"/admin/projects/project/{theirs.pk}/change/", follow=True)
    assert "doesn’t exist" in response.text
    assert theirs.code not in response.text


def test_the_tariff_form_offers_only_the_managed_projects(pm_client, mine, theirs):
    form = pm_client.get("/admin/billing/tariff/add/").context["adminform"].form

    assert list(form.fields["project"].queryset) == [mine]


def test_a_tariff_for_another_project_is_refused(pm_client, mine, theirs):
    response = pm_client.post(
        "/admin/billing/tariff/add/",
        {
            "project": theirs.pk,
            "valid_from": "2026-12-01",
            "currency": "RUB",
            "rate_per_minute": "10",
            "first_increment_seconds": 60,
            "next_increment_seconds": 60,
            "free_seconds": 0,
            "billable": "connected",
            "monthly_minimum": "0",
            "bands-TOTAL_FORMS": 0,
            "bands-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "project" in response.context["adminform"].form.errors
    assert Tariff.objects.count() == 0


@pytest.mark.parametrize("role", [QA_EVALUATORS, TRAINERS])
def test_evaluators_and_trainers_get_nothing_of_billing(db, role):
    roles_setup()
    granted = Group.objects.get(name=role).permissions
    assert not granted.filter(content_type__app_label="billing").exists()
