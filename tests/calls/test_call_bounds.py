"""The bounds of a call (docs/limits.md): the API, the CSV import (API and admin), the
queue_log import, agent events, the settings, the schema and the database's CHECKs."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.urls import reverse

from agents.ingest import agent_events_ingest
from agents.models import AgentStateEvent
from calls.models import Call
from contactcenter.errors import DomainError
from telephony.queue_log_import import REFUSED, queue_log_import
from tests.factories import CallFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/"
CSV_URL = "/api/v1/calls/import/"
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
AHEAD = "Must not be more than 86400 s ahead of now (after 2026-12-06T12:00:00Z)."
BEFORE_2000 = "Must not be before 2000-01-01T00:00:00Z."
WRAP_MAX = "Ensure this value is less than or equal to 3600."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def catalogue():
    OperatorFactory(code="ivan")
    return ProjectFactory(code="hotline")


def call(**overrides):
    """An answered call: 12 s wait, 150 s connected, 10 s hold, 20 s wrap."""
    return {
        "external_id": "cdr-1",
        "project": "hotline",
        "operator": "ivan",
        "offered_at": "2026-10-05T09:00:00Z",
        "answered_at": "2026-10-05T09:00:12Z",
        "ended_at": "2026-10-05T09:02:42Z",
        "hold_seconds": 10,
        "wrap_seconds": 20,
        **overrides,
    }


def refused_row(api, row, *, index=0, rows=None):
    """POST the rows (or a list of the one row); assert 400 and nothing stored; return the
    errors of row ``index``."""
    response = api.post(URL, rows if rows is not None else [row], format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert Call.objects.count() == 0
    return body["errors"][str(index)]


class TestApi:
    def test_ended_in_2094_is_400_naming_ended_at_and_stores_nothing(self, admin_api):
        errors = refused_row(admin_api, call(ended_at="2094-01-01T00:00:00Z"))

        assert errors == {"ended_at": [AHEAD]}

    def test_one_object_sent_alone_names_its_field_directly(self, admin_api):
        response = admin_api.post(URL, call(ended_at="2094-01-01T00:00:00Z"), format="json")

        assert response.status_code == 400
        assert response.json() == {
            "detail": "1 of 1 rows are invalid; nothing was stored.",
            "code": "invalid",
            "errors": {"ended_at": [AHEAD]},
        }
        assert Call.objects.count() == 0

    def test_ended_in_2100_is_400_not_500(self, admin_api):
        errors = refused_row(admin_api, call(ended_at="2100-06-01T00:00:00Z"))

        assert errors == {"ended_at": [AHEAD]}

    def test_wrap_of_int4_max_is_400_naming_wrap_seconds(self, admin_api):
        errors = refused_row(admin_api, call(wrap_seconds=2_147_483_647))

        assert errors == {"wrap_seconds": [WRAP_MAX]}

    @pytest.mark.parametrize(
        ("offered_at", "message"),
        [("1970-01-01T00:00:00Z", BEFORE_2000), ("2100-01-01T00:00:00Z", AHEAD)],
    )
    def test_offered_in_1970_or_2100_is_400(self, admin_api, offered_at, message):
        errors = refused_row(admin_api, call(offered_at=offered_at))

        assert errors == {"offered_at": [message]}

    def test_an_external_id_of_spaces_is_400(self, admin_api):
        errors = refused_row(admin_api, call(external_id="   "))

        assert errors == {"external_id": ["This field may not be blank."]}

    def test_surrounding_whitespace_of_external_id_is_dropped(self, admin_api):
        response = admin_api.post(URL, call(external_id="  cdr-7\t"), format="json")

        assert response.status_code == 201
        assert list(Call.objects.values_list("external_id", flat=True)) == ["cdr-7"]

    def test_one_bad_row_among_good_ones_stores_nothing(self, admin_api):
        rows = [
            call(external_id="cdr-1"),
            call(external_id="cdr-2", ended_at="2094-01-01T00:00:00Z"),
            call(external_id="cdr-3"),
        ]
        response = admin_api.post(URL, rows, format="json")

        assert response.status_code == 400
        assert response.json() == {
            "detail": "1 of 3 rows are invalid; nothing was stored.",
            "code": "invalid",
            "errors": {"1": {"ended_at": [AHEAD]}},
        }
        assert Call.objects.count() == 0

    def test_a_call_connected_exactly_24_hours_is_accepted(self, admin_api):
        row = call(answered_at="2026-10-05T09:00:12Z", ended_at="2026-10-06T09:00:12Z")

        response = admin_api.post(URL, row, format="json")

        assert response.status_code == 201
        assert Call.objects.get().connected_seconds == 86_400

    def test_a_second_more_than_24_hours_connected_is_400_naming_ended_at(self, admin_api):
        row = call(answered_at="2026-10-05T09:00:12Z", ended_at="2026-10-06T09:00:12.5Z")

        errors = refused_row(admin_api, row)

        assert errors == {
            "ended_at": [
                "A call may be connected at most 86400 s; this one would be connected 86401 s."
            ]
        }

    def test_a_wait_over_24_hours_is_400_naming_answered_at(self, admin_api):
        row = call(answered_at="2026-10-06T09:00:01Z", ended_at="2026-10-06T09:01:00Z")

        errors = refused_row(admin_api, row)

        assert errors == {
            "answered_at": ["A call may wait at most 86400 s; this one would wait 86401 s."]
        }

    def test_an_unanswered_wait_over_24_hours_is_400_naming_ended_at(self, admin_api):
        row = call(operator=None, answered_at=None, hold_seconds=0, ended_at="2026-10-06T10:00:00Z")

        errors = refused_row(admin_api, row)

        assert errors == {
            "ended_at": ["A call may wait at most 86400 s; this one would wait 90000 s."]
        }

    def test_a_hold_beyond_the_bound_is_400_naming_hold_seconds(self, admin_api):
        errors = refused_row(admin_api, call(hold_seconds=2_147_483_647))

        assert errors == {"hold_seconds": ["Ensure this value is less than or equal to 86400."]}

    def test_an_instant_a_day_ahead_is_accepted_and_a_second_more_is_not(self, admin_api):
        day_ahead = call(
            offered_at="2026-12-06T11:59:00Z",
            answered_at="2026-12-06T11:59:30Z",
            ended_at="2026-12-06T12:00:00Z",
        )
        assert admin_api.post(URL, day_ahead, format="json").status_code == 201

        late = call(
            external_id="cdr-2",
            offered_at="2026-12-06T11:59:00Z",
            answered_at="2026-12-06T11:59:30Z",
            ended_at="2026-12-06T12:00:01Z",
        )
        response = admin_api.post(URL, late, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"ended_at": [AHEAD]}
        assert Call.objects.count() == 1


class TestSettings:
    @override_settings(CALL_MAX_CONNECTED_SECONDS=120, CALL_MAX_WRAP_SECONDS=10)
    def test_settings_tighten_the_bounds(self, admin_api):
        errors = refused_row(admin_api, call())  # 150 s connected, 20 s wrap

        assert errors == {
            "wrap_seconds": ["Ensure this value is less than or equal to 10."],
            "ended_at": [
                "A call may be connected at most 120 s; this one would be connected 150 s."
            ],
        }

    @override_settings(CALL_MAX_FUTURE_SECONDS=0, CALL_EARLIEST_INSTANT="2026-10-05T09:00:01Z")
    def test_settings_narrow_the_window(self, admin_api):
        errors = refused_row(admin_api, call())

        assert errors == {"offered_at": ["Must not be before 2026-10-05T09:00:01Z."]}
        ahead = refused_row(
            admin_api,
            call(
                offered_at="2026-12-05T11:59:00Z",
                answered_at="2026-12-05T11:59:30Z",
                ended_at="2026-12-05T12:00:01Z",
            ),
        )
        assert ahead == {
            "ended_at": ["Must not be more than 0 s ahead of now (after 2026-12-05T12:00:00Z)."]
        }

    @override_settings(CALL_MAX_CONNECTED_SECONDS=10**9, CALL_EARLIEST_INSTANT="1990-01-01T00:00Z")
    def test_a_setting_beyond_the_database_ceiling_is_capped_and_warned(self, admin_api):
        row = call(answered_at="2026-10-05T09:00:12Z", ended_at="2026-10-06T09:00:13Z")

        errors = refused_row(admin_api, row)

        assert errors == {
            "ended_at": [
                "A call may be connected at most 86400 s; this one would be connected 86401 s."
            ]
        }
        assert refused_row(admin_api, call(offered_at="1999-12-31T23:59:59Z")) == {
            "offered_at": [BEFORE_2000]
        }
        warnings = {message.id for message in run_checks() if message.id.startswith("calls.")}
        assert warnings == {"calls.W001", "calls.W002"}


class TestCsvImport:
    HEADER = "external_id,project,offered_at,answered_at,ended_at,hold_seconds,wrap_seconds"

    def csv(self, *lines):
        return ("\n".join([self.HEADER, *lines]) + "\n").encode()

    def lines(self):
        good = "2026-10-05T10:00:00Z,2026-10-05T10:00:10Z,2026-10-05T10:01:10Z"
        return self.csv(
            f"a-1,hotline,{good},0,0",
            "a-2,hotline,2026-10-05T10:00:00Z,2026-10-05T10:00:10Z,2094-01-01T00:00:00Z,0,0",
            f"a-3,hotline,{good},0,2147483647",
        )

    def test_the_api_import_refuses_the_2094_and_the_wrap_lines(self, admin_api):
        upload = SimpleUploadedFile("cdr.csv", self.lines(), content_type="text/csv")

        response = admin_api.post(CSV_URL, {"file": upload}, format="multipart")

        assert response.status_code == 400
        assert response.json() == {
            "detail": "2 of 3 lines are invalid; nothing was stored.",
            "code": "invalid",
            "errors": {
                "lines": [
                    {"line": 3, "external_id": "a-2", "errors": {"ended_at": [AHEAD]}},
                    {"line": 4, "external_id": "a-3", "errors": {"wrap_seconds": [WRAP_MAX]}},
                ]
            },
        }
        assert Call.objects.count() == 0

    def test_the_admin_upload_lists_the_same_lines(self, admin_client):
        upload = SimpleUploadedFile("cdr.csv", self.lines(), "text/csv")

        response = admin_client.post(reverse("admin:calls_call_import_csv"), {"file": upload})

        assert response.status_code == 200
        html = response.content.decode()
        assert '<td class="invalid">2</td>' in html
        assert "<td>3</td><td>a-2</td><td>ended_at</td>" in html.replace("\n", "").replace(" ", "")
        assert "<td>4</td><td>a-3</td><td>wrap_seconds</td>" in html.replace("\n", "").replace(
            " ", ""
        )
        assert Call.objects.count() == 0


class TestQueueLog:
    # 1999-12-31T23:58:20Z (946684700) is before the window; 2026-10-05T06:00:00Z is not.
    LINES = [
        "946684700|1.1|hotline|NONE|ENTERQUEUE||+74951234567|1\n",
        "946684790|1.1|hotline|NONE|ABANDON|1|1|90\n",
        "1791180000|2.1|hotline|NONE|ENTERQUEUE||+74951234568|1\n",
        "1791180030|2.1|hotline|NONE|ABANDON|1|1|30\n",
    ]

    def test_an_out_of_window_call_is_skipped_and_reported_by_line(self):
        result = queue_log_import(lines=self.LINES)

        assert [(s.line_no, s.kind, s.what, s.reason) for s in result.skipped] == [
            (1, REFUSED, "call", f"offered_at: {BEFORE_2000}; ended_at: {BEFORE_2000}")
        ]
        assert (result.calls_created, result.calls_duplicate) == (1, 0)
        assert list(Call.objects.values_list("external_id", flat=True)) == ["2.1"]

    def test_the_command_prints_the_refused_line(self, tmp_path):
        path = tmp_path / "queue_log"
        path.write_text("".join(self.LINES))
        out = io.StringIO()

        call_command("import_queue_log", str(path), stdout=out)

        assert (
            f"  queue_log line 1: offered_at: {BEFORE_2000}; ended_at: {BEFORE_2000}"
            in out.getvalue()
        )
        assert Call.objects.count() == 1


class TestAgentEvents:
    def test_an_event_in_2094_is_refused_naming_at(self):
        with pytest.raises(DomainError) as refused:
            agent_events_ingest(
                rows=[
                    {"operator": "ivan", "at": "2026-12-05T11:00:00Z", "state": "ready"},
                    {"operator": "ivan", "at": "2094-01-01T00:00:00Z", "state": "offline"},
                ]
            )

        assert refused.value.details == {"1": {"at": [AHEAD]}}
        assert AgentStateEvent.objects.count() == 0


class TestSchema:
    def test_the_schema_states_the_bounds(self, admin_api):
        schema = admin_api.get("/api/v1/schema/", {"format": "json"}).json()
        fields = schema["components"]["schemas"]["Call"]["properties"]

        assert (fields["wrap_seconds"]["minimum"], fields["wrap_seconds"]["maximum"]) == (0, 3600)
        assert (fields["hold_seconds"]["minimum"], fields["hold_seconds"]["maximum"]) == (0, 86400)
        assert (fields["external_id"]["minLength"], fields["external_id"]["maxLength"]) == (1, 64)
        assert "CALL_MAX_FUTURE_SECONDS" in fields["offered_at"]["description"]


class TestDatabase:
    """The CHECKs hold whatever path writes: raw SQL here, as a COPY or a script would."""

    COLUMNS = (
        "project_id, external_id, direction, caller, offered_at, answered_at, ended_at, "
        "hold_seconds, wrap_seconds, disposition, recording_url, received_at"
    )

    def insert(
        self,
        project,
        *,
        external_id="raw-1",
        answered="2026-10-05T09:00:00Z",
        ended="2026-10-06T10:00:00Z",
        offered="2026-10-05T09:00:00Z",
        wrap=0,
    ):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO calls_call ({self.COLUMNS}) VALUES "  # noqa: S608
                "(%s, %s, 'inbound', '', %s, %s, %s, 0, %s, '', '', now())",
                [project.pk, external_id, offered, answered, ended, wrap],
            )

    @pytest.mark.parametrize(
        ("overrides", "constraint"),
        [
            ({}, "call_connected_at_most_a_day"),  # 25 h connected
            (
                {"answered": "2026-10-06T10:00:00Z", "ended": "2026-10-06T10:01:00Z"},
                "call_wait_at_most_a_day",
            ),
            ({"answered": None, "ended": "2026-10-06T10:00:00Z"}, "call_wait_at_most_a_day"),
            ({"ended": "2026-10-05T09:01:00Z", "wrap": 3601}, "call_wrap_at_most_an_hour"),
            (
                {
                    "offered": "1999-12-31T23:00:00Z",
                    "answered": "1999-12-31T23:00:00Z",
                    "ended": "1999-12-31T23:01:00Z",
                },
                "call_offered_from_2000",
            ),
            ({"ended": "2026-10-05T09:01:00Z", "external_id": "   "}, "call_external_id_trimmed"),
            ({"ended": "2026-10-05T09:01:00Z", "external_id": " x"}, "call_external_id_trimmed"),
        ],
    )
    def test_a_raw_insert_beyond_a_bound_is_refused(self, catalogue, overrides, constraint):
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            self.insert(catalogue, **overrides)

        assert Call.objects.count() == 0

    def test_a_raw_insert_of_exactly_24_hours_is_stored(self, catalogue):
        self.insert(catalogue, ended="2026-10-06T09:00:00Z")

        assert Call.objects.get().connected_seconds == 86_400

    def test_an_update_beyond_the_bound_is_refused(self, catalogue):
        stored = CallFactory(project=catalogue, operator=None)

        with pytest.raises(IntegrityError, match="call_wrap_at_most_an_hour"), transaction.atomic():
            Call.objects.filter(pk=stored.pk).update(wrap_seconds=3601)


class TestAdminEdit:
    """The admin's change form runs ``full_clean``: the same bounds, as form errors."""

    def test_an_edit_beyond_the_window_and_the_wrap_bound_names_the_fields(self, catalogue):
        stored = CallFactory(project=catalogue, external_id="cdr-1")
        stored.refresh_from_db()  # as the admin reads it: with the columns the database sets
        stored.ended_at = dt.datetime(2094, 1, 1, tzinfo=dt.UTC)
        stored.wrap_seconds = 2_147_483_647
        stored.external_id = "   "

        with pytest.raises(ValidationError) as refused:
            stored.full_clean()

        assert refused.value.message_dict == {
            "external_id": ["This field may not be blank."],
            "ended_at": [AHEAD],
            "wrap_seconds": [WRAP_MAX],
        }

    def test_an_edit_that_connects_25_hours_names_ended_at(self, catalogue):
        stored = CallFactory(project=catalogue)
        stored.ended_at = stored.answered_at + dt.timedelta(hours=25)

        with pytest.raises(ValidationError) as refused:
            stored.full_clean()

        assert refused.value.message_dict["ended_at"][0] == (
            "A call may be connected at most 86400 s; this one would be connected 90000 s."
        )
