"""SLA credits (docs/billing.md, "SLA credits"): a project's month measured against the
contract's term, and the credit its schedule gives, as an invoice line of its own.

The measurement uses the product's one KPI definition (``calls.kpis``: the project's
``sl_formula`` for the service level, short abandons left out of the abandon rate) over the
counters of the project's inbound calls offered in its local month, counted like the
rollups count them (``calls.rollups.FILL_PROJECT_INTERVALS``) but with the term's threshold.
The arithmetic (``sla_shortfall``, ``sla_tier``, ``sla_credit_amount``) is plain functions.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.utils import translation

from billing import rating
from billing.models import InvoiceLine, SlaTerm
from calls import kpis
from contactcenter.l10n import money_text, number_text
from contactcenter.money import money
from contactcenter.periods import month_name_ru
from projects.models import Project

POINT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclasses.dataclass(frozen=True)
class SlaMeasure:
    """A project's month against its term: the measured percent (to 0.01, half-up; None
    without calls) and the counters it came from."""

    term: SlaTerm
    measured_percent: Decimal | None
    counters: dict[str, int]


# --- Plain arithmetic ------------------------------------------------------------------


def percent_of(fraction: float | None) -> Decimal | None:
    """A KPI ratio as percent to 0.01, half-up (what the invoice prints is what is judged)."""
    if fraction is None:
        return None
    return (Decimal(repr(fraction)) * HUNDRED).quantize(POINT, rounding=ROUND_HALF_UP)


def sla_shortfall(*, metric: str, target: Decimal, measured: Decimal | None) -> Decimal:
    """Percentage points the month missed by (0 when met or not measured): under the target
    for the service level, over it for the abandon rate."""
    if measured is None:
        return Decimal(0)
    missed = target - measured if metric == SlaTerm.Metric.SERVICE_LEVEL else measured - target
    return max(missed, Decimal(0))


def sla_tier(tiers: Sequence[Any], shortfall: Decimal) -> Any:
    """The tier a shortfall falls in: the first bound (ascending) it does not exceed, else
    the open 'beyond' tier, else the highest bound (the schedule caps); None when met."""
    if shortfall <= 0 or not tiers:
        return None
    bounded = sorted(
        (t for t in tiers if t.shortfall_up_to_points is not None),
        key=lambda t: t.shortfall_up_to_points,
    )
    for tier in bounded:
        if shortfall <= tier.shortfall_up_to_points:
            return tier
    beyond = [t for t in tiers if t.shortfall_up_to_points is None]
    return beyond[0] if beyond else bounded[-1]


def sla_credit_amount(base: Decimal, credit_percent: Decimal) -> Decimal:
    """The credit, negative, rounded once to the kopeck half-up: -(base * percent / 100)."""
    return -money(base * credit_percent / HUNDRED)


# --- The month's measurement -----------------------------------------------------------

# The rollups' counters (calls.rollups.FILL_PROJECT_INTERVALS) over one project's month,
# with the term's threshold in place of the project's.
MONTH_COUNTERS_SQL = """
    SELECT count(*),
           count(c.answered_at),
           count(*) FILTER (WHERE c.answered_at IS NULL),
           count(*) FILTER (WHERE c.answered_at IS NULL AND c.wait_seconds < %(short)s),
           count(*) FILTER (WHERE c.answered_at IS NOT NULL AND c.wait_seconds <= %(threshold)s),
           count(*) FILTER (WHERE c.answered_at IS NULL AND c.wait_seconds <= %(threshold)s)
    FROM calls_call c
    WHERE c.project_id = %(project)s AND c.direction = 'inbound'
      AND c.offered_at >= %(start)s AND c.offered_at < %(end)s
"""
MONTH_COUNTER_NAMES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_threshold",
    "abandoned_within_threshold",
)


def month_counters(*, project: Project, period: dt.date, threshold: int) -> dict[str, int]:
    """Counters of the project's inbound calls offered in its local month ``period``."""
    start, end = rating.month_window(period, project.timezone)
    params: dict[str, Any] = {
        "project": project.pk,
        "start": start,
        "end": end,
        "threshold": threshold,
        "short": project.short_abandon_seconds,
    }
    with connection.cursor() as cursor:
        cursor.execute(MONTH_COUNTERS_SQL, params)
        row = cursor.fetchone()
    return dict(zip(MONTH_COUNTER_NAMES, (int(value) for value in row), strict=True))


