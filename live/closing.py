"""Calls whose record never came, closed from their live events (docs/live.md).

A call's finished record (``calls/``) normally follows its events. When none came
``LIVE_STALE_CALL_SECONDS`` after the call's last event, the call is stored from its
events through ``calls.ingest.calls_ingest`` (the same checks as any record):

- ``offered_at``: the ``offered`` event (else the earliest event);
- ``answered_at``: the ``answered`` event, with its operator (the first operator any event
  names);
- ``ended_at``: the earliest of ``ended`` / ``abandoned``; without either, the last event;
- ``caller``: the first caller any event names; disposition ``closed-from-events``.

A record that comes later after all completes that call in place (``calls.ingest``).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from calls.ingest import calls_ingest
from calls.models import CLOSED_FROM_EVENTS, Call
from contactcenter.errors import DomainError
from live.models import CallEvent

logger = logging.getLogger(__name__)


def _iso(instant: dt.datetime) -> str:
    return instant.isoformat()


def call_from_events(project_code: str, external_id: str, events: list[CallEvent]) -> dict:
    """A call record in the API's shape from one call's events."""
    by_kind = {event.event: event for event in events}
    first = min(events, key=lambda e: e.at)
    last = max(events, key=lambda e: e.at)
    offered = by_kind.get("offered", first).at
    answered = by_kind.get("answered")
    ends = [by_kind[kind].at for kind in ("ended", "abandoned") if kind in by_kind]
    ended = min(ends) if ends else last.at
    operator = next((e.operator.code for e in events if e.operator_id), None)
    caller = next((e.caller for e in events if e.caller), "")
    answered_at = None if answered is None else max(answered.at, offered)
    return {
        "project": project_code,
        "external_id": external_id,
        "caller": caller,
        "operator": operator if answered_at is not None else None,
        "offered_at": _iso(offered),
        "answered_at": None if answered_at is None else _iso(answered_at),
        "ended_at": _iso(max(ended, answered_at or offered)),
        "disposition": CLOSED_FROM_EVENTS,
    }


def close_stale_calls(now: dt.datetime | None = None, limit: int = 10_000) -> dict:
    """Store the calls silent for ``LIVE_STALE_CALL_SECONDS`` that have no record yet;
    returns ``{"closed": n, "refused": n}`` (a refused call is logged and left)."""
    now = timezone.now() if now is None else now
    cutoff = now - dt.timedelta(seconds=settings.LIVE_STALE_CALL_SECONDS)
    recorded = Call.objects.filter(
        project_id=OuterRef("project_id"), external_id=OuterRef("external_id")
    )
    stale = (
        CallEvent.objects.values("project_id", "external_id")
        .annotate(last=Max("at"))
        .filter(last__lt=cutoff)
        .annotate(recorded=Exists(recorded))
        .filter(recorded=False)
        .order_by("last")[:limit]
    )
    closed = refused = 0
    for key in stale:
        events = list(
            CallEvent.objects.filter(
                project_id=key["project_id"], external_id=key["external_id"]
            ).select_related("project", "operator")
        )
        row = call_from_events(events[0].project.code, key["external_id"], events)
        try:
            closed += calls_ingest(rows=[row]).created
        except DomainError as exc:
            refused += 1
            logger.warning("Call %s not closed from its events: %s", row, exc.details)
    return {"closed": closed, "refused": refused}
