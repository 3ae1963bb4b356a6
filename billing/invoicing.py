"""Monthly invoice generation (SPEC section 7): which calls an invoice bills, their totals in
one SQL ``GROUP BY``, lines, the monthly minimum and VAT. Drafts are rebuilt, issued
invoices left alone. The rules, the time zones and the late calls are in docs/billing.md.

The calls an invoice bills are described by *slices*: one project, one service month (the
project's local month), one window of ``received_at``, under one tariff. Tariff validity is
turned into UTC instants here, so the database compares plain timestamps; only the band
needs the local wall-clock time of ``answered_at``. ``usage_python`` rates the same slices
call by call with ``billing.rating``: the reference the SQL must agree with to the kopeck.
"""

import dataclasses
import datetime as dt
import functools
import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing import rating
from billing.models import Invoice, InvoiceCoverage, InvoiceLine, Tariff
from billing.sla import sla_credit_lines
from calls.models import Call
from contactcenter.errors import DomainError
from contactcenter.periods import month_name_ru
from projects.models import Client, Project, VatRate
from projects.selectors import client_seller

logger = logging.getLogger(__name__)

LIVE_CLOSED = (Invoice.Status.ISSUED, Invoice.Status.PAID)
# pg_advisory_xact_lock(namespace, client id): generation and issuing of one client's
# invoices run one at a time (coverage windows of one invoice depend on the others').
CLIENT_LOCK_NAMESPACE = 0x42494C4C  # "BILL"
WEEK_MICROSECONDS = 7 * rating.DAY_MICROSECONDS


def received_settle() -> dt.timedelta:
    """The margin taken before the start of a transaction still in flight: covers a row's
    ``received_at`` stamped by the application's clock a moment before its transaction
    began, and the clocks of several servers (default 5 s)."""
    return dt.timedelta(seconds=getattr(settings, "BILLING_RECEIVED_SETTLE_SECONDS", 5))


def oldest_open_transaction() -> dt.datetime | None:
    """When the oldest transaction still open in this database (other than ours) began.

    Ingestion stores a batch in one transaction (COPY) whose rows carry a ``received_at``
    taken when it began: until it commits they are invisible, though older than "now".
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # read the activity afresh
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def received_cut(now: dt.datetime) -> dt.datetime:
    """The watermark of a draft built at ``now``: it bills the calls received before it.

    Every call committed before the build is visible to it; a call still in flight belongs
    to a transaction that is open now, and its ``received_at`` is no older than that
    transaction's start (less the ``received_settle`` margin). So the cut is ``now``, or
    that start if a transaction is open: nothing received before the cut can commit after
    the build, and whatever commits later is received after it (the next build, the issue
    or the late-call path bills it). docs/billing.md, "Drafts are complete".
    """
    oldest = oldest_open_transaction()
    if oldest is None:
        return now
    return min(now, oldest - received_settle())


def calls_after(*, client_id: int, months: list[dt.date], cut: dt.datetime) -> int:
    """Answered calls of the client's ``months`` (each project's local month) received at
    or after ``cut``: what a draft with that watermark does not bill yet."""
    months_q = Q()
    for project in Project.objects.filter(client_id=client_id).only("id", "timezone"):
        for month in months:
            start, end = rating.month_window(month, project.timezone)
            months_q |= Q(project_id=project.id, offered_at__gte=start, offered_at__lt=end)
    if not months_q:
        return 0
    return Call.objects.filter(months_q, received_at__gte=cut, answered_at__isnull=False).count()


def late_calls_lookback_months() -> int:
    """How many months back an invoice looks for late calls of issued months."""
    return getattr(settings, "BILLING_LATE_CALLS_LOOKBACK_MONTHS", 3)


@dataclasses.dataclass(frozen=True)
class Slice:
    """Calls of one project offered in [offered_from, offered_to) and received in
    [received_from, received_before), all rated by ``tariff`` (None: no tariff in force)."""

    project: Project
    service_period: dt.date
    offered_from: dt.datetime
    offered_to: dt.datetime
    received_from: dt.datetime | None
    received_before: dt.datetime
    tariff: Tariff | None


@dataclasses.dataclass
class UsageTotal:
    calls: int = 0
    billed_seconds: int = 0


# Line key: (project id, service period, band name or '', rate per minute).
LineKey = tuple[int, dt.date, str, Decimal]


# --- Which calls -----------------------------------------------------------------------


def _subtract(intervals, start, end):
    """Intervals (None = no lower bound) minus [start, end)."""
    kept = []
    for low, high in intervals:
        if start is not None and (low is None or start > low):
            kept.append((low, min(high, start)))
        if end < high:
            kept.append((end if low is None else max(low, end), high))
    return [(low, high) for low, high in kept if low is None or low < high]


def _billed_windows(client_id, periods):
    """{period: [(from, before)]} already billed by the client's issued or paid invoices."""
    windows = defaultdict(list)
    rows = InvoiceCoverage.objects.filter(
        invoice__client_id=client_id,
        invoice__status__in=LIVE_CLOSED,
        service_period__in=periods,
    ).values_list("service_period", "received_from", "received_before")
    for period, received_from, received_before in rows:
        windows[period].append((received_from, received_before))
    return windows


