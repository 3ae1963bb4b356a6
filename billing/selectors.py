"""Reads of billing: the call-by-call detail of an invoice, streamed, summing to its lines.

Per-call amounts are rounded to kopecks so that, per invoice line, they add up to that
line's stored amount exactly: the largest-remainder method (docs/billing.md, "Call
detail"). Each call's exact amount is billed / 60 * rate; with the rate in units of 0.0001
that is billed * rate_units / 6000 kopecks. Every call gets the floor; the kopecks the line
still lacks go one each to the calls with the largest remainders, ties to the earlier call
(offered_at, then id). One statement does it all in PostgreSQL: each call rated once (a
materialized CTE, by the parallel workers), one GROUP BY per line and billed seconds (a
call's kopecks depend on nothing else) giving the lines' totals, the check against the
stored lines, the remainder at which each line's kopecks run out (the threshold) and the
call at it where they stop (the cutoff), then the rows in order, each joined to its line's
and billed seconds' kopecks; Python holds one chunk of rows at a time, whatever the
invoice's size.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from billing.frozen import frozen_projects, frozen_tariffs
from billing.invoicing import line_key, rated_calls_sql, slices_for
from billing.models import Invoice, InvoiceLine
from contactcenter.errors import ConflictError
from contactcenter.orm import utc_iso_sql
from projects.models import Project

CHUNK_SIZE = 5000
RATE_UNITS = 10_000  # rate_per_minute has 4 decimals
KOPECKS_DENOMINATOR = 60 * RATE_UNITS // 100  # billed * rate_units / 6000 = kopecks

# (line, its project's code) -> the CSV cells of its calls: project, band (None: empty), rate.
LineCells = Callable[[InvoiceLine, str], tuple[str, str | None, str]]


def _line_key(line):
    return (line.project_id, line.service_period, line.band, line.rate_per_minute)


def usage_lines(invoice):
    return {
        _line_key(line): line
        for line in invoice.lines.filter(kind=InvoiceLine.Kind.USAGE).order_by("position")
    }


def invoice_slices(invoice, lines):
    """The slices the invoice was rated on: an issued invoice's projects and tariffs as its
    snapshot holds them (a later edit changes nothing), a draft's as stored now."""
    coverage = {}
    for window in invoice.coverage.order_by("service_period", "received_from"):
        coverage.setdefault(window.service_period, []).append(
            (window.received_from, window.received_before)
        )
    ids = {key[0] for key in lines}
    if invoice.snapshot:
        projects = [p for p in frozen_projects(invoice.snapshot) if p.id in ids]
        tariffs = frozen_tariffs(invoice.snapshot)
        return slices_for(projects=projects, coverage=coverage, tariffs=tariffs)
    projects = list(Project.objects.filter(id__in=ids).order_by("code"))
    return slices_for(projects=projects, coverage=coverage)


def _line_positions(slices, lines) -> dict[tuple[int, int], int]:
    """(slice number, band index) -> the position of the line its calls are billed on."""
    positions = {}
    for slice_no, slice_ in enumerate(slices):
        if slice_.tariff is None:
            continue
        for band_index, band in enumerate([None, *slice_.tariff.bands.all()], start=-1):
            line = lines.get(line_key(slice_, band))
            if line is not None:
                positions[slice_no, band_index] = line.position
    return positions


# The rated calls of no slice (a line whose project is gone from the snapshot): none, so the
# verdict fails.
NO_CALLS = """
    SELECT NULL::int AS slice_no, NULL::bigint AS call_id, NULL::int AS line_position,
        NULL::int AS billed, NULL::text AS external_id, NULL::timestamptz AS offered_at,
        NULL::timestamptz AS answered_at, NULL::date AS local_date, NULL::int AS billable,
        NULL::boolean AS inside_client_hours
    WHERE false
"""


