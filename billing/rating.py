"""Rating by SPEC section 7: pure functions over ``Decimal`` and integer seconds.

No ORM and no database here, so every rule is tested in microseconds and the SQL path of
invoice generation (``billing.invoicing``) has a reference to agree with to the kopeck.
Tariffs and bands are read by attribute, with the model field names (``rate_per_minute``,
``first_increment_seconds``, ``weekdays``, ``start``, ``end``...): a ``Tariff`` or
``TariffBand`` row works, and so does any object with those attributes.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from contactcenter.money import money as money  # re-exported: rating.money, the rounding

SECONDS_PER_MINUTE = 60
MIDNIGHT = dt.time(0)
DAY_MICROSECONDS = 24 * 3600 * 1_000_000

BASIS_TALK = "talk"
BASIS_CONNECTED = "connected"
BASIS_HANDLE = "handle"


# --- Seconds ---------------------------------------------------------------------------


def billable_seconds(
    *, basis: str, connected: int, hold: int = 0, wrap: int = 0, wrap_cap: int | None = None
) -> int:
    """The duration a tariff bills: talk (connected - hold), connected, or handle (connected
    + wrap, the wrap counted up to ``wrap_cap`` seconds when a cap is set)."""
    if basis == BASIS_TALK:
        return connected - hold
    if basis == BASIS_CONNECTED:
        return connected
    if basis == BASIS_HANDLE:
        return connected + (wrap if wrap_cap is None else min(wrap, wrap_cap))
    raise ValueError(f"Unknown billable basis {basis!r}.")


def billed_seconds(billable: int, *, first: int, next_: int, free: int = 0) -> int:
    """SPEC: 0 if b == 0 or b <= free; first if b <= first; else first rounded up by next.

    30/6: 31 s bills 36; 60/60: 61 s bills 120; 1/1: as is.
    """
    if billable <= 0 or billable <= free:
        return 0
    if billable <= first:
        return first
    return first + -(-(billable - first) // next_) * next_


def call_billed_seconds(tariff: Any, *, connected: int, hold: int = 0, wrap: int = 0) -> int:
    """Billed seconds of one answered call under ``tariff`` (its basis, cap and increments)."""
    billable = billable_seconds(
        basis=tariff.billable,
        connected=connected,
        hold=hold,
        wrap=wrap,
        wrap_cap=tariff.wrap_cap_seconds,
    )
    return billed_seconds(
        billable,
        first=tariff.first_increment_seconds,
        next_=tariff.next_increment_seconds,
        free=tariff.free_seconds,
    )


# --- Money -----------------------------------------------------------------------------


def line_amount(billed: int, rate_per_minute: Decimal) -> Decimal:
    """round(billed / 60 * rate, 2), half-up. The quantity billed / 60 stays exact: the
    product is formed first, so no third of a kopeck is lost before the one rounding."""
    return money(Decimal(billed) * Decimal(rate_per_minute) / SECONDS_PER_MINUTE)


def vat_on_top(subtotal: Decimal, rate: Decimal) -> Decimal:
    """VAT added on top of a net subtotal: round(subtotal * rate, 2)."""
    return money(Decimal(subtotal) * Decimal(rate))


def vat_included_in(total: Decimal, rate: Decimal) -> Decimal:
    """VAT contained in a gross total: round(total * rate / (1 + rate), 2)."""
    rate = Decimal(rate)
    return money(Decimal(total) * rate / (1 + rate))


def vat_rate_for_period(rates: Iterable[tuple[dt.date, Decimal]], period: dt.date) -> Decimal:
    """The latest rate valid on the period's first day; 0 when none is (no VAT)."""
    valid = [(valid_from, rate) for valid_from, rate in rates if valid_from <= period]
    return max(valid)[1] if valid else Decimal("0")


def largest_remainder(numerators: Sequence[int], denominator: int, total: int) -> list[int]:
    """Split ``total`` units over shares numerators[i] / denominator, so they add up exactly.

    Each share gets its floor, then the units still missing go one each to the largest
    remainders; ties go to the earlier share (the caller's order is the tie-break).
    """
    floors = [n // denominator for n in numerators]
    missing = total - sum(floors)
    if not 0 <= missing <= len(numerators):
        raise ValueError(f"Cannot split {total} over shares whose floors sum to {sum(floors)}.")
    order = sorted(range(len(numerators)), key=lambda i: (-(numerators[i] % denominator), i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


# --- Time ------------------------------------------------------------------------------


def local(instant: dt.datetime, timezone: str) -> dt.datetime:
    """The wall-clock time of an aware instant in an IANA time zone (DST included)."""
    return instant.astimezone(zoneinfo.ZoneInfo(timezone))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(period: dt.date) -> dt.date:
    return dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)


def previous_month(period: dt.date) -> dt.date:
    return dt.date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def local_midnight(day: dt.date, timezone: str) -> dt.datetime:
    """The UTC instant a local date begins (a local day can be 23 or 25 hours long)."""
    start = dt.datetime.combine(day, MIDNIGHT, tzinfo=zoneinfo.ZoneInfo(timezone))
    return start.astimezone(dt.UTC)


def month_window(period: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local calendar month that begins on ``period``."""
    return local_midnight(period, timezone), local_midnight(next_month(period), timezone)


def _time_of_day(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def band_covers(band: Any, at: dt.datetime) -> bool:
    """Whether a band's window holds the local wall-clock time ``at``.

    [start, end): ``end`` 00:00 is 24:00. ``end`` at or before ``start`` crosses midnight,
    and the window belongs to the weekday it starts on: Friday 22:00-08:00 covers Saturday
    03:00 but not Friday 03:00. start == end is 24 hours from ``start``.
    """
    weekday = at.weekday()
    moment = _time_of_day(at.time())
    start = _time_of_day(band.start)
    end = DAY_MICROSECONDS if band.end == MIDNIGHT else _time_of_day(band.end)
    if end > start:
        return weekday in band.weekdays and start <= moment < end
    return (weekday in band.weekdays and moment >= start) or (
        (weekday - 1) % 7 in band.weekdays and moment < end
    )


def band_index(bands: Sequence[Any], at: dt.datetime) -> int | None:
    """Position in ``bands`` of the first band holding ``at`` (listed order), else None."""
    for index, band in enumerate(bands):
        if band_covers(band, at):
            return index
    return None


def tariff_in_force(tariffs: Sequence[Any], day: dt.date) -> Any:
    """The tariff with the latest ``valid_from`` on or before ``day``, else None."""
    valid = [tariff for tariff in tariffs if tariff.valid_from <= day]
    return max(valid, key=lambda tariff: tariff.valid_from) if valid else None
