"""Batch ingestion of calls (SPEC sections 3 and 8): what is stored, what is refused and how.

Every refusal is asserted with the row index and field the integrator sees, and with the
whole table state (calls and contacts) unchanged.
"""

import datetime as dt
import threading
import time
import zoneinfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from calls.ingest import MAX_BATCH, IngestResult, calls_ingest
from calls.models import Call, Contact
from contactcenter.errors import ConflictError, DomainError
from tests.factories import T0, CallFactory, ContactFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DROP = object()  # an override that removes the key from the row
NAIVE = "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."


def iso(seconds):
    """The instant ``seconds`` (fractions allowed) after the tests' fixed clock, as ISO 'Z'."""
    return (T0 + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def operator():
    return OperatorFactory(code="op-anna")


def call_row(**overrides):
    """An answered inbound call: 12.3 s wait, 150.2 s connected, 10 s hold, 20 s wrap."""
    row = {
        "external_id": "pbx-1",
        "project": "hotline",
        "direction": "inbound",
        "caller": "+74951234567",
        "operator": "op-anna",
        "offered_at": iso(0),
        "answered_at": iso(12.3),
        "ended_at": iso(162.5),
        "hold_seconds": 10,
        "wrap_seconds": 20,
        "disposition": "sale",
        "recording_url": "https://rec.example.com/2026/10/05/pbx-1.wav",
    }
    row.update(overrides)
    return {key: value for key, value in row.items() if value is not DROP}


def stored_calls():
    return list(
        Call.objects.order_by("external_id").values_list(
            "external_id",
            "direction",
            "caller",
            "operator__code",
            "wait_seconds",
            "connected_seconds",
            "talk_seconds",
            "handle_seconds",
        )
    )


def table_state():
    return (
        list(Call.objects.order_by("id").values_list("id", "external_id", "contact_id")),
        list(Contact.objects.order_by("id").values_list("id", "project_id", "phone")),
    )


def refused(rows, *, error=DomainError, **kwargs):
    """Ingest ``rows``, expecting a refusal that changes nothing; return the error."""
    before = table_state()
    with pytest.raises(error) as caught:
        calls_ingest(rows=rows, **kwargs)
    assert table_state() == before
    return caught.value


# --- Storing -------------------------------------------------------------------------------


def test_three_valid_calls_are_stored_with_their_derived_seconds(project, operator):
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    rows = [
        call_row(external_id="pbx-1"),
        # Abandoned after 4.5 s: wait rounds up to 5, nothing connected.
        call_row(
            external_id="pbx-2",
            operator=None,
            answered_at=None,
            ended_at=iso(4.5),
            hold_seconds=0,
            wrap_seconds=0,
        ),
        # Outbound, caller withheld, instants as aware datetimes (the Asterisk importer).
        call_row(
            external_id="pbx-3",
            direction="outbound",
            caller="",
            offered_at=T0.astimezone(moscow),
            answered_at=(T0 + dt.timedelta(seconds=30)).astimezone(moscow),
            ended_at=(T0 + dt.timedelta(seconds=90)).astimezone(moscow),
            hold_seconds=60,
            wrap_seconds=5,
        ),
    ]

    result = calls_ingest(rows=rows)

    assert result == IngestResult(created=3, duplicates=0)
    assert stored_calls() == [
        # external_id, direction, caller, operator, wait, connected, talk, handle
        ("pbx-1", "inbound", "+74951234567", "op-anna", 13, 151, 141, 171),
        ("pbx-2", "inbound", "+74951234567", None, 5, 0, 0, 0),
        ("pbx-3", "outbound", "", "op-anna", 30, 60, 0, 65),
    ]
    first = Call.objects.get(external_id="pbx-1")
    assert first.project == project
    assert first.offered_at == T0
    assert first.answered_at == T0 + dt.timedelta(seconds=12.3)
    assert (first.disposition, first.recording_url) == (
        "sale",
        "https://rec.example.com/2026/10/05/pbx-1.wav",
    )
    assert first.received_at is not None


def test_optional_fields_take_their_defaults_and_unknown_keys_are_ignored(project):
    row = {
        "external_id": "pbx-9",
        "project": "hotline",
        "offered_at": iso(0),
        "ended_at": iso(8),
        "queue": "vip",  # not a call field: ignored
    }

    assert calls_ingest(rows=[row]) == IngestResult(created=1, duplicates=0)

    call = Call.objects.get()
    assert (call.direction, call.caller, call.operator_id, call.answered_at) == (
        "inbound",
        "",
        None,
        None,
    )
    assert (call.hold_seconds, call.wrap_seconds, call.disposition, call.recording_url) == (
        0,
        0,
        "",
        "",
    )
    assert call.contact is None


def test_text_is_stored_exactly_as_sent(project, operator):
    # Binary COPY: no escaping of tabs, newlines or backslashes can go wrong.
    row = call_row(external_id="pbx\t1\\n\n'2\"", disposition="перезвонить")

    assert calls_ingest(rows=[row]).created == 1

    call = Call.objects.get()
    assert (call.external_id, call.disposition) == ("pbx\t1\\n\n'2\"", "перезвонить")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("external_id", "pbx\x001", "Null characters are not allowed."),
        ("disposition", "\ud800", "Not valid Unicode text."),
        ("offered_at", "0001-01-01T00:00:00+01:00", "Datetime out of range."),
    ],
)
def test_text_and_instants_postgresql_cannot_store_are_refused(
    project, operator, field, value, message
):
    error = refused([call_row(**{field: value})])

    assert error.details == {"0": {field: [message]}}


