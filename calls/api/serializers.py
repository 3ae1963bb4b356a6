"""Input and output shape of a call record (SPEC section 3)."""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Operator
from calls.models import E164_REGEX, Call
from contactcenter.api.fields import AwareDateTimeField
from projects.api.fields import CodeLookupField, ProjectCodeField

MAX_INT = 2**31 - 1  # the columns are PostgreSQL integers


@extend_schema_field({"type": "string", "description": "Operator code.", "example": "ivan"})
class OperatorCodeField(CodeLookupField):
    """Any operator of the shared pool, by code.

    Not cut to the caller's scope: the telephony reports who answered, and refusing a
    call because that operator is not (yet) certified on the project would lose a
    billable record. The code is the sender's own data, so nothing leaks.
    """

    noun = "operator"

    def get_queryset(self):
        return Operator.objects.all()


class CallSerializer(serializers.ModelSerializer):
    """A call as read back with its derived durations; also the documented shape of a
    posted row. Posted rows are checked by ``calls.ingest`` (plain checks per row, one COPY),
    not by this serializer, so the single and the batch POST follow exactly one rule set.
    """

    project = ProjectCodeField()
    operator = OperatorCodeField(
        allow_null=True, required=False, help_text="Operator code; null if nobody answered."
    )
    caller = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        validators=[
            RegexValidator(E164_REGEX, message="Not an E.164 number, such as +74951234567.")
        ],
        help_text="E.164, such as +74951234567; blank if withheld.",
    )
    offered_at = AwareDateTimeField()
    answered_at = AwareDateTimeField(
        allow_null=True, required=False, help_text="Null if never answered."
    )
    ended_at = AwareDateTimeField()
    hold_seconds = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False)
    wrap_seconds = serializers.IntegerField(
        min_value=0, max_value=MAX_INT, required=False, help_text="After-call work, seconds."
    )
    outcome = serializers.ChoiceField(
        choices=[("answered", "Answered"), ("abandoned", "Abandoned")], read_only=True
    )
    wait_seconds = serializers.IntegerField(read_only=True)
    connected_seconds = serializers.IntegerField(read_only=True)
    talk_seconds = serializers.IntegerField(read_only=True)
    handle_seconds = serializers.IntegerField(read_only=True)
    contact: "serializers.PrimaryKeyRelatedField[Any]" = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Id of the project's contact for the caller's number; null if withheld.",
    )
    received_at = AwareDateTimeField(read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "external_id",
            "project",
            "direction",
            "caller",
            "operator",
            "offered_at",
            "answered_at",
            "ended_at",
            "hold_seconds",
            "wrap_seconds",
            "disposition",
            "recording_url",
            "outcome",
            "wait_seconds",
            "connected_seconds",
            "talk_seconds",
            "handle_seconds",
            "contact",
            "received_at",
        ]
        # The (project, external_id) key is the service's: a repeat is a duplicate or a
        # conflict, never a generic "must be unique".
        validators: list[Any] = []
