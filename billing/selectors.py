"""Reads of billing: the call-by-call detail of an invoice, streamed, summing to its lines.

Per-call amounts are rounded to kopecks so that, per invoice line, they add up to that
line's stored amount exactly: the largest-remainder method (docs/billing.md, "Call
detail"). Each call's exact amount is billed / 60 * rate; with the rate in units of 0.0001
that is billed * rate_units / 6000 kopecks. Every call gets the floor; the kopecks the line
still lacks go one each to the calls with the largest remainders, ties to the earlier call
(offered_at, then id). PostgreSQL ranks the calls (window functions), so Python holds one
chunk of rows at a time, whatever the invoice's size.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from billing.frozen import frozen_projects, frozen_tariffs
from billing.invoicing import rated_calls_sql, slices_for
from billing.models import Invoice, InvoiceLine
from contactcenter.errors import ConflictError
from projects.models import Project

CHUNK_SIZE = 5000
RATE_UNITS = 10_000  # rate_per_minute has 4 decimals
KOPECKS_DENOMINATOR = 60 * RATE_UNITS // 100  # billed * rate_units / 6000 = kopecks


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


@dataclass
class LineTotals:
    """What the detail of one line adds up to, and how its kopecks are allocated."""

    calls: int = 0
    billed_seconds: int = 0
    billable_seconds: int = 0
    inside_client_hours: int = 0
    floor_kopecks: int = 0
    # Calls per remainder (share mod KOPECKS_DENOMINATOR: fewer than 6,000 values).
    remainders: Counter[int] = field(default_factory=Counter)
    # The largest remainders get the kopecks the floors lack: every call above ``threshold``,
    # and the first ``take`` calls (offered_at, id) exactly at it.
    threshold: int = KOPECKS_DENOMINATOR
    take: int = 0


@dataclass
class DetailTotals:
    lines: dict[Any, LineTotals] = field(default_factory=dict)
    # A call's external_id holding a line break (or PostgreSQL's end-of-data marker ``\.``):
    # the CSV then goes through the Python writer (billing.exports.detail_csv).
    awkward_ids: bool = False


def _line_keys(slices, lines):
    """(slice_no, band_index, line, rate units) of each line: how rated calls find theirs."""
    for slice_no, slice_ in enumerate(slices):
        if slice_.tariff is None:
            continue
        bands = [None, *slice_.tariff.bands.all()]
        for band_index, band in enumerate(bands, start=-1):
            rate = band.rate_per_minute if band else slice_.tariff.rate_per_minute
            key = (slice_.project.id, slice_.service_period, band.name if band else "", rate)
            line = lines.get(key)
            if line is not None:
                yield slice_no, band_index, line, int(rate * RATE_UNITS)


def _detail_totals(slices, lines) -> DetailTotals:
    """Per line: calls, billed and billable seconds, calls inside the client's hours, the
    floors of the calls' kopecks and how many calls have each remainder; one GROUP BY over
    the rated calls (a call of no line counts under ``None``: the check then refuses)."""
    totals = DetailTotals()
    if not slices:
        return totals
    inner, params = rated_calls_sql(slices, detail=True)
    keys, key_params, by_key = [], [], {}
    for slice_no, band_index, line, rate_units in _line_keys(slices, lines):
        keys.append("(%s::int, %s::int, %s::bigint)")
        key_params.extend([slice_no, band_index, rate_units])
        by_key[slice_no, band_index] = _line_key(line)
    values = ", ".join(keys) or "(NULL::int, NULL::int, NULL::bigint)"
    # The inner query's text is ours, its values parameters (S608).
    sql = f"""
        SELECT r.slice_no, r.band_index, mod(r.billed::bigint * k.rate_units, %s) AS rem,
            count(*), sum(r.billed), sum(r.billable),
            count(*) FILTER (WHERE r.inside_client_hours),
            sum(r.billed::bigint * k.rate_units / %s),
            bool_or(r.external_id ~ '[\r\n]' OR r.external_id = '\\.')
        FROM ({inner}) r
        LEFT JOIN (VALUES {values}) AS k(slice_no, band_index, rate_units)
          ON k.slice_no = r.slice_no AND k.band_index = r.band_index
        GROUP BY 1, 2, 3
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [KOPECKS_DENOMINATOR, KOPECKS_DENOMINATOR, *params, *key_params])
        rows = cursor.fetchall()
    for slice_no, band_index, rem, calls, billed, billable, inside, floors, awkward in rows:
        line = totals.lines.setdefault(by_key.get((slice_no, band_index)), LineTotals())
        line.calls += calls
        line.billed_seconds += int(billed or 0)
        line.billable_seconds += int(billable or 0)
        line.inside_client_hours += inside
        line.floor_kopecks += int(floors or 0)
        if rem is not None:
            line.remainders[int(rem)] += calls
        totals.awkward_ids = totals.awkward_ids or bool(awkward)
    return totals


def _allocate(total: LineTotals, line_kopecks: int) -> bool:
    """Set the line's threshold: the kopecks missing from the floors go one each to the
    largest remainders, ties to the earlier call (rating.largest_remainder's rule)."""
    missing = line_kopecks - total.floor_kopecks
    if not 0 <= missing <= total.calls:
        return False
    above = 0
    for rem in sorted(total.remainders, reverse=True):
        if missing == 0:
            break
        if above + total.remainders[rem] >= missing:
            total.threshold, total.take = rem, missing - above
            break
        above += total.remainders[rem]
    return True