def coverage_for(*, client_id: int, period: dt.date, cut: dt.datetime):
    """The windows a new invoice of ``period`` bills: {service period: [(from, before)]}.

    Its own month: everything received before ``cut`` that no issued or paid invoice bills
    already. Each earlier month (within the lookback) whose live invoice is issued or paid:
    the calls received before ``cut`` that no issued or paid invoice bills - its late calls.
    """
    earlier = [period]
    for _month in range(late_calls_lookback_months()):
        earlier.append(rating.previous_month(earlier[-1]))
    closed = set(
        Invoice.objects.filter(
            client_id=client_id, period__in=earlier[1:], status__in=LIVE_CLOSED
        ).values_list("period", flat=True)
    )
    periods = [period, *sorted(closed)]
    billed = _billed_windows(client_id, periods)
    coverage = {}
    for service_period in periods:
        free = [(None, cut)]
        for start, end in billed.get(service_period, ()):
            free = _subtract(free, start, end)
        if free:
            coverage[service_period] = free
    return coverage


def _tariff_ranges(project, tariffs):
    """[(from, to, tariff or None)] in UTC covering all time, by the project's local dates."""
    bounds = [
        (rating.local_midnight(tariff.valid_from, project.timezone), tariff) for tariff in tariffs
    ]
    ranges = []
    if bounds:
        ranges.append((None, bounds[0][0], None))
    for index, (start, tariff) in enumerate(bounds):
        end = bounds[index + 1][0] if index + 1 < len(bounds) else None
        ranges.append((start, end, tariff))
    return ranges or [(None, None, None)]


def _tariffs_by_project(project_ids):
    tariffs = defaultdict(list)
    queryset = (
        Tariff.objects.filter(project_id__in=project_ids)
        .prefetch_related("bands")
        .order_by("project_id", "valid_from")
    )
    for tariff in queryset:
        tariffs[tariff.project_id].append(tariff)
    return tariffs


def slices_for(*, projects, coverage, tariffs=None) -> list[Slice]:
    """Cut the coverage windows of each project by month and tariff validity; ``tariffs``
    ({project id: tariffs by valid_from}) defaults to the stored ones (an issued invoice's
    detail passes those of its snapshot)."""
    if tariffs is None:
        tariffs = _tariffs_by_project([project.id for project in projects])
    slices = []
    for project in projects:
        ranges = _tariff_ranges(project, tariffs.get(project.id, []))
        for service_period, windows in sorted(coverage.items()):
            month_from, month_to = rating.month_window(service_period, project.timezone)
            for start, end, tariff in ranges:
                offered_from = month_from if start is None else max(month_from, start)
                offered_to = month_to if end is None else min(month_to, end)
                if offered_from >= offered_to:
                    continue
                for received_from, received_before in windows:
                    slices.append(
                        Slice(
                            project=project,
                            service_period=service_period,
                            offered_from=offered_from,
                            offered_to=offered_to,
                            received_from=received_from,
                            received_before=received_before,
                            tariff=tariff,
                        )
                    )
    return slices


