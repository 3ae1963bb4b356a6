"""Batch ingestion of call records (SPEC sections 3 and 8): up to 10,000 calls, all or nothing.

``calls_ingest`` is what the API's list POST, the Asterisk importer and any bulk loader
call. It checks every row in plain Python (errors keyed by row index, every invalid row
reported), looks up the batch's project and operator codes in one query each, then in one
transaction creates the callers' missing contacts in one statement and COPYs the calls
straight into ``calls_call``. A row identical to a stored call is a duplicate; the same
``external_id`` with different data is a conflict (409) and nothing is stored.
"""

import re

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from agents.models import Operator
from calls.models import E164_REGEX, Call, Contact
from contactcenter.batch import (
    MAX_BATCH,
    NOT_AN_OBJECT,
    Field,
    IngestResult,
    Invalid,
    add_error,
    check_batch_size,
    copy_new_rows,
    ids_by_code,
    parse_choice,
    parse_instant,
    parse_optional_instant,
    parse_optional_reference,
    parse_reference,
    parse_seconds,
    parse_text,
    parse_url,
    raise_if_invalid,
    read_fields,
    stored_by_key,
    unique_constraint_name,
)
from contactcenter.errors import ConflictError
from projects.models import Project

__all__ = ["MAX_BATCH", "IngestResult", "calls_ingest"]

# What a sender states about a call, in column order. Two calls with equal values are the
# same call; the first two columns are its natural key.
CALL_COLUMNS = (
    "project_id",
    "external_id",
    "direction",
    "caller",
    "operator_id",
    "offered_at",
    "answered_at",
    "ended_at",
    "hold_seconds",
    "wrap_seconds",
    "disposition",
    "recording_url",
)
_KEY_COLUMNS = CALL_COLUMNS[:2]
_COPY_COLUMNS = (*CALL_COLUMNS, "contact_id", "received_at")
_FIELD_OF_COLUMN = {"project_id": "project", "operator_id": "operator"}
_DIRECTIONS = frozenset(Call.Direction.values)
_E164 = re.compile(E164_REGEX)
_EXTERNAL_ID_LENGTH = Call._meta.get_field("external_id").max_length
_DISPOSITION_LENGTH = Call._meta.get_field("disposition").max_length
_URL_LENGTH = Call._meta.get_field("recording_url").max_length


def calls_ingest(*, rows: list[dict], allowed_project_ids: set[int] | None = None) -> IngestResult:
    """Store a batch of calls in the API's JSON shape; return how many were new and how many
    were duplicates (of a stored call or of an earlier row of the batch).

    ``allowed_project_ids`` scopes the caller: a project outside it is reported exactly as an
    unknown one. Raises ``DomainError`` (400) naming every invalid row, or ``ConflictError``
    (409) naming the rows whose ``external_id`` is stored with different data.
    """
    check_batch_size(rows)
    projects = Project.objects.all()
    if allowed_project_ids is not None:
        projects = projects.filter(pk__in=allowed_project_ids)
    calls = _valid_calls(
        rows,
        project_ids=ids_by_code(projects, rows, "project"),
        operator_ids=ids_by_code(Operator.objects.all(), rows, "operator"),
    )
    created = _store(calls) if calls else 0
    return IngestResult(created=created, duplicates=len(rows) - created)


# --- Checking ------------------------------------------------------------------------------


def _valid_calls(rows, *, project_ids, operator_ids):
    """``{key: (index, values)}`` of the batch's distinct calls; ``DomainError`` if any row
    is invalid. An exact repeat of an earlier row is dropped (a duplicate)."""
    fields = _call_fields(project_ids, operator_ids)
    calls, errors = {}, {}
    for index, row in enumerate(rows):
        values, row_errors = _parse_call(row, fields)
        if row_errors:
            errors[str(index)] = row_errors
            continue
        first_index, first_values = calls.setdefault((values[0], values[1]), (index, values))
        if first_values is not values and first_values != values:
            errors[str(index)] = {
                "external_id": [
                    f"Row {first_index} has the same project and external_id with different data."
                ]
            }
    raise_if_invalid(errors, len(rows))
    return calls


def _call_fields(project_ids, operator_ids):
    """How to read each field of a row, in ``CALL_COLUMNS`` order."""
    return (
        Field("project", parse_reference, (project_ids, "project")),
        Field("external_id", parse_text, (_EXTERNAL_ID_LENGTH, True)),
        Field("direction", parse_choice, (_DIRECTIONS, Call.Direction.INBOUND.value)),
        Field("caller", _parse_caller),
        Field("operator", parse_optional_reference, (operator_ids, "operator")),
        Field("offered_at", parse_instant),
        Field("answered_at", parse_optional_instant),
        Field("ended_at", parse_instant),
        Field("hold_seconds", parse_seconds),
        Field("wrap_seconds", parse_seconds),
        Field("disposition", parse_text, (_DISPOSITION_LENGTH,)),
        Field("recording_url", parse_url, (_URL_LENGTH,)),
    )


def _parse_call(row, fields):
    """``(values in CALL_COLUMNS order, errors)``; the values count only without errors."""
    if not isinstance(row, dict):
        return None, {"non_field_errors": [NOT_AN_OBJECT]}
    values, errors = read_fields(row, fields)
    _check_times(errors, *values[4:9])  # operator_id, offered_at, answered_at, ended_at, hold
    return values, errors


def _parse_caller(value):
    caller = parse_text(value, 16)
    if caller and not _E164.match(caller):
        raise Invalid("Not an E.164 number, such as +74951234567.")
    return caller


