"""Calls that wait for a mapping: parked whole, with the reason, stored once it exists.

One home for "resolve and store a call of a source": the importers (``import_cdr``,
``import_queue_log``) and the replay of parked calls all go through ``store_or_park`` or
``store_call``, so a call is stored whole or parked whole, never half.

A parked call's payload (docs/telephony.md, "Payload") is what the reader read, with the
PBX's own names instead of our codes::

    {
        "queue": "support",                  # the raw queue name
        "agents": ["Paty Marin", "PJSIP/1001"],  # raw names of who answered, tried in order
        "rows": [                            # calls_ingest rows, "project"/"operator" left out
            {"external_id": "1700000000.12", "caller": "+17038225596",
             "caller_raw": "17038225596", "offered_at": "...", "answered_at": "...",
             "ended_at": "...", ...},
        ],
        "agent_events": [                    # optional: agent_events_ingest rows
            {"agent": "Paty Marin", "at": "...", "state": "ready", "reason": ""},
        ],
    }

A row may carry its own ``"queue"`` and ``"agents"`` (a call whose legs went through two
queues); otherwise the payload's apply. An unanswered row needs no operator, so the names
it carries are not looked up; an answered row with no agent names is stored without an
operator (the PBX answered it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from agents.ingest import agent_events_ingest
from calls.ingest import calls_ingest
from projects.models import Project
from telephony.mapping import SourceMaps
from telephony.models import ParkedCall, TelephonySource

# What a row of the payload holds besides a calls_ingest row: the PBX's names.
NAME_KEYS = ("queue", "agents")


@dataclass(frozen=True)
class Missing:
    """The first mapping a call lacks: ``reason`` (a ``ParkedCall.Reason``) and the name."""

    reason: str
    name: str


@dataclass(frozen=True)
class Stored:
    """A call stored: its rows and agent events new or already there."""

    created: int
    duplicates: int
    events_created: int = 0


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def call_payload(
    rows: Iterable[Mapping[str, Any]],
    *,
    queue: str,
    agents: Sequence[str] = (),
    agent_events: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The payload of one call, JSON-ready (instants as ISO 8601 text).

    ``rows``: calls_ingest rows without ``project`` and ``operator`` (given, they are
    dropped: the mapping decides them), each may name its own ``queue``/``agents``;
    ``agents``: the raw names of who answered, tried in order; ``agent_events``:
    agent_events_ingest rows with ``agent`` (the raw name) instead of ``operator``.
    """
    dropped = ("project", "operator")
    payload: dict[str, Any] = {
        "queue": queue,
        "agents": [name for name in agents if name],
        "rows": [
            {key: _json_value(value) for key, value in row.items() if key not in dropped}
            for row in rows
        ],
    }
    events = [
        {key: _json_value(value) for key, value in event.items() if key != "operator"}
        for event in agent_events
    ]
    if events:
        payload["agent_events"] = events
    return payload


def resolve_call(
    maps: SourceMaps, payload: Mapping[str, Any]
) -> tuple[list[dict], list[dict]] | Missing:
    """The payload's call rows and agent events with our codes, or the first ``Missing``.
    A payload may name the ``project`` (a code of the source's client) its calls go to.

    A queue is looked up before the agents: a call whose queue is unmapped waits for the
    queue first, whatever its agents."""
    rows = []
    default_queue, default_agents = payload.get("queue", ""), payload.get("agents") or []
    # A project the importer already decided (a CDR import's ``--project``): the queue is
    # then not looked up, only the agents wait for their mapping.
    decided = (
        Project.objects.filter(code=payload["project"], client_id=maps.source.client_id).first()
        if payload.get("project")
        else None
    )
    for row in payload.get("rows", []):
        queue = row.get("queue", default_queue)
        project = decided or maps.project_for(queue)
        if project is None:
            return Missing(ParkedCall.Reason.UNMAPPED_QUEUE, queue)
        resolved = {key: value for key, value in row.items() if key not in NAME_KEYS}
        resolved["project"] = project.code
        agents = row.get("agents", default_agents) or []
        if row.get("answered_at") and agents:
            operator = maps.operator_for(*agents)
            if operator is None:
                return Missing(ParkedCall.Reason.UNKNOWN_AGENT, agents[0])
            resolved["operator"] = operator.code
        rows.append(resolved)
    events = []
    for event in payload.get("agent_events", []):
        agent = event.get("agent", "")
        operator = maps.operator_for(agent)
        if operator is None:
            return Missing(ParkedCall.Reason.UNKNOWN_AGENT, agent)
        events.append(
            {**{k: v for k, v in event.items() if k != "agent"}, "operator": operator.code}
        )
    return rows, events


def store_call(maps: SourceMaps, payload: Mapping[str, Any]) -> Stored | Missing:
    """Store one call whole (its rows and agent events, in one transaction), or return what
    it lacks and store nothing. Raises ``DomainError``/``ConflictError`` as calls_ingest
    does for a row it refuses, with nothing stored."""
    resolved = resolve_call(maps, payload)
    if isinstance(resolved, Missing):
        return resolved
    rows, events = resolved
    projects = Project.objects.filter(client_id=maps.source.client_id).values_list("pk", flat=True)
    with transaction.atomic():
        result = calls_ingest(rows=rows, allowed_project_ids=set(projects)) if rows else None
        stored_events = agent_events_ingest(rows=events, strict_reasons=False) if events else None
    return Stored(
        created=result.created if result else 0,
        duplicates=result.duplicates if result else 0,
        events_created=stored_events.created if stored_events else 0,
    )


def store_or_park(
    maps: SourceMaps,
    *,
    call_key: str,
    payload: dict[str, Any],
    file_name: str = "",
    line_no: int | None = None,
) -> Stored | ParkedCall:
    """What an importer does with each call it read: store it whole, or park it whole."""
    outcome = store_call(maps, payload)
    if isinstance(outcome, Stored):
        return outcome
    return park(
        maps.source,
        call_key=call_key,
        reason=outcome.reason,
        missing=outcome.name,
        payload=payload,
        file_name=file_name,
        line_no=line_no,
    )


def park(
    source: TelephonySource,
    *,
    call_key: str,
    reason: str,
    missing: str,
    payload: dict[str, Any],
    file_name: str = "",
    line_no: int | None = None,
) -> ParkedCall:
    """Park one call (idempotent: parking the same waiting call again updates it)."""
    parked, _created = ParkedCall.objects.update_or_create(
        source=source,
        call_key=call_key[: ParkedCall._meta.get_field("call_key").max_length],
        resolved_at=None,
        defaults={
            "reason": reason,
            "missing": missing[: ParkedCall._meta.get_field("missing").max_length],
            "payload": payload,
            "file_name": file_name[: ParkedCall._meta.get_field("file_name").max_length],
            "line_no": line_no,
            "error": "",
        },
    )
    return parked