def test_an_empty_batch_stores_nothing(project):
    assert calls_ingest(rows=[]) == IngestResult(created=0, duplicates=0)
    assert Call.objects.count() == 0


def test_a_full_batch_of_10000_calls_is_stored(project, operator):
    rows = [
        call_row(external_id=f"pbx-{n}", caller=f"+7495{n % 500:07d}") for n in range(MAX_BATCH)
    ]

    assert calls_ingest(rows=rows) == IngestResult(created=10_000, duplicates=0)

    assert Call.objects.count() == 10_000
    assert Contact.objects.count() == 500
    assert Call.objects.filter(contact__isnull=True).count() == 0


def test_the_number_of_statements_does_not_grow_with_the_batch(project, operator):
    def statements(rows):
        with CaptureQueriesContext(connection) as queries:
            calls_ingest(rows=rows)
        return len(queries)

    small = statements([call_row(external_id=f"a{n}", caller=f"+7495000{n:04d}") for n in range(3)])
    large = statements(
        [call_row(external_id=f"b{n}", caller=f"+7495100{n:04d}") for n in range(300)]
    )

    assert small == large
    assert Call.objects.count() == 303


# --- Duplicates and conflicts --------------------------------------------------------------


def test_resending_the_same_batch_stores_nothing_and_counts_duplicates(project, operator):
    rows = [call_row(external_id=f"pbx-{n}") for n in range(3)]
    calls_ingest(rows=rows)
    before = table_state()

    assert calls_ingest(rows=rows) == IngestResult(created=0, duplicates=3)

    assert table_state() == before


def test_the_same_instant_in_another_offset_is_the_same_call(project, operator):
    calls_ingest(rows=[call_row()])
    moscow = {
        "offered_at": "2026-10-05T12:00:00+03:00",
        "answered_at": "2026-10-05T12:00:12.300+03:00",
        "ended_at": "2026-10-05T12:02:42.5+03:00",
    }

    assert calls_ingest(rows=[call_row(**moscow)]) == IngestResult(created=0, duplicates=1)


def test_a_batch_of_new_and_stored_calls_stores_only_the_new_ones(project, operator):
    calls_ingest(rows=[call_row(external_id="pbx-1")])

    result = calls_ingest(rows=[call_row(external_id="pbx-2"), call_row(external_id="pbx-1")])

    assert result == IngestResult(created=1, duplicates=1)
    assert sorted(Call.objects.values_list("external_id", flat=True)) == ["pbx-1", "pbx-2"]


