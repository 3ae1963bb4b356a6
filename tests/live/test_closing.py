"""Calls whose record never came are closed from their events; a late record completes
the same call; a call with a record is never closed again."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from calls.ingest import calls_ingest
from calls.models import CLOSED_FROM_EVENTS, Call
from live.closing import close_stale_calls
from live.ingest import call_events_ingest
from tests.factories import T0, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def at(seconds):
    return (T0 + dt.timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def events():
    ProjectFactory(code="hotline")
    OperatorFactory(code="ivan")
    call_events_ingest(
        rows=[
            {
                "external_id": "c1",
                "project": "hotline",
                "event": "offered",
                "at": at(0),
                "caller": "+74951234567",
            },
            {
                "external_id": "c1",
                "project": "hotline",
                "event": "answered",
                "at": at(12),
                "operator": "ivan",
            },
            {"external_id": "c1", "project": "hotline", "event": "ended", "at": at(132)},
            {"external_id": "c2", "project": "hotline", "event": "offered", "at": at(60)},
            {"external_id": "c2", "project": "hotline", "event": "abandoned", "at": at(90)},
            # Still fresh at the sweep: left open.
            {"external_id": "c3", "project": "hotline", "event": "offered", "at": at(3000)},
        ]
    )


@override_settings(LIVE_STALE_CALL_SECONDS=3600)
def test_stale_calls_are_closed_from_their_events_once(events):
    now = T0 + dt.timedelta(seconds=3600 + 200)
    assert close_stale_calls(now=now) == {"closed": 2, "refused": 0}
    calls = Call.objects.order_by("external_id")
    assert [
        (
            c.external_id,
            c.operator.code if c.operator else None,
            c.caller,
            c.wait_seconds,
            c.connected_seconds,
            c.disposition,
        )
        for c in calls
    ] == [
        ("c1", "ivan", "+74951234567", 12, 120, CLOSED_FROM_EVENTS),
        ("c2", None, "", 30, 0, CLOSED_FROM_EVENTS),
    ]
    assert close_stale_calls(now=now) == {"closed": 0, "refused": 0}


@override_settings(LIVE_STALE_CALL_SECONDS=3600)
def test_a_late_record_completes_the_closed_call_in_place(events):
    close_stale_calls(now=T0 + dt.timedelta(hours=2))
    closed = Call.objects.get(external_id="c1")
    record = {
        "external_id": "c1",
        "project": "hotline",
        "caller": "+74951234567",
        "operator": "ivan",
        "offered_at": at(0),
        "answered_at": at(12),
        "ended_at": at(130),
        "wrap_seconds": 25,
        "disposition": "sale",
    }
    result = calls_ingest(rows=[record])
    assert (result.created, result.duplicates) == (1, 0)
    completed = Call.objects.get(external_id="c1")
    assert completed.pk == closed.pk
    assert (completed.connected_seconds, completed.wrap_seconds, completed.disposition) == (
        118,
        25,
        "sale",
    )
    # The record stored, a re-send is a duplicate again, and no second call exists.
    assert calls_ingest(rows=[record]).duplicates == 1
    assert Call.objects.filter(external_id="c1").count() == 1


def test_the_command_closes_nothing_fresh(events, capsys):
    call_command("close_stale_calls")  # today's clock: T0's events are stale by far
    assert "Closed 3 calls from their events; refused 0." in capsys.readouterr().out
