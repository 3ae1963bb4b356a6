"""POST /api/v1/calls/import/: a CDR CSV by multipart or text/csv body, its preview, scope."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calls.models import Call, Contact
from contactcenter.models import IdempotencyRecord
from tests.factories import CallFactory, ProjectFactory

# Operators ivan and olga and the project hotline exist (conftest.py's catalogue).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

URL = "/api/v1/calls/import/"
SAMPLE = (Path(__file__).parent / "data" / "cdr_sample.csv").read_bytes()
HEADER = "external_id,project,offered_at,answered_at,ended_at,hold_seconds"


def upload(content=SAMPLE, name="cdr.csv"):
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def post_file(api, content=SAMPLE, query="", **headers):
    return api.post(f"{URL}{query}", upload(content), format="multipart", **headers)


def csv_file(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def line(external_id, project="hotline", hold="0"):
    """An answered call: 10 s wait, 60 s connected."""
    instants = "2026-10-05T10:00:00Z,2026-10-05T10:00:10Z,2026-10-05T10:01:10Z"
    return f"{external_id},{project},{instants},{hold}"


class TestImport:
    def test_the_sample_is_201_with_counts_and_stored(self, admin_api):
        response = post_file(admin_api)

        assert response.status_code == 201
        assert response.json() == {"rows": 10, "created": 10, "duplicates": 0}
        assert Call.objects.count() == 10
        call = Call.objects.get(external_id="cdr-1004")
        assert (call.wait_seconds, call.connected_seconds, call.handle_seconds) == (8, 63, 93)

    def test_a_text_csv_body_is_accepted_too(self, admin_api):
        response = admin_api.generic("POST", URL, SAMPLE, content_type="text/csv; charset=utf-8")

        assert response.status_code == 201
        assert response.json() == {"rows": 10, "created": 10, "duplicates": 0}

    def test_the_same_file_again_is_200_all_duplicates(self, admin_api):
        post_file(admin_api)

        response = post_file(admin_api)

        assert response.status_code == 200
        assert response.json() == {"rows": 10, "created": 0, "duplicates": 10}
        assert Call.objects.count() == 10

    def test_an_invalid_line_is_400_listing_every_bad_line_and_nothing_is_stored(self, admin_api):
        content = csv_file(line("a-1"), line("a-2", hold="-5"), line("a-3"), line("a-4", hold="x"))

        response = post_file(admin_api, content)

        assert response.status_code == 400
        assert response.json() == {
            "detail": "2 of 4 lines are invalid; nothing was stored.",
            "code": "invalid",
            "errors": {
                "lines": [
                    {
                        "line": 3,
                        "external_id": "a-2",
                        "errors": {"hold_seconds": ["Cannot be negative."]},
                    },
                    {
                        "line": 5,
                        "external_id": "a-4",
                        "errors": {"hold_seconds": ["A valid integer is required."]},
                    },
                ]
            },
        }
        assert (Call.objects.count(), Contact.objects.count()) == (0, 0)

    def test_a_call_stored_with_other_data_is_409_naming_its_line(self, admin_api, catalogue):
        CallFactory(project=catalogue, external_id="a-2", operator=None)

        response = post_file(admin_api, csv_file(line("a-1"), line("a-2")))

        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "conflict"
        assert body["detail"] == (
            "Lines whose external_id is stored with different data: 1; nothing was stored."
        )
        assert [(entry["line"], entry["external_id"]) for entry in body["errors"]["lines"]] == [
            (3, "a-2")
        ]
        assert body["errors"]["lines"][0]["errors"]["external_id"][0].startswith(
            "'a-2' is already stored for this project with different "
        )
        assert Call.objects.count() == 1

    def test_a_header_typo_is_400_naming_the_column(self, admin_api):
        response = post_file(admin_api, csv_file(line("a-1"), header=HEADER + "x"))

        assert response.status_code == 400
        assert response.json()["errors"] == {
            "columns": [
                "Unknown columns: hold_secondsx. The columns are: external_id, project, "
                "direction, caller, operator, offered_at, answered_at, ended_at, hold_seconds, "
                "wrap_seconds, disposition, recording_url."
            ]
        }

    def test_no_file_is_400(self, admin_api):
        response = admin_api.post(URL, {}, format="multipart")

        assert response.status_code == 400
        assert response.json() == {
            "detail": (
                "Send the CSV as the multipart field 'file', or as the body with "
                "Content-Type: text/csv."
            ),
            "code": "invalid",
            "errors": {"file": ["No file was submitted."]},
        }

    def test_json_is_415(self, admin_api):
        assert admin_api.post(URL, [{"external_id": "a-1"}], format="json").status_code == 415

    def test_the_route_is_not_taken_for_a_call_id(self, admin_api):
        assert admin_api.get(URL).status_code == 405


class TestDryRun:
    def test_it_answers_the_full_preview_and_stores_nothing(self, admin_api):
        content = SAMPLE + b"a-9,hotline,2026-10-05T10:00:00Z\n"  # 3 cells of 12
        before = (Call.objects.count(), Contact.objects.count())

        response = post_file(admin_api, content, query="?dry_run=true")

        assert response.status_code == 200
        assert response.json() == {
            "rows": 11,
            "created": 10,
            "duplicates": 0,
            "errors": [
                {
                    "line": 12,
                    "external_id": "a-9",
                    "errors": {"non_field_errors": ["This line has 3 cells; the header has 12."]},
                }
            ],
            "errors_omitted": 0,
            "conflicts": [],
            "conflicts_omitted": 0,
            "stored": False,
        }
        assert before == (0, 0)
        assert (Call.objects.count(), Contact.objects.count()) == (0, 0)

    def test_a_clean_preview_then_the_import(self, admin_api):
        preview = post_file(admin_api, query="?dry_run=1").json()
        assert (preview["created"], preview["stored"], Call.objects.count()) == (10, False, 0)

        assert post_file(admin_api).json() == {"rows": 10, "created": 10, "duplicates": 0}

    def test_a_bad_flag_is_400(self, admin_api):
        response = post_file(admin_api, query="?dry_run=maybe")

        assert response.status_code == 400
        assert response.json()["errors"] == {"dry_run": ["Must be true or false."]}
        assert Call.objects.count() == 0


class TestScope:
    def test_an_integration_imports_into_its_clients_projects_only(
        self, integration_api, integration_client, catalogue
    ):
        ProjectFactory(code="crm-line", client=integration_client)
        content = csv_file(line("a-1", project="crm-line"), line("a-2", project="hotline"))

        response = post_file(integration_api, content)

        assert response.status_code == 400
        assert response.json()["errors"] == {
            "lines": [
                {
                    "line": 3,
                    "external_id": "a-2",
                    "errors": {"project": ["Unknown project 'hotline'."]},
                }
            ]
        }
        assert Call.objects.count() == 0
        response = post_file(integration_api, csv_file(line("a-1", project="crm-line")))
        assert response.status_code == 201
        assert list(Call.objects.values_list("project__code", "external_id")) == [
            ("crm-line", "a-1")
        ]

    def test_a_pm_imports_into_the_projects_they_manage(self, pm_api, pm_project):
        content = csv_file(line("a-1", project="pm-hotline"), line("a-2", project="hotline"))

        preview = post_file(pm_api, content, query="?dry_run=true").json()

        assert preview["created"] == 1
        assert preview["errors"][0]["errors"] == {"project": ["Unknown project 'hotline'."]}

    def test_unauthenticated_is_401(self, anon_api):
        response = post_file(anon_api)

        assert response.status_code == 401
        assert Call.objects.count() == 0


class TestIdempotencyKey:
    def test_a_retry_with_the_key_replays_the_first_answer(self, admin_api):
        first = post_file(admin_api, HTTP_IDEMPOTENCY_KEY="import-1")
        again = post_file(admin_api, HTTP_IDEMPOTENCY_KEY="import-1")

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() == {"rows": 10, "created": 10, "duplicates": 0}
        assert again["Idempotent-Replayed"] == "true"
        assert Call.objects.count() == 10

    def test_the_key_with_a_text_csv_body(self, admin_api):
        def send():
            return admin_api.generic(
                "POST", URL, SAMPLE, content_type="text/csv", HTTP_IDEMPOTENCY_KEY="body-1"
            )

        assert send().status_code == 201
        replay = send()
        assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")

    def test_a_file_too_big_to_hash_is_a_clear_413(self, admin_api, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

        response = post_file(admin_api, HTTP_IDEMPOTENCY_KEY="big-1")

        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert "send a large upload without the key" in response.json()["detail"]
        assert Call.objects.count() == 0
        assert IdempotencyRecord.objects.count() == 0