def _detail_ctes(
    slices, lines, codes: dict[int, str], line_cells: LineCells | None
) -> tuple[str, list[Any]]:
    """The detail's common table expressions: the calls rated once (``rated``, each with its
    line), their totals per line and billed seconds (``bills``) and per line and remainder
    (``groups``), the ``verdict`` (do they still rate to the stored lines?), and
    ``line_info``: per line, its rate, where its kopecks run out and the CSV cells
    ``line_cells`` writes for it (NULL without ``line_cells``); ``codes``: the slices'
    project codes. With ``line_cells`` (the COPY), each rated call also carries its instants'
    CSV text (``offered_text``, ``answered_text``), written by the parallel workers."""
    if slices:
        positions = _line_positions(slices, lines)
        rated, params = rated_calls_sql(
            slices, detail=True, line_of=lambda slice_no, band: positions.get((slice_no, band))
        )
    else:
        rated, params = NO_CALLS, []
    stored, stored_params = [], []
    for line in lines.values():
        stored.append(
            "(%s::int, %s::bigint, %s::bigint, %s::bigint, %s::bigint, %s::text, %s::text,"
            " %s::text)"
        )
        # A project gone from the slices has no code: its verdict fails, no row is written.
        cells = line_cells(line, codes.get(line.project_id, "")) if line_cells else (None,) * 3
        stored_params.extend(
            [
                line.position,
                line.calls,
                line.billed_seconds,
                int(line.amount * 100),
                int(line.rate_per_minute * RATE_UNITS),
                *cells,
            ]
        )
    # The COPY's instants are written by the workers too (each to_char costs about as much
    # as rating the call): offered_text, answered_text.
    texts = (
        f", {utc_iso_sql('r.offered_at')} AS offered_text,"
        f" {utc_iso_sql('r.answered_at')} AS answered_text"
        if line_cells
        else ""
    )
    # Only placeholders, integers and our own query text are interpolated (S608).
    # ``rated`` is MATERIALIZED: each call is rated once (in parallel workers), then read
    # twice (the totals, then the rows). A call of no line has line_position NULL: the
    # verdict fails. Its kopecks (billed * rate / 6000, and the remainder) are not computed
    # there: they depend only on the line and billed, so the totals come per (line, billed)
    # and each row joins its (line, billed) in ``bill_info``. In ``cumulative``, rem is
    # unique per line, so the running sum needs no tie-break. The small CTEs the rows join
    # (``bill_info``, the COPY's ``bill_cells``) are MATERIALIZED too: left inline, the
    # planner takes ``rated``'s row estimate (far below a million) and merges instead of
    # hashing (measured: 5.7 s against 3.6 s for the detail of a million calls).
    sql = f"""
        WITH rated AS MATERIALIZED (
            SELECT r.line_position, r.offered_at, r.call_id, r.billed, r.billable,
                r.inside_client_hours, r.local_date, r.answered_at, r.external_id,
                strpos(r.external_id, E'\\n') > 0 OR strpos(r.external_id, E'\\r') > 0
                    OR r.external_id = '\\.' AS awkward{texts}
            FROM ({rated}) r
            -- The rows' order, sorted by the parallel workers and merged (Gather Merge): the
            -- rows' own sort later finds them in order and only checks it.
            ORDER BY r.line_position, r.offered_at, r.call_id
        ),
        stored (line_position, calls, billed, kopecks, rate_units, code_cell, band_cell,
            rate_cell) AS (VALUES {", ".join(stored)}),
        bills AS (
            SELECT line_position, billed, count(*) AS calls, sum(billable) AS billable,
                count(*) FILTER (WHERE inside_client_hours) AS inside, bool_or(awkward) AS awkward
            FROM rated
            GROUP BY line_position, billed
        ),
        groups AS (
            SELECT b.line_position, mod(b.billed::bigint * s.rate_units, {KOPECKS_DENOMINATOR})
                    AS rem,
                sum(b.calls) AS calls, sum(b.billed * b.calls) AS billed,
                sum(b.billable) AS billable, sum(b.inside) AS inside,
                sum(b.billed::bigint * s.rate_units / {KOPECKS_DENOMINATOR} * b.calls) AS floors,
                bool_or(b.awkward) AS awkward
            FROM bills b
            LEFT JOIN stored s ON s.line_position = b.line_position
            GROUP BY 1, 2
        ),
        per_line AS (
            SELECT line_position, sum(calls) AS calls, sum(billed) AS billed,
                sum(billable) AS billable, sum(inside) AS inside, sum(floors) AS floors,
                bool_or(awkward) AS awkward
            FROM groups
            GROUP BY line_position
        ),
        verdict AS (
            SELECT
                bool_and(COALESCE(s.calls = l.calls AND s.billed = l.billed
                    AND s.kopecks - l.floors BETWEEN 0 AND l.calls, false)) AS ok,
                COALESCE(bool_or(l.awkward), false) AS awkward,
                COALESCE(sum(l.calls), 0) AS calls, COALESCE(sum(l.billable), 0) AS billable,
                COALESCE(sum(l.billed), 0) AS billed, COALESCE(sum(l.inside), 0) AS inside
            FROM per_line l
            FULL JOIN stored s ON s.line_position = l.line_position
        ),
        cumulative AS (
            SELECT g.line_position, g.rem, g.calls, s.kopecks - l.floors AS missing,
                s.rate_units,
                sum(g.calls) OVER (PARTITION BY g.line_position ORDER BY g.rem DESC) AS upto
            FROM groups g
            JOIN per_line l ON l.line_position = g.line_position
            JOIN stored s ON s.line_position = g.line_position
        ),
        -- Per line missing kopecks: the remainder at which they run out, how many of the
        -- calls at it still get one, and the billed seconds whose remainder it is.
        thresholds AS (
            SELECT c.line_position, c.rem AS threshold, c.missing - (c.upto - c.calls) AS take,
                b.billed
            FROM cumulative c
            JOIN bills b ON b.line_position = c.line_position
                AND mod(b.billed::bigint * c.rate_units, {KOPECKS_DENOMINATOR}) = c.rem
            WHERE c.upto - c.calls < c.missing AND c.missing <= c.upto
        ),
        cutoffs AS (
            SELECT line_position, threshold, offered_at AS cut_offered_at, call_id AS cut_call_id
            FROM (
                SELECT t.line_position, t.threshold, t.take, r.offered_at, r.call_id,
                    row_number() OVER (
                        PARTITION BY t.line_position ORDER BY r.offered_at, r.call_id
                    ) AS n
                FROM rated r
                JOIN thresholds t ON t.line_position = r.line_position AND t.billed = r.billed
            ) at_threshold
            WHERE n = take
        ),
        line_info AS (
            SELECT s.line_position, s.rate_units, s.code_cell, s.band_cell, s.rate_cell,
                c.threshold, c.cut_offered_at, c.cut_call_id
            FROM stored s
            LEFT JOIN cutoffs c ON c.line_position = s.line_position
        ),
        -- Per line and billed seconds (a call's kopecks depend on nothing else, but for the
        -- calls at the threshold): the kopecks of its calls, whether they are at the
        -- threshold (then one more up to the cutoff), the line's cells.
        bill_info AS MATERIALIZED (
            SELECT b.line_position, b.billed, li.code_cell, li.band_cell, li.rate_cell,
                li.cut_offered_at, li.cut_call_id,
                b.billed::bigint * li.rate_units / {KOPECKS_DENOMINATOR}
                    + CASE WHEN mod(b.billed::bigint * li.rate_units, {KOPECKS_DENOMINATOR})
                        > li.threshold THEN 1 ELSE 0 END AS kopecks,
                mod(b.billed::bigint * li.rate_units, {KOPECKS_DENOMINATOR}) = li.threshold
                    AS at_threshold
            FROM bills b
            JOIN line_info li ON li.line_position = b.line_position
        )
    """  # noqa: S608
    return sql, [*params, *stored_params]