def _check_times(errors, operator_id, offered_at, answered_at, ended_at, hold_seconds):
    """The rules of SPEC section 3 that tie the instants, the operator and the hold together.

    Judged only on instants that parsed; ``hold_seconds`` is ``None`` when it did not.
    """
    if errors and ("offered_at" in errors or "answered_at" in errors or "ended_at" in errors):
        return
    if answered_at is None:
        if operator_id is not None:
            add_error(errors, "operator", "An unanswered call has no operator.")
        if ended_at < offered_at:
            add_error(errors, "ended_at", "Cannot be before offered_at.")
        elif hold_seconds:
            add_error(errors, "hold_seconds", "Cannot exceed the connected time (0 s: unanswered).")
        return
    if answered_at < offered_at:
        add_error(errors, "answered_at", "Cannot be before offered_at.")
    if ended_at < answered_at:
        add_error(errors, "ended_at", "Cannot be before answered_at.")
    elif hold_seconds:
        connected = _whole_seconds(ended_at - answered_at)
        if hold_seconds > connected:
            add_error(
                errors,
                "hold_seconds",
                f"Cannot exceed the connected time ({connected} s from answered_at to ended_at).",
            )


def _whole_seconds(delta):
    """Whole seconds of a non-negative timedelta, a fractional second rounding up."""
    return delta.days * 86_400 + delta.seconds + (delta.microseconds > 0)


# --- Storing -------------------------------------------------------------------------------


@transaction.atomic
def _store(calls):
    """Create the missing contacts, then COPY the calls not stored yet; return how many."""
    received_at = timezone.now()
    contact_ids = _contact_ids(calls.values(), now=received_at)
    pending = []
    # One key order for every batch, so two batches storing the same calls never deadlock.
    for key in sorted(calls):
        index, values = calls[key]
        contact_id = contact_ids.get((values[0], values[3]))
        pending.append((index, (*values, contact_id, received_at)))
    return copy_new_rows(
        model=Call,
        columns=_COPY_COLUMNS,
        pending=pending,
        unique_constraint=unique_constraint_name(Call, ("project", "external_id")),
        drop_stored=_drop_stored,
    )


def _drop_stored(pending):
    """The rows of ``pending`` not stored yet; ``ConflictError`` if one is stored differently."""
    stored = stored_by_key(
        model=Call,
        key_columns=_KEY_COLUMNS,
        columns=CALL_COLUMNS,
        keys=[row[:2] for _, row in pending],
    )
    fresh, conflicts = [], {}
    sent = len(CALL_COLUMNS)
    for index, row in pending:
        current = stored.get(row[:2])
        if current is None:
            fresh.append((index, row))
        elif current != row[:sent]:
            conflicts[str(index)] = {"external_id": [_conflict_message(current, row)]}
    if conflicts:
        raise ConflictError(
            f"Calls already stored with different data: {len(conflicts)}; nothing was stored.",
            details=dict(sorted(conflicts.items(), key=lambda item: int(item[0]))),
        )
    return fresh


def _conflict_message(stored, sent):
    differing = [
        _FIELD_OF_COLUMN.get(column, column)
        for column, old, new in zip(CALL_COLUMNS, stored, sent[: len(CALL_COLUMNS)], strict=True)
        if old != new
    ]
    return f"'{sent[1]}' is already stored for this project with different {', '.join(differing)}."


def _contact_ids(calls, *, now):
    """``{(project_id, phone): contact id}`` for the batch's callers, creating missing ones.

    One statement reads the existing contacts and inserts the others. A contact that a
    concurrent batch commits meanwhile is invisible to that statement's snapshot, so the
    few still missing are asked for once more.
    """
    wanted = sorted({(values[0], values[3]) for _, values in calls if values[3]})
    found = _find_or_create_contacts(wanted, now=now)
    missing = [pair for pair in wanted if pair not in found]
    if missing:
        found.update(_find_or_create_contacts(missing, now=now))
    return found


def _find_or_create_contacts(pairs, *, now):
    if not pairs:
        return {}
    # The LIMIT 1 lateral lookup pins one index probe per caller whatever the statistics
    # say; only the callers not found reach the INSERT, whose ON CONFLICT covers a race.
    statement = sql.SQL(
        "WITH wanted AS ("
        "  SELECT w.project_id, w.phone, c.id"
        "  FROM unnest(%s::bigint[], %s::text[]) AS w(project_id, phone)"
        "  LEFT JOIN LATERAL (SELECT id FROM {table} AS c"
        "    WHERE c.project_id = w.project_id AND c.phone = w.phone LIMIT 1) AS c ON true),"
        " inserted AS ("
        "  INSERT INTO {table} (project_id, phone, name, notes, created_at, updated_at)"
        "  SELECT project_id, phone, '', '', %s, %s FROM wanted WHERE id IS NULL"
        "  ORDER BY project_id, phone"
        "  ON CONFLICT (project_id, phone) DO NOTHING"
        "  RETURNING project_id, phone, id)"
        " SELECT project_id, phone, id FROM wanted WHERE id IS NOT NULL"
        " UNION ALL SELECT project_id, phone, id FROM inserted"
    ).format(table=sql.Identifier(Contact._meta.db_table))
    project_ids, phones = zip(*pairs, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            statement.as_string(cursor.cursor), [list(project_ids), list(phones), now, now]
        )
        return {(project_id, phone): id_ for project_id, phone, id_ in cursor.fetchall()}