def test_a_stored_external_id_with_different_data_is_a_conflict_and_stores_nothing(
    project, operator
):
    calls_ingest(rows=[call_row(external_id="pbx-1")])

    error = refused(
        [
            call_row(external_id="pbx-2", caller="+74990000002"),  # new: not stored either
            call_row(external_id="pbx-1", hold_seconds=11, disposition="callback"),
        ],
        error=ConflictError,
    )

    assert error.status == 409
    assert error.details == {
        "1": {
            "external_id": [
                "'pbx-1' is already stored for this project with different hold_seconds, "
                "disposition."
            ]
        }
    }
    assert not Contact.objects.filter(phone="+74990000002").exists()


def test_the_same_external_id_in_another_project_is_another_call(project, operator):
    ProjectFactory(code="sales")
    calls_ingest(rows=[call_row()])

    result = calls_ingest(rows=[call_row(project="sales", hold_seconds=0)])

    assert result == IngestResult(created=1, duplicates=0)


def test_an_identical_row_repeated_in_the_batch_is_a_duplicate(project, operator):
    result = calls_ingest(rows=[call_row(), call_row(), call_row(external_id="pbx-2")])

    assert result == IngestResult(created=2, duplicates=1)
    assert Call.objects.count() == 2


def test_the_same_external_id_twice_in_a_batch_with_different_data_is_invalid(project, operator):
    error = refused([call_row(), call_row(external_id="pbx-2"), call_row(wrap_seconds=21)])

    assert error.status == 400
    assert error.details == {
        "2": {"external_id": ["Row 0 has the same project and external_id with different data."]}
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("hold_seconds", [10, 11])
def test_a_call_a_concurrent_batch_stores_meanwhile_is_judged_once_it_commits(hold_seconds):
    """Another sender stores pbx-1 and its caller's contact, and commits only while this
    batch waits on them: this batch then counts pbx-1 as a duplicate (same data) or
    refuses it as a conflict (different hold), and links the same contact."""
    ProjectFactory(code="hotline")
    OperatorFactory(code="op-anna")
    stored = threading.Event()

    def concurrent_sender():
        try:
            with transaction.atomic():
                calls_ingest(rows=[call_row(hold_seconds=hold_seconds)])
                stored.set()
                _wait_until_another_transaction_waits_on_a_lock()
        finally:
            connection.close()

    sender = threading.Thread(target=concurrent_sender)
    sender.start()
    try:
        assert stored.wait(timeout=10)
        if hold_seconds == 10:
            result = calls_ingest(rows=[call_row(), call_row(external_id="pbx-2")])
            assert result == IngestResult(created=1, duplicates=1)
        else:
            with pytest.raises(ConflictError) as caught:
                calls_ingest(rows=[call_row(), call_row(external_id="pbx-2")])
            assert list(caught.value.details) == ["0"]
    finally:
        sender.join()

    contact = Contact.objects.get()
    expected = ["pbx-1", "pbx-2"] if hold_seconds == 10 else ["pbx-1"]
    assert sorted(Call.objects.filter(contact=contact).values_list("external_id", flat=True)) == (
        expected
    )


def _wait_until_another_transaction_waits_on_a_lock(timeout=10):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other batch never waited on this one")


# --- Invalid rows --------------------------------------------------------------------------

INVALID_ROWS = [
    # (overrides of a valid row, field, message)
    ({"external_id": DROP}, "external_id", "This field is required."),
    ({"external_id": ""}, "external_id", "This field may not be blank."),
    ({"external_id": None}, "external_id", "This field may not be null."),
    ({"external_id": 42}, "external_id", "Not a valid string."),
    ({"external_id": "x" * 65}, "external_id", "Ensure this field has no more than 64 characters."),
    ({"project": DROP}, "project", "This field is required."),
    ({"project": "no-such-line"}, "project", "Unknown project 'no-such-line'."),
    (
        {"direction": "sideways"},
        "direction",
        '"sideways" is not a valid choice; use one of: inbound, outbound.',
    ),
    ({"caller": "84951234567"}, "caller", "Not an E.164 number, such as +74951234567."),
    ({"caller": "+74951234567\n"}, "caller", "Not an E.164 number, such as +74951234567."),
    ({"operator": "op-nobody"}, "operator", "Unknown operator 'op-nobody'."),
    (
        {"answered_at": None, "hold_seconds": 0},
        "operator",
        "An unanswered call has no operator.",
    ),
    ({"offered_at": DROP}, "offered_at", "This field is required."),
    (
        {"offered_at": "yesterday"},
        "offered_at",
        "Datetime has wrong format. Use ISO 8601, such as 2026-10-05T09:00:00Z.",
    ),
    ({"offered_at": "2026-10-05T09:00:00"}, "offered_at", NAIVE),
    ({"ended_at": dt.datetime(2026, 10, 5, 9, 5)}, "ended_at", NAIVE),  # noqa: DTZ001  naive on purpose
    ({"answered_at": iso(-1)}, "answered_at", "Cannot be before offered_at."),
    ({"ended_at": iso(12)}, "ended_at", "Cannot be before answered_at."),
    (
        {"operator": None, "answered_at": None, "hold_seconds": 0, "ended_at": iso(-0.5)},
        "ended_at",
        "Cannot be before offered_at.",
    ),
    (
        {"hold_seconds": 152},  # connected: 150.2 s rounds up to 151
        "hold_seconds",
        "Cannot exceed the connected time (151 s from answered_at to ended_at).",
    ),
    (
        {"operator": None, "answered_at": None, "hold_seconds": 1},
        "hold_seconds",
        "Cannot exceed the connected time (0 s: unanswered).",
    ),
    ({"hold_seconds": -1}, "hold_seconds", "Cannot be negative."),
    ({"wrap_seconds": -5}, "wrap_seconds", "Cannot be negative."),
    ({"wrap_seconds": "20"}, "wrap_seconds", "A valid integer is required."),
    ({"wrap_seconds": True}, "wrap_seconds", "A valid integer is required."),
    # The bounds of docs/limits.md at their defaults.
    ({"wrap_seconds": 2**31}, "wrap_seconds", "Ensure this value is less than or equal to 3600."),
    ({"wrap_seconds": 3601}, "wrap_seconds", "Ensure this value is less than or equal to 3600."),
    ({"hold_seconds": 86_401}, "hold_seconds", "Ensure this value is less than or equal to 86400."),
    ({"external_id": "   "}, "external_id", "This field may not be blank."),
    ({"disposition": "d" * 65}, "disposition", "Ensure this field has no more than 64 characters."),
    ({"recording_url": "not a url"}, "recording_url", "Enter a valid URL."),
    ({"recording_url": "https://-bad-.example.com/x.wav"}, "recording_url", "Enter a valid URL."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), INVALID_ROWS)
def test_an_invalid_row_is_refused_naming_its_index_and_field(
    project, operator, overrides, field, message
):
    error = refused([call_row(external_id="pbx-0"), call_row(**overrides)])

    assert error.status == 400
    assert error.details == {"1": {field: [message]}}
    assert error.message == "1 of 2 rows are invalid; nothing was stored."


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/rec/1.wav",
        "https://10.0.0.7/rec/1.wav",
        "ftp://user:secret@records.example.com/1.wav",
        "https://rec.example.com",
        "https://rec.example.com/a?b=c#d",
    ],
)
def test_urls_that_the_model_accepts_are_accepted(project, operator, url):
    assert calls_ingest(rows=[call_row(recording_url=url)]).created == 1


