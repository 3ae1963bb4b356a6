"""Reads of billing: the call-by-call detail of an invoice, streamed, summing to its lines.

Per-call amounts are rounded to kopecks so that, per invoice line, they add up to that
line's stored amount exactly: the largest-remainder method (docs/billing.md, "Call
detail"). Each call's exact amount is billed / 60 * rate; with the rate in units of 0.0001
that is billed * rate_units / 6000 kopecks. Every call gets the floor; the kopecks the line
still lacks go one each to the calls with the largest remainders, ties to the earlier call
(offered_at, then id). PostgreSQL ranks the calls (window functions), so Python holds one
chunk of rows at a time, whatever the invoice's size.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
    """What the detail of one line adds up to (the detail CSV's trailer reads these)."""

    calls: int = 0
    billed_seconds: int = 0
    billable_seconds: int = 0
    inside_client_hours: int = 0


@dataclass
class DetailTotals:
    lines: dict[Any, LineTotals] = field(default_factory=dict)
    # A call's external_id holding a line break (or PostgreSQL's end-of-data marker ``\.``):
    # the CSV then goes through the Python writer (billing.detail_copy).
    awkward_ids: bool = False


def _detail_totals(slices) -> DetailTotals:
    """Per line key: calls, billed and billable seconds, calls inside the client's hours; one
    GROUP BY over the rated calls (the check that the calls still rate to the lines)."""
    totals = DetailTotals()
    if not slices:
        return totals
    inner, params = rated_calls_sql(slices, detail=True)
    # The inner query's text is ours, its values parameters (S608).
    sql = f"""
        SELECT slice_no, band_index, count(*), sum(billed), sum(billable),
            count(*) FILTER (WHERE inside_client_hours),
            bool_or(external_id ~ '[\r\n]' OR external_id = '\\.')
        FROM ({inner}) rated GROUP BY slice_no, band_index
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for slice_no, band_index, calls, billed, billable, inside, awkward in rows:
        slice_ = slices[slice_no]
        if slice_.tariff is None:
            continue  # no line to match: the check below refuses
        bands = [None, *slice_.tariff.bands.all()]
        band = bands[band_index + 1]
        rate = band.rate_per_minute if band else slice_.tariff.rate_per_minute
        key = (slice_.project.id, slice_.service_period, band.name if band else "", rate)
        line = totals.lines.setdefault(key, LineTotals())
        line.calls += calls
        line.billed_seconds += int(billed or 0)
        line.billable_seconds += int(billable or 0)
        line.inside_client_hours += inside
        totals.awkward_ids = totals.awkward_ids or bool(awkward)
    return totals


def _check_lines_match(invoice, slices, lines) -> DetailTotals:
    """The calls rated today must be the calls on the lines (a tariff edited after the
    invoice was issued would break the sum: refuse rather than list other amounts)."""
    totals = _detail_totals(slices)
    stored = {key: (line.calls, line.billed_seconds) for key, line in lines.items()}
    rated = {key: (total.calls, total.billed_seconds) for key, total in totals.lines.items()}
    if stored != rated:
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


def _detail_sql(slices, lines):
    rated, params = rated_calls_sql(slices, detail=True)
    keys, key_params = [], []
    for slice_no, slice_ in enumerate(slices):
        if slice_.tariff is None:
            continue
        bands = [None, *slice_.tariff.bands.all()]
        for band_index, band in enumerate(bands, start=-1):
            rate = band.rate_per_minute if band else slice_.tariff.rate_per_minute
            key = (slice_.project.id, slice_.service_period, band.name if band else "", rate)
            line = lines.get(key)
            if line is None:
                continue
            keys.append("(%s::int, %s::int, %s::int, %s::bigint, %s::bigint)")
            key_params.extend(
                [
                    slice_no,
                    band_index,
                    line.position,
                    int(rate * RATE_UNITS),
                    int(line.amount * 100),
                ]
            )
    if not keys:
        return None, []
    # Only placeholders, integers and our own query text are interpolated.
    sql = f"""
        WITH rated AS ({rated}),
        shares AS (
            SELECT rated.*, k.line_position, k.line_kopecks,
                rated.billed::bigint * k.rate_units AS share
            FROM rated
            JOIN (VALUES {", ".join(keys)})
                AS k(slice_no, band_index, line_position, rate_units, line_kopecks)
              ON k.slice_no = rated.slice_no AND k.band_index = rated.band_index
        ),
        ranked AS (
            SELECT shares.*,
                share / {KOPECKS_DENOMINATOR} AS floor_kopecks,
                line_kopecks - sum(share / {KOPECKS_DENOMINATOR})
                    OVER (PARTITION BY line_position) AS missing,
                row_number() OVER (
                    PARTITION BY line_position
                    ORDER BY mod(share, {KOPECKS_DENOMINATOR}) DESC, offered_at, call_id
                ) AS remainder_rank
            FROM shares
        )
        SELECT line_position, slice_no, band_index, external_id, offered_at, answered_at,
            local_date, billable, billed, inside_client_hours,
            floor_kopecks + CASE WHEN remainder_rank <= missing THEN 1 ELSE 0 END AS kopecks
        FROM ranked
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
    sql, params = _detail_sql(slices, lines)
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


def detail_rows(plan: DetailPlan) -> Iterator[dict]:
    """The rows of a checked plan, a chunk of the server-side cursor at a time."""
    if plan.sql is None:
        return
    by_position, codes = plan.lines, plan.codes
    chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    cursor = connection.chunked_cursor() if chunked else connection.cursor()
    with cursor:
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
