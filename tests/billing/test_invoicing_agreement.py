"""The SQL totals (one GROUP BY in PostgreSQL) agree with billing.rating call by call.

Seeded random data: projects in far and DST-changing time zones, tariff histories that
change mid-month, bands of every shape (crossing midnight, ending at 24:00, whole days,
start == end, Sunday into Monday, odd seconds), every basis, caps, free seconds and
increments. Reproducible: a failing seed fails the same way every run.
"""

import bisect
import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest

from billing import rating
from billing.invoicing import (
    FIXED_OFFSET_MARGIN,
    _week_ranges,
    band_pieces,
    coverage_for,
    fixed_offset,
    slices_for,
    usage_python,
    usage_sql,
)
from billing.models import Tariff, TariffBand
from projects.models import Project
from tests.factories import ClientFactory, ProjectFactory
from tests.factories.billing import abandoned_call, answered_call, clock

pytestmark = pytest.mark.django_db

ZONES = ["Europe/Moscow", "Asia/Vladivostok", "America/New_York", "Europe/London", "UTC"]
PERIODS = [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
UTC = dt.UTC


def random_time(rng):
    if rng.random() < 0.3:
        return dt.time(0)
    return dt.time(rng.randrange(24), rng.choice([0, 15, 30, 59]), rng.choice([0, 0, 1, 59]))


def random_band(rng, name):
    start = random_time(rng)
    end = start if rng.random() < 0.1 else random_time(rng)
    return {
        "name": name,
        "weekdays": sorted(rng.sample(range(7), rng.randint(1, 7))),
        "start": start,
        "end": end,
        "rate_per_minute": Decimal(rng.randrange(0, 300_000)) / 10_000,
    }


def random_tariff(rng, project, valid_from):
    first = rng.choice([1, 6, 30, 60])
    tariff = Tariff.objects.create(
        project=project,
        valid_from=valid_from,
        rate_per_minute=Decimal(rng.randrange(1, 500_000)) / 10_000,
        first_increment_seconds=first,
        next_increment_seconds=rng.choice([1, 6, 60]),
        free_seconds=rng.choice([0, 0, 3, 10]),
        billable=rng.choice(["talk", "connected", "handle"]),
        wrap_cap_seconds=rng.choice([None, 0, 15]),
    )
    for position in range(rng.randint(0, 3)):
        TariffBand.objects.create(
            tariff=tariff, position=position, **random_band(rng, f"b{position}")
        )


def build(seed):
    rng = random.Random(seed)
    client = ClientFactory(code=f"rnd{seed}", timezone=rng.choice(ZONES))
    for index, zone in enumerate(rng.sample(ZONES, 3)):
        project = ProjectFactory(code=f"rnd{seed}-{index}", client=client, timezone=zone)
        random_tariff(rng, project, dt.date(2026, 1, 1))
        for day in sorted(rng.sample(range(1, 31), rng.randint(0, 2))):
            random_tariff(rng, project, dt.date(2026, rng.choice([10, 11]), day))
        base = dt.datetime(2026, 9, 29, tzinfo=UTC)
        for _ in range(120):
            offered = base + dt.timedelta(seconds=rng.randrange(70 * 86400) + rng.random())
            if rng.random() < 0.1:
                abandoned_call(project, offered)
                continue
            connected = rng.choice([0, 1, 5, 30, 31, 59, 60, 61, rng.randrange(1, 1500)])
            answered_call(
                project,
                offered,
                connected=connected,
                hold=rng.randint(0, connected),
                wrap=rng.choice([0, 10, 20, 90]),
                answer_after=rng.choice([0, 1, 17, 3600]),
            )
    return client


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_and_python_rating_agree_to_the_kopeck(seed):
    client = build(seed)
    projects = list(Project.objects.filter(client=client))
    cut = dt.datetime(2027, 1, 1, tzinfo=UTC)
    compared = 0
    for period in PERIODS:
        slices = slices_for(
            projects=projects, coverage=coverage_for(client_id=client.id, period=period, cut=cut)
        )
        by_sql, by_python = usage_sql(slices), usage_python(slices)

        assert by_sql == by_python
        assert {k: rating.line_amount(v.billed_seconds, k[3]) for k, v in by_sql.items()} == {
            k: rating.line_amount(v.billed_seconds, k[3]) for k, v in by_python.items()
        }
        compared += sum(total.calls for total in by_sql.values())
    assert compared > 200  # most calls fall in the two months


def test_generated_lines_are_the_python_totals():
    from billing.invoicing import invoice_generate

    client = build(7)
    with clock("2026-12-15T00:00"):
        [invoice] = invoice_generate(period=PERIODS[0], client_code=client.code)
    slices = slices_for(
        projects=list(Project.objects.filter(client=client)),
        coverage=coverage_for(
            client_id=client.id, period=PERIODS[0], cut=invoice.calls_received_before
        ),
    )
    expected = {
        (pid, period, band, rate): (
            total.calls,
            total.billed_seconds,
            rating.line_amount(total.billed_seconds, rate),
        )
        for (pid, period, band, rate), total in usage_python(slices).items()
    }
    stored = {
        (line.project_id, line.service_period, line.band, line.rate_per_minute): (
            line.calls,
            line.billed_seconds,
            line.amount,
        )
        for line in invoice.lines.filter(kind="usage")
    }
    assert stored == expected


def week_moments(rng, bands, *, days):
    """Local wall-clock instants (as rating takes them) of a week from Monday 12 October 2026,
    each with its microseconds since its Monday 00:00: every band edge, a microsecond either
    side, on each of ``days`` days; then 300 random ones."""
    monday = dt.datetime(2026, 10, 12)  # noqa: DTZ001  local wall-clock time
    edges = [
        monday + dt.timedelta(days=day, microseconds=rating._time_of_day(moment) + delta)
        for band in bands
        for day in range(days)
        for moment in (band.start, band.end)
        for delta in (-1, 0, 1)
    ]
    randoms = [monday + dt.timedelta(seconds=rng.randrange(7 * 86400)) for _ in range(300)]
    for moment in edges + randoms:
        week_start = dt.datetime.combine(moment.date() - dt.timedelta(moment.weekday()), dt.time())
        yield moment, (moment - week_start) // dt.timedelta(microseconds=1)


@pytest.mark.parametrize("seed", range(20))
def test_week_ranges_say_what_band_covers_says(seed):
    """The SQL form of a band (ranges of microseconds since Monday 00:00) is the same
    window as rating.band_covers, at random instants and at every edge."""
    rng = random.Random(seed)
    band = type("Band", (), random_band(rng, "b"))
    ranges = _week_ranges(band)
    for moment, us in week_moments(rng, [band], days=8):
        in_ranges = any(low <= us < high for low, high in ranges)
        assert in_ranges is rating.band_covers(band, moment), (moment, ranges)


@pytest.mark.parametrize("seed", range(20))
def test_band_pieces_find_the_band_rating_finds(seed):
    """The week's pieces (billing.invoicing.band_pieces, which SQL searches with
    width_bucket) give each instant the band rating.band_index gives: the first band holding
    it, overlapping bands and Sunday nights into Monday included; -1 for the base rate."""
    rng = random.Random(seed)
    bands = [type("Band", (), random_band(rng, f"b{i}")) for i in range(rng.randint(1, 4))]
    tariff = type("Tariff", (), {"bands": type("Bands", (), {"all": lambda self: bands})()})
    starts, indexes = band_pieces(tariff)
    assert starts[0] == 0
    assert starts == sorted(set(starts))
    assert all(a != b for a, b in itertools.pairwise(indexes))  # equal neighbours merged
    for moment, us in week_moments(rng, bands, days=7):
        found = indexes[bisect.bisect_right(starts, us) - 1]
        expected = rating.band_index(bands, moment)
        assert found == (-1 if expected is None else expected), (moment, starts, indexes)


def test_band_pieces_of_no_tariff_and_of_a_tariff_without_bands():
    empty = type("Tariff", (), {"bands": type("Bands", (), {"all": lambda self: []})()})
    assert band_pieces(None) == ([0], [-1])
    assert band_pieces(empty) == ([0], [-1])


def test_fixed_offset_holds_only_where_the_zone_keeps_its_offset():
    """A slice's zone is applied as arithmetic only when its offset stays fixed from a day
    before the slice until FIXED_OFFSET_MARGIN after it."""
    nov, dec = dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC)
    three_hours = 3 * 3600 * 1_000_000
    assert fixed_offset("Europe/Moscow", nov, dec) == (three_hours, dec + FIXED_OFFSET_MARGIN)
    # Berlin leaves summer time on 25 October 2026 and enters it on 28 March 2027.
    assert fixed_offset("Europe/Berlin", nov, dec) == (3600 * 1_000_000, dec + FIXED_OFFSET_MARGIN)
    oct_ = dt.datetime(2026, 10, 1, tzinfo=UTC)
    assert fixed_offset("Europe/Berlin", oct_, nov) == (None, None)
    feb, mar = dt.datetime(2027, 2, 1, tzinfo=UTC), dt.datetime(2027, 3, 1, tzinfo=UTC)
    assert fixed_offset("Europe/Berlin", feb, mar) == (3600 * 1_000_000, mar + FIXED_OFFSET_MARGIN)
    end = dt.datetime(2027, 3, 27, tzinfo=UTC)  # its margin reaches 28 March
    assert fixed_offset("Europe/Berlin", mar, end) == (None, None)
    assert fixed_offset("UTC", oct_, nov) == (0, nov + FIXED_OFFSET_MARGIN)