# A call's kopecks: its billed seconds' (bill_info), plus one when they are at the line's
# threshold and the call is not after the line's cutoff (the ``take``-th call at the
# threshold by offered_at, id). SQL of the rows ``r`` (rated) joined to ``bi`` (bill_info).
AT_CUTOFF = "bi.at_threshold AND (r.offered_at, r.call_id) <= (bi.cut_offered_at, bi.cut_call_id)"


def bill_join(source: str = "bill_info") -> str:
    """SQL joining the rows ``r`` to their line and billed seconds in ``source`` as ``bi``."""
    return f"JOIN {source} bi ON bi.line_position = r.line_position AND bi.billed = r.billed"


# The rows of a plan whose verdict holds, each with its kopecks, in the lines' order then
# offered_at: one sort. A line missing no kopeck has no threshold.
DETAIL_ROWS = f"""
    counted AS (
        SELECT r.*, bi.code_cell, bi.band_cell, bi.rate_cell,
            bi.kopecks + CASE WHEN {AT_CUTOFF} THEN 1 ELSE 0 END AS kopecks
        FROM rated r
        {bill_join()}
    )
"""  # noqa: S608
DETAIL_ORDER = "ORDER BY line_position, offered_at, call_id"


@dataclass
class Verdict:
    """Whether the calls, rated now, still rate to the stored lines; and their totals."""

    ok: bool
    awkward: bool  # an external_id with a line break, or ``\\.``: no COPY (detail_copy)
    calls: int = 0
    billable_seconds: int = 0
    billed_seconds: int = 0
    inside_client_hours: int = 0


@dataclass
class DetailPlan:
    """The detail of one invoice, ready to run: its CTEs, its lines, its projects' codes."""

    invoice: Invoice
    ctes: str | None  # None: an invoice without usage lines has no detail
    params: list[Any]
    lines: dict[int, InvoiceLine]  # by position
    codes: dict[int, str]  # project id -> code


def invoice_detail_plan(invoice: Invoice, *, line_cells: LineCells | None = None) -> DetailPlan:
    """The plan of ``invoice``'s detail. Nothing runs yet: ``detail_rows`` (or the COPY of
    ``billing.exports.detail_copy``) checks its verdict before the first row."""
    lines = usage_lines(invoice)
    if not lines:
        return DetailPlan(invoice, None, [], {}, {})
    slices = invoice_slices(invoice, lines)
    codes = {s.project.id: s.project.code for s in slices}
    ctes, params = _detail_ctes(slices, lines, codes, line_cells)
    by_position = {line.position: line for line in lines.values()}
    return DetailPlan(invoice, ctes, params, by_position, codes)


