"""Webhook endpoints and their deliveries in the API. The secret is shown only by the
answers of a create and of a rotation (``WebhookEndpointWithSecretSerializer``)."""

from rest_framework import serializers

from contactcenter.events import EVENT_TYPES
from projects.api.fields import ClientCodeField
from webhooks.models import URL_MAX_LENGTH, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    client = ClientCodeField(
        required=False,
        allow_null=True,
        help_text="The client whose events it receives; an integration's own client by "
        "default; blank (superusers only): the center's endpoint, every client's events.",
    )
    url = serializers.CharField(max_length=URL_MAX_LENGTH)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=20
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "client",
            "url",
            "events",
            "description",
            "is_active",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["failing_since", "disabled_at", "disabled_reason", "created_at"]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="whsec_ + base64; shown only now: keep it."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "attempted_at",
            "status_code",
            "latency_ms",
            "error",
            "response_snippet",
            "manual",
        ]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="message.event_type")
    message_id = serializers.CharField(source="message.message_id")
    attempt_log = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_type",
            "message_id",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]