# --- Rating in SQL ---------------------------------------------------------------------


def _week_ranges(band):
    """A band as [from, to) ranges of microseconds since Monday 00:00 local, merged."""
    start = rating._time_of_day(band.start)
    end = rating.DAY_MICROSECONDS if band.end == rating.MIDNIGHT else rating._time_of_day(band.end)
    if end <= start:
        end += rating.DAY_MICROSECONDS  # crosses midnight: belongs to the day it starts on
    ranges = []
    for weekday in sorted(set(band.weekdays)):
        day = weekday * rating.DAY_MICROSECONDS
        low, high = day + start, day + end
        if high > WEEK_MICROSECONDS:  # Sunday night runs into Monday morning
            ranges.append((0, high - WEEK_MICROSECONDS))
            high = WEEK_MICROSECONDS
        ranges.append((low, high))
    merged = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


# A tariff's billable basis as the coefficients of talk, connected and capped wrap seconds
# (rating.billable_seconds in SQL's arithmetic).
BASIS_COEFFICIENTS = {
    rating.BASIS_TALK: (1, 0, 0),
    rating.BASIS_CONNECTED: (0, 1, 0),
    rating.BASIS_HANDLE: (0, 1, 1),
}


# A tariff without a wrap cap, as a cap no wrap reaches (wrap_seconds is an int).
WRAP_UNCAPPED = 2**31 - 1


def band_pieces(tariff) -> tuple[list[int], list[int]]:
    """The tariff's week cut into pieces at every band edge: each piece's start (microseconds
    since Monday 00:00 local, the first 0) and its band's index (the first band holding it,
    as ``rating`` decides; -1 for the base rate). In SQL, ``width_bucket`` finds a call's
    piece with one comparison pass over the starts, the call's week time computed once."""
    bands = [_week_ranges(band) for band in tariff.bands.all()] if tariff is not None else []
    edges = sorted({0} | {edge for ranges in bands for pair in ranges for edge in pair})
    starts: list[int] = []
    indexes: list[int] = []
    for start in (edge for edge in edges if edge < WEEK_MICROSECONDS):
        index = next(
            (i for i, ranges in enumerate(bands) if any(lo <= start < hi for lo, hi in ranges)),
            -1,
        )
        if not indexes or indexes[-1] != index:  # a piece like the one before it joins it
            starts.append(start)
            indexes.append(index)
    return starts, indexes


# How far past a slice's last offered call its zone's offset is checked to stay fixed: a call
# is answered within a day of being offered (the calls table's call_wait_at_most_a_day). An
# instant after that is still converted by its zone, as any instant of a zone whose offset
# changes (DST) around the slice.
FIXED_OFFSET_MARGIN = dt.timedelta(days=2)


# Cached: every client's slices of a month ask the same few zones over the same range.
@functools.lru_cache(maxsize=512)
def fixed_offset(timezone: str, start: dt.datetime, end: dt.datetime) -> tuple[int | None, Any]:
    """(offset in microseconds, until when) if ``timezone``'s UTC offset is the same from a
    day before ``start`` until FIXED_OFFSET_MARGIN after ``end``, checked every hour (no zone
    changes its offset twice within an hour); else (None, None)."""
    zone = ZoneInfo(timezone)
    moment, until = start - dt.timedelta(days=1), end + FIXED_OFFSET_MARGIN
    offset = moment.astimezone(zone).utcoffset()
    while moment <= until:
        if moment.astimezone(zone).utcoffset() != offset:
            return None, None
        moment += dt.timedelta(hours=1)
    if until.astimezone(zone).utcoffset() != offset or offset is None:
        return None, None
    return offset // dt.timedelta(microseconds=1), until