def refuse(plan: DetailPlan) -> ConflictError:
    """The calls no longer rate to the invoice's lines (a tariff or a call edited after it
    was generated would break the sum): refuse rather than list other amounts."""
    return ConflictError(
        _("The calls no longer rate to the invoice's lines."),
        details={
            "invoice": [
                _(
                    "Invoice %(invoice)s: its lines differ from the calls as rated now "
                    "(a tariff or call changed after it was generated). Generate the draft "
                    "again, or restore the tariff."
                )
                % {"invoice": plan.invoice}
            ]
        },
    )


def detail_verdict(plan: DetailPlan) -> Verdict:
    """The plan's verdict by itself (one pass over the calls)."""
    if plan.ctes is None:
        return Verdict(ok=True, awkward=False)
    with connection.cursor() as cursor, detail_session(cursor):
        cursor.execute(
            f"{plan.ctes} SELECT ok, awkward, calls, billable, billed, inside FROM verdict",  # noqa: S608
            plan.params,
        )
        ok, awkward, calls, billable, billed, inside = cursor.fetchone()
    return Verdict(bool(ok), bool(awkward), int(calls), int(billable), int(billed), int(inside))


def invoice_call_details(*, invoice: Invoice) -> Iterator[dict]:
    """Every call billed on ``invoice``, line by line (the lines' order), then by offered_at.

    Each row: project (code), external_id, offered_at (UTC), answered_at, local_date (of
    offered_at in the project's time zone), billable_seconds, billed_seconds, band ('' for
    the base rate), rate_per_minute, amount, inside_client_hours (a reserve line's call
    offered inside the client's own hours), service_period, line (the line's position).
    Per line the amounts add up to the line's amount; the top-up lines have no calls.
    Raises ConflictError when the calls no longer rate to the stored lines.
    """
    return detail_rows(invoice_detail_plan(invoice))


@contextmanager
def detail_session(cursor) -> Iterator[None]:
    """The detail's statements run with ``settings.BILLING_DETAIL_WORK_MEM`` (the rated calls
    and the sort in memory), without JIT (compiling costs more than it saves here) and in the
    ISO date style (the COPY's text of instants and dates); the previous values come back
    afterwards."""
    cursor.execute(
        "SELECT current_setting('work_mem'), current_setting('jit'),"
        " current_setting('DateStyle'),"
        " set_config('work_mem', %s, false), set_config('jit', 'off', false),"
        " set_config('DateStyle', 'ISO, YMD', false)",
        [settings.BILLING_DETAIL_WORK_MEM],
    )
    work_mem, jit, date_style = cursor.fetchone()[:3]
    try:
        yield
    finally:
        cursor.execute(
            "SELECT set_config('work_mem', %s, false), set_config('jit', %s, false),"
            " set_config('DateStyle', %s, false)",
            [work_mem, jit, date_style],
        )


def detail_rows(plan: DetailPlan) -> Iterator[dict]:
    """The rows of ``plan``: its verdict checked now (ConflictError before any row), the rows
    read as they are asked for, a chunk of the server-side cursor at a time."""
    if not detail_verdict(plan).ok:
        raise refuse(plan)
    return _rows(plan)


def _rows(plan: DetailPlan) -> Iterator[dict]:
    if plan.ctes is None:
        return
    by_position, codes = plan.lines, plan.codes
    chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    cursor = connection.chunked_cursor() if chunked else connection.cursor()
    sql = (  # our own text; the values are parameters (S608)
        f"{plan.ctes}, {DETAIL_ROWS} SELECT line_position, external_id, offered_at, answered_at,"  # noqa: S608
        f" local_date, billable, billed, inside_client_hours, kopecks FROM counted {DETAIL_ORDER}"
    )
    with connection.cursor() as session, detail_session(session), cursor:
        cursor.execute(sql, plan.params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            for (
                position,
                external_id,
                offered_at,
                answered_at,
                local_date,
                billable,
                billed,
                inside_client_hours,
                kopecks,
            ) in rows:
                line = by_position[position]
                yield {
                    "project": codes[line.project_id],
                    "external_id": external_id,
                    "offered_at": offered_at,
                    "answered_at": answered_at,
                    "local_date": local_date,
                    "billable_seconds": billable,
                    "billed_seconds": billed,
                    "band": line.band,
                    "rate_per_minute": line.rate_per_minute,
                    "amount": Decimal(kopecks).scaleb(-2),
                    "inside_client_hours": inside_client_hours,
                    "service_period": line.service_period,
                    "line": position,
                }
