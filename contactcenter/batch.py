"""Batch ingestion plumbing shared by calls and agent events (SPEC section 8), tied to no app.

A batch is a list of up to ``MAX_BATCH`` JSON-shaped rows, stored all or nothing. Checking
10,000 rows through DRF serializers or model instances costs far more than storing them, so
rows are checked here by plain parsers costing about a microsecond a field, and stored by
one COPY straight into the table. Each parser takes the raw value (``MISSING`` when the key
is absent) and returns the clean one or raises ``Invalid`` with the message for that field.
"""

import contextlib
import datetime as dt
import functools
import gc
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql

from contactcenter.errors import DomainError

MAX_BATCH = 10_000
INT4_MAX = 2**31 - 1
MISSING = object()  # the row has no such key (distinct from an explicit null)

# Lazy: each message is said in the request's language (Accept-Language) when raised.
REQUIRED = gettext_lazy("This field is required.")
NOT_NULL = gettext_lazy("This field may not be null.")
NOT_A_STRING = gettext_lazy("Not a valid string.")
NOT_AN_INTEGER = gettext_lazy("A valid integer is required.")
BLANK = gettext_lazy("This field may not be blank.")
NEGATIVE = gettext_lazy("Cannot be negative.")
BAD_INSTANT = gettext_lazy("Datetime has wrong format. Use ISO 8601, such as 2026-10-05T09:00:00Z.")
NAIVE_INSTANT = gettext_lazy(
    "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."
)
BAD_URL = gettext_lazy("Enter a valid URL.")
NOT_AN_OBJECT = gettext_lazy("Expected an object with the row's fields.")

# Instants that survive conversion to UTC both ways (year 1 with a positive offset does not).
EDGE_YEARS = frozenset({1, 9999})
_EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
_LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
_fromisoformat = dt.datetime.fromisoformat

# The earliest instant a row may state, whatever the settings say: the database's CHECKs
# hold this floor (docs/limits.md), so CALL_EARLIEST_INSTANT may only move it later.
EARLIEST_INSTANT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# A subset of what Django's URLValidator accepts, checked 20 times faster: a plain host name
# (cached, since a batch's recordings share a few hosts) and a path. Anything else (IPs,
# user info, IDNs, "localhost") goes to URLValidator itself, so the batch accepts exactly
# the URLs the model's URLField does.
_PLAIN_URL = re.compile(r"(?:https?|ftps?)://([A-Za-z0-9.-]{1,253})(?::[0-9]{1,5})?(?:/\S*)?\Z")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,63}}", re.IGNORECASE)
_validate_url = URLValidator()

# A COPY that meets a stored key is retried with the stored rows dropped; each retry drops
# at least one row, so only batches raced by many concurrent senders get this far.
_MAX_COPY_ATTEMPTS = 5


@dataclass(frozen=True)
class IngestResult:
    created: int
    duplicates: int


class Invalid(Exception):
    """One field's value is refused; ``message`` tells the sender what to send instead."""

    def __init__(self, message):
        message = str(message)  # a lazy message in the language active now: JSON-safe
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InstantWindow:
    """The instants a row may state: from ``earliest`` to ``latest``, both included."""

    earliest: dt.datetime
    latest: dt.datetime
    ahead_seconds: int  # how far ``latest`` lies ahead of the batch's "now"

    def check(self, value: dt.datetime) -> None:
        """Raise ``Invalid`` when the aware ``value`` lies outside the window."""
        if value < self.earliest:
            raise Invalid(_("Must not be before %(instant)s.") % {"instant": _iso(self.earliest)})
        if value > self.latest:
            raise Invalid(
                _("Must not be more than %(seconds)d s ahead of now (after %(instant)s).")
                % {"seconds": self.ahead_seconds, "instant": _iso(self.latest)}
            )


def instant_window(now: dt.datetime | None = None) -> InstantWindow:
    """The window of the settings ``CALL_EARLIEST_INSTANT`` and ``CALL_MAX_FUTURE_SECONDS``
    around ``now`` (docs/limits.md); a setting earlier than ``EARLIEST_INSTANT`` counts as it."""
    earliest = settings.CALL_EARLIEST_INSTANT
    if isinstance(earliest, str):
        earliest = _fromisoformat(earliest)
    ahead = max(int(settings.CALL_MAX_FUTURE_SECONDS), 0)
    now = timezone.now() if now is None else now
    return InstantWindow(
        earliest=max(earliest, EARLIEST_INSTANT),
        latest=now + dt.timedelta(seconds=ahead),
        ahead_seconds=ahead,
    )


def _iso(value):
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _absent(value, default_message):
    if value is MISSING:
        return REQUIRED
    if value is None:
        return NOT_NULL
    return default_message


# --- Field parsers -----------------------------------------------------------------------


