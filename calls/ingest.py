"""Batch ingestion of call records (SPEC sections 3 and 8): up to 10,000 calls, all or nothing.

``calls_ingest`` is what the API's list POST, the Asterisk importer and any bulk loader
call. It checks every row in plain Python (errors keyed by row index, every invalid row
reported), looks up the batch's project and operator codes in one query each, then in one
transaction creates the callers' missing contacts in one statement and COPYs the calls
straight into ``calls_call``. A row identical to a stored call is a duplicate; the same
``external_id`` with different data is a conflict (409) and nothing is stored.
"""

import datetime as dt
import re

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from psycopg import sql

from agents.models import Operator
from calls.bounds import CallBounds, call_bounds, time_errors
from calls.models import CLOSED_FROM_EVENTS, E164_REGEX, Call, Contact
from contactcenter.batch import (
    EDGE_YEARS,
    MAX_BATCH,
    NOT_AN_OBJECT,
    Field,
    IngestResult,
    Invalid,
    check_batch_size,
    copy_new_rows,
    gc_paused,
    ids_by_code,
    is_plain_url,
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

__all__ = ["MAX_BATCH", "SAME_KEY_ROW", "IngestResult", "calls_ingest"]

# A row repeating an earlier row's key with other data; the CSV import names its line instead.
SAME_KEY_ROW = gettext_noop("Row %(row)s has the same project and external_id with different data.")

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
# caller_raw: the caller id as the PBX wrote it. Stored, but no part of what makes two
# calls the same: a repeat that differs only there is a duplicate, not a conflict.
# inside_client_hours: False for a full project's call; empty (NULL) for a reserve
# project's, which the database judges (migration calls/0014).
_COPY_COLUMNS = (
    *CALL_COLUMNS,
    "caller_raw",
    "contact_id",
    "received_at",
    "inside_client_hours",
)
_FIELD_OF_COLUMN = {"project_id": "project", "operator_id": "operator"}
_DIRECTIONS = frozenset(Call.Direction.values)
_E164 = re.compile(E164_REGEX)
_EXTERNAL_ID_LENGTH = Call._meta.get_field("external_id").max_length
_DISPOSITION_LENGTH = Call._meta.get_field("disposition").max_length
_URL_LENGTH = Call._meta.get_field("recording_url").max_length
_CALLER_RAW_LENGTH = Call._meta.get_field("caller_raw").max_length


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
    with gc_paused():
        calls = _valid_calls(
            rows,
            project_ids=ids_by_code(projects, rows, "project"),
            operator_ids=ids_by_code(Operator.objects.all(), rows, "operator"),
            bounds=call_bounds(),
        )
        created = _store(calls, reserve_ids=_reserve_ids(calls)) if calls else 0
    return IngestResult(created=created, duplicates=len(rows) - created)


# --- Checking ------------------------------------------------------------------------------


def _valid_calls(rows, *, project_ids, operator_ids, bounds):
    """``{key: (index, values)}`` of the batch's distinct calls; ``DomainError`` if any row
    is invalid. An exact repeat of an earlier row is dropped (a duplicate)."""
    fields = _call_fields(project_ids, operator_ids, bounds)
    read_plain = _plain_call_reader(project_ids, operator_ids, bounds)
    calls, errors = {}, {}
    for index, row in enumerate(rows):
        values, row_errors = read_plain(row), {}
        if values is None:  # something unusual: the field parsers judge the row
            values, row_errors = _parse_call(row, fields, bounds)
        caller_raw = _caller_raw(row)
        if isinstance(caller_raw, Invalid):
            row_errors = {**row_errors, "caller_raw": [str(caller_raw)]}
        if row_errors:
            errors[str(index)] = row_errors
            continue
        values.append(caller_raw)
        first_index, first_values = calls.setdefault((values[0], values[1]), (index, values))
        if first_values is not values and first_values != values:
            errors[str(index)] = {"external_id": [gettext(SAME_KEY_ROW) % {"row": first_index}]}
    raise_if_invalid(errors, len(rows))
    return calls


def _call_fields(project_ids, operator_ids, bounds: CallBounds):
    """How to read each field of a row, in ``CALL_COLUMNS`` order."""
    window = bounds.window
    return (
        Field("project", parse_reference, (project_ids, "project")),
        # Surrounding whitespace is dropped, as from a CSV cell; blank then is refused.
        Field("external_id", parse_text, (_EXTERNAL_ID_LENGTH, True, True)),
        Field("direction", parse_choice, (_DIRECTIONS, Call.Direction.INBOUND.value)),
        Field("caller", parse_caller),
        Field("operator", parse_optional_reference, (operator_ids, "operator")),
        Field("offered_at", parse_instant, (window,)),
        Field("answered_at", parse_optional_instant, (window,)),
        Field("ended_at", parse_instant, (window,)),
        # The hold lies within the connection, so the connection's bound caps it too.
        Field("hold_seconds", parse_seconds, (bounds.max_connected,)),
        Field("wrap_seconds", parse_seconds, (bounds.max_wrap,)),
        Field("disposition", parse_text, (_DISPOSITION_LENGTH,)),
        Field("recording_url", parse_url, (_URL_LENGTH,)),
    )


def _plain_call_reader(project_ids, operator_ids, bounds: CallBounds):  # noqa: C901, PLR0915  the fast path, one closure: see its docstring
    """``read(row)``: the values ``_parse_call`` gives a valid row of the usual shape, or
    ``None`` for any row out of the ordinary (which ``_parse_call`` then judges).

    The field parsers cost a call, an argument tuple and a ``try`` per field, 6-8 µs a
    row: the largest part of the service's Python time on a 10,000-call batch. Nearly every
    row is valid and plain (UTF-8 text, ISO 8601 strings with an offset, whole seconds, a
    plain recording URL), and this reads such a row inline in about 3 µs. It accepts only
    rows the parsers accept and returns equal values (a list, as ``read_fields`` does), so a
    batch is stored or refused exactly as before; it only decides how quickly. The limits
    are the parsers' own (the same ``bounds``, the same column lengths) and the rules that
    tie the fields together are one function, ``calls.bounds.time_errors``; the property
    test ``tests/calls/test_ingest_readers_agree.py`` checks the rest on random rows.
    """
    project_id_of, operator_id_of = project_ids.get, operator_ids.get
    directions, inbound = _DIRECTIONS, Call.Direction.INBOUND.value
    e164_match, fromisoformat = _E164.fullmatch, dt.datetime.fromisoformat
    external_id_length, disposition_length = _EXTERNAL_ID_LENGTH, _DISPOSITION_LENGTH
    url_length, edge_years = _URL_LENGTH, EDGE_YEARS
    earliest, latest = bounds.window.earliest, bounds.window.latest
    max_hold, max_wrap = bounds.max_connected, bounds.max_wrap

    def read(row):  # noqa: C901, PLR0911, PLR0912  one branch per field rule, locals kept local for speed
        if type(row) is not dict:
            return None
        get = row.get
        try:
            project = get("project")
            if type(project) is not str or (project_id := project_id_of(project)) is None:
                return None
            external_id = get("external_id")
            if type(external_id) is not str:
                return None
            external_id = external_id.strip()
            if not 0 < len(external_id) <= external_id_length or "\x00" in external_id:
                return None
            if not external_id.isascii():
                external_id.encode()  # a lone surrogate raises (a ValueError): the parsers say so
            direction = get("direction", inbound)
            if type(direction) is not str or direction not in directions:
                return None
            caller = get("caller")
            if caller is None:
                caller = ""
            elif type(caller) is not str or (
                caller and (len(caller) > 16 or e164_match(caller) is None)
            ):
                return None
            operator = get("operator")
            operator_id = None
            if operator is not None and (
                type(operator) is not str or (operator_id := operator_id_of(operator)) is None
            ):
                return None
            offered_at = get("offered_at")
            answered_at = get("answered_at")
            ended_at = get("ended_at")
            if type(offered_at) is not str or type(ended_at) is not str:
                return None
            offered_at, ended_at = fromisoformat(offered_at), fromisoformat(ended_at)
            if (
                offered_at.tzinfo is None
                or ended_at.tzinfo is None
                or offered_at.year in edge_years
                or ended_at.year in edge_years
                or not earliest <= offered_at <= latest
                or not earliest <= ended_at <= latest
            ):
                return None
            hold_seconds = get("hold_seconds", 0)
            wrap_seconds = get("wrap_seconds", 0)
            if (
                type(hold_seconds) is not int
                or type(wrap_seconds) is not int
                or not 0 <= hold_seconds <= max_hold
                or not 0 <= wrap_seconds <= max_wrap
            ):
                return None
            if answered_at is not None:
                if type(answered_at) is not str:
                    return None
                answered_at = fromisoformat(answered_at)
                if (
                    answered_at.tzinfo is None
                    or answered_at.year in edge_years
                    or not earliest <= answered_at <= latest
                ):
                    return None
            if (
                time_errors(operator_id, offered_at, answered_at, ended_at, hold_seconds, bounds)
                is not None
            ):
                return None
            disposition = get("disposition")
            if disposition is None:
                disposition = ""
            elif (
                type(disposition) is not str
                or len(disposition) > disposition_length
                or "\x00" in disposition
            ):
                return None
            elif not disposition.isascii():
                disposition.encode()
            recording_url = get("recording_url")
            if recording_url is None:
                recording_url = ""
            elif (
                type(recording_url) is not str
                or len(recording_url) > url_length
                or (
                    recording_url
                    and not (
                        recording_url.isascii()
                        and "\x00" not in recording_url
                        and is_plain_url(recording_url)
                    )
                )
            ):
                return None
        except ValueError:  # a malformed instant or text: the parsers word the error
            return None
        return [
            project_id,
            external_id,
            direction,
            caller,
            operator_id,
            offered_at,
            answered_at,
            ended_at,
            hold_seconds,
            wrap_seconds,
            disposition,
            recording_url,
        ]

    return read


def _parse_call(row, fields, bounds: CallBounds):
    """``(values in CALL_COLUMNS order, errors)``; the values count only without errors."""
    if not isinstance(row, dict):
        return None, {"non_field_errors": [str(NOT_AN_OBJECT)]}
    values, errors = read_fields(row, fields)
    # The rules tying the instants together are judged only on instants that parsed.
    if not ("offered_at" in errors or "answered_at" in errors or "ended_at" in errors):
        # operator_id, offered_at, answered_at, ended_at, hold_seconds
        operator_id, offered_at, answered_at, ended_at, hold_seconds = values[4:9]
        judged = time_errors(operator_id, offered_at, answered_at, ended_at, hold_seconds, bounds)
        for name, messages in (judged or {}).items():
            errors.setdefault(name, []).extend(messages)
    return values, errors


def _caller_raw(row: dict) -> str | Invalid:
    """The row's optional ``caller_raw`` (text of at most 64 characters), or the error."""
    value = row.get("caller_raw") if isinstance(row, dict) else None
    if value is None or value == "":
        return ""
    try:
        return parse_text(value, _CALLER_RAW_LENGTH)
    except Invalid as exc:
        return exc


def parse_caller(value: object) -> str:
    """An E.164 number, or "" when absent, null or blank (withheld)."""
    caller = parse_text(value, 16)
    if caller and not _E164.fullmatch(caller):
        raise Invalid(gettext("Not an E.164 number, such as +74951234567."))
    return caller


# --- Storing -------------------------------------------------------------------------------


def _reserve_ids(calls) -> frozenset[int]:
    """The batch's reserve projects (one small query): their calls' flag is the database's."""
    project_ids = {values[0] for _, values in calls.values()}
    reserve = Project.objects.filter(pk__in=project_ids, service_mode=Project.ServiceMode.RESERVE)
    return frozenset(reserve.values_list("pk", flat=True))


@transaction.atomic
def _store(calls, *, reserve_ids=frozenset()):
    """Create the missing contacts, then COPY the calls not stored yet; return how many."""
    received_at = timezone.now()
    contact_id = _contact_ids(calls.values(), now=received_at).get
    # Each row's values list becomes its COPY row in place (_COPY_COLUMNS order): a new
    # tuple per row would cost more than the rest of this function.
    for _, values in calls.values():
        flag = None if values[0] in reserve_ids else False
        values += (contact_id((values[0], values[3])), received_at, flag)
    # One key order for every batch, so two batches storing the same calls never deadlock.
    pending = [calls[key] for key in sorted(calls)]
    completed = []  # calls closed from live events that this batch's records complete

    def drop_stored(rows):
        return _drop_stored(rows, completed)

    created = copy_new_rows(
        model=Call,
        columns=_COPY_COLUMNS,
        pending=pending,
        unique_constraint=unique_constraint_name(Call, ("project", "external_id")),
        drop_stored=drop_stored,
    )
    return created + len(completed)


def _drop_stored(pending, completed):
    """The rows of ``pending`` not stored yet; ``ConflictError`` if one is stored differently.

    A stored call closed from its live events (disposition ``CLOSED_FROM_EVENTS``) is no
    conflict: the record completes it, in place (same id), and joins ``completed``."""
    stored = stored_by_key(
        model=Call,
        key_columns=_KEY_COLUMNS,
        columns=CALL_COLUMNS,
        keys=[tuple(row[:2]) for _, row in pending],
    )
    fresh, conflicts = [], {}
    sent = len(CALL_COLUMNS)
    for index, row in pending:
        current = stored.get(tuple(row[:2]))
        if current is None:
            fresh.append((index, row))
        elif current[10] == CLOSED_FROM_EVENTS and current != tuple(row[:sent]):
            _complete(row)
            completed.append(index)
        elif current != tuple(row[:sent]):
            conflicts[str(index)] = {"external_id": [_conflict_message(current, row)]}
    if conflicts:
        raise ConflictError(
            gettext("Calls already stored with different data: %(count)s; nothing was stored.")
            % {"count": len(conflicts)},
            details=dict(sorted(conflicts.items(), key=lambda item: int(item[0]))),
        )
    return fresh


def _complete(row):
    """Overwrite the call closed from events with the record's values (``_COPY_COLUMNS``)."""
    values = dict(zip(_COPY_COLUMNS, row, strict=True))
    key = {"project_id": values.pop("project_id"), "external_id": values.pop("external_id")}
    Call.objects.filter(**key).update(**values)


def _conflict_message(stored, sent):
    differing = [
        _FIELD_OF_COLUMN.get(column, column)
        for column, old, new in zip(CALL_COLUMNS, stored, sent[: len(CALL_COLUMNS)], strict=True)
        if old != new
    ]
    return gettext(
        "'%(external_id)s' is already stored for this project with different %(fields)s."
    ) % {"external_id": sent[1], "fields": ", ".join(differing)}


def _contact_ids(calls, *, now):
    """``{(project_id, phone): contact id}`` for the batch's callers, creating missing ones.

    One statement reads the existing contacts and inserts the others. A contact that a
    concurrent batch commits meanwhile is invisible to that statement's snapshot, so the
    few still missing are asked for once more.
    """
    phones = {}
    for _, values in calls:
        if values[3]:
            phones.setdefault(values[0], set()).add(values[3])
    wanted = {project_id: sorted(numbers) for project_id, numbers in sorted(phones.items())}
    found = _find_or_create_contacts(wanted, now=now)
    missing = {
        project_id: left
        for project_id, numbers in wanted.items()
        if (left := [phone for phone in numbers if (project_id, phone) not in found])
    }
    if missing:
        found.update(_find_or_create_contacts(missing, now=now))
    return found


def _find_or_create_contacts(phones, *, now):
    """``phones``: ``{project_id: [phone, ...]}``, in one order for every batch."""
    if not phones:
        return {}
    # Each project's numbers travel as one comma-separated text (an E.164 number holds no
    # comma): a third of the Python time of two 10,000-element array parameters. The LIMIT 1
    # lateral lookup pins one index probe per caller whatever the statistics say; only the
    # callers not found reach the INSERT, whose ON CONFLICT covers a race.
    statement = sql.SQL(
        "WITH wanted AS ("
        "  SELECT g.project_id, w.phone, c.id"
        "  FROM unnest(%s::bigint[], %s::text[]) AS g(project_id, phones)"
        "  CROSS JOIN LATERAL unnest(string_to_array(g.phones, ',')) AS w(phone)"
        "  LEFT JOIN LATERAL (SELECT id FROM {table} AS c"
        "    WHERE c.project_id = g.project_id AND c.phone = w.phone LIMIT 1) AS c ON true),"
        " inserted AS ("
        "  INSERT INTO {table} (project_id, phone, name, notes, created_at, updated_at)"
        "  SELECT project_id, phone, '', '', %s, %s FROM wanted WHERE id IS NULL"
        "  ORDER BY project_id, phone"
        "  ON CONFLICT (project_id, phone) DO NOTHING"
        "  RETURNING project_id, phone, id)"
        " SELECT project_id, phone, id FROM wanted WHERE id IS NOT NULL"
        " UNION ALL SELECT project_id, phone, id FROM inserted"
    ).format(table=sql.Identifier(Contact._meta.db_table))
    parameters = [list(phones), [",".join(numbers) for numbers in phones.values()], now, now]
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.cursor), parameters)
        return {(project_id, phone): id_ for project_id, phone, id_ in cursor.fetchall()}
