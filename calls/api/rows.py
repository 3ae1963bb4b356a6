"""The calls list's rows as plain dicts: one ``values`` query, no model instance and no
serializer field per value, the instants formatted by PostgreSQL.

``CallSerializer`` stays the documented shape (and the shape of a single call); a page of the
list is built here from the same columns, value for value what the serializer gives
(tests/calls/test_api_call_rows.py compares them on random calls, and the pages byte for
byte). Measured in bench/scale.py: serializing 100 calls cost more than their query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from calls.api.serializers import CallSerializer
from calls.phones import caller_shown, raw_caller_shown
from contactcenter.orm import UtcIso

FIELDS = CallSerializer.Meta.fields
# The instants leave PostgreSQL as the text DRF's DateTimeField writes (``UtcIso``): parsing
# four timestamps per call into datetimes only to format them again cost more than the rest
# of a row. ``offered_at`` is read as an instant too: the cursor of the page is made of it.
INSTANTS = ("offered_at", "answered_at", "ended_at", "received_at")
# Columns read per call: the serializer's fields, with the project's and operator's codes
# by join and the project id for the masking rule ("outcome" derives from answered_at).
COLUMNS = (
    "id",
    "external_id",
    "project__code",
    "direction",
    "caller",
    "caller_raw",
    "caller_erased",
    "operator__code",
    "offered_at",
    *(f"{name}_iso" for name in INSTANTS),
    "hold_seconds",
    "wrap_seconds",
    "disposition",
    "recording_url",
    "wait_seconds",
    "connected_seconds",
    "talk_seconds",
    "handle_seconds",
    "contact_id",
    "project_id",
)


def call_values(queryset: QuerySet) -> QuerySet:
    """``queryset`` (calls) as dicts of ``COLUMNS``, what ``call_rows`` takes."""
    return queryset.annotate(**{f"{name}_iso": UtcIso(name) for name in INSTANTS}).values(*COLUMNS)


def call_rows(values: Iterable[dict[str, Any]], full: set[int] | None) -> list[dict[str, Any]]:
    """``values`` (``call_values``) as the list's JSON objects; ``full``: the project ids
    whose numbers the reader sees in full (None: all)."""
    return [
        {
            "id": row["id"],
            "external_id": row["external_id"],
            "project": row["project__code"],
            "direction": row["direction"],
            "caller": caller_shown(row["caller"], row["project_id"], full),
            "caller_raw": raw_caller_shown(row["caller_raw"], row["project_id"], full),
            "caller_erased": row["caller_erased"],
            "operator": row["operator__code"],
            "offered_at": row["offered_at_iso"],
            "answered_at": row["answered_at_iso"],
            "ended_at": row["ended_at_iso"],
            "hold_seconds": row["hold_seconds"],
            "wrap_seconds": row["wrap_seconds"],
            "disposition": row["disposition"],
            "recording_url": row["recording_url"],
            "outcome": "answered" if row["answered_at_iso"] else "abandoned",
            "wait_seconds": row["wait_seconds"],
            "connected_seconds": row["connected_seconds"],
            "talk_seconds": row["talk_seconds"],
            "handle_seconds": row["handle_seconds"],
            "contact": row["contact_id"],
            "received_at": row["received_at_iso"],
        }
        for row in values
    ]
