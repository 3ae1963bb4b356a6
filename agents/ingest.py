"""Batch ingestion of agent state events (SPEC sections 5 and 8): up to 10,000, all or nothing.

The same rules as for calls: every invalid row is reported by its index, a row identical
to a stored event (same operator and instant, same state and reason) is a duplicate, and a
different state at a stored instant is a conflict (409). Rows are checked in plain Python
and COPYed straight into the table; see ``contactcenter.batch``.

A ``break`` names its reason by a ``BreakReason`` code (or none); the other states keep the
free text they always had. The newly stored events are announced by
``agents.signals.agent_events_stored`` (the live state listens).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import AgentStateEvent, BreakReason, Operator
from agents.signals import agent_events_stored
from contactcenter.batch import (
    MAX_BATCH,
    NOT_AN_OBJECT,
    Field,
    IngestResult,
    check_batch_size,
    copy_new_rows,
    ids_by_code,
    instant_window,
    parse_choice,
    parse_instant,
    parse_reference,
    parse_text,
    raise_if_invalid,
    read_fields,
    stored_by_key,
    unique_constraint_name,
)
from contactcenter.errors import ConflictError

__all__ = ["MAX_BATCH", "IngestResult", "agent_events_ingest"]

# What a sender states about an event, in column order; the first two are its natural key.
EVENT_COLUMNS = ("operator_id", "at", "state", "reason")
_KEY_COLUMNS = EVENT_COLUMNS[:2]
_COPY_COLUMNS = (*EVENT_COLUMNS, "received_at")
_STATES = frozenset(AgentStateEvent.State.values)
BREAK = AgentStateEvent.State.BREAK.value
_REASON_LENGTH = AgentStateEvent._meta.get_field("reason").max_length


def agent_events_ingest(
    *,
    rows: list[dict],
    allowed_operator_ids: set[int] | None = None,
    strict_reasons: bool = True,
) -> IngestResult:
    """Store a batch of agent state events in the API's JSON shape; return how many were
    new and how many were duplicates (of a stored event or of an earlier row).

    ``allowed_operator_ids`` scopes the caller: an operator outside it is reported exactly
    as an unknown one. Raises ``DomainError`` (400) naming every invalid row, or
    ``ConflictError`` (409) naming the rows whose operator and instant are stored with
    another state or reason. With ``strict_reasons`` (the API), a ``break`` whose reason
    is not an active ``BreakReason`` code is refused naming ``reason``; the queue_log
    importer keeps the telephony's free-text pause reasons.
    """
    check_batch_size(rows)
    operators = Operator.objects.all()
    if allowed_operator_ids is not None:
        operators = operators.filter(pk__in=allowed_operator_ids)
    reasons = _break_reasons() if strict_reasons else None
    events = _valid_events(
        rows, operator_ids=ids_by_code(operators, rows, "operator"), reasons=reasons
    )
    created = _store(events) if events else 0
    return IngestResult(created=created, duplicates=len(rows) - created)


def _break_reasons() -> frozenset[str]:
    return frozenset(BreakReason.objects.filter(is_active=True).values_list("code", flat=True))


def _valid_events(rows, *, operator_ids, reasons):
    """``{key: (index, values)}`` of the batch's distinct events; ``DomainError`` if any row
    is invalid. An exact repeat of an earlier row is dropped (a duplicate)."""
    fields = (
        Field("operator", parse_reference, (operator_ids, "operator")),
        Field("at", parse_instant, (instant_window(),)),  # docs/limits.md
        Field("state", parse_choice, (_STATES,)),
        Field("reason", parse_text, (_REASON_LENGTH,)),
    )
    events, errors = {}, {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[str(index)] = {"non_field_errors": [NOT_AN_OBJECT]}
            continue
        values, row_errors = read_fields(row, fields)
        if reasons is not None and values[2] == BREAK and values[3] and values[3] not in reasons:
            row_errors["reason"] = [
                _("Unknown break reason '%(reason)s'; use one of: %(codes)s (or none).")
                % {"reason": values[3][:64], "codes": ", ".join(sorted(reasons))}
            ]
        if row_errors:
            errors[str(index)] = row_errors
            continue
        first_index, first_values = events.setdefault((values[0], values[1]), (index, values))
        if first_values is not values and first_values != values:
            errors[str(index)] = {
                "state": [
                    _("Row %(index)s has the same operator and instant with another state.")
                    % {"index": first_index}
                ]
            }
    raise_if_invalid(errors, len(rows))
    return events


@transaction.atomic
def _store(events):
    received_at = timezone.now()
    # One key order for every batch, so two batches storing the same events never deadlock.
    pending = [
        (index, (*values, received_at)) for index, values in (events[key] for key in sorted(events))
    ]
    fresh = [pending]  # what the last COPY attempt held: the rows stored in the end

    def drop_stored(rows):
        fresh[0] = _drop_stored(rows)
        return fresh[0]

    created = copy_new_rows(
        model=AgentStateEvent,
        columns=_COPY_COLUMNS,
        pending=pending,
        unique_constraint=unique_constraint_name(AgentStateEvent, ("operator", "at")),
        drop_stored=drop_stored,
    )
    if created:
        agent_events_stored.send(
            sender=AgentStateEvent, events=[row[: len(EVENT_COLUMNS)] for _, row in fresh[0]]
        )
    return created


def _drop_stored(pending):
    """The rows of ``pending`` not stored yet; ``ConflictError`` if one is stored differently."""
    stored = stored_by_key(
        model=AgentStateEvent,
        key_columns=_KEY_COLUMNS,
        columns=EVENT_COLUMNS,
        keys=[row[:2] for _, row in pending],
    )
    fresh, conflicts = [], {}
    for index, row in pending:
        current = stored.get(row[:2])
        if current is None:
            fresh.append((index, row))
        elif current != row[: len(EVENT_COLUMNS)]:
            conflicts[str(index)] = {
                "state": [
                    _(
                        "This operator already has a '%(state)s' event (%(reason)s) stored at"
                        " this instant."
                    )
                    % {"state": current[2], "reason": current[3]}
                    if current[3]
                    else _("This operator already has a '%(state)s' event stored at this instant.")
                    % {"state": current[2]}
                ]
            }
    if conflicts:
        raise ConflictError(
            _("Events already stored with another state: %(count)s; nothing was stored.")
            % {"count": len(conflicts)},
            details=dict(sorted(conflicts.items(), key=lambda item: int(item[0]))),
        )
    return fresh
