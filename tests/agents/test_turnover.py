"""Turnover per month (agents.turnover), exact on a small history written out here.

Ten operators, January to March 2026 ("left" is the last day worked):

| op  | history                                                                   |
|-----|---------------------------------------------------------------------------|
| o1  | active since 2025-07-01                                                   |
| o2  | active since 2025-10-01, dismissed 2026-01-20 (voluntary)                 |
| o3  | active since 2025-12-01, dismissed 2026-02-28 (performance)               |
| o4  | training 2025-12-15, active 2026-01-05                                    |
| o5  | active 2026-01-31, dismissed 2026-03-15 (attendance)                      |
| o6  | active 2026-02-01                                                         |
| o7  | active since 2025-06-01, dismissed 2026-01-31 (end_of_contract), rehired  |
|     | 2026-02-10 (candidate, then training the same day), active 2026-03-02     |
| o8  | training 2026-02-02, dismissed 2026-02-20 (failed_training): a dropout    |
| o9  | active 2026-03-31                                                         |
| o10 | active since 2025-11-01, dismissed 2026-04-02 (after the range)           |

| month   | start | hires (re)    | leavers   | end | rate | avg tenure (days)      | left  | drop |
|---------|-------|---------------|-----------|-----|------|------------------------|-------|------|
| 2026-01 | 5     | 2 (0): o4, o5 | 2: o2, o7 | 5   | 2/5  | (215+62+27+1+92)/5     | 357/2 | 0    |
| 2026-02 | 5     | 1 (0): o6     | 1: o3     | 5   | 1/5  | (243+55+29+28+120)/5   | 90    | 1    |
| 2026-03 | 5     | 2 (1): o7, o9 | 1: o5     | 6   | 2/11 | (274+86+59+30+1+151)/6 | 44    | 0    |

January: 397/5 days of tenure, leavers (112 + 245) / 2; February 95; March 601/6; the March
rate is 1 / ((5 + 6) / 2). "re": rehires among the hires; "left": the leavers' average
tenure; "drop": training dropouts.
Tenure counts both ends: o5 hired on 31 January has 1 day at January's end.
"""

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest

from agents import turnover
from tests.factories import OperatorFactory
from tests.factories.people import OperatorStatusChangeFactory

D = dt.date

HISTORY = {
    "o1": [("candidate", "active", D(2025, 7, 1), "")],
    "o2": [
        ("candidate", "active", D(2025, 10, 1), ""),
        ("active", "dismissed", D(2026, 1, 20), "voluntary"),
    ],
    "o3": [
        ("candidate", "active", D(2025, 12, 1), ""),
        ("active", "dismissed", D(2026, 2, 28), "performance"),
    ],
    "o4": [
        ("candidate", "training", D(2025, 12, 15), ""),
        ("training", "active", D(2026, 1, 5), ""),
    ],
    "o5": [
        ("training", "active", D(2026, 1, 31), ""),
        ("active", "dismissed", D(2026, 3, 15), "attendance"),
    ],
    "o6": [("training", "active", D(2026, 2, 1), "")],
    "o7": [
        ("training", "active", D(2025, 6, 1), ""),
        ("active", "dismissed", D(2026, 1, 31), "end_of_contract"),
        ("dismissed", "candidate", D(2026, 2, 10), ""),
        ("candidate", "training", D(2026, 2, 10), ""),
        ("training", "active", D(2026, 3, 2), ""),
    ],
    "o8": [
        ("candidate", "training", D(2026, 2, 2), ""),
        ("training", "dismissed", D(2026, 2, 20), "failed_training"),
    ],
    "o9": [("training", "active", D(2026, 3, 31), "")],
    "o10": [
        ("training", "active", D(2025, 11, 1), ""),
        ("active", "dismissed", D(2026, 4, 2), "voluntary"),
    ],
}


