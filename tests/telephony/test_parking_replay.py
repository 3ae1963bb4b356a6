"""Unmapped is parked, not dropped: a call naming an unknown agent or queue stores nothing
of itself, waits with the reason, and adding the mapping stores it (the replay job)."""

import datetime as dt

import pytest

from agents.models import AgentStateEvent
from calls.models import Call
from telephony import services
from telephony.mapping import SourceMaps
from telephony.models import AgentMapping, ParkedCall
from telephony.parking import Missing, Stored, call_payload, store_call, store_or_park
from telephony.replay import ReplayResult, replay_parked
from tests.telephony.world import T0, abandoned, answered


def _import(source, payloads):
    """What an importer does: each call stored whole or parked whole."""
    maps = SourceMaps.load(source)
    return [
        store_or_park(maps, call_key=key, payload=payload, file_name="queue_log", line_no=n)
        for n, (key, payload) in enumerate(payloads.items(), start=1)
    ]


def _waiting():
    return sorted(
        ParkedCall.objects.filter(resolved_at=None).values_list("call_key", "reason", "missing")
    )


def test_an_unknown_agent_parks_the_call_whole_and_its_mapping_stores_it(
    source, paty, django_capture_on_commit_callbacks
):
    outcomes = _import(
        source,
        {
            "c1": answered("c1"),
            "c2": answered("c2", minute=1),
            "c3": abandoned("c3", minute=2),
            "c4": answered("c4", agent="Juan", minute=3),
        },
    )

    assert [type(o).__name__ for o in outcomes] == [
        "ParkedCall",
        "ParkedCall",
        "Stored",
        "ParkedCall",
    ]
    assert list(Call.objects.values_list("external_id", flat=True)) == ["c3"]
    assert _waiting() == [
        ("c1", "unknown_agent", "Paty Marin"),
        ("c2", "unknown_agent", "Paty Marin"),
        ("c4", "unknown_agent", "Juan"),
    ]
    parked = ParkedCall.objects.get(call_key="c1")
    assert (parked.file_name, parked.line_no) == ("queue_log", 1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.agent_map(source=source, name="Paty Marin", operator=paty, kind="member")

    assert len(callbacks) == 1
    calls = Call.objects.order_by("external_id")
    assert [(c.external_id, c.operator_id, c.caller, c.caller_raw) for c in calls] == [
        ("c1", paty.pk, "+17038225596", "17038225596"),
        ("c2", paty.pk, "+17038225596", "17038225596"),
        ("c3", None, "", "anonymous"),
    ]
    assert calls[0].answered_at == T0 + dt.timedelta(seconds=20)
    assert _waiting() == [("c4", "unknown_agent", "Juan")]
    assert ParkedCall.objects.filter(resolved_at__isnull=False).count() == 2


def test_the_replay_is_idempotent(source, paty):
    _import(source, {"c1": answered("c1"), "c4": answered("c4", agent="Juan")})
    AgentMapping.objects.create(source=source, name="Paty Marin", operator=paty)

    first = replay_parked(source.pk)
    second = replay_parked(source.pk)

    assert first == ReplayResult(resolved=1, waiting=1, failed=0, created=1, duplicates=0)
    assert second == ReplayResult(resolved=0, waiting=1, failed=0, created=0, duplicates=0)
    assert Call.objects.count() == 1
    # The same file imported again: the call is now mapped, so it is a duplicate, not parked.
    (again,) = _import(source, {"c1": answered("c1")})
    assert again == Stored(created=0, duplicates=1)
    assert ParkedCall.objects.filter(call_key="c1").count() == 1


def test_a_call_waits_for_its_queue_first_then_for_its_agent(
    source, pbx_project, paty, django_capture_on_commit_callbacks
):
    _import(source, {"s1": answered("s1", queue="sales"), "s2": abandoned("s2", queue="sales")})
    assert _waiting() == [("s1", "unmapped_queue", "sales"), ("s2", "unmapped_queue", "sales")]

    with django_capture_on_commit_callbacks(execute=True):
        services.queue_map(source=source, queue="sales", project=pbx_project)

    assert list(Call.objects.values_list("external_id", flat=True)) == ["s2"]
    assert _waiting() == [("s1", "unknown_agent", "Paty Marin")]

    with django_capture_on_commit_callbacks(execute=True):
        services.agent_map(source=source, name="Paty Marin", operator=paty)

    assert sorted(Call.objects.values_list("external_id", flat=True)) == ["s1", "s2"]
    assert _waiting() == []


def test_a_call_of_two_legs_is_stored_whole_or_not_at_all(source, pbx_project, paty):
    legs = [
        {**answered("t1")["rows"][0]},
        {**answered("t1-2", minute=5)["rows"][0], "queue": "sales", "agents": ["Paty Marin"]},
    ]
    payload = call_payload(legs, queue="support", agents=["Paty Marin"])
    AgentMapping.objects.create(source=source, name="PJSIP/Paty Marin", operator=paty)

    outcome = store_call(SourceMaps.load(source), payload)

    assert outcome == Missing("unmapped_queue", "sales")
    assert Call.objects.count() == 0
    services.queue_map(source=source, queue="sales", project=pbx_project)
    assert store_call(SourceMaps.load(source), payload) == Stored(created=2, duplicates=0)


def test_agent_events_of_a_parked_call_wait_with_it(source, paty):
    payload = call_payload(
        answered("e1")["rows"],
        queue="support",
        agents=["Paty Marin"],
        agent_events=[
            {"agent": "SIP/Paty Marin-0000002a", "at": T0, "state": "ready", "reason": ""}
        ],
    )
    _import(source, {"e1": payload})
    AgentMapping.objects.create(source=source, kind="channel", name="Paty Marin", operator=paty)

    result = replay_parked(source.pk)

    assert result == ReplayResult(resolved=1, waiting=0, failed=0, created=1, duplicates=0)
    assert list(AgentStateEvent.objects.filter(operator=paty).values_list("at", "state")) == [
        (T0, "ready")
    ]


def test_a_mapped_call_the_ingestion_refuses_stays_with_the_error(source, paty):
    bad = answered("b1")
    bad["rows"][0]["ended_at"] = (T0 - dt.timedelta(hours=1)).isoformat()  # before offered
    _import(source, {"b1": bad, "c1": answered("c1")})
    AgentMapping.objects.create(source=source, name="Paty Marin", operator=paty)

    result = replay_parked(source.pk)

    assert result == ReplayResult(resolved=1, waiting=0, failed=1, created=1, duplicates=0)
    parked = ParkedCall.objects.get(call_key="b1")
    assert parked.resolved_at is None
    assert "ended_at" in parked.error
    assert list(Call.objects.values_list("external_id", flat=True)) == ["c1"]


def test_the_payload_is_json_ready():
    payload = call_payload(
        [{"external_id": "x", "project": "dropped", "operator": "dropped", "offered_at": T0}],
        queue="q",
        agents=["", "Paty"],
    )
    assert payload == {
        "queue": "q",
        "agents": ["Paty"],
        "rows": [{"external_id": "x", "offered_at": "2026-10-05T09:00:00+00:00"}],
    }


@pytest.mark.parametrize("kind", ["agent", "member", "extension", "channel"])
def test_any_kind_of_name_maps_the_agent(source, paty, kind):
    _import(source, {"c1": answered("c1")})
    AgentMapping.objects.create(source=source, kind=kind, name="Paty Marin", operator=paty)

    assert replay_parked(source.pk).resolved == 1


def test_a_call_parked_by_the_queue_log_import_is_stored_when_its_agent_is_mapped(source, paty):
    """The queue_log import's payload (telephony.queue_log_import) replays like any other."""
    from telephony.queue_log_import import queue_log_import

    lines = [
        "1760000000|1.1|support|NONE|ENTERQUEUE||17038225596|1",
        "1760000020|1.1|support|Paty Marin|CONNECT|20|1.2|3",
        "1760000120|1.1|support|Paty Marin|COMPLETECALLER|20|100|1",
    ]
    result = queue_log_import(lines=lines, source="acme-pbx", keep_open=True)
    assert (result.calls_created, len(result.parked)) == (0, 1)

    AgentMapping.objects.create(source=source, kind="member", name="Paty Marin", operator=paty)
    assert replay_parked(source.pk) == ReplayResult(resolved=1, created=1)

    call = Call.objects.get()
    assert (call.operator_id, call.caller, call.caller_raw) == (
        paty.pk,
        "+17038225596",
        "17038225596",
    )
