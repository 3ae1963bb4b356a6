"""The working rules of each operator's contract, with the center's defaults (docs/scheduling.md).

Every rule the scheduler and the replacement finder apply to a person lives on the operator
(``Operator.contract_hours_per_week``, ``max_hours_per_week``, ``min_rest_hours``,
``max_consecutive_days``, ``preferred_days_off``, ``overtime_allowed``,
``overtime_hourly_cost``); a new operator takes the center's defaults
(``settings.OPERATOR_CONTRACT_DEFAULTS``). ``rules_for(operator)`` is the one reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from agents.models import Operator

# A 40-hour week (Labour Code art. 91), 12 hours between shifts, at most six days in a row
# (one day off a week at least, art. 111), overtime paid 1.5x (art. 152, first two hours).
CENTER_DEFAULTS: dict[str, Any] = {
    "contract_hours_per_week": Decimal("40"),
    "max_hours_per_week": Decimal("48"),
    "min_rest_hours": 12,
    "max_consecutive_days": 6,
    "overtime_rate": Decimal("1.5"),
}


def center_default(name: str) -> Any:
    return {**CENTER_DEFAULTS, **getattr(settings, "OPERATOR_CONTRACT_DEFAULTS", {})}[name]


def default_contract_hours() -> Decimal:
    return Decimal(center_default("contract_hours_per_week"))


def default_max_hours() -> Decimal:
    return Decimal(center_default("max_hours_per_week"))


def default_min_rest_hours() -> int:
    return int(center_default("min_rest_hours"))


def default_max_consecutive_days() -> int:
    return int(center_default("max_consecutive_days"))


@dataclass(frozen=True)
class OperatorRules:
    contract_hours_per_week: Decimal
    max_hours_per_week: Decimal
    min_rest_hours: int
    max_consecutive_days: int
    preferred_days_off: frozenset[int]  # 0 = Monday ... 6 = Sunday
    overtime_allowed: bool
    overtime_hourly_cost: Decimal  # per hour beyond the contract's hours


def rules_for(operator: Operator) -> OperatorRules:
    """The operator's rules; overtime costs the set rate, else hourly cost x the center's rate."""
    overtime_cost = operator.overtime_hourly_cost
    if overtime_cost is None:
        rate = Decimal(center_default("overtime_rate"))
        overtime_cost = (operator.hourly_cost * rate).quantize(Decimal("0.01"))
    return OperatorRules(
        contract_hours_per_week=operator.contract_hours_per_week,
        max_hours_per_week=operator.max_hours_per_week,
        min_rest_hours=operator.min_rest_hours,
        max_consecutive_days=operator.max_consecutive_days,
        preferred_days_off=frozenset(operator.preferred_days_off or ()),
        overtime_allowed=operator.overtime_allowed,
        overtime_hourly_cost=overtime_cost,
    )
