"""Numbers and instants as a person reads them, in the active language (docs/i18n.md).

Only for text people read: never for SVG attributes, CSV, XML or the API, which keep
Python's and JSON's own formats.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import formats, numberformat
from django.utils.translation import get_language, pgettext

CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€"}
NBSP = "\xa0"


def _grouped(value: Decimal | float | int, decimals: int) -> str:
    """``value`` with ``decimals`` places, the language's separators and digit groups."""
    # Rounded here: numberformat cuts the digits beyond ``decimal_pos`` (16.667 -> "16.6").
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return numberformat.format(
        rounded,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=formats.get_format("NUMBER_GROUPING") or 3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def money_text(value: Decimal | float | int | None, currency: str = "RUB") -> str:
    """``1006633.32`` -> ``1 006 633,32 ₽`` (ru) or ``1,006,633.32 ₽`` (en); None -> ``—``."""
    if value is None or value == "":
        return "—"
    sign = CURRENCY_SIGNS.get(currency, currency)
    return f"{_grouped(Decimal(str(value)), 2)}{NBSP}{sign}"


def percent_text(fraction: Decimal | float | None, decimals: int = 1) -> str:
    """A fraction as a percentage: ``0.859`` -> ``85,9 %`` (ru) or ``85.9%`` (en)."""
    if fraction is None or fraction == "":
        return "—"
    number = _grouped(Decimal(str(fraction)) * 100, decimals)
    # Russian puts a (non-breaking) space before the sign, English none.
    return f"{number}{NBSP}%" if (get_language() or "").startswith("ru") else f"{number}%"


def zone_name(local: dt.datetime) -> str:
    """The zone of an aware local instant as people name it: ``MSK``, else ``+07:00``."""
    abbreviation = local.strftime("%Z")
    if abbreviation and abbreviation[0] not in "+-":
        return abbreviation
    offset = local.strftime("%z")  # +0700
    return f"{offset[:3]}:{offset[3:]}"


def local_time_text(instant: dt.datetime | None, tz: str | dt.tzinfo) -> str:
    """An aware instant in the zone ``tz``, the zone named: ``18.11.2026 01:58:00 MSK`` (ru),
    ``2026-11-18 01:58:00 MSK`` (en); None -> blank."""
    if instant is None:
        return ""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = instant.astimezone(zone)
    # Translators: a date format (Django's date filter syntax) for an instant with seconds.
    pattern = pgettext("instant format", "Y-m-d H:i:s")
    return f"{formats.date_format(local, pattern)} {zone_name(local)}"


def number_text(value: Decimal | float | int, decimals: int = 0) -> str:
    """A number people read, digits grouped: ``1234.5`` -> ``1 234,5`` (ru), ``1,234.5`` (en)."""
    return _grouped(Decimal(str(value)), decimals)
