"""Field types shared by every app's serializers."""

from django.utils import timezone
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
