"""Batch ingestion of live call events: up to 10,000, all or nothing (as ``calls.ingest``).

Every invalid row is reported by its index; an event identical to a stored one (same
project, external_id and event, same data) is a duplicate; the same key with other data is
a conflict (409). Rows are checked in plain Python and COPYed (``contactcenter.batch``).
After the transaction commits, the new events update the live state and are pushed
(``live.push``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agents.models import Operator
from calls.ingest import parse_caller
from contactcenter.batch import (
    NOT_AN_OBJECT,
    Field,
    IngestResult,
    check_batch_size,
    copy_new_rows,
    gc_paused,
    ids_by_code,
    instant_window,
    parse_choice,
    parse_instant,
    parse_optional_reference,
    parse_reference,
    parse_text,
    raise_if_invalid,
    read_fields,
    stored_by_key,
    unique_constraint_name,
)
from contactcenter.errors import ConflictError
from live import push
from live.models import CallEvent
from projects.models import Project

# What a sender states about an event, in column order; the first three are its key.
EVENT_COLUMNS = ("project_id", "external_id", "event", "at", "operator_id", "caller")
_KEY_LENGTH = 3
_COPY_COLUMNS = (*EVENT_COLUMNS, "received_at")
_EVENTS = frozenset(CallEvent.Event.values)
_EXTERNAL_ID_LENGTH = CallEvent._meta.get_field("external_id").max_length
_FIELD_OF_COLUMN = {"project_id": "project", "operator_id": "operator"}


def call_events_ingest(
    *, rows: list[dict], allowed_project_ids: set[int] | None = None
) -> IngestResult:
    """Store a batch of call events in the API's JSON shape; return how many were new and
    how many were duplicates.

    ``allowed_project_ids`` scopes the caller: a project outside it is reported exactly as
    an unknown one. Raises ``DomainError`` (400) naming every invalid row, or
    ``ConflictError`` (409) naming the rows stored with other data.
    """
    check_batch_size(rows)
    projects = Project.objects.all()
    if allowed_project_ids is not None:
        projects = projects.filter(pk__in=allowed_project_ids)
    with gc_paused():
        events = _valid_events(
            rows,
            project_ids=ids_by_code(projects, rows, "project"),
            operator_ids=ids_by_code(Operator.objects.all(), rows, "operator"),
        )
        created = _store(events) if events else 0
    return IngestResult(created=created, duplicates=len(rows) - created)


def _valid_events(rows, *, project_ids, operator_ids):
    fields = (
        Field("project", parse_reference, (project_ids, "project")),
        Field("external_id", parse_text, (_EXTERNAL_ID_LENGTH, True, True)),
        Field("event", parse_choice, (_EVENTS,)),
        Field("at", parse_instant, (instant_window(),)),  # docs/limits.md
        Field("operator", parse_optional_reference, (operator_ids, "operator")),
        Field("caller", parse_caller),
    )
    events, errors = {}, {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[str(index)] = {"non_field_errors": [NOT_AN_OBJECT]}
            continue
        values, row_errors = read_fields(row, fields)
        if row_errors:
            errors[str(index)] = row_errors
            continue
        values = tuple(values)
        first_index, first_values = events.setdefault(values[:_KEY_LENGTH], (index, values))
        if first_values is not values and first_values != values:
            errors[str(index)] = {
                "event": [
                    gettext("Row %(row)s has the same call and event with different data.")
                    % {"row": first_index}
                ]
            }
    raise_if_invalid(errors, len(rows))
    return events


@transaction.atomic
def _store(events):
    received_at = timezone.now()
    pending = [
        (index, (*values, received_at)) for index, values in (events[key] for key in sorted(events))
    ]
    fresh = [pending]  # what the last COPY attempt held: the rows stored in the end

    def drop_stored(rows):
        fresh[0] = _drop_stored(rows)
        return fresh[0]

    created = copy_new_rows(
        model=CallEvent,
        columns=_COPY_COLUMNS,
        pending=pending,
        unique_constraint=unique_constraint_name(CallEvent, ("project", "external_id", "event")),
        drop_stored=drop_stored,
    )
    if created:
        push.call_events_stored([row[: len(EVENT_COLUMNS)] for _, row in fresh[0]])
    return created


def _drop_stored(pending):
    """The rows of ``pending`` not stored yet; ``ConflictError`` if one is stored differently."""
    stored = stored_by_key(
        model=CallEvent,
        key_columns=EVENT_COLUMNS[:_KEY_LENGTH],
        columns=EVENT_COLUMNS,
        keys=[row[:_KEY_LENGTH] for _, row in pending],
    )
    fresh, conflicts = [], {}
    for index, row in pending:
        current = stored.get(row[:_KEY_LENGTH])
        if current is None:
            fresh.append((index, row))
        elif current != row[: len(EVENT_COLUMNS)]:
            differing = [
                _FIELD_OF_COLUMN.get(column, column)
                for column, old, new in zip(EVENT_COLUMNS, current, row, strict=False)
                if old != new
            ]
            conflicts[str(index)] = {
                "event": [
                    gettext(
                        "This call's '%(event)s' event is already stored with different %(fields)s."
                    )
                    % {"event": row[2], "fields": ", ".join(differing)}
                ]
            }
    if conflicts:
        raise ConflictError(
            gettext(
                "Call events already stored with different data: %(count)s; nothing was stored."
            )
            % {"count": len(conflicts)},
            details=dict(sorted(conflicts.items(), key=lambda item: int(item[0]))),
        )
    return fresh