def parse_instant(value, window=None):
    """An aware datetime from an ISO 8601 string with an offset or ``Z``, or a datetime;
    inside ``window`` (an ``InstantWindow``) when one is given."""
    if type(value) is str:
        try:
            value = _fromisoformat(value)
        except ValueError:
            raise Invalid(BAD_INSTANT) from None
        if value.tzinfo is None:  # a parsed offset is a fixed timezone, never one without
            raise Invalid(NAIVE_INSTANT)
    elif isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise Invalid(NAIVE_INSTANT)
    else:
        raise Invalid(_absent(value, BAD_INSTANT))
    if value.year in EDGE_YEARS and not _EARLIEST <= value <= _LATEST:
        raise Invalid(_("Datetime out of range."))
    if window is not None:
        window.check(value)
    return value


def parse_optional_instant(value, window=None):
    if value is None or value is MISSING:
        return None
    return parse_instant(value, window)


def parse_text(value, max_length, required=False, strip=False):
    """A string of at most ``max_length`` characters; absent or null is ``""`` unless required.

    With ``strip``, surrounding whitespace (``str.strip()``'s) is dropped first, so a value
    of spaces only is blank.
    """
    if type(value) is not str:
        if value is MISSING or value is None:
            if required:
                raise Invalid(_absent(value, NOT_A_STRING))
            return ""
        raise Invalid(NOT_A_STRING)
    if strip:
        value = value.strip()
    if len(value) > max_length:
        raise Invalid(
            _("Ensure this field has no more than %(max)d characters.") % {"max": max_length}
        )
    if not value:
        if required:
            raise Invalid(BLANK)
        return value
    if not value.isascii():
        _check_encodable(value)
    if "\x00" in value:
        raise Invalid(_("Null characters are not allowed."))
    return value


def _check_encodable(value):
    # A lone surrogate ("\ud800" is valid JSON) cannot be stored as UTF-8.
    try:
        value.encode()
    except UnicodeEncodeError:
        raise Invalid(_("Not valid Unicode text.")) from None


def parse_seconds(value, maximum=INT4_MAX):
    """Whole non-negative seconds up to ``maximum`` (at most what a PostgreSQL integer
    holds); absent means 0."""
    if type(value) is not int:
        if value is MISSING:
            return 0
        if type(value) is float and value.is_integer():
            value = int(value)
        else:
            raise Invalid(_absent(value, NOT_AN_INTEGER))
    if value < 0:
        raise Invalid(NEGATIVE)
    if value > maximum:
        raise Invalid(_("Ensure this value is less than or equal to %(max)d.") % {"max": maximum})
    return value


def parse_choice(value, choices, default=MISSING):
    """One of ``choices``; absent means ``default`` when one is given."""
    if type(value) is str and value in choices:
        return value
    if value is MISSING and default is not MISSING:
        return default
    if value is MISSING or value is None:
        raise Invalid(_absent(value, ""))
    shown = str(value)[:64]
    raise Invalid(
        _('"%(value)s" is not a valid choice; use one of: %(choices)s.')
        % {"value": shown, "choices": ", ".join(sorted(choices))}
    )


def parse_reference(value, ids_by_code, label):
    """The id of the object with code ``value``; one the caller may not see is unknown too."""
    if type(value) is str:
        found = ids_by_code.get(value)
        if found is not None:
            return found
        raise Invalid(_("Unknown %(label)s '%(value)s'.") % {"label": label, "value": value[:64]})
    raise Invalid(_absent(value, NOT_A_STRING))


def parse_optional_reference(value, ids_by_code, label):
    if value is None or value is MISSING:
        return None
    return parse_reference(value, ids_by_code, label)


def parse_url(value, max_length):
    """An http(s)/ftp(s) URL as Django's URLField accepts it; absent or null is ``""``."""
    value = parse_text(value, max_length)
    if value and not is_plain_url(value):
        try:
            _validate_url(value)
        except ValidationError:
            raise Invalid(BAD_URL) from None
    return value


def is_plain_url(value):
    """Whether ``value`` is a URL of the plain form (a plain host name and a path) that
    Django's URLValidator would accept; ``False`` says nothing, the validator decides then."""
    plain = _PLAIN_URL.match(value)
    return plain is not None and _is_plain_host(plain[1])


@functools.lru_cache(maxsize=1024)
def _is_plain_host(host):
    return _PLAIN_HOST.fullmatch(host) is not None


class Field(NamedTuple):
    """How to read one field of a row: ``parse(row.get(name, MISSING), *args)``."""

    name: str
    parse: Callable
    args: tuple = ()


def read_fields(row, fields):
    """``(values, errors)``: each field's clean value (``None`` when refused), in the order
    of ``fields``, and ``{field: [message]}`` for the refused ones."""
    values, errors = [], {}
    append, get = values.append, row.get
    for name, parse, args in fields:
        try:
            append(parse(get(name, MISSING), *args))
        except Invalid as exc:
            errors[name] = [exc.message]
            append(None)
    return values, errors


def add_error(errors, name, message):
    errors.setdefault(name, []).append(message)


