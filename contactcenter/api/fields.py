"""Field types shared by every app's serializers and filters: aware instants, dates and months,
all within the API's date range (``MIN_DATE``..``MAX_DATE``)."""

import datetime as dt
import re

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contactcenter.periods import MAX_DATE, MIN_DATE, parse_month

MIN_INSTANT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_INSTANT = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)  # excluded
OUT_OF_RANGE = format_lazy(
    gettext_lazy("Must be between {first} and {last}."),
    first=f"{MIN_DATE:%Y-%m-%d}",
    last=f"{MAX_DATE:%Y-%m-%d}",
)


def date_in_range(value: dt.date | dt.datetime) -> bool:
    """True when ``value`` (a date, or an aware instant) lies in the API's date range."""
    if isinstance(value, dt.datetime):
        return MIN_INSTANT <= value < MAX_INSTANT
    return MIN_DATE <= value <= MAX_DATE


def validate_date_range(value: dt.date | dt.datetime) -> None:
    """The validator of every date and instant parameter: a 400 naming the field outside
    the range."""
    if not date_in_range(value):
        raise serializers.ValidationError(OUT_OF_RANGE, code="out_of_range")


# Integers: every one the API takes has a maximum well below what its column holds
# (2,147,483,647 for an integer), so no input overflows a column or a sum. Ids are bigints.
MAX_ID = 2**63 - 1
MAX_SETTING_SECONDS = 3_600  # a threshold, increment, free or capped time of one call


def id_field(**kwargs) -> serializers.IntegerField:
    """An object id in a body: a positive bigint (a larger one is a 400, not a 500)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def seconds_kwargs(minimum: int = 0, maximum: int = MAX_SETTING_SECONDS) -> dict:
    """``extra_kwargs`` of a seconds setting of a model serializer: its bounds."""
    return {"min_value": minimum, "max_value": maximum}


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant that must carry an offset or ``Z`` (SPEC section 2)."""

    default_error_messages = {
        "naive": gettext_lazy(
            "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_range)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class BoundedDateField(serializers.DateField):
    """An ISO 8601 date (YYYY-MM-DD) within the API's date range."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_range)


def month_or_none(value: object) -> dt.date | None:
    """'2026-10' -> date(2026, 10, 1) (``contactcenter.periods.parse_month``); ``None`` for
    anything else, a month outside the API's date range included."""
    try:
        month = parse_month(value)
    except ValueError:
        return None
    return month if date_in_range(month) else None


MONTH_SCHEMA = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-10"}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month as 'YYYY-MM' (the first day of the month inside), within the date range."""

    default_error_messages = {
        "invalid": f"Enter a month as YYYY-MM between {MIN_DATE:%Y-%m} and {MAX_DATE:%Y-%m}, "
        "such as 2026-10.",
    }

    def to_representation(self, value):
        return f"{value:%Y-%m}"

    def to_internal_value(self, data):
        month = month_or_none(data)
        if month is None:
            self.fail("invalid")
        return month


# In a query string an unencoded "+" arrives as a space: "...T09:00:00 03:00".
_OFFSET_AFTER_SPACE = re.compile(r" (\d{2}(:?\d{2})?)$")


class AwareIsoDateTimeField(forms.DateTimeField):
    """An ISO 8601 instant with an offset or ``Z``; a naive one is refused (SPEC section 2).

    Tolerates the offset's "+" decoded as a space, a common slip in hand-typed URLs.
    """

    default_error_messages = {
        "invalid": gettext_lazy(
            "Enter an ISO 8601 datetime with an offset, such as 2026-10-05T09:00:00Z."
        ),
        "naive": gettext_lazy(
            "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        try:
            parsed = parse_datetime(text) or parse_datetime(_OFFSET_AFTER_SPACE.sub(r"+\1", text))
        except ValueError:  # well formed but impossible: month 13, offset +99:00
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_naive(parsed):
            raise forms.ValidationError(self.error_messages["naive"], code="naive")
        # In UTC: PostgreSQL refuses offsets past +-15:59 that Python accepts (up to 24 h).
        try:
            parsed = parsed.astimezone(dt.UTC)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range") from None
        if not date_in_range(parsed):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
        return parsed


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A ``from``/``to`` query parameter: an aware ISO 8601 instant."""

    field_class = AwareIsoDateTimeField
