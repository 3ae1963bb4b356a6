"""Replay of parked calls: once a mapping exists, the calls that waited for it are stored.

``replay_parked(source_id)`` reads the source's mapping tables once, then takes every
waiting call of the source in turn: a call now fully mapped is stored whole
(``parking.store_call``) and marked resolved in the same transaction; a call still
lacking a mapping stays, with its reason and missing name brought up to date (a call that
waited for its queue may now wait for its agent). A call calls_ingest refuses (a row out
of bounds, a conflicting stored call) stays too, with the error. Running it again stores
nothing twice: resolved calls are not read again, and a stored call is a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from contactcenter.errors import DomainError
from telephony.mapping import SourceMaps
from telephony.models import ParkedCall, TelephonySource
from telephony.parking import Missing, store_call

BATCH = 500  # parked calls read per query


@dataclass(frozen=True)
class ReplayResult:
    """``resolved``: calls stored and marked; ``waiting``: still lacking a mapping;
    ``failed``: mapped but refused (``ParkedCall.error`` says why); ``created`` and
    ``duplicates``: the call rows of the resolved calls, new or already stored."""

    resolved: int = 0
    waiting: int = 0
    failed: int = 0
    created: int = 0
    duplicates: int = 0


def replay_parked(source_id: int) -> ReplayResult:
    """Store every waiting parked call of the source that is now fully mapped."""
    source = TelephonySource.objects.select_related("client").get(pk=source_id)
    maps = SourceMaps.load(source)
    counts = dict.fromkeys(("resolved", "waiting", "failed", "created", "duplicates"), 0)
    last_id = 0
    while True:
        ids = list(
            ParkedCall.objects.filter(source=source, resolved_at=None, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        last_id = ids[-1]
        for parked_id in ids:
            _replay_one(maps, parked_id, counts)
    return ReplayResult(**counts)


@transaction.atomic
def _replay_one(maps: SourceMaps, parked_id: int, counts: dict[str, int]) -> None:
    # Locked, and skipped when another replay holds it: each call is stored by one replay.
    parked = (
        ParkedCall.objects.select_for_update(skip_locked=True)
        .filter(pk=parked_id, resolved_at=None)
        .first()
    )
    if parked is None:
        return
    try:
        outcome = store_call(maps, parked.payload)
    except DomainError as exc:
        parked.error = _error_text(exc)
        parked.save(update_fields=["error"])
        counts["failed"] += 1
        return
    if isinstance(outcome, Missing):
        parked.reason, parked.missing, parked.error = outcome.reason, outcome.name, ""
        parked.save(update_fields=["reason", "missing", "error"])
        counts["waiting"] += 1
        return
    parked.resolved_at, parked.error = timezone.now(), ""
    parked.save(update_fields=["resolved_at", "error"])
    counts["resolved"] += 1
    counts["created"] += outcome.created
    counts["duplicates"] += outcome.duplicates


def _error_text(exc: DomainError) -> str:
    details = getattr(exc, "details", None)
    return f"{exc} {details}" if details else str(exc)
