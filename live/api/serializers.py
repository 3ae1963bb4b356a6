"""Shapes of the live endpoints: a call event as posted, the live state as read."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contactcenter.api.fields import AwareDateTimeField
from live.models import CallEvent


class CallEventSerializer(serializers.Serializer):
    """The documented shape of a posted call event; rows are checked by ``live.ingest``."""

    external_id = serializers.CharField(
        max_length=64, help_text=_("The telephony's id of the call, as its record will carry.")
    )
    project = serializers.CharField(help_text=_("Project code."))
    event = serializers.ChoiceField(choices=CallEvent.Event.choices)
    at = AwareDateTimeField(help_text=_("When it happened, ISO 8601 with an offset or Z."))
    operator = serializers.CharField(
        required=False, allow_null=True, help_text=_("Operator code (who answered).")
    )
    caller = serializers.CharField(
        required=False, allow_blank=True, max_length=16, help_text=_("E.164; blank if withheld.")
    )


class AgentCountsSerializer(serializers.Serializer):
    ready = serializers.IntegerField()
    on_call = serializers.IntegerField()
    wrap = serializers.IntegerField()
    # "break" is a Python keyword: the field is declared under its JSON name below.
    offline = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields["break"] = serializers.IntegerField()
        return fields


class TodaySerializer(serializers.Serializer):
    offered = serializers.IntegerField()
    answered = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    service_level = serializers.FloatField(allow_null=True, help_text=_("Null without calls."))
    asa_seconds = serializers.FloatField(allow_null=True)
    forecast_offered = serializers.FloatField(help_text=_("Forecast calls up to now, today."))


class LiveStateSerializer(serializers.Serializer):
    waiting = serializers.IntegerField(help_text=_("Calls offered and not yet answered or ended."))
    longest_wait_seconds = serializers.IntegerField()
    agents = AgentCountsSerializer()
    today = TodaySerializer()


class CurrentCallSerializer(serializers.Serializer):
    project = serializers.CharField()
    external_id = serializers.CharField()
    since = serializers.DateTimeField()


class OperatorLiveSerializer(serializers.Serializer):
    operator = serializers.CharField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["ready", "on_call", "wrap", "break", "offline"])
    since = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True, help_text=_("A break's reason code."))
    call = CurrentCallSerializer(allow_null=True)
