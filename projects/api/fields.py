"""Serializer fields shared by the catalogue APIs: wall-clock times and scoped code lookups.

They live here rather than in ``contactcenter.api`` because the scoped lookups need
``projects``; the apps above (agents, calls, billing) may import them.
"""

import datetime as dt
import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api.scoping import MANAGER, visible_clients, visible_projects

_CLOCK = re.compile(r"^(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])$")
MIDNIGHT = dt.time(0, 0)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        "example": "09:00",
        "description": "Local wall-clock time, HH:MM.",
    }
)
class ClockField(serializers.Field):
    """A local wall-clock time as ``"HH:MM"``.

    With ``end_of_day=True`` (the end of a window) ``"24:00"`` is accepted and stored as
    00:00, and a stored 00:00 reads back as ``"24:00"``: an end at midnight is the end of
    the day, never its start. A start of ``"24:00"`` is refused.
    """

    default_error_messages = {
        "invalid": "Enter a time as HH:MM, such as 09:00.",
        "invalid_end": "Enter a time as HH:MM, such as 18:00, or 24:00 for midnight.",
    }

    def __init__(self, *, end_of_day=False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        error = "invalid_end" if self.end_of_day else "invalid"
        if not isinstance(data, str):
            self.fail(error)
        if self.end_of_day and data == "24:00":
            return MIDNIGHT
        match = _CLOCK.match(data)
        if not match:
            self.fail(error)
        return dt.time(int(match["hour"]), int(match["minute"]))

    def to_representation(self, value):
        if self.end_of_day and value == MIDNIGHT:
            return "24:00"
        return value.strftime("%H:%M")


class CodeLookupField(serializers.SlugRelatedField):
    """A reference by ``code`` to an object the requesting user may see.

    Subclasses set ``noun`` and implement ``get_queryset`` (the caller's scope).

    An object outside the caller's scope gives the same error as an unknown code, so
    the answer does not reveal that it exists.
    """

    default_error_messages = {
        "does_not_exist": "Unknown {noun} '{value}'.",
        "invalid": "Send the {noun} code as a string.",
    }
    noun = "object"

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", noun=self.noun)
        if "\x00" in data:  # PostgreSQL refuses NUL in text; no code holds one
            self.fail("does_not_exist", noun=self.noun, value=data.replace("\x00", "\\x00"))
        try:
            return self.get_queryset().get(code=data)
        except self.get_queryset().model.DoesNotExist:
            self.fail("does_not_exist", noun=self.noun, value=data)


@extend_schema_field({"type": "string", "description": "Project code.", "example": "hotline"})
class ProjectCodeField(CodeLookupField):
    """A project code among the projects the requesting user sees."""

    noun = "project"

    def __init__(self, *args, role=MANAGER, **kwargs):
        self.role = role
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return visible_projects(self.context["request"].user, self.role)


@extend_schema_field({"type": "string", "description": "Client code.", "example": "acme"})
class ClientCodeField(CodeLookupField):
    """A client code among the clients the requesting user sees."""

    noun = "client"

    def get_queryset(self):
        return visible_clients(self.context["request"].user)
