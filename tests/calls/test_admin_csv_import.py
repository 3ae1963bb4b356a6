"""The admin's "Import CSV" page on the Call changelist: upload, preview, confirm."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls import admin as calls_admin
from calls.models import Call, Contact
from tests.factories import CallFactory, ProjectFactory, UserFactory

# Operators ivan and olga and the project hotline exist (conftest.py's catalogue).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

IMPORT_URL = reverse("admin:calls_call_import_csv")
CHANGELIST_URL = reverse("admin:calls_call_changelist")
SAMPLE = (Path(__file__).parent / "data" / "cdr_sample.csv").read_bytes()
HEADER = "external_id,project,offered_at,answered_at,ended_at,hold_seconds"


def upload(client, content=SAMPLE, name="cdr.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, "text/csv")})


def confirm_digest(response):
    found = re.search(r'name="confirm" value="([0-9a-f]{64})"', response.content.decode())
    return found and found.group(1)


def summary(response):
    html = response.content.decode()
    return {
        name: int(re.search(rf'<td class="{name}">(\d+)</td>', html).group(1))
        for name in ("rows", "created", "duplicates", "invalid", "conflicts")
    }


def table_rows(response, table_id):
    html = response.content.decode()
    table = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.DOTALL)
    if table is None:
        return []
    return [
        tuple(re.findall(r"<td>(.*?)</td>", row))
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.DOTALL)
    ]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def csv_file(*lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def line(external_id, project="hotline", hold="0"):
    instants = "2026-10-05T10:00:00Z,2026-10-05T10:00:10Z,2026-10-05T10:01:10Z"
    return f"{external_id},{project},{instants},{hold}"


def test_the_changelist_has_an_import_button(admin_client):
    response = admin_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert f'<a href="{IMPORT_URL}" class="addlink">Import CSV</a>' in response.content.decode()


def test_the_upload_page_is_an_admin_page_with_a_file_field(admin_client):
    response = admin_client.get(IMPORT_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="breadcrumbs">' in html
    assert f'<a href="{CHANGELIST_URL}">Calls</a>' in html
    assert 'type="file" name="file"' in html
    assert confirm_digest(response) is None


def test_an_upload_shows_the_preview_then_confirm_imports(admin_client):
    response = upload(admin_client)

    assert response.status_code == 200
    assert summary(response) == {
        "rows": 10,
        "created": 10,
        "duplicates": 0,
        "invalid": 0,
        "conflicts": 0,
    }
    assert 'value="Import these 10 calls"' in response.content.decode()
    assert (Call.objects.count(), Contact.objects.count()) == (0, 0)

    response = admin_client.post(IMPORT_URL, {"confirm": confirm_digest(response)})

    assert response.status_code == 302
    assert response.url == CHANGELIST_URL
    assert messages_of(response) == ["Imported 10 calls (0 duplicates skipped)."]
    assert Call.objects.count() == 10
    assert calls_admin.CSV_SESSION_KEY not in admin_client.session


def test_duplicates_are_counted_in_the_preview_and_the_message(admin_client):
    upload(admin_client, csv_file(line("a-1")))
    admin_client.post(
        IMPORT_URL, {"confirm": confirm_digest(upload(admin_client, csv_file(line("a-1"))))}
    )

    response = upload(admin_client, csv_file(line("a-1"), line("a-2"), line("a-3")))

    assert summary(response)["created"] == 2
    assert summary(response)["duplicates"] == 1
    assert 'value="Import these 2 calls"' in response.content.decode()
    response = admin_client.post(IMPORT_URL, {"confirm": confirm_digest(response)})
    assert messages_of(response) == ["Imported 2 calls (1 duplicates skipped)."]
    assert Call.objects.count() == 3


def test_error_lines_are_listed_and_no_confirm_is_offered(admin_client):
    content = csv_file(line("a-1"), line("a-2", hold="-5"), line("a-3", project="nowhere"))

    response = upload(admin_client, content)

    assert response.status_code == 200
    assert summary(response) == {
        "rows": 3,
        "created": 1,
        "duplicates": 0,
        "invalid": 2,
        "conflicts": 0,
    }
    assert table_rows(response, "csv-errors") == [
        ("3", "a-2", "hold_seconds", "Cannot be negative."),
        ("4", "a-3", "project", "Unknown project &#x27;nowhere&#x27;."),
    ]
    assert confirm_digest(response) is None
    assert "Fix the lines above and upload the file again." in response.content.decode()
    assert calls_admin.CSV_SESSION_KEY not in admin_client.session
    assert Call.objects.count() == 0


def test_an_unreadable_file_is_a_form_error(admin_client):
    response = upload(admin_client, b"external_id,project\nx,hotline\n")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "The header row (line 1) is not valid: Missing required columns: offered_at, ended_at."
        ]
    }


def test_a_file_over_the_admin_cap_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr(calls_admin, "CSV_ADMIN_MAX_BYTES", 100)

    response = upload(admin_client)

    assert response.context["form"].errors["file"][0].startswith("The admin takes files up to")
    assert confirm_digest(response) is None


def test_a_conflict_found_at_confirm_is_shown_and_nothing_stored(admin_client, catalogue):
    digest = confirm_digest(upload(admin_client, csv_file(line("a-1"), line("a-2"))))
    # Between preview and confirm, a-2 arrives through the API with other data.
    CallFactory(project=catalogue, external_id="a-2", operator=None)

    response = admin_client.post(IMPORT_URL, {"confirm": digest})

    assert response.status_code == 200
    assert messages_of(response) == [
        "Lines whose external_id is stored with different data: 1; nothing was stored."
    ]
    [(line_no, external_id, field, message)] = table_rows(response, "csv-conflicts")
    assert (line_no, external_id, field) == ("3", "a-2", "external_id")
    assert message.startswith("&#x27;a-2&#x27; is already stored for this project with different")
    assert confirm_digest(response) is None
    assert list(Call.objects.values_list("external_id", flat=True)) == ["a-2"]


def test_a_newer_upload_makes_an_older_confirm_button_stale(admin_client):
    first = confirm_digest(upload(admin_client, csv_file(line("a-1"))))
    second = confirm_digest(upload(admin_client, csv_file(line("a-2"))))

    stale = admin_client.post(IMPORT_URL, {"confirm": first})

    assert stale.status_code == 302
    assert stale.url == IMPORT_URL
    assert messages_of(stale) == [
        "This preview is no longer pending (imported already, or another file was uploaded "
        "since). Upload the file again."
    ]
    assert Call.objects.count() == 0
    admin_client.post(IMPORT_URL, {"confirm": second})
    assert list(Call.objects.values_list("external_id", flat=True)) == ["a-2"]


def test_confirming_twice_imports_once(admin_client):
    digest = confirm_digest(upload(admin_client))
    admin_client.post(IMPORT_URL, {"confirm": digest})

    again = admin_client.post(IMPORT_URL, {"confirm": digest})

    assert again.status_code == 302
    assert again.url == IMPORT_URL
    assert Call.objects.count() == 10


class TestStaff:
    @pytest.fixture
    def pm(self, client, catalogue):
        user = UserFactory(username="pm", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_call"))
        catalogue.managers.add(user)
        client.force_login(user)
        return user

    def test_a_pm_without_add_permission_gets_403_and_no_button(self, client, pm):
        assert client.get(IMPORT_URL).status_code == 403
        assert upload(client).status_code == 403
        assert client.post(IMPORT_URL, {"confirm": "0" * 64}).status_code == 403
        changelist = client.get(CHANGELIST_URL)
        assert changelist.status_code == 200
        assert "Import CSV" not in changelist.content.decode()
        assert Call.objects.count() == 0

    def test_a_pm_with_add_permission_imports_into_managed_projects_only(self, client, pm):
        pm.user_permissions.add(Permission.objects.get(codename="add_call"))
        ProjectFactory(code="elsewhere")
        content = csv_file(line("a-1"), line("a-2", project="elsewhere"))

        response = upload(client, content)

        assert table_rows(response, "csv-errors") == [
            ("3", "a-2", "project", "Unknown project &#x27;elsewhere&#x27;.")
        ]
        response = upload(client, csv_file(line("a-1")))
        response = client.post(IMPORT_URL, {"confirm": confirm_digest(response)})
        assert messages_of(response) == ["Imported 1 calls (0 duplicates skipped)."]
        assert list(Call.objects.values_list("project__code", "external_id")) == [
            ("hotline", "a-1")
        ]
