"""The QA score of one evaluation: plain functions over ``Decimal``, no database.

score = sum of the weights of the criteria met / sum of the weights of the criteria that
apply (met or not met) x 100, half-up to 2 decimals. An N/A answer leaves its criterion out
of both sums. Failing any critical criterion zeroes the score (0.00), whatever the rest;
a critical criterion answered N/A fails nothing. An evaluation in which no criterion
applies has no score and cannot be submitted (``NothingApplies``). See docs/quality.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MET = "met"
NOT_MET = "not_met"
NA = "na"
ANSWERS = (MET, NOT_MET, NA)

HUNDREDTH = Decimal("0.01")
HUNDRED = Decimal(100)


def round_score(value) -> Decimal:
    """The one rounding rule of QA scores: to hundredths, half-up (76.465 -> 76.47)."""
    return Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


class NothingApplies(ValueError):
    """Every criterion was answered N/A: there is nothing to score."""


@dataclass(frozen=True)
class Answer:
    """One criterion as scored: its weight, whether it is critical, and the answer."""

    weight: int | Decimal
    is_critical: bool
    answer: str


@dataclass(frozen=True)
class Score:
    score: Decimal
    critical_failed: bool
    met_weight: Decimal
    applicable_weight: Decimal


def score(answers: Iterable[Answer]) -> Score:
    """The evaluation's score from its answers (one per criterion of the scorecard)."""
    met = applicable = Decimal(0)
    critical_failed = False
    for item in answers:
        if item.answer not in ANSWERS:
            raise ValueError(f"Unknown answer {item.answer!r}; one of {ANSWERS}.")
        weight = Decimal(item.weight)
        if weight <= 0:
            raise ValueError(f"A criterion weight must be positive, not {weight}.")
        if item.answer == NA:
            continue
        applicable += weight
        if item.answer == MET:
            met += weight
        elif item.is_critical:
            critical_failed = True
    if not applicable:
        raise NothingApplies("Every criterion is N/A: there is nothing to score.")
    value = Decimal(0) if critical_failed else met / applicable * HUNDRED
    return Score(
        score=round_score(value),
        critical_failed=critical_failed,
        met_weight=met,
        applicable_weight=applicable,
    )


def average(scores: Iterable[Decimal]) -> Decimal | None:
    """The mean of stored scores, rounded by the same rule; ``None`` for no scores."""
    values = list(scores)
    if not values:
        return None
    return round_score(sum(values, Decimal(0)) / len(values))
