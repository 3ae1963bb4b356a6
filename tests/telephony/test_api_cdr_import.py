"""POST calls/import/?format=...: a PBX's CDR file through the API, and the CSV import
still answering the same URL without a CDR format."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calls.models import Call
from projects.models import IntegrationAccount
from telephony.models import AgentMapping, ParkedCall, TelephonySource
from tests.conftest import _client_for
from tests.factories import (
    ClientFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
)

DATA = Path(__file__).parent / "data"
AST21 = (DATA / "asterisk_cc_master_21cols_cp1251.csv").read_bytes()
URL = "/api/v1/calls/import/"


@pytest.fixture
def world(db):
    acme = ClientFactory(code="acme")
    other = ClientFactory(code="other")
    project = ProjectFactory(code="hotline", client=acme)
    ProjectFactory(code="elsewhere", client=other)
    source = TelephonySource.objects.create(
        client=acme, code="acme-pbx", name="PBX", kind="asterisk-cdr-csv"
    )
    TelephonySource.objects.create(
        client=other, code="other-pbx", name="PBX", kind="asterisk-cdr-csv"
    )
    for name, code in (("1001", "ivan"), ("1002", "olga"), ("1003", "paty")):
        AgentMapping.objects.create(source=source, name=name, operator=OperatorFactory(code=code))
    return {"project": project, "source": source, "acme": acme}


def upload(data=AST21, name="Master.csv"):
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def test_format_asterisk_csv_imports_the_master_csv(world, admin_api):
    answer = admin_api.post(
        f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline", upload(), format="multipart"
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert {
        k: body[k]
        for k in (
            "source",
            "format",
            "encoding",
            "rows",
            "calls",
            "created",
            "duplicates",
            "parked",
        )
    } == {
        "source": "acme-pbx",
        "format": "asterisk-csv",
        "encoding": "cp1251",
        "rows": 11,
        "calls": 7,
        "created": 7,
        "duplicates": 0,
        "parked": 0,
    }
    assert Call.objects.count() == 7
    again = admin_api.post(
        f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline", upload(), format="multipart"
    )
    assert (again.status_code, again.json()["duplicates"]) == (200, 7)


def test_the_raw_body_and_dry_run(world, admin_api):
    answer = admin_api.generic(
        "POST",
        f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline&dry_run=1",
        AST21,
        content_type="application/octet-stream",
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["created"], answer.json()["dry_run"]) == (7, True)
    assert not Call.objects.exists()


def test_an_unknown_agent_is_parked_and_named(world, admin_api):
    AgentMapping.objects.filter(name="1003").delete()
    body = admin_api.post(
        f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline", upload(), format="multipart"
    ).json()
    assert (body["created"], body["parked"]) == (6, 1)
    assert body["parked_by"] == [
        {"reason": "unknown_agent", "missing": "PJSIP/1003-0000000b", "calls": 1}
    ]
    assert ParkedCall.objects.count() == 1


def test_the_plain_csv_import_still_answers_without_a_format(world, admin_api):
    csv = (
        b"external_id,project,offered_at,ended_at\n"
        b"x-1,hotline,2026-10-05T09:00:00Z,2026-10-05T09:01:00Z\n"
    )
    for query in ("", "?format=csv"):
        answer = admin_api.post(f"{URL}{query}", upload(csv, "calls.csv"), format="multipart")
        assert answer.status_code in (200, 201), answer.json()
        assert answer.json()["rows"] == 1
    assert Call.objects.filter(external_id="x-1").count() == 1


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ("?format=xml", "format", 400),  # DRF would have answered 404 (no such renderer)
        ("?format=json", "format", 400),
        ("?format=asterisk-csv", "source", 400),
        ("?format=asterisk-csv&source=nope", "source", 404),
        ("?format=asterisk-csv&source=acme-pbx&project=elsewhere", "project", 400),
        ("?format=asterisk-csv&source=acme-pbx&dry_run=maybe", "dry_run", 400),
    ],
)
def test_bad_parameters_are_a_4xx_naming_the_field(world, admin_api, query, field, status):
    answer = admin_api.post(f"{URL}{query}", upload(), format="multipart")
    assert answer.status_code == status
    assert field in answer.json()["errors"]
    assert not Call.objects.exists()


def test_no_file_names_the_field(world, admin_api):
    answer = admin_api.post(f"{URL}?format=asterisk-csv&source=acme-pbx", {}, format="multipart")
    assert (answer.status_code, list(answer.json()["errors"])) == (400, ["file"])


def test_a_client_integration_imports_only_into_its_client(world):
    bot = _client_for(
        IntegrationAccountFactory(user=UserFactory(username="bot"), client=world["acme"]).user
    )
    ours = bot.post(
        f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline", upload(), format="multipart"
    )
    assert ours.status_code == 201
    theirs = bot.post(f"{URL}?format=asterisk-csv&source=other-pbx", upload(), format="multipart")
    assert theirs.status_code == 404
    assert Call.objects.count() == 7


def test_the_telephony_integration_reaches_every_source(world):
    account = IntegrationAccountFactory(
        user=UserFactory(username="pbx"), client=None, kind=IntegrationAccount.Kind.TELEPHONY
    )
    answer = _client_for(account.user).post(
        f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline", upload(), format="multipart"
    )
    assert (answer.status_code, answer.json()["created"]) == (201, 7)


def test_a_manager_imports_into_managed_projects_only(world):
    pm = UserFactory(username="pm", is_staff=True)
    world["project"].managers.add(pm)
    api = _client_for(pm)
    assert (
        api.post(
            f"{URL}?format=asterisk-csv&source=acme-pbx&project=hotline",
            upload(),
            format="multipart",
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"{URL}?format=asterisk-csv&source=other-pbx", upload(), format="multipart"
        ).status_code
        == 404
    )


def test_anonymous_is_refused(world, anon_api):
    assert (
        anon_api.post(
            f"{URL}?format=asterisk-csv&source=acme-pbx", upload(), format="multipart"
        ).status_code
        == 401
    )
