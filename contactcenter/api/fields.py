"""Field types shared by every app's serializers and filters: aware instants only."""

import datetime as dt
import re

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant that must carry an offset or ``Z`` (SPEC section 2)."""

    default_error_messages = {
        "naive": "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'.",
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


# In a query string an unencoded "+" arrives as a space: "...T09:00:00 03:00".
_OFFSET_AFTER_SPACE = re.compile(r" (\d{2}(:?\d{2})?)$")


class AwareIsoDateTimeField(forms.DateTimeField):
    """An ISO 8601 instant with an offset or ``Z``; a naive one is refused (SPEC section 2).

    Tolerates the offset's "+" decoded as a space, a common slip in hand-typed URLs.
    """

    default_error_messages = {
        "invalid": "Enter an ISO 8601 datetime with an offset, such as 2026-10-05T09:00:00Z.",
        "naive": "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'.",
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
            return parsed.astimezone(dt.UTC)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A ``from``/``to`` query parameter: an aware ISO 8601 instant."""

    field_class = AwareIsoDateTimeField
