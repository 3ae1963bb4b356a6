"""Months: 'YYYY-MM' parsed and printed in one place, with the Russian month names."""

import datetime as dt

# Nominative, lower case, as Russian documents write a month ("за октябрь 2026 г.").
MONTHS_RU = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
# No billing period, turnover month or archive lies before this year.
EARLIEST_YEAR = 2000
# Every date, month and instant a person or an integration sends lies in these years: the
# center's data starts after 2000, and a plan or forecast a lifetime ahead is a typo. Year 1
# or 9999 would overflow the date arithmetic downstream (a month's end, a week's start).
MIN_DATE = dt.date(EARLIEST_YEAR, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def parse_month(value: object) -> dt.date:
    """'2026-10' -> date(2026, 10, 1); anything else (also a year before 2000) raises
    ValueError. Surrounding blanks are ignored."""
    text = str(value).strip()
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12 and year >= EARLIEST_YEAR:
            return dt.date(year, month, 1)
    raise ValueError(f"Not a YYYY-MM month: {value!r}")


def parse_period(value: dt.date | str) -> dt.date:
    """A period as a task receives it: a date, 'YYYY-MM' (its first day) or an ISO date."""
    if isinstance(value, dt.date):
        return value
    if len(value) == 7:
        return parse_month(value)
    return dt.date.fromisoformat(value)


def month_label(period: dt.date) -> str:
    """date(2026, 10, 1) -> '2026-10'."""
    return f"{period:%Y-%m}"


def month_name_ru(period: dt.date) -> str:
    """date(2026, 10, 1) -> 'октябрь 2026'."""
    return f"{MONTHS_RU[period.month - 1]} {period.year}"


def month_ru(period: dt.date) -> str:
    """date(2026, 10, 1) -> 'октябрь 2026 г.' (the documents' form)."""
    return f"{month_name_ru(period)} г."