def _local_epoch_us(column: str) -> str:
    """SQL for the local wall-clock time of instant ``column`` in microseconds since
    1970-01-01 00:00 local: the UTC epoch plus the slice's fixed offset when it has one (no
    time zone conversion), else by ``AT TIME ZONE`` of the slice's zone (DST)."""
    return (
        f"CASE WHEN {column} < r.fixed_until"
        f" THEN (date_part('epoch', {column}) * 1000000)::bigint + r.offset_us"
        f" ELSE (date_part('epoch', {column} AT TIME ZONE r.tz) * 1000000)::bigint END"
    )


def rated_calls_sql(slices, *, detail=False, line_of=None):
    """One row per answered call of ``slices``: slice_no, band_index, billed (and, with
    ``detail``, what a call-by-call listing shows). Billed is NULL without a tariff.

    With ``line_of`` ((slice number, band index) -> an invoice line's position, or None),
    each row carries ``line_position`` instead of ``band_index``: the week's pieces map to
    lines directly, so a call's band is computed once and no join looks its line up."""
    values, params = [], []
    uses_bands = any(s.tariff is not None and s.tariff.bands.all() for s in slices)
    for number, s in enumerate(slices):
        values.append(
            "(%s::int, %s::bigint, %s::text, %s::timestamptz, %s::timestamptz, %s::timestamptz,"
            " %s::timestamptz, %s::bigint, %s::int, %s::int, %s::int, %s::int, %s::int, %s::int,"
            " %s::int, %s::bigint[], %s::int[], %s::bigint, %s::timestamptz)"
        )
        tariff = s.tariff
        starts, indexes = band_pieces(tariff)
        pieces = indexes if line_of is None else [line_of(number, index) for index in indexes]
        offset_us, fixed_until = fixed_offset(s.project.timezone, s.offered_from, s.offered_to)
        params.extend(
            [
                number,
                s.project.id,
                s.project.timezone,
                s.offered_from,
                s.offered_to,
                s.received_from,
                s.received_before,
                tariff.id if tariff else None,
                *BASIS_COEFFICIENTS.get(tariff.billable if tariff else None, (0, 0, 0)),
                # No cap: the largest int, so LEAST needs no COALESCE per call.
                WRAP_UNCAPPED
                if tariff is None or tariff.wrap_cap_seconds is None
                else tariff.wrap_cap_seconds,
                tariff.free_seconds if tariff else None,
                tariff.first_increment_seconds if tariff else None,
                tariff.next_increment_seconds if tariff else None,
                starts,
                pieces,
                offset_us,
                fixed_until,
            ]
        )
    # The band: the piece of the local week (wall clock, so DST-proof) holding the answer
    # time, in microseconds since Monday 00:00: 1970-01-01 was a Thursday, so the local
    # epoch plus three days, modulo a week. date_part is float8 (exact to the microsecond
    # here), far cheaper than numeric.
    piece = (
        f"r.band_pieces[width_bucket(mod({_local_epoch_us('r.answered_at')}"
        f" + {3 * rating.DAY_MICROSECONDS}, {WEEK_MICROSECONDS}), r.piece_starts)]"
        if uses_bands
        else "r.band_pieces[1]"  # every slice's week is one piece
    )
    if line_of is None:
        band = f"COALESCE({piece}, -1) AS band_index" if uses_bands else "-1 AS band_index"
    else:
        band = f"{piece} AS line_position"  # NULL: a call of no line
    # The local date of offered_at: whole local days since 1970-01-01 (after it, so the
    # integer division is the floor).
    local_date = (
        f"date '1970-01-01' + ({_local_epoch_us('r.offered_at')} / {rating.DAY_MICROSECONDS})::int"
    )
    detail_outer = (
        f", r.external_id, r.offered_at, r.answered_at, {local_date} AS local_date, r.billable,"
        " r.inside_client_hours"
        if detail
        else ""
    )
    # Only placeholders and integers are interpolated (S608): every value is a parameter.
    # The inner query is flattened into the outer (no OFFSET 0), so PostgreSQL's parallel
    # workers rate the calls. Flattening repeats billable wherever billed uses it, so it is
    # plain arithmetic: the basis as three coefficients (BASIS_COEFFICIENTS), no CASE, and
    # billed names it twice: nothing up to the free seconds (or zero), then the first
    # increment, then whole next increments. The GREATEST is the first increment for a
    # basis within it: (b - first + next - 1) / next is 0 or less there (next >= 1, the
    # tariffs' check).
    sql = f"""
        SELECT r.slice_no, r.call_id, {band},
            CASE WHEN r.billable <= GREATEST(r.free, 0) THEN 0
                 ELSE GREATEST(r.first,
                     r.first + ((r.billable - r.first + r.next - 1) / r.next) * r.next)
            END AS billed{detail_outer}
        FROM (
            SELECT s.slice_no, s.tz, s.free, s.first, s.next, s.piece_starts, s.band_pieces,
                s.offset_us, s.fixed_until,
                c.id AS call_id, c.external_id, c.offered_at, c.answered_at,
                c.inside_client_hours,
                c.talk_seconds * s.talk_k + c.connected_seconds * s.connected_k
                    + LEAST(c.wrap_seconds, s.wrap_cap) * s.wrap_k
                    AS billable
            FROM (VALUES {", ".join(values)}) AS s(slice_no, project_id, tz, offered_from,
                offered_to, received_from, received_before, tariff_id, talk_k, connected_k,
                wrap_k, wrap_cap, free, first, next, piece_starts, band_pieces, offset_us,
                fixed_until)
            JOIN calls_call c
              ON c.project_id = s.project_id
             AND c.offered_at >= s.offered_from AND c.offered_at < s.offered_to
             AND c.received_at < s.received_before
             AND (s.received_from IS NULL OR c.received_at >= s.received_from)
            WHERE c.answered_at IS NOT NULL
              AND c.offered_at >= %s::timestamptz AND c.offered_at < %s::timestamptz
        ) r
    """  # noqa: S608
    # The slices' overall offered_at range, as plain parameters too: the planner cannot
    # derive it from the VALUES rows. Measured on 20,000,000 calls (docs/scale.md), a
    # client-month's rating took 3.0-3.2 s with it and 8.8-14.7 s without (the same rows);
    # it also lets a table partitioned by month be pruned when the plan is made.
    bounds = [min(s.offered_from for s in slices), max(s.offered_to for s in slices)]
    return sql, [*params, *bounds]


