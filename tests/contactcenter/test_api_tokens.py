"""API tokens kept as secrets: stored as digests, shown once, expiring, rotated, revoked.

What a holder sees: ``Authorization: Token <key>`` answers 200 while the token is valid and
401 once it expired or was revoked (a rotation's old key after its grace period). What the
database holds: the key's SHA-256 and its first 11 characters, never the key.
"""

import datetime as dt
import importlib
import os
import subprocess
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from contactcenter import tokens
from contactcenter.models import ApiToken
from tests.factories import ClientFactory, ProjectFactory, TokenFactory, UserFactory

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
PROJECTS = "/api/v1/projects/"
ROTATE = "/api/v1/tokens/rotate/"


def _api(key, address="198.51.100.1"):
    api = APIClient(REMOTE_ADDR=address)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _command(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def root(db):
    ProjectFactory(code="volga-hotline")
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _dump():
    """The test database as ``pg_dump`` writes it: schema and every committed row."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "-h", db["HOST"] or "127.0.0.1"]
    command += ["-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]]
    dump = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return dump.stdout


@pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed
def test_pg_dump_holds_no_issued_key_only_digests_and_prefixes():
    ClientFactory(code="acme")
    UserFactory(username="anna", is_staff=True, is_superuser=True)
    created = _command("create_api_token", "anna")
    bot = _command("create_api_token", "crm-bot", "--client", "acme", "--expires-in", "90")
    rotated = _command("rotate_api_token", "anna", "--grace-minutes", "5")
    answer = _api(rotated).post(ROTATE, {"grace_minutes": 0}, format="json")
    assert answer.status_code == 201
    from_api = answer.json()["key"]
    keys = [created, bot, rotated, from_api]

    dump = _dump()

    assert len(set(keys)) == 4
    assert [key for key in keys if key in dump] == []
    assert all(tokens.digest(key) in dump and tokens.clear_prefix(key) in dump for key in keys)
    assert ApiToken.objects.count() == 4


def test_a_valid_token_is_served_and_its_last_use_recorded_at_most_once_a_minute(root):
    token = TokenFactory(user=root)
    assert token.last_used_at is None
    with time_machine.travel(START, tick=False) as clock:
        first = _api(token.key).get(PROJECTS)
        clock.shift(dt.timedelta(seconds=59))
        _api(token.key).get(PROJECTS)
        token.refresh_from_db()
        within_the_minute = token.last_used_at
        clock.shift(dt.timedelta(seconds=1))
        _api(token.key).get(PROJECTS)
        token.refresh_from_db()

    assert first.status_code == 200
    assert [row["code"] for row in first.json()["results"]] == ["volga-hotline"]
    assert within_the_minute == START
    assert token.last_used_at == START + dt.timedelta(seconds=60)


def test_an_expired_token_is_401_and_its_last_use_is_not_recorded(root):
    with time_machine.travel(START, tick=False) as clock:
        token = TokenFactory(user=root, expires_at=START + dt.timedelta(days=30))
        clock.shift(dt.timedelta(days=30, seconds=-1))
        last_second = _api(token.key).get(PROJECTS)
        clock.shift(dt.timedelta(seconds=1))
        expired = _api(token.key).get(PROJECTS)

    assert last_second.status_code == 200
    assert expired.status_code == 401
    assert expired.json()["detail"] == "Token expired."
    token.refresh_from_db()
    assert token.last_used_at == START + dt.timedelta(days=30, seconds=-1)


def test_rotate_command_old_key_valid_through_the_grace_then_401_new_key_200(root):
    with time_machine.travel(START, tick=False) as clock:
        old = _command("create_api_token", "root")
        new = _command("rotate_api_token", "root", "--grace-minutes", "10")
        clock.shift(dt.timedelta(minutes=9, seconds=59))
        in_grace = _api(old).get(PROJECTS).status_code
        clock.shift(dt.timedelta(seconds=1))
        after_grace = _api(old).get(PROJECTS)
        fresh = _api(new).get(PROJECTS).status_code

    assert (in_grace, after_grace.status_code, fresh) == (200, 401, 200)
    assert after_grace.json()["detail"] == "Token revoked."
    assert new != old
    assert new.startswith("cc_")
    rows = ApiToken.objects.filter(user=root).order_by("created_at", "pk")
    assert [(t.name, t.revoked_at) for t in rows] == [
        ("default", START + dt.timedelta(minutes=10)),
        ("default", None),
    ]


def test_rotate_command_refuses_what_it_cannot_do(root):
    with pytest.raises(CommandError, match="'root' has no token named 'default'"):
        _command("rotate_api_token", "root")
    _command("create_api_token", "root")
    with pytest.raises(CommandError, match="--grace-minutes must be 0 to 1440"):
        _command("rotate_api_token", "root", "--grace-minutes", "1441")
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_rotation_keeps_the_lifetime_of_an_expiring_token(root):
    with time_machine.travel(START, tick=False) as clock:
        token = TokenFactory(user=root, expires_at=START + dt.timedelta(days=90))
        clock.shift(dt.timedelta(days=80))
        new, _ = tokens.rotate(token)

    assert new.expires_at == START + dt.timedelta(days=170)


def test_the_rotate_endpoint_answers_the_new_key_once_and_the_old_one_stops(root):
    token = TokenFactory(user=root, name="crm")
    with time_machine.travel(START, tick=False):
        answer = _api(token.key).post(ROTATE, {}, format="json")
        body = answer.json()
        old = _api(token.key).get(PROJECTS)
        new = _api(body["key"]).get(PROJECTS)

    assert answer.status_code == 201
    assert set(body) == {
        "key",
        "prefix",
        "name",
        "expires_at",
        "previous_prefix",
        "previous_valid_until",
    }
    assert (body["name"], body["prefix"], body["previous_prefix"]) == (
        "crm",
        body["key"][:11],
        token.prefix,
    )
    assert body["previous_valid_until"] == "2026-11-02T09:00:00Z"
    assert (old.status_code, new.status_code) == (401, 200)
    stored = ApiToken.objects.get(prefix=body["prefix"])
    assert stored.digest == tokens.digest(body["key"])


def test_the_rotate_endpoint_refuses_bad_input_sessions_and_idempotency_keys(root, client):
    token = TokenFactory(user=root)
    api = _api(token.key)

    too_long = api.post(ROTATE, {"grace_minutes": 1441}, format="json")
    keyed = api.post(ROTATE, {}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    client.force_login(root)
    session = client.post(ROTATE, {}, content_type="application/json")
    anonymous = APIClient().post(ROTATE, {}, format="json")

    assert too_long.status_code == 400
    assert list(too_long.json()["errors"]) == ["grace_minutes"]
    assert keyed.status_code == 400
    assert list(keyed.json()["errors"]) == ["Idempotency-Key"]
    assert session.status_code == 403
    assert anonymous.status_code == 401
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_a_revoked_token_is_401(root):
    token = TokenFactory(user=root)
    assert tokens.revoke(ApiToken.objects.filter(pk=token.pk)) == 1

    response = _api(token.key).get(PROJECTS)

    assert response.status_code == 401
    assert response.json()["detail"] == "Token revoked."


def test_a_key_of_any_length_or_shape_is_a_plain_401(root):
    for key in ("x" * 129, "cc_", "0" * 40):
        assert _api(key).get(PROJECTS).status_code == 401


def test_a_legacy_authtoken_key_is_migrated_as_a_digest_and_keeps_working(root):
    legacy = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's documented example key
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, "
            "user_id integer)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy, START, root.pk])
    migration = importlib.import_module("contactcenter.migrations.0003_api_tokens")
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.move_authtoken_keys(apps, editor)

    token = ApiToken.objects.get(user=root)
    assert (token.name, token.prefix, token.created_at) == ("default", "9944b091", START)
    assert token.digest == tokens.digest(legacy)
    assert _api(legacy).get(PROJECTS).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        assert cursor.fetchone() == (None,)


def test_the_admin_lists_tokens_without_digest_and_revokes_them(root, client):
    token = TokenFactory(user=root, name="crm")
    client.force_login(root)

    page = client.get("/admin/contactcenter/apitoken/")
    detail = client.get(f"/admin/contactcenter/apitoken/{token.pk}/change/")
    revoked = client.post(
        "/admin/contactcenter/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )

    assert page.status_code == detail.status_code == 200
    html = page.content.decode() + detail.content.decode()
    assert token.prefix in html
    assert token.digest not in html
    assert token.key not in html
    assert client.get("/admin/contactcenter/apitoken/add/").status_code == 403
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _api(token.key).get(PROJECTS).status_code == 401


def test_a_project_manager_has_no_token_admin(db, client):
    pm = UserFactory(username="pm", is_staff=True)
    token = TokenFactory(user=pm)
    client.force_login(pm)

    assert client.get("/admin/contactcenter/apitoken/").status_code == 403
    assert client.post(
        "/admin/contactcenter/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    ).status_code in (302, 403)
    token.refresh_from_db()
    assert token.revoked_at is None