def term_in_force(project: Project, period: dt.date) -> SlaTerm | None:
    """The project's term with the latest ``valid_from`` on or before the month's first day."""
    return (
        SlaTerm.objects.filter(project=project, valid_from__lte=period)
        .prefetch_related("tiers")
        .order_by("-valid_from")
        .first()
    )


def sla_measure(*, term: SlaTerm, project: Project, period: dt.date) -> SlaMeasure:
    """The project's month measured by the term's metric (``calls.kpis``)."""
    threshold = term.threshold_seconds or project.sl_threshold_seconds
    counters = month_counters(project=project, period=period, threshold=threshold)
    if term.metric == SlaTerm.Metric.SERVICE_LEVEL:
        fraction = kpis.service_level(counters, project.sl_formula)
    else:
        fraction = kpis.abandon_rate(counters)
    return SlaMeasure(term=term, measured_percent=percent_of(fraction), counters=counters)


# --- The line --------------------------------------------------------------------------


def _percent_ru(value: Decimal, decimals: int) -> str:
    return f"{number_text(value, decimals)}%"


def _target_ru(value: Decimal) -> str:
    """80 -> '80', 92.5 -> '92,5': the target as the contract writes it."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def sla_description(
    *, project: Project, measure: SlaMeasure, credit_percent: Decimal, base: Decimal, period
) -> str:
    """'Скидка по SLA, Горячая линия, октябрь 2026: уровень обслуживания 72,40% при цели
    80% (−5% от 12 345,67 ₽)'."""
    term = measure.term
    with translation.override("ru"):
        measured = _percent_ru(measure.measured_percent or Decimal(0), 2)
        base_text = money_text(base)
        credit = _target_ru(credit_percent)
    if term.metric == SlaTerm.Metric.SERVICE_LEVEL:
        what = f"уровень обслуживания {measured} при цели {_target_ru(term.target_percent)}%"
    else:
        what = (
            f"доля потерянных вызовов {measured} при цели не более "
            f"{_target_ru(term.target_percent)}%"
        )
    return (
        f"Скидка по SLA, {project.name}, {month_name_ru(period)}: {what} "
        f"(−{credit}% от {base_text})"
    )[:255]


def sla_credit_lines(
    *, period: dt.date, projects: Sequence[Project], usage_of_period: dict[int, Decimal]
) -> list[InvoiceLine]:
    """One credit line per project whose month missed its term, ``credit_percent`` of the
    project's usage of the month (``usage_of_period``: its usage lines of ``period``)."""
    lines = []
    for project in sorted(projects, key=lambda p: p.code):
        base = usage_of_period.get(project.id, Decimal(0))
        if base <= 0:
            continue
        term = term_in_force(project, period)
        if term is None:
            continue
        measure = sla_measure(term=term, project=project, period=period)
        shortfall = sla_shortfall(
            metric=term.metric, target=term.target_percent, measured=measure.measured_percent
        )
        tier = sla_tier(list(term.tiers.all()), shortfall)
        if tier is None:
            continue
        amount = sla_credit_amount(base, tier.credit_percent)
        if amount == 0:
            continue
        lines.append(
            InvoiceLine(
                project_id=project.id,
                kind=InvoiceLine.Kind.SLA_CREDIT,
                band="",
                service_period=period,
                description=sla_description(
                    project=project,
                    measure=measure,
                    credit_percent=tier.credit_percent,
                    base=base,
                    period=period,
                ),
                rate_per_minute=Decimal("0"),
                amount=amount,
            )
        )
    return lines


def sla_term_details(term: SlaTerm) -> dict[str, Any]:
    """A term as an issued invoice's snapshot keeps it (docs/billing.md, 'Frozen documents')."""
    return {
        "id": term.id,
        "valid_from": term.valid_from.isoformat(),
        "metric": term.metric,
        "target_percent": str(term.target_percent),
        "threshold_seconds": term.threshold_seconds,
        "tiers": [
            {
                "shortfall_up_to_points": None
                if tier.shortfall_up_to_points is None
                else str(tier.shortfall_up_to_points),
                "credit_percent": str(tier.credit_percent),
            }
            for tier in sla_tiers_sorted(term.tiers.all())
        ],
    }


def sla_tiers_sorted(tiers) -> list[Any]:
    """Bounded tiers ascending, then the 'beyond' tier."""
    return sorted(
        tiers,
        key=lambda t: (t.shortfall_up_to_points is None, t.shortfall_up_to_points or 0, t.id or 0),
    )
