"""create_api_token USERNAME [--client CODE]: prints the key alone; binds integrations."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import IntegrationAccount
from tests.factories import ClientFactory, IntegrationAccountFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_prints_the_key_of_an_existing_user_alone_and_the_same_key_again():
    user = UserFactory(username="anna")

    first = run("anna")
    second = run("anna")

    key = Token.objects.get(user=user).key
    assert first == f"{key}\n"
    assert second == first


def test_an_unknown_user_without_a_client_is_an_error():
    with pytest.raises(CommandError, match="No user 'ghost'"):
        run("ghost")
    assert not get_user_model().objects.filter(username="ghost").exists()


def test_with_a_client_creates_the_integration_user_and_its_binding():
    acme = ClientFactory(code="acme")
    ProjectFactory(client=acme, code="acme-line")
    ProjectFactory(code="other-line")

    key = run("crm-bot", "--client", "acme").strip()

    user = get_user_model().objects.get(username="crm-bot")
    assert not user.has_usable_password()
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert IntegrationAccount.objects.get(user=user).client == acme
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/projects/")
    assert [p["code"] for p in response.json()["results"]] == ["acme-line"]


def test_with_a_client_binds_an_existing_user_once():
    acme = ClientFactory(code="acme")
    UserFactory(username="crm-bot")

    first = run("crm-bot", "--client", "acme")
    second = run("crm-bot", "--client", "acme")

    assert first == second
    assert IntegrationAccount.objects.get().client == acme


def test_an_unknown_client_is_an_error():
    with pytest.raises(CommandError, match="No client with code 'nope'"):
        run("crm-bot", "--client", "nope")
    assert not get_user_model().objects.filter(username="crm-bot").exists()


def test_a_user_bound_to_another_client_is_an_error():
    account = IntegrationAccountFactory(user=UserFactory(username="crm-bot"))
    ClientFactory(code="acme")

    with pytest.raises(CommandError, match="already the integration of client"):
        run("crm-bot", "--client", "acme")
    assert IntegrationAccount.objects.get().client == account.client


def test_an_administrator_is_not_turned_into_an_integration():
    ClientFactory(code="acme")
    UserFactory(username="root", is_superuser=True)

    with pytest.raises(CommandError, match="needs a user of its own"):
        run("root", "--client", "acme")
    assert not IntegrationAccount.objects.exists()
