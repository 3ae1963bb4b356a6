"""Call records from a CSV file (SPEC section 3 columns), for telephony that cannot call the API.

The file is read here and stored by ``calls.ingest.calls_ingest``, so a CSV line is judged by
exactly the rules of a row of the API's batch POST; this module checks only what belongs to
the file itself (encoding, header, cells per line). The format is documented in
``docs/csv-import.md``:

- UTF-8, a BOM tolerated; comma-separated, or ``;`` when the header line holds ``;`` and no
  comma (what Excel writes with Russian regional settings).
- A header row naming the columns; ``external_id``, ``project``, ``offered_at`` and
  ``ended_at`` are required, an unknown or repeated name is refused so that a typo never
  drops a column silently. A column without a name is ignored while its cells are empty
  (Excel's trailing separators).
- An empty cell is "not given": the API's default applies (no answer, no operator, 0 s,
  caller withheld). Cells are stripped; an integer in a seconds column becomes a number,
  anything else there stays text, so the ingestion names the field. Blank lines are skipped.

The whole file is one transaction, stored in chunks of at most ``CHUNK_SIZE`` rows, each in a
savepoint: any invalid line anywhere stores nothing. A refused chunk is tried again without
its refused rows, so the rest of the file is still checked against them, and the report
(``csv_preview``, always rolled back) lists every bad line and counts what the valid rows
would store. Lines are numbered as a spreadsheet numbers rows: the header is line 1.
"""

import contextlib
import csv
import io
import itertools
import re
from dataclasses import dataclass, field

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from calls.ingest import MAX_BATCH, SAME_KEY_ROW, calls_ingest
from contactcenter.errors import ConflictError, DomainError
from contactcenter.events import IMPORT_FINISHED, publish
from contactcenter.l10n import number_text

COLUMNS = (
    "external_id",
    "project",
    "direction",
    "caller",
    "operator",
    "offered_at",
    "answered_at",
    "ended_at",
    "hold_seconds",
    "wrap_seconds",
    "disposition",
    "recording_url",
)
REQUIRED_COLUMNS = ("external_id", "project", "offered_at", "ended_at")
SECONDS_COLUMNS = frozenset({"hold_seconds", "wrap_seconds"})

CHUNK_SIZE = MAX_BATCH  # rows per call of calls_ingest; tests lower it
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_REPORTED_LINES = 1_000  # per list (errors, conflicts); the rest are only counted

_INTEGER = re.compile(r"[+-]?[0-9]+")
SAME_KEY_LINE = gettext_noop(
    "Line %(line)s has the same project and external_id with different data."
)
_UTF8_HINT = gettext_noop('Save it as UTF-8 (in Excel: "CSV UTF-8 (comma delimited)").')


@dataclass(frozen=True)
class CsvImportResult:
    """What a file stored, or with ``stored`` false, what it would store.

    ``errors`` and ``conflicts`` are ``{"line", "external_id", "errors": {field: [msgs]}}``
    in line order, at most ``MAX_REPORTED_LINES`` each; ``*_omitted`` counts the rest.
    ``created`` and ``duplicates`` count the valid rows.
    """

    rows: int
    created: int
    duplicates: int
    errors: list[dict]
    conflicts: list[dict]
    stored: bool
    errors_omitted: int = 0
    conflicts_omitted: int = 0

    @property
    def clean(self):
        return not self.errors and not self.conflicts


def csv_preview(*, file, allowed_project_ids: set[int] | None = None) -> CsvImportResult:
    """Run the import of ``file`` and roll it back: exactly what ``csv_import`` would report,
    every bad line listed, nothing stored. ``DomainError`` if the file itself is unreadable
    (encoding, header, size)."""
    return _ingest_file(file, allowed_project_ids, store=False)


def csv_import(
    *, file, allowed_project_ids: set[int] | None = None, client_id: int | None = None
) -> CsvImportResult:
    """Store the calls of ``file`` (bytes or a binary file), all or nothing.

    A stored file publishes ``import.finished`` (``contactcenter.events``) for ``client_id``
    (the importing integration's client; None: the center's, which every center endpoint
    receives).

    ``allowed_project_ids`` scopes the caller as in ``calls_ingest``: another project is
    reported as unknown on its line. Raises ``DomainError`` (400) listing every invalid line
    under ``details["lines"]``, or ``ConflictError`` (409) listing the lines whose
    ``external_id`` is stored with different data; nothing is stored then.
    """
    result = _ingest_file(file, allowed_project_ids, store=True)
    if result.errors:
        total = len(result.errors) + result.errors_omitted
        details = _lines_details(result.errors, result.errors_omitted)
        if result.conflicts:
            details["conflicts"] = result.conflicts
        invalid = gettext("%(invalid)s of %(rows)s lines are invalid; nothing was stored.")
        raise DomainError(invalid % {"invalid": total, "rows": result.rows}, details=details)
    if result.conflicts:
        total = len(result.conflicts) + result.conflicts_omitted
        raise ConflictError(
            gettext(
                "Lines whose external_id is stored with different data: %(count)s; "
                "nothing was stored."
            )
            % {"count": total},
            details=_lines_details(result.conflicts, result.conflicts_omitted),
        )
    publish(
        IMPORT_FINISHED,
        client_id=client_id,
        data={
            "import": {
                "kind": "calls_csv",
                "rows": result.rows,
                "created": result.created,
                "duplicates": result.duplicates,
            }
        },
    )
    return result


