"""Calls that wait for a mapping: parked whole, with the reason, stored once it exists."""

from __future__ import annotations

from typing import Any

from telephony.models import ParkedCall, TelephonySource


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
        call_key=call_key,
        resolved_at=None,
        defaults={
            "reason": reason,
            "missing": missing,
            "payload": payload,
            "file_name": file_name,
            "line_no": line_no,
        },
    )
    return parked
