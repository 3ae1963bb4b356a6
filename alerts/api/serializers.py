"""The alerts as the API shows them."""

from rest_framework import serializers

from alerts.conditions import condition_label
from alerts.models import Alert


class AlertSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    state = serializers.ChoiceField(choices=Alert.State.choices, read_only=True)
    label = serializers.SerializerMethodField()  # type: ignore[assignment]  # the field "label"
    acknowledged_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "project",
            "condition",
            "label",
            "state",
            "opened_at",
            "last_seen_at",
            "acknowledged_at",
            "acknowledged_by",
            "cleared_at",
            "value",
            "threshold",
            "message",
        ]
        read_only_fields = fields

    def get_label(self, alert: Alert) -> str:
        return condition_label(alert.condition)