def _lines_details(lines, omitted):
    details = {"lines": lines}
    if omitted:
        details["lines_omitted"] = omitted
    return details


# --- Ingesting ------------------------------------------------------------------------------


@dataclass
class _Report:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    errors_omitted: int = 0
    conflicts_omitted: int = 0

    def add(self, kind, entries):
        kept = getattr(self, kind)
        room = max(MAX_REPORTED_LINES - len(kept), 0)
        kept.extend(entries[:room])
        setattr(self, f"{kind}_omitted", getattr(self, f"{kind}_omitted") + len(entries[room:]))

    def result(self, *, stored):
        return CsvImportResult(
            rows=self.rows,
            created=self.created,
            duplicates=self.duplicates,
            errors=self.errors,
            conflicts=self.conflicts,
            stored=stored,
            errors_omitted=self.errors_omitted,
            conflicts_omitted=self.conflicts_omitted,
        )


def _ingest_file(file, allowed_project_ids, *, store):
    report = _Report()
    with transaction.atomic():
        for chunk in _read_chunks(file, report):
            _ingest_chunk(chunk, allowed_project_ids, report)
        stored = store and not report.errors and not report.conflicts
        if not stored:
            # The innermost atomic block: only this import is undone, whatever surrounds it.
            transaction.set_rollback(True)
    return report.result(stored=stored)


@dataclass
class _Chunk:
    rows: list = field(default_factory=list)  # API-shaped dicts for calls_ingest
    lines: list = field(default_factory=list)  # the line of each row
    errors: list = field(default_factory=list)  # lines refused before ingestion


def _ingest_chunk(chunk, allowed_project_ids, report):
    """Ingest one chunk in a savepoint; a refused chunk is retried without the refused rows
    until what is left stores, so later chunks are checked against its valid rows."""
    errors, conflicts = list(chunk.errors), []
    pending = list(range(len(chunk.rows)))  # positions in the chunk still to store
    while pending:
        try:
            with transaction.atomic():
                result = calls_ingest(
                    rows=[chunk.rows[position] for position in pending],
                    allowed_project_ids=allowed_project_ids,
                )
        except DomainError as exc:
            refused = _refused_positions(exc, pending)
            target = conflicts if isinstance(exc, ConflictError) else errors
            target.extend(
                _line_entry(
                    chunk.lines[position],
                    chunk.rows[position],
                    _with_line_numbers(field_errors, chunk.lines, pending),
                )
                for position, field_errors in refused.items()
            )
            pending = [position for position in pending if position not in refused]
            continue
        report.created += result.created
        report.duplicates += result.duplicates
        break
    report.add("errors", sorted(errors, key=lambda entry: entry["line"]))
    report.add("conflicts", sorted(conflicts, key=lambda entry: entry["line"]))


def _refused_positions(exc, pending):
    """``{chunk position: {field: [msgs]}}`` from an ingestion refusal keyed by row index."""
    details = exc.details
    if not details or not all(isinstance(key, str) and key.isdigit() for key in details):
        raise exc  # not about rows: a refusal of the batch itself, which a chunk never earns
    return {pending[int(index)]: field_errors for index, field_errors in details.items()}


def _with_line_numbers(field_errors, lines, pending):
    """The ingestion names an earlier row of its batch by index; a CSV user needs its line."""

    earlier_row = re.compile(
        r"\A" + re.escape(gettext(SAME_KEY_ROW)).replace(re.escape("%(row)s"), "([0-9]+)") + r"\Z"
    )

    def line_of(match):
        return gettext(SAME_KEY_LINE) % {"line": lines[pending[int(match[1])]]}

    return {
        name: [earlier_row.sub(line_of, message) for message in messages]
        for name, messages in field_errors.items()
    }


def _line_entry(line, row, errors):
    return {"line": line, "external_id": row.get("external_id", ""), "errors": errors}


# --- Reading --------------------------------------------------------------------------------


