"""``{{ value|money }}`` and ``{{ value|percent }}``: numbers people read, in their language.

Never inside SVG attributes, CSV, XML or the API (docs/i18n.md).
"""

from decimal import Decimal

from django import template

from contactcenter.l10n import money_text, number_text, percent_text

register = template.Library()


@register.filter
def money(value: Decimal | float | None, currency: str = "RUB") -> str:
    """``{{ total|money }}``: 1 006 633,32 ₽; ``{{ total|money:"EUR" }}``: 1 006 633,32 €."""
    return money_text(value, currency)


@register.filter
def percent(fraction: Decimal | float | None, decimals: int = 1) -> str:
    """``{{ 0.859|percent }}``: 85,9 %; ``{{ rate|percent:0 }}``: 86 %."""
    return percent_text(fraction, int(decimals))


@register.filter
def number(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """``{{ 1234.5|number:1 }}``: 1 234,5; None or blank: —."""
    if value is None or value == "":
        return "—"
    return number_text(value, int(decimals))
