"""The one rounding of money: Decimal, half-up, to kopecks (cents)."""

from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """The one rounding helper: to kopecks, half-up (0.125 -> 0.13, 2.675 -> 2.68)."""
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)
