"""The call-by-call detail's rows straight out of PostgreSQL: ``COPY (SELECT ...) TO STDOUT``.

The rows the Python writer (``billing.exports.detail_csv``) would write, byte for byte, formatted
by PostgreSQL and streamed by psycopg 3's ``Cursor.copy``: no Python object per call. The
same rules as the Python writer:

- ``external_id`` starting with a formula trigger (``= + - @``, tab, CR) gets a leading
  ``'`` (``contactcenter.csv_safety``); the project code, band and rate come from the
  invoice's lines, neutralized in Python and passed as arrays indexed by line position;
- instants in UTC ISO 8601 with ``Z`` (microseconds only when not zero), dates ISO;
- amounts from the kopecks, two decimals; ``excel``: ``;`` and a decimal comma;
- rows end in CRLF, as ``csv.writer`` ends them: COPY writes LF, turned into CRLF per chunk.

That last step is exact only when no cell holds a line break; the plan's totals say when an
``external_id`` holds one (or is PostgreSQL's end-of-data marker ``\\.``), and the detail
then goes through the Python writer (``detail_csv``).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from billing.selectors import DetailPlan, detail_session
from contactcenter.csv_safety import FORMULA_TRIGGERS, comma_decimal, neutralize_cell

TRIGGERS_SQL = ", ".join(
    "E'\\t'" if c == "\t" else "E'\\r'" if c == "\r" else f"'{c}'" for c in FORMULA_TRIGGERS
)


def _iso(column: str) -> str:
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_trunc('second', {column}) = {column} THEN ''"
        f" ELSE to_char({utc}, '.US') END || 'Z'"
    )


def copy_sql(plan: DetailPlan, *, dialect: str | None) -> tuple[str, list]:
    """The COPY statement of ``plan``'s rows and its parameters."""
    if plan.sql is None:
        raise ValueError("an invoice without usage lines has no detail rows")
    positions = sorted(plan.lines)
    low = positions[0]
    size = positions[-1] - low + 1
    codes, bands, rates = [""] * size, [""] * size, [""] * size
    for position, line in plan.lines.items():
        index = position - low
        codes[index] = neutralize_cell(plan.codes[line.project_id])
        bands[index] = neutralize_cell(line.band or "")
        rate = line.rate_per_minute
        rates[index] = str(comma_decimal(rate) if dialect == "excel" else rate)
    point = "','" if dialect == "excel" else "'.'"
    delimiter = ";" if dialect == "excel" else ","
    # Only our own text and constants are interpolated; values are parameters (S608).
    sql = f"""
        COPY (
            SELECT
                (%s::text[])[d.line_position - %s + 1],
                CASE WHEN left(d.external_id, 1) IN ({TRIGGERS_SQL})
                     THEN '''' || d.external_id ELSE d.external_id END,
                {_iso("d.offered_at")},
                {_iso("d.answered_at")},
                to_char(d.local_date, 'YYYY-MM-DD'),
                d.billable,
                d.billed,
                NULLIF((%s::text[])[d.line_position - %s + 1], ''),
                (%s::text[])[d.line_position - %s + 1],
                CASE WHEN d.inside_client_hours THEN 'yes' ELSE 'no' END,
                (d.kopecks / 100)::text || {point} || lpad((d.kopecks %% 100)::text, 2, '0')
            FROM ({plan.sql}) d
        ) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')
    """  # noqa: S608
    return sql, [codes, low, bands, low, rates, low, *plan.params]


def copy_chunks(plan: DetailPlan, *, dialect: str | None) -> Iterator[bytes]:
    """The rows as CSV bytes, in COPY's chunks, each line ending in CRLF."""
    if plan.sql is None:
        return
    sql, params = copy_sql(plan, dialect=dialect)
    # The Django cursor wraps psycopg's; COPY needs psycopg's own (its copy()).
    with (
        connection.cursor() as cursor,
        detail_session(cursor),
        cursor.cursor.copy(sql, params) as copy,
    ):
        for chunk in copy:
            yield bytes(chunk).replace(b"\n", b"\r\n")
