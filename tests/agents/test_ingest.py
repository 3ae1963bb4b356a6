"""Batch ingestion of agent state events (SPEC sections 5 and 8): stored, duplicate, refused."""

import datetime as dt

import pytest

from agents.ingest import MAX_BATCH, IngestResult, agent_events_ingest
from agents.models import AgentStateEvent, BreakReason
from contactcenter.errors import ConflictError, DomainError
from tests.factories import T0, OperatorFactory

pytestmark = pytest.mark.django_db

NAIVE = "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."


def iso(minutes):
    return (T0 + dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def anna():
    return OperatorFactory(code="op-anna")


@pytest.fixture
def boris():
    return OperatorFactory(code="op-boris")


def event(operator="op-anna", state="ready", minutes=0, **extra):
    return {"operator": operator, "state": state, "at": iso(minutes), **extra}


def stored_events():
    return list(
        AgentStateEvent.objects.order_by("operator__code", "at").values_list(
            "operator__code", "state", "at", "reason"
        )
    )


def refused(rows, *, error=DomainError, **kwargs):
    """Ingest ``rows``, expecting a refusal that stores nothing; return the error."""
    before = stored_events()
    with pytest.raises(error) as caught:
        agent_events_ingest(rows=rows, **kwargs)
    assert stored_events() == before
    return caught.value


def test_valid_events_are_stored(anna, boris):
    rows = [
        event(minutes=0),
        event(state="break", minutes=95, reason="lunch"),
        {"operator": "op-boris", "state": "offline", "at": T0 + dt.timedelta(hours=8)},
    ]

    assert agent_events_ingest(rows=rows) == IngestResult(created=3, duplicates=0)

    assert stored_events() == [
        ("op-anna", "ready", T0, ""),
        ("op-anna", "break", T0 + dt.timedelta(minutes=95), "lunch"),
        ("op-boris", "offline", T0 + dt.timedelta(hours=8), ""),
    ]
    assert AgentStateEvent.objects.filter(received_at__isnull=True).count() == 0


def test_resending_events_counts_duplicates_and_stores_nothing(anna):
    rows = [event(minutes=0), event(state="break", minutes=60, reason="training")]
    agent_events_ingest(rows=rows)
    same_instant_in_moscow = event(state="break", reason="training")
    same_instant_in_moscow["at"] = "2026-10-05T13:00:00+03:00"

    result = agent_events_ingest(rows=[*rows, same_instant_in_moscow])

    assert result == IngestResult(created=0, duplicates=3)
    assert AgentStateEvent.objects.count() == 2


def test_new_and_stored_events_store_only_the_new_ones(anna):
    agent_events_ingest(rows=[event(minutes=0)])

    result = agent_events_ingest(rows=[event(minutes=0), event(state="offline", minutes=480)])

    assert result == IngestResult(created=1, duplicates=1)
    assert AgentStateEvent.objects.count() == 2


def test_another_state_at_a_stored_instant_is_a_conflict(anna):
    agent_events_ingest(rows=[event(state="break", minutes=60, reason="lunch")])

    error = refused(
        [event(minutes=0), event(state="ready", minutes=60)],
        error=ConflictError,
    )

    assert error.status == 409
    assert error.details == {
        "1": {
            "state": ["This operator already has a 'break' event (lunch) stored at this instant."]
        }
    }


def test_another_reason_at_a_stored_instant_is_a_conflict(anna):
    agent_events_ingest(rows=[event(state="break", minutes=60, reason="lunch")])

    error = refused([event(state="break", minutes=60, reason="meeting")], error=ConflictError)

    assert list(error.details) == ["0"]
    assert list(error.details["0"]) == ["state"]


def test_the_same_instant_twice_in_a_batch(anna):
    assert agent_events_ingest(rows=[event(), event()]) == IngestResult(created=1, duplicates=1)

    error = refused([event(minutes=5), event(state="break", minutes=5)])

    assert error.details == {
        "1": {"state": ["Row 0 has the same operator and instant with another state."]}
    }


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (event(operator="op-nobody"), "operator", "Unknown operator 'op-nobody'."),
        ({"state": "ready", "at": iso(0)}, "operator", "This field is required."),
        (
            event(state="lunch"),
            "state",
            '"lunch" is not a valid choice; use one of: break, offline, ready, wrap.',
        ),
        ({"operator": "op-anna", "at": iso(0)}, "state", "This field is required."),
        (event() | {"at": "2026-10-05T09:00:00"}, "at", NAIVE),
        (event() | {"at": dt.datetime(2026, 10, 5, 9)}, "at", NAIVE),
        (event() | {"at": None}, "at", "This field may not be null."),
        (event(reason="r" * 65), "reason", "Ensure this field has no more than 64 characters."),
    ],
)
def test_an_invalid_event_is_refused_naming_its_index_and_field(anna, row, field, message):
    error = refused([event(minutes=1), row])

    assert error.status == 400
    assert error.details == {"1": {field: [message]}}


def test_every_invalid_event_is_reported(anna):
    rows = [event(operator="op-x", state="away"), event(minutes=1), event(minutes=2, at=None)]

    error = refused(rows)

    assert error.message == "2 of 3 rows are invalid; nothing was stored."
    assert error.details == {
        "0": {
            "operator": ["Unknown operator 'op-x'."],
            "state": ['"away" is not a valid choice; use one of: break, offline, ready, wrap.'],
        },
        "2": {"at": ["This field may not be null."]},
    }


def test_an_operator_outside_the_allowed_ones_is_reported_as_unknown(anna, boris):
    error = refused([event(operator="op-boris")], allowed_operator_ids={anna.id})

    assert error.details == {"0": {"operator": ["Unknown operator 'op-boris'."]}}
    assert agent_events_ingest(rows=[event()], allowed_operator_ids={anna.id}).created == 1


def test_a_batch_over_the_limit_is_refused(anna):
    with pytest.raises(DomainError, match="at most 10,000 rows"):
        agent_events_ingest(rows=[event(minutes=n) for n in range(MAX_BATCH + 1)])
    assert AgentStateEvent.objects.count() == 0


def test_wrap_and_break_reasons_are_checked_against_the_centers_codes(db):
    """``wrap`` is a state; a break names a BreakReason code or none; other states keep
    their free text (old payloads)."""
    ivan = OperatorFactory(code="reasons-op")
    at = "2026-10-05T09:00:00Z"

    def row(minute, state, reason=None):
        body = {
            "operator": ivan.code,
            "state": state,
            "at": at.replace(":00:00", f":{minute:02}:00"),
        }
        if reason is not None:
            body["reason"] = reason
        return body

    with pytest.raises(DomainError) as refused:
        agent_events_ingest(rows=[row(1, "break", "Lunch")])
    assert list(refused.value.details["0"]) == ["reason"]
    assert refused.value.details["0"]["reason"][0].startswith("Unknown break reason 'Lunch'")
    assert not AgentStateEvent.objects.filter(operator=ivan).exists()

    BreakReason.objects.filter(code="coaching").update(is_active=False)
    with pytest.raises(DomainError):
        agent_events_ingest(rows=[row(1, "break", "coaching")])

    result = agent_events_ingest(
        rows=[
            row(0, "ready", "morning login"),
            row(1, "break", "lunch"),
            row(2, "break", ""),
            row(3, "wrap"),
        ]
    )
    assert result.created == 4
    stored = AgentStateEvent.objects.filter(operator=ivan).order_by("at")
    assert list(stored.values_list("state", "reason")) == [
        ("ready", "morning login"),
        ("break", "lunch"),
        ("break", ""),
        ("wrap", ""),
    ]