def _band_of(slice_, band_index):
    if slice_.tariff is None or band_index < 0:
        return None
    return list(slice_.tariff.bands.all())[band_index]


def line_key(slice_, band, tariff=None) -> LineKey:
    """The key of the invoice line a slice's calls in ``band`` (None: the base rate) are
    billed on: project, service period, band name ('' for the base rate), rate. ``tariff``
    (default: the slice's) is the one whose base rate applies."""
    rate = band.rate_per_minute if band else (tariff or slice_.tariff).rate_per_minute
    return (slice_.project.id, slice_.service_period, band.name if band else "", rate)


def _refuse_clients(errors: dict) -> None:
    """Refuse (400) naming the clients whose invoice was refused; the others were made."""
    raise DomainError(
        ngettext(
            "%(count)s client(s) could not be invoiced; the others were.",
            "%(count)s client(s) could not be invoiced; the others were.",
            len(errors),
        )
        % {"count": len(errors)},
        details={"clients": errors},
    )


def _missing_tariff(slice_, calls):
    text = ngettext(
        "Project '%(project)s' has %(calls)s answered call(s) in %(period)s before its first "
        "tariff.",
        "Project '%(project)s' has %(calls)s answered call(s) in %(period)s before its first "
        "tariff.",
        calls,
    ) % {"project": slice_.project.code, "calls": calls, "period": f"{slice_.service_period:%Y-%m}"}
    raise DomainError(_("Calls without a tariff in force."), details={"tariff": [text]})


