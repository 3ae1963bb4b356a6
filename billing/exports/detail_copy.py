"""The call-by-call detail's rows straight out of PostgreSQL: ``COPY (SELECT ...) TO STDOUT``.

One statement rates each call once (``billing.selectors``: a materialized CTE), checks that
the calls still rate to the invoice's lines, and writes the rows the Python writer
(``billing.exports.detail_csv``) would write, byte for byte, formatted by PostgreSQL and
streamed by psycopg 3's ``Cursor.copy``: no Python object per call.

Its first row is the verdict (``#verdict``, ok, awkward, then the calls' totals for the
trailer); it leaves before any call's row, since the calls' rows come out of a sort that
reads them all first, so a refusal is raised while an HTTP answer can still say so. A plan
whose verdict fails writes no rows after it (the rows' one-time filter).

The same rules as the Python writer:

- ``external_id`` starting with a formula trigger (``= + - @``, tab, CR) gets a leading
  ``'`` (``contactcenter.csv_safety``); the project code, band and rate come from the
  invoice's lines, neutralized in Python and passed as the plan's values per line;
- the billed seconds' and the amount's text made once per line and billed seconds
  (``bill_cells``: a call's kopecks depend on nothing else, but the one more kopeck of a
  call at its line's threshold up to the cutoff, ``AT_CUTOFF``);
- instants in UTC ISO 8601 with ``Z`` (microseconds only when not zero:
  ``contactcenter.orm.utc_iso_sql``, written by the workers that rate the calls), dates ISO
  (DateStyle ISO, set by ``detail_session``);
- amounts from the kopecks, two decimals; ``excel``: ``;`` and a decimal comma;
- rows end in CRLF, as ``csv.writer`` ends them: COPY writes LF, turned into CRLF per chunk.

That last step is exact only when no cell holds a line break; the verdict says when an
``external_id`` holds one (or is PostgreSQL's end-of-data marker ``\\.``), and the detail
then goes through the Python writer (``detail_csv``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.db import connection

from billing.models import InvoiceLine
from billing.selectors import (
    AT_CUTOFF,
    DETAIL_ORDER,
    DetailPlan,
    Verdict,
    bill_join,
    detail_session,
    refuse,
)
from contactcenter.csv_safety import FORMULA_TRIGGERS, comma_decimal, neutralize_cell

# The formula triggers' code points: ascii() of the id's first character (0 for '') is
# compared as an integer, cheaper than comparing one-character strings.
TRIGGERS_SQL = ", ".join(str(ord(c)) for c in FORMULA_TRIGGERS)
VERDICT_MARK = "#verdict"
# COPY sends one message per row; they are joined this many at a time into one chunk.
ROWS_PER_CHUNK = 512


def line_cells(line: InvoiceLine, code: str, *, dialect: str | None) -> tuple:
    """The cells of a line's calls, as the Python writer writes them: the project's code and
    the band neutralized (an empty band is no cell: NULL, which COPY writes as nothing, where
    '' would be a quoted ""), the rate with a decimal comma for ``excel``."""
    rate = line.rate_per_minute
    band = neutralize_cell(line.band) if line.band else None
    return neutralize_cell(code), band, str(comma_decimal(rate) if dialect == "excel" else rate)


def copy_sql(plan: DetailPlan, *, dialect: str | None) -> tuple[str, list]:
    """The COPY statement of ``plan``: its verdict row, then its rows; and its parameters."""
    if plan.ctes is None:
        raise ValueError("an invoice without usage lines has no detail rows")
    # The plan's lines carry their cells (invoice_detail_plan(..., line_cells=...)); the
    # amounts' and billed seconds' text is made once per line and billed seconds.
    amount = "(kopecks * 0.01)::text"
    amount_up = "((kopecks + 1) * 0.01)::text"
    if dialect == "excel":
        amount, amount_up = f"replace({amount}, '.', ',')", f"replace({amount_up}, '.', ',')"
    delimiter = ";" if dialect == "excel" else ","
    # Only our own text and constants are interpolated; values are parameters (S608).
    # The UNION ALL's branches run in order (no parallel append over CTE scans): the
    # verdict's row is first, and copy_stream checks that it is.
    sql = f"""
        COPY (
            {plan.ctes},
            bill_cells AS MATERIALIZED (
                SELECT line_position, billed, billed::text AS billed_cell, code_cell,
                    band_cell, rate_cell, {amount} AS amount_cell,
                    {amount_up} AS amount_up_cell, at_threshold, cut_offered_at, cut_call_id
                FROM bill_info
            )
            SELECT '{VERDICT_MARK}', ok::text, awkward::text, calls::text, billable::text,
                billed::text, inside::text, NULL, NULL, NULL, NULL
            FROM verdict
            UNION ALL (
                SELECT
                    d.code_cell,
                    CASE WHEN ascii(d.external_id) IN ({TRIGGERS_SQL})
                         THEN '''' || d.external_id ELSE d.external_id END,
                    d.offered_text,
                    d.answered_text,
                    d.local_date::text,
                    d.billable::text,
                    d.billed_cell,
                    d.band_cell,
                    d.rate_cell,
                    CASE WHEN d.inside_client_hours THEN 'yes' ELSE 'no' END,
                    CASE WHEN d.up THEN d.amount_up_cell ELSE d.amount_cell END
                -- Sorted first (OFFSET 0 keeps the subquery), formatted after.
                FROM (
                    SELECT r.line_position, r.offered_at, r.call_id, r.external_id,
                        r.offered_text, r.answered_text, r.local_date, r.billable,
                        r.inside_client_hours, bi.billed_cell, bi.code_cell, bi.band_cell,
                        bi.rate_cell, bi.amount_cell, bi.amount_up_cell, {AT_CUTOFF} AS up
                    FROM rated r
                    {bill_join("bill_cells")}
                    {DETAIL_ORDER} OFFSET 0
                ) d
                WHERE (SELECT ok AND NOT awkward FROM verdict)
                {DETAIL_ORDER}
            )
        ) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')
    """  # noqa: S608
    return sql, plan.params


def _verdict(row: bytes, delimiter: str) -> Verdict:
    mark, ok, awkward, calls, billable, billed, inside, *_rest = row.decode().split(delimiter)
    if mark != VERDICT_MARK:  # the statement's shape changed: never stream unchecked rows
        raise RuntimeError("the detail's COPY did not start with its verdict")
    numbers = int(calls), int(billable), int(billed), int(inside)
    return Verdict(ok == "true", awkward == "true", *numbers)


def copy_stream(plan: DetailPlan, *, dialect: str | None) -> Iterator[Verdict | bytes]:
    """The COPY of ``plan``: first its ``Verdict`` (ConflictError instead when the calls no
    longer rate to the lines), then the rows as CSV bytes, each line ending in CRLF, in
    chunks of ``ROWS_PER_CHUNK`` rows. Nothing follows an awkward verdict."""
    sql, params = copy_sql(plan, dialect=dialect)
    # The Django cursor wraps psycopg's; COPY needs psycopg's own (its copy()).
    with (
        connection.cursor() as cursor,
        detail_session(cursor),
        cursor.cursor.copy(sql, params) as copy,
    ):
        rows = iter(copy)
        verdict = _verdict(bytes(next(rows)), ";" if dialect == "excel" else ",")
        if not verdict.ok:
            raise refuse(plan)
        yield verdict
        while batch := b"".join(itertools.islice(rows, ROWS_PER_CHUNK)):
            yield batch.replace(b"\n", b"\r\n")
