"""create_api_token USERNAME [--client CODE] [--expires-in DAYS]: prints a new key alone, once;
binds integrations."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from contactcenter import tokens
from contactcenter.models import ApiToken
from projects.models import IntegrationAccount
from tests.factories import ClientFactory, IntegrationAccountFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def run(*args):
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_prints_a_new_key_alone_stores_only_its_digest_and_never_shows_it_again():
    user = UserFactory(username="anna")

    printed = run("anna")

    key = printed.strip()
    assert printed == f"{key}\n"
    assert key.startswith("cc_")
    assert len(key) == 43
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.prefix, token.digest) == ("default", key[:11], tokens.digest(key))
    assert token.expires_at is None
    with pytest.raises(CommandError, match="already has a token named 'default'"):
        run("anna")
    assert ApiToken.objects.filter(user=user).count() == 1


def test_expires_in_days_sets_the_expiry_and_is_bounded():
    user = UserFactory(username="anna")
    with time_machine.travel(NOW, tick=False):
        run("anna", "--expires-in", "30")
    assert ApiToken.objects.get(user=user).expires_at == NOW + dt.timedelta(days=30)
    for days in ("0", "3651"):
        with pytest.raises(CommandError, match="expires_in must be 1 to 3650 days"):
            run("anna", "--name", f"other-{days}", "--expires-in", days)
    assert ApiToken.objects.filter(user=user).count() == 1


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
    second = run("crm-bot", "--client", "acme", "--name", "second")

    assert first != second
    assert IntegrationAccount.objects.get().client == acme
    assert ApiToken.objects.filter(user__username="crm-bot").count() == 2


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
