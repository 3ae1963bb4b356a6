"""projects.api.scoping: the one place that decides who sees which projects and rows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets
from rest_framework.test import APIRequestFactory

from agents.models import Operator
from billing.models import Tariff
from projects.api.scoping import (
    SELF,
    ScopedViewSetMixin,
    scope_queryset,
    visible_clients,
    visible_projects,
)
from projects.models import Client, Project
from tests.factories import (
    CertificationFactory,
    ClientFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    TariffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    acme, beta = ClientFactory(code="acme"), ClientFactory(code="beta")
    return {
        "acme-1": ProjectFactory(code="acme-1", client=acme),
        "acme-2": ProjectFactory(code="acme-2", client=acme),
        "beta-1": ProjectFactory(code="beta-1", client=beta),
    }


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_a_superuser_sees_everything(world):
    root = UserFactory(is_superuser=True, is_staff=True)

    assert codes(visible_projects(root)) == ["acme-1", "acme-2", "beta-1"]
    assert codes(visible_clients(root)) == ["acme", "beta"]


def test_an_integration_sees_its_clients_projects(world):
    bot = IntegrationAccountFactory(client=Client.objects.get(code="acme")).user

    assert codes(visible_projects(bot)) == ["acme-1", "acme-2"]
    assert codes(visible_clients(bot)) == ["acme"]


def test_an_integration_of_a_client_without_projects_still_sees_its_client(world):
    bot = IntegrationAccountFactory(client=ClientFactory(code="new")).user

    assert codes(visible_projects(bot)) == []
    assert codes(visible_clients(bot)) == ["new"]


def test_a_pm_sees_managed_projects_and_their_clients_once(world):
    pm = UserFactory(is_staff=True)
    world["acme-1"].managers.add(pm)
    world["acme-2"].managers.add(pm)

    assert codes(visible_projects(pm)) == ["acme-1", "acme-2"]
    assert codes(visible_clients(pm)) == ["acme"]


def test_a_user_with_nothing_to_manage_and_an_anonymous_one_see_nothing(world):
    assert codes(visible_projects(UserFactory())) == []
    assert codes(visible_projects(AnonymousUser())) == []
    assert codes(visible_clients(AnonymousUser())) == []


def test_a_to_many_path_does_not_repeat_rows(world):
    pm = UserFactory(is_staff=True)
    world["acme-1"].managers.add(pm)
    world["acme-2"].managers.add(pm)
    operator = OperatorFactory(code="ivan")
    CertificationFactory(operator=operator, project=world["acme-1"])
    CertificationFactory(operator=operator, project=world["acme-2"])
    CertificationFactory(operator=OperatorFactory(code="zoya"), project=world["beta-1"])

    scoped = scope_queryset(Operator.objects.all(), pm, "certifications__project")

    assert list(scoped.values_list("code", flat=True)) == ["ivan"]


def test_a_path_to_the_client(world):
    bot = IntegrationAccountFactory(client=Client.objects.get(code="beta")).user

    assert codes(scope_queryset(Project.objects.all(), bot, "client")) == ["beta-1"]
    assert codes(scope_queryset(Client.objects.all(), bot, SELF)) == ["beta"]


def _view(cls, user):
    request = APIRequestFactory().get("/")
    request.user = user
    view = cls()
    view.request = request
    return view


def test_a_view_without_a_declared_scope_fails_loudly():
    class Undeclared(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
        queryset = Tariff.objects.all()

    with pytest.raises(ImproperlyConfigured, match="must declare scope_path"):
        _view(Undeclared, UserFactory(is_superuser=True)).get_queryset()


@pytest.mark.parametrize("path", ["nope", "rate_per_minute", "bands"])
def test_a_scope_path_that_does_not_lead_to_a_project_or_client_fails_loudly(path):
    class Misdeclared(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
        queryset = Tariff.objects.all()
        scope_path = path

    with pytest.raises(ImproperlyConfigured):
        _view(Misdeclared, UserFactory(is_superuser=True)).get_queryset()


def test_a_declared_scope_cuts_the_rows(world):
    class Tariffs(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
        queryset = Tariff.objects.all()
        scope_path = "project"

    own = TariffFactory(project=world["beta-1"])
    TariffFactory(project=world["acme-1"])
    bot = IntegrationAccountFactory(client=Client.objects.get(code="beta")).user

    assert list(_view(Tariffs, bot).get_queryset()) == [own]