def _read_chunks(file, report):
    """Yield ``_Chunk``s of at most ``CHUNK_SIZE`` rows; count the rows in ``report``."""
    records = _records(file)
    names = _columns(next(records, None))
    external_id_at = names.index("external_id")
    chunk = _Chunk()
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or only separators
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise DomainError(
                gettext("A file holds at most %(rows)s calls; split it and import the parts.")
                % {"rows": number_text(MAX_ROWS)},
                details={"file": [gettext("More than %(rows)s lines.") % {"rows": MAX_ROWS}]},
            )
        row, problem = _row(names, cells)
        if problem:
            external_id = cells[external_id_at].strip() if external_id_at < len(cells) else ""
            entry = {"line": line, "external_id": external_id, "errors": problem}
            chunk.errors.append(entry)
            continue
        chunk.rows.append(row)
        chunk.lines.append(line)
        if len(chunk.rows) >= CHUNK_SIZE:
            yield chunk
            chunk = _Chunk()
    if report.rows == 0:
        raise DomainError(
            gettext("The file has a header but no calls."), details={"file": [gettext("No rows.")]}
        )
    if chunk.rows or chunk.errors:
        yield chunk


def _columns(header):
    """The column names of the header record, ``None`` for an unnamed column."""
    if header is None:
        empty = gettext("The file is empty.")
        raise DomainError(empty, details={"file": [empty]})
    _line, cells = header
    names = [cell.strip().lower() or None for cell in cells]
    named = [name for name in names if name]
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in named]
    if missing:
        problems.append(
            gettext("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    unknown = [name for name in named if name not in COLUMNS]
    if unknown:
        problems.append(
            gettext("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    repeated = sorted({name for name in named if named.count(name) > 1})
    if repeated:
        problems.append(
            gettext("Repeated columns: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    if problems:
        raise DomainError(
            gettext("The header row (line 1) is not valid: %(problems)s")
            % {"problems": " ".join(problems)},
            details={"columns": problems},
        )
    return names


def _row(names, cells):
    """``(row in the API's JSON shape, None)`` or ``(None, {field: [msgs]})``."""
    # Extra cells are tolerated while empty: some exporters end every line with a separator.
    if len(cells) < len(names) or any(cell.strip() for cell in cells[len(names) :]):
        message = gettext("This line has %(cells)s cells; the header has %(columns)s.") % {
            "cells": len(cells),
            "columns": len(names),
        }
        return None, {"non_field_errors": [message]}
    row = {}
    for position, (name, cell) in enumerate(zip(names, cells, strict=False), start=1):
        value = cell.strip()
        if not value:
            continue  # not given: the ingestion's default applies
        if name is None:
            message = gettext(
                "Column %(position)s has no name in the header, but a value here."
            ) % {"position": position}
            return None, {"non_field_errors": [message]}
        row[name] = _integer_or_text(value) if name in SECONDS_COLUMNS else value
    return row, None


def _integer_or_text(value):
    # Anything but an integer stays text, so calls_ingest refuses it on this field.
    if _INTEGER.fullmatch(value):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts: no valid number of seconds
            return value
    return value


def _records(file):
    """``(line, cells)`` per CSV record of ``file``; the header is line 1.

    A line is a record, as a spreadsheet counts rows: a quoted cell spanning several
    physical lines is one.
    """
    lines = _text_lines(file)
    first = next(lines, None)
    if first is None:
        return
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    line = 0
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DomainError(
                gettext("Line %(line)s is not valid CSV: %(error)s.")
                % {"line": line, "error": exc},
                details={
                    "file": [gettext("Line %(line)s: %(error)s.") % {"line": line, "error": exc}]
                },
            ) from None
        yield line, cells


def _text_lines(file):
    """The file's lines as text (line endings kept, for the csv module), BOM dropped.

    Decoded line by line, so a byte that is not UTF-8 is reported on its own line.
    """
    if isinstance(file, bytes | bytearray):
        file = io.BytesIO(file)
    if not isinstance(file, File):
        file = File(file)
    with contextlib.suppress(AttributeError):  # a stream of unknown size: counted while read
        _check_size(file.size)
    read = 0
    for number, raw in enumerate(file, start=1):  # File splits on \n, \r\n and \r
        read += len(raw)
        _check_size(read)
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            raise DomainError(
                gettext("Line %(line)s is not UTF-8 text. %(hint)s")
                % {"line": number, "hint": gettext(_UTF8_HINT)},
                details={"file": [gettext("Line %(line)s: not UTF-8.") % {"line": number}]},
            ) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _check_size(size):
    if size is not None and size > MAX_FILE_BYTES:
        limit = size_text(MAX_FILE_BYTES)
        raise DomainError(
            gettext("A file may be at most %(limit)s; split it and import the parts.")
            % {"limit": limit},
            details={"file": [gettext("Larger than %(limit)s.") % {"limit": limit}]},
            status=413,
            code="payload_too_large",
        )


def size_text(size):
    """``52428800`` -> ``"50 MB"``; a size that is no whole number of MB in bytes."""
    megabytes, rest = divmod(size, 1024 * 1024)
    if megabytes and not rest:
        return gettext("%(megabytes)s MB") % {"megabytes": megabytes}
    return gettext("%(size)s bytes") % {"size": number_text(size)}