def usage_sql(slices) -> dict[LineKey, UsageTotal]:
    """Calls and billed seconds per line key: one GROUP BY over the calls in PostgreSQL."""
    if not slices:
        return {}
    inner, params = rated_calls_sql(slices)
    # The inner query's text is ours, its values parameters (S608).
    sql = f"""
        SELECT slice_no, band_index, count(*), sum(billed)
        FROM ({inner}) rated GROUP BY slice_no, band_index
    """  # noqa: S608
    totals: defaultdict[Any, UsageTotal] = defaultdict(UsageTotal)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for slice_no, band_index, calls, billed in rows:
        slice_ = slices[slice_no]
        if slice_.tariff is None:
            _missing_tariff(slice_, calls)
        total = totals[line_key(slice_, _band_of(slice_, band_index))]
        total.calls += calls
        total.billed_seconds += int(billed)
    return dict(totals)


def usage_python(slices) -> dict[LineKey, UsageTotal]:
    """The same totals, rating each call in Python with ``billing.rating`` (the reference:
    it finds the tariff by the local date and the band by the local wall-clock time)."""
    totals: defaultdict[Any, UsageTotal] = defaultdict(UsageTotal)
    tariffs = _tariffs_by_project({s.project.id for s in slices})
    for slice_ in slices:
        calls = Call.objects.filter(
            project_id=slice_.project.id,
            offered_at__gte=slice_.offered_from,
            offered_at__lt=slice_.offered_to,
            received_at__lt=slice_.received_before,
            answered_at__isnull=False,
        )
        if slice_.received_from is not None:
            calls = calls.filter(received_at__gte=slice_.received_from)
        fields = ("offered_at", "answered_at", "connected_seconds", "hold_seconds", "wrap_seconds")
        for offered_at, answered_at, connected, hold, wrap in calls.values_list(*fields):
            local_day = rating.local(offered_at, slice_.project.timezone).date()
            tariff = rating.tariff_in_force(tariffs[slice_.project.id], local_day)
            if tariff is None:
                _missing_tariff(slice_, 1)
            bands = list(tariff.bands.all())
            index = rating.band_index(bands, rating.local(answered_at, slice_.project.timezone))
            band = None if index is None else bands[index]
            total = totals[line_key(slice_, band, tariff)]  # the tariff it found, not the slice's
            total.calls += 1
            total.billed_seconds += rating.call_billed_seconds(
                tariff, connected=connected, hold=hold, wrap=wrap
            )
    return dict(totals)


# --- Lines and totals ------------------------------------------------------------------


def _period_label(period):
    return month_name_ru(period)


def _usage_description(project, band, service_period, invoice_period):
    text = f"{project.name}: минуты разговора"
    if band:
        text += f", тариф «{band}»"
    text += f", {_period_label(service_period)}"
    if service_period != invoice_period:
        text += " (звонки, поступившие после выставления счёта)"
    return text


def build_lines(*, period, projects, usage, tariffs) -> list[InvoiceLine]:
    """Usage lines per project, service month, band and rate; then the minimum top-ups;
    then the SLA credits (``billing.sla``: a share of the project's usage of the month).

    Minimum: the ``monthly_minimum`` of the tariff in force on the period's first local
    day, compared with the project's usage of that month (late lines of earlier months do
    not count). A project with no tariff on that day (it started mid-month) has none.
    """
    by_id = {project.id: project for project in projects}
    lines = []
    usage_of_period: defaultdict[Any, Decimal] = defaultdict(Decimal)
    for key in sorted(usage, key=lambda k: (by_id[k[0]].code, k[1], k[2] != "", k[2], k[3])):
        project_id, service_period, band, rate = key
        total = usage[key]
        amount = rating.line_amount(total.billed_seconds, rate)
        if service_period == period:
            usage_of_period[project_id] += amount
        lines.append(
            InvoiceLine(
                project_id=project_id,
                kind=InvoiceLine.Kind.USAGE,
                band=band,
                service_period=service_period,
                description=_usage_description(by_id[project_id], band, service_period, period),
                calls=total.calls,
                billed_seconds=total.billed_seconds,
                rate_per_minute=rate,
                amount=amount,
            )
        )
    for project in sorted(projects, key=lambda p: p.code):
        tariff = rating.tariff_in_force(tariffs.get(project.id, []), period)
        if tariff is None or tariff.monthly_minimum <= 0:
            continue
        if not project.is_active and project.id not in usage_of_period:
            continue
        shortfall = tariff.monthly_minimum - usage_of_period[project.id]
        if shortfall > 0:
            lines.append(
                InvoiceLine(
                    project_id=project.id,
                    kind=InvoiceLine.Kind.MINIMUM_TOPUP,
                    band="",
                    service_period=period,
                    description=(
                        f"{project.name}: доплата до месячного минимума "
                        f"{tariff.monthly_minimum} за {_period_label(period)}"
                    ),
                    rate_per_minute=Decimal("0"),
                    amount=rating.money(shortfall),
                )
            )
    lines += sla_credit_lines(period=period, projects=projects, usage_of_period=usage_of_period)
    lines.sort(key=lambda line: (by_id[line.project_id].code, line.service_period))
    for position, line in enumerate(lines):
        line.position = position
    return lines