def _check_lines_match(invoice, slices, lines) -> DetailTotals:
    """The calls rated today must be the calls on the lines (a tariff edited after the
    invoice was issued would break the sum: refuse rather than list other amounts)."""
    totals = _detail_totals(slices, lines)
    stored = {key: (line.calls, line.billed_seconds) for key, line in lines.items()}
    rated = {key: (total.calls, total.billed_seconds) for key, total in totals.lines.items()}
    if stored != rated or not all(
        _allocate(totals.lines[key], int(line.amount * 100)) for key, line in lines.items()
    ):
        raise ConflictError(
            _("The calls no longer rate to the invoice's lines."),
            details={
                "invoice": [
                    _(
                        "Invoice %(invoice)s: its lines differ from the calls as rated now "
                        "(a tariff or call changed after it was generated). Generate the draft "
                        "again, or restore the tariff."
                    )
                    % {"invoice": invoice}
                ]
            },
        )
    return totals


def _detail_sql(slices, lines, totals: DetailTotals):
    """The calls of the lines, each with its kopecks, in the lines' order then offered_at:
    one sort, which the running count at each line's threshold shares."""
    rated, params = rated_calls_sql(slices, detail=True)
    keys, key_params = [], []
    for slice_no, band_index, line, rate_units in _line_keys(slices, lines):
        total = totals.lines[_line_key(line)]
        keys.append("(%s::int, %s::int, %s::int, %s::bigint, %s::bigint, %s::bigint)")
        key_params.extend(
            [slice_no, band_index, line.position, rate_units, total.threshold, total.take]
        )
    if not keys:
        return None, []
    # Only placeholders, integers and our own query text are interpolated. OFFSET 0 keeps
    # each call's share computed once.
    sql = f"""
        WITH shares AS (
            SELECT rated.*, k.line_position, k.threshold, k.take,
                rated.billed::bigint * k.rate_units / {KOPECKS_DENOMINATOR} AS floor_kopecks,
                mod(rated.billed::bigint * k.rate_units, {KOPECKS_DENOMINATOR}) AS rem
            FROM ({rated}) rated
            JOIN (VALUES {", ".join(keys)})
                AS k(slice_no, band_index, line_position, rate_units, threshold, take)
              ON k.slice_no = rated.slice_no AND k.band_index = rated.band_index
            OFFSET 0
        ),
        counted AS (
            SELECT shares.*,
                count(*) FILTER (WHERE rem = threshold) OVER (
                    PARTITION BY line_position ORDER BY offered_at, call_id
                    ROWS UNBOUNDED PRECEDING
                ) AS at_threshold
            FROM shares
        )
        SELECT line_position, slice_no, band_index, external_id, offered_at, answered_at,
            local_date, billable, billed, inside_client_hours,
            floor_kopecks + CASE WHEN rem > threshold
                OR (rem = threshold AND at_threshold <= take) THEN 1 ELSE 0 END AS kopecks
        FROM counted
        ORDER BY line_position, offered_at, call_id
    """  # noqa: S608
    return sql, [*params, *key_params]


@dataclass
class DetailPlan:
    """The detail of one invoice, checked and ready to run: its SQL, its lines, its totals."""

    sql: str | None
    params: list[Any]
    lines: dict[int, InvoiceLine]  # by position
    codes: dict[int, str]  # project id -> code
    totals: DetailTotals


def invoice_detail_plan(invoice: Invoice) -> DetailPlan:
    """The checked plan of ``invoice``'s detail (ConflictError when the calls no longer rate
    to its stored lines). ``sql`` is None for an invoice without usage lines."""
    lines = usage_lines(invoice)
    if not lines:
        return DetailPlan(None, [], {}, {}, DetailTotals())
    slices = invoice_slices(invoice, lines)
    totals = _check_lines_match(invoice, slices, lines)
    sql, params = _detail_sql(slices, lines, totals)
    by_position = {line.position: line for line in lines.values()}
    codes = {s.project.id: s.project.code for s in slices}
    return DetailPlan(sql, params, by_position, codes, totals)


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
    """The detail's statement runs with ``settings.BILLING_DETAIL_WORK_MEM`` (its sort in
    memory) and without JIT (compiling costs more than it saves here); reset afterwards."""
    cursor.execute("SELECT set_config('work_mem', %s, false)", [settings.BILLING_DETAIL_WORK_MEM])
    cursor.execute("SET jit = off")
    try:
        yield
    finally:
        cursor.execute("RESET work_mem")
        cursor.execute("RESET jit")


def detail_rows(plan: DetailPlan) -> Iterator[dict]:
    """The rows of a checked plan, a chunk of the server-side cursor at a time."""
    if plan.sql is None:
        return
    by_position, codes = plan.lines, plan.codes
    chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    cursor = connection.chunked_cursor() if chunked else connection.cursor()
    with connection.cursor() as session, detail_session(session), cursor:
        cursor.execute(plan.sql, plan.params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            for (
                position,
                _slice_no,
                _band_index,
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
