"""Client users: ``create_client_user``, the admin that manages them, and the tenancy rule
(their client's projects only, never staff, no internal costs)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import ClientUser
from projects.tenancy import (
    portal_client_user,
    sees_internal_costs,
    visible_clients,
    visible_projects,
)
from tests.factories import ClientFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alfa():
    client = ClientFactory(code="alfa")
    ProjectFactory(code="alfa-one", client=client)
    ProjectFactory(code="alfa-two", client=client)
    ProjectFactory(code="beta-one", client=ClientFactory(code="beta"))
    return client


def test_the_command_creates_a_viewer_who_is_not_staff(alfa):
    out = StringIO()
    call_command(
        "create_client_user", "anna", "--client", "alfa", "--password", "Long-pass-2026", stdout=out
    )

    binding = ClientUser.objects.select_related("user").get()
    assert (binding.user.username, binding.client.code, binding.role) == ("anna", "alfa", "viewer")
    assert not binding.user.is_staff
    assert not binding.user.is_superuser
    assert binding.user.check_password("Long-pass-2026")
    assert "anna" in out.getvalue()
    assert sorted(visible_projects(binding.user).values_list("code", flat=True)) == [
        "alfa-one",
        "alfa-two",
    ]
    assert list(visible_clients(binding.user).values_list("code", flat=True)) == ["alfa"]
    assert not sees_internal_costs(binding.user)


def test_the_command_prompts_for_the_password(alfa, monkeypatch):
    answers = iter(["Long-pass-2026", "Long-pass-2026"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    call_command("create_client_user", "boris", "--client", "alfa", "--role", "accountant")

    assert ClientUser.objects.get(user__username="boris").role == "accountant"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["--client", "ghost", "--password", "Long-pass-2026"], "client"),
        (["--client", "alfa", "--password", "123"], "password"),
    ],
)
def test_the_command_refuses_naming_the_field(alfa, arguments, field):
    with pytest.raises(CommandError, match=f"{field}: "):
        call_command("create_client_user", "anna", *arguments)
    assert not ClientUser.objects.exists()


def test_a_taken_username_is_refused(alfa):
    UserFactory(username="anna")
    with pytest.raises(CommandError, match="username: "):
        call_command(
            "create_client_user", "anna", "--client", "alfa", "--password", "Long-pass-2026"
        )


def test_a_client_user_made_staff_later_loses_the_portal(alfa):
    binding = ClientUser.objects.create(user=UserFactory(username="anna"), client=alfa)
    assert portal_client_user(binding.user, "viewer") == binding
    assert portal_client_user(binding.user, "accountant") is None
    binding.user.is_staff = True
    binding.user.save()
    assert portal_client_user(binding.user, "viewer") is None


def test_the_admin_adds_a_client_user_through_the_same_rule(alfa, admin_client):
    response = admin_client.post(
        "/admin/projects/clientuser/add/",
        {"username": "vera", "password": "Long-pass-2026", "client": alfa.pk, "role": "viewer"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    binding = ClientUser.objects.get(user__username="vera")
    assert not binding.user.is_staff
    refused = admin_client.post(
        "/admin/projects/clientuser/add/",
        {"username": "vera", "password": "Long-pass-2026", "client": alfa.pk, "role": "viewer"},
    )
    assert refused.status_code == 200
    assert "is taken" in refused.content.decode()
    page = admin_client.get(f"/admin/projects/clientuser/{binding.pk}/change/")
    assert page.status_code == 200