def invoice_totals(*, amounts, vat_rate, vat_included) -> dict[str, Decimal]:
    """subtotal, vat and total of line amounts (SPEC: on top or included)."""
    lines_sum = rating.money(sum(amounts, Decimal("0")))
    if vat_included:
        return {
            "subtotal": lines_sum,
            "vat": rating.vat_included_in(lines_sum, vat_rate),
            "total": lines_sum,
        }
    vat = rating.vat_on_top(lines_sum, vat_rate)
    return {"subtotal": lines_sum, "vat": vat, "total": lines_sum + vat}


def vat_rate_of(client, period) -> Decimal:
    rates = VatRate.objects.filter(client=client).values_list("valid_from", "rate")
    return rating.vat_rate_for_period(rates, period)


# --- Generation ------------------------------------------------------------------------


def lock_client(client_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CLIENT_LOCK_NAMESPACE, client_id])


def _check_currency(client, usage, slices):
    others = sorted({s.tariff.currency for s in slices if s.tariff is not None} - {client.currency})
    used = {key[0] for key in usage}
    wrong = sorted(
        {
            s.project.code
            for s in slices
            if s.tariff is not None
            and s.project.id in used
            and s.tariff.currency != client.currency
        }
    )
    if wrong:
        text = _(
            "Client '%(client)s' is billed in %(currency)s; tariffs of %(projects)s are in "
            "%(others)s."
        ) % {
            "client": client.code,
            "currency": client.currency,
            "projects": ", ".join(wrong),
            "others": ", ".join(others),
        }
        raise DomainError(
            _("Tariff currency differs from the client's."), details={"currency": [text]}
        )


@transaction.atomic
def invoice_generate_client(*, client: Client, period: dt.date) -> Invoice | None:
    """Build (or rebuild) the client's draft of ``period``; an issued or paid one is left
    alone and returned as is. Nothing to bill: no invoice (a stale draft is deleted)."""
    lock_client(client.id)
    live = (
        Invoice.objects.select_for_update()
        .filter(client=client, period=period)
        .exclude(status=Invoice.Status.VOID)
        .first()
    )
    if live is not None and live.status != Invoice.Status.DRAFT:
        return live
    check_period_ended([client], period)
    client_seller(client)  # who sells: several sellers and none named is refused here
    now = timezone.now()
    cut = received_cut(now)
    projects = list(Project.objects.filter(client=client).order_by("code"))
    coverage = coverage_for(client_id=client.id, period=period, cut=cut)
    slices = slices_for(projects=projects, coverage=coverage)
    usage = usage_sql(slices)
    _check_currency(client, usage, slices)
    tariffs = _tariffs_by_project([project.id for project in projects])
    lines = build_lines(period=period, projects=projects, usage=usage, tariffs=tariffs)
    if not lines:
        if live is not None:
            live.delete()
        return None
    vat_rate = vat_rate_of(client, period)
    fields = {
        "currency": client.currency,
        "vat_included": client.vat_included,
        "vat_rate": vat_rate,
        "calls_received_before": cut,
        "calls_after_build": calls_after(client_id=client.id, months=[period], cut=cut),
        **invoice_totals(
            amounts=[line.amount for line in lines],
            vat_rate=vat_rate,
            vat_included=client.vat_included,
        ),
    }
    if live is None:
        invoice = Invoice.objects.create(client=client, period=period, **fields)
    else:
        invoice = live
        invoice.lines.all().delete()
        invoice.coverage.all().delete()
        for name, value in fields.items():
            setattr(invoice, name, value)
        invoice.generated_at = now
        invoice.save()
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    InvoiceCoverage.objects.bulk_create(
        InvoiceCoverage(
            invoice=invoice,
            service_period=service_period,
            received_from=received_from,
            received_before=received_before,
        )
        for service_period, windows in sorted(coverage.items())
        for received_from, received_before in windows
    )
    return invoice


