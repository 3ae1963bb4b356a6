"""billing.rating, the pure rules of SPEC section 7: no database, exact Decimal amounts.

The published cases come from ../shared/data/billing_vectors.json, copied next to this
module (tests/billing/billing_vectors.json) so the suite runs without the shared folder.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from billing import rating

VECTORS = json.loads((Path(__file__).parent / "billing_vectors.json").read_text())
DURATIONS = VECTORS["billed_seconds"]["durations"]
SCHEMES = [key for key in VECTORS["billed_seconds"] if key != "durations"]
MSK = "Europe/Moscow"


def tariff(scheme="60/60", *, rate="1.2000", free=0, billable="connected", wrap_cap=None):
    first, next_ = (int(part) for part in scheme.split("/"))
    return SimpleNamespace(
        rate_per_minute=Decimal(rate),
        first_increment_seconds=first,
        next_increment_seconds=next_,
        free_seconds=free,
        billable=billable,
        wrap_cap_seconds=wrap_cap,
    )


def band(weekdays, start, end, name="band"):
    return SimpleNamespace(
        name=name,
        weekdays=weekdays,
        start=dt.time.fromisoformat(start),
        end=dt.time.fromisoformat(end),
    )


def at(text):
    """A local wall-clock time; 2026-10-09 is a Friday."""
    return dt.datetime.fromisoformat(text)


# --- Billed seconds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "duration", "expected"),
    [
        (scheme, duration, expected)
        for scheme in SCHEMES
        for duration, expected in zip(DURATIONS, VECTORS["billed_seconds"][scheme], strict=True)
    ],
)
def test_billed_seconds_published_vectors(scheme, duration, expected):
    first, next_ = (int(part) for part in scheme.split("/"))
    assert rating.billed_seconds(duration, first=first, next_=next_) == expected


@pytest.mark.parametrize(
    ("scheme", "billable", "billed"),
    [("30/6", 31, 36), ("60/60", 61, 120), ("1/1", 61, 61), ("1/1", 1, 1), ("30/6", 30, 30)],
)
def test_billed_seconds_spec_examples(scheme, billable, billed):
    first, next_ = (int(part) for part in scheme.split("/"))
    assert rating.billed_seconds(billable, first=first, next_=next_) == billed


@pytest.mark.parametrize(
    ("billable", "billed"), [(0, 0), (1, 0), (5, 0), (6, 30), (30, 30), (31, 36), (37, 42)]
)
def test_free_seconds_cost_nothing_then_the_first_increment_applies(billable, billed):
    assert rating.billed_seconds(billable, first=30, next_=6, free=5) == billed


def test_free_seconds_beyond_the_first_increment():
    assert rating.billed_seconds(45, first=30, next_=6, free=45) == 0
    assert rating.billed_seconds(46, first=30, next_=6, free=45) == 48


@pytest.mark.parametrize(
    ("basis", "wrap_cap", "expected"),
    [
        ("talk", None, 140),  # connected 150 - hold 10
        ("connected", None, 150),
        ("handle", None, 170),  # connected 150 + wrap 20
        ("handle", 15, 165),  # wrap capped at 15
        ("handle", 30, 170),  # cap above the wrap: the whole wrap
        ("handle", 0, 150),
    ],
)
def test_billable_seconds_by_basis(basis, wrap_cap, expected):
    assert (
        rating.billable_seconds(basis=basis, connected=150, hold=10, wrap=20, wrap_cap=wrap_cap)
        == expected
    )


def test_an_unknown_basis_is_refused():
    with pytest.raises(ValueError, match="queue"):
        rating.billable_seconds(basis="queue", connected=1)


def test_call_billed_seconds_combines_basis_cap_and_increments():
    handle = tariff("30/6", billable="handle", wrap_cap=15)
    # 150 connected + min(20, 15) wrap = 165 -> 30 + ceil(135 / 6) * 6 = 168
    assert rating.call_billed_seconds(handle, connected=150, hold=10, wrap=20) == 168
    talk = tariff("60/60", billable="talk")
    assert rating.call_billed_seconds(talk, connected=150, hold=10, wrap=20) == 180
    assert rating.call_billed_seconds(talk, connected=10, hold=10) == 0  # all on hold


# --- Money -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "rounded"), list(VECTORS["half_up"].items()))
def test_rounding_is_half_up(value, rounded):
    assert str(rating.money(Decimal(value))) == rounded


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("0.005", "0.01"), ("0.0049999", "0.00"), ("1.115", "1.12"), ("7", "7.00")],
)
def test_rounding_edge_cases(value, rounded):
    assert str(rating.money(Decimal(value))) == rounded


@pytest.mark.parametrize(
    ("scheme", "cost"), list(VECTORS["cost_of_61s_at_1.20_per_minute"].items())
)
def test_cost_of_61_seconds_at_1_20_per_minute(scheme, cost):
    billed = rating.call_billed_seconds(tariff(scheme), connected=61)
    assert str(rating.line_amount(billed, Decimal("1.2000"))) == cost


def test_line_amount_keeps_the_quantity_exact_until_the_one_rounding():
    # 50 s at 3.00 = 2.50 exactly; a quantity rounded first (0.83 min) would give 2.49
    assert rating.line_amount(50, Decimal("3.0000")) == Decimal("2.50")
    # 1 s at 14.5: 0.241666.. -> 0.24; 3 s: 0.725 -> 0.73 (half-up on the exact value)
    assert rating.line_amount(1, Decimal("14.5000")) == Decimal("0.24")
    assert rating.line_amount(3, Decimal("14.5000")) == Decimal("0.73")
    assert rating.line_amount(0, Decimal("14.5000")) == Decimal("0.00")


def test_vat_on_top_published_case():
    case = VECTORS["vat"]["three_lines_of_10.33_at_20pct_on_top"]
    subtotal = sum([Decimal("10.33")] * 3)
    vat = rating.vat_on_top(subtotal, Decimal("0.20"))
    assert (str(subtotal), str(vat), str(subtotal + vat)) == (
        case["subtotal"],
        case["vat"],
        case["total"],
    )


def test_vat_included_published_case():
    case = VECTORS["vat"]["gross_100.00_vat_included_22pct"]
    vat = rating.vat_included_in(Decimal("100.00"), Decimal("0.22"))
    assert (str(vat), str(Decimal("100.00") - vat)) == (case["vat"], case["net"])


def test_vat_rate_of_a_period_is_the_latest_valid_on_its_first_day():
    rates = [
        (dt.date(2000, 1, 1), Decimal("0.18")),
        (dt.date(2019, 1, 1), Decimal("0.20")),
        (dt.date(2026, 1, 1), Decimal("0.22")),
        (dt.date(2026, 3, 15), Decimal("0.25")),  # from mid-March: April on
    ]
    assert rating.vat_rate_for_period(rates, dt.date(2018, 12, 1)) == Decimal("0.18")
    assert rating.vat_rate_for_period(rates, dt.date(2025, 12, 1)) == Decimal("0.20")
    assert rating.vat_rate_for_period(rates, dt.date(2026, 1, 1)) == Decimal("0.22")
    assert rating.vat_rate_for_period(rates, dt.date(2026, 3, 1)) == Decimal("0.22")
    assert rating.vat_rate_for_period(rates, dt.date(2026, 4, 1)) == Decimal("0.25")
    assert rating.vat_rate_for_period([], dt.date(2026, 4, 1)) == Decimal("0")


def test_largest_remainder_adds_up_and_breaks_ties_by_order():
    # three thirds of 100 kopecks: 33.33 each, the spare kopeck to the first
    assert rating.largest_remainder([1, 1, 1], 3, 1) == [1, 0, 0]
    assert rating.largest_remainder([100, 100, 100], 3, 100) == [34, 33, 33]
    # remainders 0.9, 0.5, 0.5: two spare kopecks to the 0.9 and the first 0.5
    assert rating.largest_remainder([19, 15, 25], 10, 6) == [2, 2, 2]
    assert rating.largest_remainder([19, 15, 15], 10, 5) == [2, 2, 1]
    with pytest.raises(ValueError, match="Cannot split"):
        rating.largest_remainder([10, 10], 10, 5)


# --- Bands and local time --------------------------------------------------------------

FRIDAY_NIGHT = band([4], "22:00", "08:00")


@pytest.mark.parametrize(
    ("moment", "covered"),
    [
        ("2026-10-10T03:00", True),  # Saturday 03:00: Friday's night (SPEC example)
        ("2026-10-09T03:00", False),  # Friday 03:00 is Thursday's night: not in this band
        ("2026-10-09T22:00", True),  # start is inclusive
        ("2026-10-09T21:59:59.999999", False),
        ("2026-10-10T07:59:59.999999", True),
        ("2026-10-10T08:00", False),  # end is exclusive
        ("2026-10-10T22:30", False),  # Saturday night: Saturday is not listed
    ],
)
def test_a_window_crossing_midnight_belongs_to_the_weekday_it_starts_on(moment, covered):
    assert rating.band_covers(FRIDAY_NIGHT, at(moment)) is covered


@pytest.mark.parametrize(
    ("moment", "covered"),
    [
        ("2026-10-10T18:00", True),
        ("2026-10-10T23:59:59.999999", True),  # end 00:00 is 24:00
        ("2026-10-11T00:00", False),  # Sunday midnight is not Saturday's
        ("2026-10-10T17:59", False),
    ],
)
def test_end_midnight_means_24_00(moment, covered):
    assert rating.band_covers(band([5], "18:00", "00:00"), at(moment)) is covered


def test_whole_days_and_start_equal_to_end():
    weekend = band([5, 6], "00:00", "00:00")
    assert rating.band_covers(weekend, at("2026-10-10T00:00"))
    assert rating.band_covers(weekend, at("2026-10-11T23:59"))
    assert not rating.band_covers(weekend, at("2026-10-12T00:00"))  # Monday
    # 08:00-08:00: 24 hours from Monday 08:00, until Tuesday 08:00
    day_long = band([0], "08:00", "08:00")
    assert rating.band_covers(day_long, at("2026-10-12T08:00"))
    assert rating.band_covers(day_long, at("2026-10-13T07:59"))
    assert not rating.band_covers(day_long, at("2026-10-13T08:00"))
    assert not rating.band_covers(day_long, at("2026-10-12T07:59"))


def test_sunday_night_runs_into_monday_morning():
    sunday_night = band([6], "23:00", "06:00")
    assert rating.band_covers(sunday_night, at("2026-10-12T05:00"))  # Monday
    assert not rating.band_covers(sunday_night, at("2026-10-13T05:00"))  # Tuesday


def test_bands_are_tried_in_listed_order_and_the_first_match_wins():
    night = band([0, 1, 2, 3, 4], "20:00", "08:00", name="night")
    weekend = band([5, 6], "00:00", "00:00", name="weekend")
    assert rating.band_index([night, weekend], at("2026-10-10T03:00")) == 0  # Fri night
    assert rating.band_index([weekend, night], at("2026-10-10T03:00")) == 0  # weekend first
    assert rating.band_index([night, weekend], at("2026-10-10T12:00")) == 1
    assert rating.band_index([night, weekend], at("2026-10-12T12:00")) is None  # base rate


def test_local_time_and_month_windows_in_far_zones_and_dst():
    instant = dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC)
    assert rating.local(instant, "Asia/Vladivostok").date() == dt.date(2026, 11, 1)
    assert rating.local(instant, "UTC").date() == dt.date(2026, 10, 31)
    start, end = rating.month_window(dt.date(2026, 11, 1), "Asia/Vladivostok")
    assert (start, end) == (
        dt.datetime(2026, 10, 31, 14, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 14, tzinfo=dt.UTC),
    )
    # London's October has 31 days and one hour (summer time ends on the 25th)
    start, end = rating.month_window(dt.date(2026, 10, 1), "Europe/London")
    assert end - start == dt.timedelta(days=31, hours=1)
    assert start == dt.datetime(2026, 9, 30, 23, tzinfo=dt.UTC)


def test_month_arithmetic():
    assert rating.next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert rating.previous_month(dt.date(2026, 1, 1)) == dt.date(2025, 12, 1)
    assert rating.previous_month(dt.date(2026, 11, 1)) == dt.date(2026, 10, 1)


def test_tariff_in_force_on_a_local_date():
    october = SimpleNamespace(valid_from=dt.date(2026, 10, 1))
    mid_october = SimpleNamespace(valid_from=dt.date(2026, 10, 16))
    tariffs = [mid_october, october]
    assert rating.tariff_in_force(tariffs, dt.date(2026, 9, 30)) is None
    assert rating.tariff_in_force(tariffs, dt.date(2026, 10, 15)) is october
    assert rating.tariff_in_force(tariffs, dt.date(2026, 10, 16)) is mid_october