def test_a_row_that_is_not_an_object_is_refused(project, operator):
    error = refused([call_row(), ["pbx-2", "hotline"]])

    assert error.details == {
        "1": {"non_field_errors": ["Expected an object with the row's fields."]}
    }


def test_every_invalid_row_is_reported_with_every_field(project, operator):
    rows = [
        call_row(external_id="pbx-0"),
        call_row(external_id="pbx-1", project="nowhere", hold_seconds=-1),
        call_row(external_id="pbx-2"),
        call_row(external_id="pbx-3", offered_at="2026-10-05 09:00", caller="123"),
    ]

    error = refused(rows)

    assert error.message == "2 of 4 rows are invalid; nothing was stored."
    assert error.details == {
        "1": {
            "project": ["Unknown project 'nowhere'."],
            "hold_seconds": ["Cannot be negative."],
        },
        "3": {
            "caller": ["Not an E.164 number, such as +74951234567."],
            "offered_at": [NAIVE],
        },
    }


def test_an_invalid_row_rejects_the_whole_batch(project, operator):
    CallFactory(project=project, external_id="old", caller="+74950000000")
    ContactFactory(project=project, phone="+74950000000")
    rows = [
        call_row(external_id="pbx-1", caller="+74951111111"),
        call_row(external_id="pbx-2", caller="+74952222222", hold_seconds=500),
    ]

    refused(rows)

    assert Call.objects.count() == 1
    assert Contact.objects.count() == 1