def invoice_generate(*, period: dt.date, client_code: str | None = None) -> list[Invoice]:
    """Generate every client's invoice of ``period`` (or one client's), each client in its
    own transaction. Returns the invoices of the period, drafts and untouched issued ones.

    With several clients, one client's refusal (say, calls without a tariff) does not stop
    the others; the refusals are raised together at the end.
    """
    if not isinstance(period, dt.date) or period.day != 1:
        raise DomainError(
            _("Invalid period."), details={"period": [_("A period is the first day of a month.")]}
        )
    if client_code is not None:
        client = Client.objects.filter(code=client_code).first()
        if client is None:
            raise DomainError(
                _("Unknown client."),
                details={"client": [_("No client '%(code)s'.") % {"code": client_code}]},
                status=404,
                code="not_found",
            )
        invoice = invoice_generate_client(client=client, period=period)
        return [invoice] if invoice else []
    invoices, errors = [], {}
    clients = Client.objects.filter(projects__isnull=False).distinct().order_by("code")
    check_period_ended(clients, period)
    for client in clients:
        try:
            invoice = invoice_generate_client(client=client, period=period)
        except DomainError as error:
            logger.error("Invoice of %s for %s refused: %s", client.code, period, error.details)  # noqa: TRY400  expected refusal, no traceback
            errors[client.code] = error.details or error.message
            continue
        if invoice:
            invoices.append(invoice)
    if errors:
        _refuse_clients(errors)
    return invoices


def last_closed_period(client: Client, *, now: dt.datetime) -> dt.date:
    """The latest month that has ended both in the client's time zone and in every one of
    its projects' (a call of the month can still be offered until the last one ends)."""
    zones = {client.timezone, *client.projects.values_list("timezone", flat=True)}
    return min(
        rating.previous_month(rating.local(now, zone).date().replace(day=1)) for zone in zones
    )


def check_period_ended(clients, period: dt.date, *, status: int = 400) -> None:
    """Refuse (naming ``period``) a month that has not ended for every one of ``clients``,
    by the rule of ``last_closed_period``: a month is billed, and its invoice issued, once
    it has ended in the client's time zone and in each of its projects'."""
    now = timezone.now()
    open_for = [client.code for client in clients if period > last_closed_period(client, now=now)]
    if open_for:
        text = _(
            "The month %(period)s has not ended for %(clients)s: a month is billed once it has "
            "ended in the client's and its projects' time zones."
        ) % {"period": f"{period:%Y-%m}", "clients": ", ".join(open_for)}
        raise DomainError(text, details={"period": [text]}, status=status, code="period_not_ended")


def invoice_generate_closed_months(*, now: dt.datetime | None = None) -> list[Invoice]:
    """The daily job: each client's latest closed month, generated again (idempotent:
    drafts are rebuilt with what has arrived since, issued invoices are skipped)."""
    now = now or timezone.now()
    invoices, errors = [], {}
    for client in Client.objects.filter(projects__isnull=False).distinct().order_by("code"):
        period = last_closed_period(client, now=now)
        try:
            invoice = invoice_generate_client(client=client, period=period)
        except DomainError as error:
            logger.error("Invoice of %s for %s refused: %s", client.code, period, error.details)  # noqa: TRY400  expected refusal, no traceback
            errors[client.code] = error.details or error.message
            continue
        if invoice:
            invoices.append(invoice)
    if errors:
        _refuse_clients(errors)
    return invoices