@pytest.fixture
def history(db):
    for code, moves in HISTORY.items():
        status = moves[-1][1]
        hired = [on for _, to, on, _ in moves if to == "active"]
        operator = OperatorFactory(
            code=code,
            status=status,
            hired_on=hired[-1] if hired and status != "candidate" else None,
            left_on=moves[-1][2] if status == "dismissed" else None,
        )
        for from_status, to_status, on, reason in moves:
            OperatorStatusChangeFactory(
                operator=operator,
                from_status=from_status,
                to_status=to_status,
                effective_on=on,
                reason=reason,
            )


EXPECTED = [
    turnover.MonthFigures(
        month=D(2026, 1, 1),
        headcount_start=5,
        headcount_end=5,
        hires=2,
        rehires=0,
        leavers=2,
        leavers_by_reason={"end_of_contract": 1, "voluntary": 1},
        training_dropouts=0,
        turnover_rate=Fraction(2, 5),
        average_tenure_days=Fraction(397, 5),
        average_leaver_tenure_days=Fraction(357, 2),
    ),
    turnover.MonthFigures(
        month=D(2026, 2, 1),
        headcount_start=5,
        headcount_end=5,
        hires=1,
        rehires=0,
        leavers=1,
        leavers_by_reason={"performance": 1},
        training_dropouts=1,
        turnover_rate=Fraction(1, 5),
        average_tenure_days=Fraction(95),
        average_leaver_tenure_days=Fraction(90),
    ),
    turnover.MonthFigures(
        month=D(2026, 3, 1),
        headcount_start=5,
        headcount_end=6,
        hires=2,
        rehires=1,
        leavers=1,
        leavers_by_reason={"attendance": 1},
        training_dropouts=0,
        turnover_rate=Fraction(2, 11),
        average_tenure_days=Fraction(601, 6),
        average_leaver_tenure_days=Fraction(44),
    ),
]


def test_the_written_history_gives_the_table(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        figures = turnover.turnover(first_month=D(2026, 1, 1), last_month=D(2026, 3, 31))
    assert figures == EXPECTED


def test_each_month_alone_gives_the_same_figures(history):
    for expected in EXPECTED:
        assert turnover.turnover(first_month=expected.month, last_month=expected.month) == [
            expected
        ]


def test_headcount_flows_from_month_to_month(history):
    figures = turnover.turnover(first_month=D(2025, 6, 1), last_month=D(2026, 4, 30))
    for before, after in itertools.pairwise(figures):
        assert after.headcount_start == before.headcount_end
    for month in figures:
        assert month.headcount_end == month.headcount_start + month.hires - month.leavers
    april = figures[-1]
    assert (april.headcount_start, april.leavers, april.headcount_end) == (6, 1, 5)


def test_the_api_row_rounds_half_up():
    row = turnover.as_row(EXPECTED[2])
    assert row["month"] == "2026-03"
    assert row["turnover_rate"] == "0.1818"
    assert row["average_tenure_days"] == "100.2"  # 601 / 6 = 100.1666...
    assert row["average_leaver_tenure_days"] == "44.0"
    assert turnover.rounded(Fraction(1, 8), 2) == Decimal("0.13")


def test_an_empty_month_has_null_ratios(db):
    (month,) = turnover.turnover(first_month=D(2026, 1, 1), last_month=D(2026, 1, 1))
    assert (month.headcount_start, month.headcount_end, month.turnover_rate) == (0, 0, None)
    assert month.average_tenure_days is None
    assert month.average_leaver_tenure_days is None
    assert turnover.as_row(month)["turnover_rate"] is None


def test_an_operator_without_history_counts_from_their_dates(db):
    OperatorFactory(code="legacy", status="active", hired_on=D(2026, 1, 10))
    OperatorFactory(code="gone", status="dismissed", hired_on=D(2025, 5, 1), left_on=D(2026, 1, 15))
    (january,) = turnover.turnover(first_month=D(2026, 1, 1), last_month=D(2026, 1, 1))
    assert (january.headcount_start, january.hires, january.leavers, january.headcount_end) == (
        1,
        1,
        1,
        1,
    )
    assert january.average_tenure_days == 22  # 10..31 January