# --- The batch ----------------------------------------------------------------------------


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while a batch is decoded, checked and stored.

    A 10,000-row batch is tens of thousands of containers (the decoded rows, their checked
    values) that all live until the batch is stored, so the collector runs dozens of times
    for nothing, and about once a batch over the whole heap: 80-100 ms of a 10,000-call
    batch, a third of its Python time. Reference counting still frees the batch; cycles made
    meanwhile wait for the next collection. Nested or concurrent pauses are harmless: the
    collector is enabled again by whichever pause found it enabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def check_batch_size(rows):
    if not isinstance(rows, list):
        raise DomainError(_("Expected a list of rows."))
    if len(rows) > MAX_BATCH:
        raise DomainError(
            _(
                "A batch holds at most %(max)s rows; this one has %(count)s. "
                "Split it and send the parts one after another."
            )
            % {"max": f"{MAX_BATCH:,}", "count": f"{len(rows):,}"},
            details={
                "rows": [
                    _("Ensure this list has no more than %(max)d elements.") % {"max": MAX_BATCH}
                ]
            },
        )


def raise_if_invalid(errors, total):
    """Refuse the whole batch, naming every invalid row by its index."""
    if errors:
        raise DomainError(
            _("%(invalid)d of %(total)d rows are invalid; nothing was stored.")
            % {"invalid": len(errors), "total": total},
            details=errors,
        )


def ids_by_code(queryset, rows, field):
    """``{code: id}`` of the objects of ``queryset`` that the rows name in ``field``; one query."""
    named = {code for row in rows if isinstance(row, dict) and type(code := row.get(field)) is str}
    # PostgreSQL refuses a parameter holding NUL, and no code holds one or a non-ASCII letter.
    codes = {code for code in named if "\x00" not in code and code.isascii()}
    if not codes:
        return {}
    return dict(queryset.filter(code__in=codes).values_list("code", "id"))


def unique_constraint_name(model, fields):
    """The name of ``model``'s unique constraint over exactly ``fields``."""
    return next(
        constraint.name
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint) and constraint.fields == tuple(fields)
    )


def _db_type(model, column):
    # "varchar(64)" -> "varchar": the names psycopg knows; lengths are checked by the parsers.
    return model._meta.get_field(column).db_type(connection).split("(")[0]


def copy_rows(*, model, columns, rows):
    """COPY ``rows`` (tuples in ``columns`` order) into ``model``'s table, in binary format."""
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)").format(
        table=sql.Identifier(model._meta.db_table),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
    )
    types = [_db_type(model, column) for column in columns]
    # The raw psycopg cursor has COPY; the wrapper turns its errors into Django's.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(statement) as copy,
    ):
        copy.set_types(types)
        write_row = copy.write_row
        for row in rows:
            write_row(row)


def stored_by_key(*, model, key_columns, columns, keys):
    """``{key: (columns...)}`` of the stored rows whose natural key is among ``keys``.

    One statement: the keys travel as arrays, and the ``LIMIT 1`` lateral lookup pins the
    plan to one unique-index probe per key, whatever the table's statistics say.
    """
    if not keys:
        return {}
    key_names = [f"k{position}" for position in range(len(key_columns))]
    statement = sql.SQL(
        "SELECT {stored} FROM unnest({arrays}) AS k({key_names}) "
        "CROSS JOIN LATERAL (SELECT {columns} FROM {table} AS s WHERE {match} LIMIT 1) AS t"
    ).format(
        stored=sql.SQL(", ").join(sql.Identifier("t", column) for column in columns),
        arrays=sql.SQL(", ").join(
            sql.SQL("{}::{}[]").format(sql.Placeholder(), sql.SQL(_db_type(model, column)))
            for column in key_columns
        ),
        key_names=sql.SQL(", ").join(map(sql.Identifier, key_names)),
        columns=sql.SQL(", ").join(sql.Identifier("s", column) for column in columns),
        table=sql.Identifier(model._meta.db_table),
        match=sql.SQL(" AND ").join(
            sql.SQL("{} = {}").format(sql.Identifier("s", column), sql.Identifier("k", name))
            for column, name in zip(key_columns, key_names, strict=True)
        ),
    )
    key_positions = [columns.index(column) for column in key_columns]
    with connection.cursor() as cursor:
        cursor.execute(
            statement.as_string(cursor.cursor), [list(part) for part in zip(*keys, strict=True)]
        )
        return {
            tuple(row[position] for position in key_positions): row for row in cursor.fetchall()
        }


def _violated_constraint(error):
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def copy_new_rows(*, model, columns, pending, unique_constraint, drop_stored):
    """COPY the rows of ``pending`` (``(index, row)`` pairs) that are not stored yet.

    Optimistic, because nearly every batch is new data: the rows go straight into the
    table. When one of them is already stored (a re-sent batch, or a concurrent sender
    storing the same call), PostgreSQL refuses the COPY on ``unique_constraint``, the
    savepoint undoes it, and ``drop_stored(pending)`` returns the rows still to store
    (raising if a stored row differs). Returns how many rows were stored.
    """
    for attempt in range(1, _MAX_COPY_ATTEMPTS + 1):
        if not pending:
            return 0
        try:
            with transaction.atomic():
                copy_rows(model=model, columns=columns, rows=(row for _, row in pending))
            return len(pending)
        except IntegrityError as exc:
            if attempt == _MAX_COPY_ATTEMPTS or _violated_constraint(exc) != unique_constraint:
                raise
        pending = drop_stored(pending)
    raise AssertionError("unreachable")  # pragma: no cover
