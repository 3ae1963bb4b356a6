"""The calls list's rows as plain dicts: one ``values_list`` query, no model instance and no
serializer field per value.

``CallSerializer`` stays the documented shape (and the shape of a single call); a page of the
list is built here from the same columns, value for value what the serializer gives
(tests/calls/test_api_call_rows.py compares them on random calls, and the pages byte for
byte). Measured in bench/scale.py: serializing 100 calls cost more than their query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from calls.api.serializers import CallSerializer
from calls.phones import caller_shown

FIELDS = CallSerializer.Meta.fields
# Columns read per call: the serializer's fields, with the project's and operator's codes
# by join and the project id for the masking rule ("outcome" derives from answered_at).
COLUMNS = (
    "id",
    "external_id",
    "project__code",
    "direction",
    "caller",
    "caller_erased",
    "operator__code",
    "offered_at",
    "answered_at",
    "ended_at",
    "hold_seconds",
    "wrap_seconds",
    "disposition",
    "recording_url",
    "wait_seconds",
    "connected_seconds",
    "talk_seconds",
    "handle_seconds",
    "contact_id",
    "received_at",
    "project_id",
)
UTC = dt.UTC


def iso(instant: dt.datetime | None) -> str | None:
    """An instant as DRF's DateTimeField writes it (UTC, ISO 8601, ``Z``)."""
    if instant is None:
        return None
    text = instant.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def call_rows(values: Iterable[dict[str, Any]], full: set[int] | None) -> list[dict[str, Any]]:
    """``values`` (dicts of ``COLUMNS``) as the list's JSON objects; ``full``: the project ids
    whose numbers the reader sees in full (None: all)."""
    return [
        {
            "id": row["id"],
            "external_id": row["external_id"],
            "project": row["project__code"],
            "direction": row["direction"],
            "caller": caller_shown(row["caller"], row["project_id"], full),
            "caller_erased": row["caller_erased"],
            "operator": row["operator__code"],
            "offered_at": iso(row["offered_at"]),
            "answered_at": iso(row["answered_at"]),
            "ended_at": iso(row["ended_at"]),
            "hold_seconds": row["hold_seconds"],
            "wrap_seconds": row["wrap_seconds"],
            "disposition": row["disposition"],
            "recording_url": row["recording_url"],
            "outcome": "answered" if row["answered_at"] else "abandoned",
            "wait_seconds": row["wait_seconds"],
            "connected_seconds": row["connected_seconds"],
            "talk_seconds": row["talk_seconds"],
            "handle_seconds": row["handle_seconds"],
            "contact": row["contact_id"],
            "received_at": iso(row["received_at"]),
        }
        for row in values
    ]
