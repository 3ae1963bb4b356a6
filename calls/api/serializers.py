"""Input and output shape of a call record (SPEC section 3)."""

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Operator
from calls.bounds import MAX_CONNECTED_SECONDS, MAX_WRAP_SECONDS
from calls.models import E164_REGEX, Call
from calls.phones import caller_shown, raw_caller_shown
from contactcenter.api.fields import AwareDateTimeField
from projects.api.fields import CodeLookupField, ProjectCodeField

# The instants' window, stated once for the schema (docs/limits.md); the checks are
# calls.ingest's, against the settings of the running server.
_WINDOW = (
    " Not before CALL_EARLIEST_INSTANT (default 2000-01-01T00:00:00Z) and at most "
    "CALL_MAX_FUTURE_SECONDS (default 86400) ahead of the server's clock."
)


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
    external_id = serializers.CharField(
        min_length=1,
        max_length=64,
        help_text=(
            "The telephony's id of the call; unique within the project. Surrounding "
            "whitespace is dropped; blank (or spaces only) is refused."
        ),
    )
    operator = OperatorCodeField(
        allow_null=True, required=False, help_text="Operator code; null if nobody answered."
    )
    caller = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        validators=[
            RegexValidator(E164_REGEX, message=_("Not an E.164 number, such as +74951234567."))
        ],
        help_text=(
            "E.164, such as +74951234567; blank if withheld or erased. Masked "
            "(`+7 495 *** ** 67`) to QA evaluators and trainers (docs/privacy.md)."
        ),
    )
    caller_raw = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text=(
            "The caller id as the PBX wrote it (at most 64 characters), kept beside caller: "
            "a number caller cannot hold (an extension, a foreign number without its "
            "country) leaves caller blank and caller_raw set. Masked like caller."
        ),
    )
    caller_erased = serializers.BooleanField(
        read_only=True, help_text="The number was erased (on request or by retention)."
    )
    offered_at = AwareDateTimeField(help_text="When the call reached the queue." + _WINDOW)
    answered_at = AwareDateTimeField(
        allow_null=True,
        required=False,
        help_text="Null if never answered. At most CALL_MAX_WAIT_SECONDS (default 86400) "
        "after offered_at." + _WINDOW,
    )
    ended_at = AwareDateTimeField(
        help_text="At most CALL_MAX_CONNECTED_SECONDS (default 86400) after answered_at; "
        "unanswered, at most CALL_MAX_WAIT_SECONDS after offered_at." + _WINDOW
    )
    hold_seconds = serializers.IntegerField(
        min_value=0,
        max_value=MAX_CONNECTED_SECONDS,
        required=False,
        help_text="Seconds on hold; within the connected time.",
    )
    wrap_seconds = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WRAP_SECONDS,
        required=False,
        help_text="After-call work, seconds; at most CALL_MAX_WRAP_SECONDS (default 3600).",
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
            "caller_raw",
            "caller_erased",
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

    def to_representation(self, call):
        data = super().to_representation(call)
        # The view names the projects whose numbers the reader sees in full; without it,
        # every number is masked.
        full = self.context.get("full_number_project_ids", set())
        data["caller"] = caller_shown(call.caller, call.project_id, full)
        data["caller_raw"] = raw_caller_shown(call.caller_raw, call.project_id, full)
        return data