def test_a_batch_over_the_limit_is_refused_whole(project):
    with pytest.raises(DomainError, match="at most 10,000 rows; this one has 10,001"):
        calls_ingest(rows=[call_row(external_id=f"pbx-{n}") for n in range(MAX_BATCH + 1)])
    assert Call.objects.count() == 0


def test_a_batch_that_is_not_a_list_is_refused(project):
    with pytest.raises(DomainError, match="Expected a list of rows"):
        calls_ingest(rows=call_row())


def test_a_project_outside_the_allowed_ones_is_reported_as_unknown(project, operator):
    ProjectFactory(code="other-client-line")

    error = refused(
        [call_row(project="other-client-line"), call_row(project="no-such-line")],
        allowed_project_ids={project.id},
    )

    assert error.details == {
        "0": {"project": ["Unknown project 'other-client-line'."]},
        "1": {"project": ["Unknown project 'no-such-line'."]},
    }
    allowed = calls_ingest(rows=[call_row()], allowed_project_ids={project.id})
    assert allowed == IngestResult(created=1, duplicates=0)


def test_no_allowed_project_refuses_every_row(project, operator):
    error = refused([call_row()], allowed_project_ids=set())

    assert error.details == {"0": {"project": ["Unknown project 'hotline'."]}}


# --- Contacts ------------------------------------------------------------------------------


def test_each_caller_gets_one_contact_per_project_reused_across_batches(project, operator):
    known = ContactFactory(project=project, phone="+74950000001", name="Ivan Petrov")
    other_project = ProjectFactory(code="sales")
    calls_ingest(
        rows=[
            call_row(external_id="a1", caller="+74950000001"),
            call_row(external_id="a2", caller="+74950000002"),
            call_row(external_id="a3", caller="+74950000002"),
            call_row(external_id="a4", caller="+74950000002", project="sales"),
        ]
    )
    calls_ingest(rows=[call_row(external_id="b1", caller="+74950000002")])

    new = Contact.objects.get(project=project, phone="+74950000002")
    assert Contact.objects.count() == 3
    assert dict(Call.objects.values_list("external_id", "contact_id")) == {
        "a1": known.id,
        "a2": new.id,
        "a3": new.id,
        "a4": Contact.objects.get(project=other_project).id,
        "b1": new.id,
    }
    known.refresh_from_db()
    assert known.name == "Ivan Petrov"


def test_a_withheld_caller_gets_no_contact(project, operator):
    calls_ingest(
        rows=[call_row(external_id="a1", caller=""), call_row(external_id="a2", caller=DROP)]
    )

    assert list(Call.objects.values_list("caller", "contact_id")) == [("", None), ("", None)]
    assert Contact.objects.count() == 0
