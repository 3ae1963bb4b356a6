"""The CP-SAT weekly schedule: exact coverage on a small pool, rules honoured, and the
least understaffing when the demand cannot be met."""

import datetime as dt
from itertools import groupby, pairwise

import pytest

from agents.models import Shift, ShiftTemplate
from tests.factories import AbsenceFactory, CertificationFactory, OperatorFactory, ShiftFactory
from workforce.scheduling import (
    WEEK_INTERVALS,
    PoolOperator,
    expand_requirement,
    pool_operators,
    schedule_publish,
    schedule_week,
)

MONDAY = dt.date(2026, 10, 5)
WEEK_START = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
EARLY = ShiftTemplate(name="early", start_time=dt.time(6), duration_minutes=480, break_minutes=0)
LATE = ShiftTemplate(name="late", start_time=dt.time(14), duration_minutes=480, break_minutes=0)
ABSENT_DAY = MONDAY + dt.timedelta(days=2)

# Two projects, six operators: two per project only, two on both. op1 is off on Wednesday.
POOL = [
    PoolOperator(id=1, code="op1", projects=frozenset({"a"}), absent_days=frozenset({ABSENT_DAY})),
    PoolOperator(id=2, code="op2", projects=frozenset({"a"})),
    PoolOperator(id=3, code="op3", projects=frozenset({"b"})),
    PoolOperator(id=4, code="op4", projects=frozenset({"b"})),
    PoolOperator(id=5, code="op5", projects=frozenset({"a", "b"})),
    PoolOperator(id=6, code="op6", projects=frozenset({"a", "b"})),
]


def daytime(agents):
    """``agents`` from 06:00 to 22:00 UTC every day, none at night."""
    return [agents if 24 <= index % 96 < 88 else 0 for index in range(WEEK_INTERVALS)]


def on_shift(result, index):
    instant = result.interval_start(index)
    return {s.operator_code for s in result.shifts if s.starts_at <= instant < s.ends_at}


@pytest.fixture(scope="module")
def exact():
    # 2 agents x 16 h x 7 days = 224 h = 28 eight-hour shifts; the pool has 6 x 40 h.
    return schedule_week(
        start=MONDAY,
        requirements={"a": daytime(1), "b": daytime(1)},
        operators=POOL,
        templates=[EARLY, LATE],
    )


def test_the_schedule_covers_every_interval_exactly(exact):
    assert exact.solved
    assert exact.understaffed == []
    assert exact.coverage == {"a": daytime(1), "b": daytime(1)}
    # Fewest hours: exactly the 28 shifts the demand needs.
    assert len(exact.shifts) == 28
    assert exact.paid_minutes == 224 * 60


def test_coverage_comes_only_from_certified_operators_on_shift(exact):
    certified = {op.code: op.projects for op in POOL}
    for index in range(WEEK_INTERVALS):
        working = on_shift(exact, index)
        need_a, need_b = exact.requirements["a"][index], exact.requirements["b"][index]
        # Hall's condition for two projects: each project alone, and both together.
        assert need_a <= sum("a" in certified[code] for code in working)
        assert need_b <= sum("b" in certified[code] for code in working)
        assert need_a + need_b <= len(working)
        assert exact.on_shift[index] == len(working)


def test_no_operator_exceeds_the_weekly_hours_or_skips_rest(exact):
    by_operator = sorted(exact.shifts, key=lambda s: (s.operator_code, s.starts_at))
    for code, shifts in groupby(by_operator, key=lambda s: s.operator_code):
        shifts = list(shifts)
        assert sum(s.paid_minutes for s in shifts) <= 40 * 60, code
        assert len({s.starts_at.date() for s in shifts}) == len(shifts), code
        for first, second in pairwise(shifts):
            assert second.starts_at - first.ends_at >= dt.timedelta(hours=11), code


def test_no_shift_on_the_absence_day(exact):
    assert [
        s for s in exact.shifts if s.operator_code == "op1" and s.starts_at.date() == ABSENT_DAY
    ] == []


def test_an_impossible_demand_gets_the_least_understaffing():
    # Five agents on "a" Monday 06:00-14:00, but only four operators are certified on it:
    # one agent short for 32 intervals, and nothing more.
    need = [5 if 24 <= index < 56 else 0 for index in range(WEEK_INTERVALS)]
    result = schedule_week(
        start=MONDAY,
        requirements={"a": need, "b": [0] * WEEK_INTERVALS},
        operators=POOL,
        templates=[EARLY, LATE],
    )
    assert result.status == "OPTIMAL"
    assert result.understaffed_agent_intervals == 32
    assert {row["covered"] for row in result.understaffed} == {4}
    assert sorted(s.operator_code for s in result.shifts) == ["op1", "op2", "op5", "op6"]
    assert {s.template for s in result.shifts} == {"early"}


def test_a_requirement_is_one_number_168_hourly_or_672_values():
    assert expand_requirement(2, project="a") == [2] * WEEK_INTERVALS
    assert expand_requirement([1, 0] * 84, project="a")[:8] == [1, 1, 1, 1, 0, 0, 0, 0]
    with pytest.raises(ValueError, match="168 hourly or 672"):
        expand_requirement([1, 2, 3], project="a")


@pytest.mark.django_db
def test_the_pool_read_from_the_database_and_publishing_skips_overlaps():
    operator = OperatorFactory(code="pool-op")
    CertificationFactory(operator=operator, project__code="a")
    AbsenceFactory(operator=operator, starts_on=ABSENT_DAY, ends_on=ABSENT_DAY)
    stored = ShiftFactory(
        operator=operator,
        starts_at=WEEK_START + dt.timedelta(hours=6),
        ends_at=WEEK_START + dt.timedelta(hours=14),
    )
    OperatorFactory(code="left", status="dismissed", left_on=MONDAY)

    (pool,) = pool_operators(start=MONDAY)

    assert (pool.code, pool.projects) == ("pool-op", frozenset({"a"}))
    assert ABSENT_DAY in pool.absent_days
    assert pool.busy == ((stored.starts_at, stored.ends_at),)

    result = schedule_week(
        start=MONDAY,
        requirements={"a": daytime(1)},
        operators=[pool],
        templates=[EARLY, LATE],
        max_hours_per_week=24,
    )
    # The stored Monday shift counts: 8 h stored + 16 h planned, none on Monday or Wednesday.
    assert result.paid_minutes == 16 * 60
    assert {s.starts_at.date() for s in result.shifts}.isdisjoint({MONDAY, ABSENT_DAY})

    # Someone stores a shift over the first planned one before publishing: it is skipped.
    first = result.shifts[0]
    ShiftFactory(operator=operator, starts_at=first.starts_at, ends_at=first.ends_at)
    published = schedule_publish(result=result)

    assert published.skipped == [first]
    assert [(s.starts_at, s.ends_at) for s in published.created] == [
        (s.starts_at, s.ends_at) for s in result.shifts[1:]
    ]
    assert Shift.objects.filter(operator=operator).count() == 2 + len(result.shifts) - 1
