"""Input and output shapes of operators and their certifications."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from agents.models import AgentStateEvent, Certification, Operator
from contactcenter.api.fields import AwareDateTimeField, BoundedDateField, validate_date_range
from projects.api.fields import ProjectCodeField
from projects.api.scoping import sees_internal_costs
from projects.api.serializers import code_validators


class CertificationSerializer(serializers.Serializer):
    project = ProjectCodeField()
    level = serializers.ChoiceField(
        choices=Certification.Level.choices,
        default=Certification.Level.REGULAR,
        help_text="1 junior, 2 regular, 3 senior.",
    )
    certified_on = BoundedDateField()


# The contract's working rules (agents.contracts): read by every caller who sees the
# operator, written by those who change the pool; omitted on create, the center's defaults.
CONTRACT_FIELDS = (
    "contract_hours_per_week",
    "max_hours_per_week",
    "min_rest_hours",
    "max_consecutive_days",
    "preferred_days_off",
    "overtime_allowed",
    "overtime_hourly_cost",
)


class OperatorSerializer(serializers.ModelSerializer):
    preferred_days_off = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        max_length=7,
        required=False,
        help_text="Weekdays the operator prefers off, 0 = Monday ... 6 = Sunday.",
    )
    supervisor = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        required=False,
        allow_null=True,
        help_text=(
            "Username of the team lead (a staff user) who may dispute their QA scores; "
            "absent from answers to integrations."
        ),
    )
    certifications = CertificationSerializer(
        many=True,
        required=False,
        help_text=(
            "Projects the operator may take calls of, among the projects the caller sees. "
            "When sent, the list replaces those certifications; omitted, they stay."
        ),
    )

    class Meta:
        model = Operator
        fields = [
            "code",
            "full_name",
            "email",
            "status",
            "hired_on",
            "left_on",
            "hourly_cost",
            "supervisor",
            "certifications",
            *CONTRACT_FIELDS,
        ]
        extra_kwargs = {
            "code": {"validators": code_validators(Operator, "operator")},
            "hourly_cost": {
                "min_value": 0,
                "help_text": "Internal cost of an hour; absent from answers to integrations.",
            },
            "hired_on": {"validators": [validate_date_range]},
            "left_on": {"validators": [validate_date_range]},
            "contract_hours_per_week": {"min_value": 0, "max_value": 168},
            "max_hours_per_week": {
                "min_value": 0,
                "max_value": 168,
                "help_text": (
                    "Scheduled hours in a week never exceed this, overtime included; at "
                    "least contract_hours_per_week."
                ),
            },
            "min_rest_hours": {"min_value": 0, "max_value": 72},
            "max_consecutive_days": {"min_value": 1, "max_value": 14},
            "overtime_hourly_cost": {
                "min_value": 0,
                "help_text": (
                    "Cost of an hour beyond the contract; null: hourly_cost times the "
                    "center's overtime rate. Absent from answers to integrations."
                ),
            },
        }

    # The center's internal fields: what an operator costs and which of our staff leads
    # them. Absent (not null) from every answer to an integration token.
    INTERNAL_FIELDS = ("hourly_cost", "supervisor", "overtime_hourly_cost")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not sees_internal_costs(request.user):
            for name in self.INTERNAL_FIELDS:
                fields.pop(name, None)
        return fields

    # Set when an operator is created; afterwards only the lifecycle moves them, dated and
    # kept as history (POST operators/{code}/status/).
    LIFECYCLE_FIELDS = ("status", "hired_on", "left_on")

    def validate(self, attrs):
        if self.instance is not None:
            errors = {
                name: [
                    _(
                        "Changed only through POST operators/%(code)s/status/, which dates the"
                        " move and keeps it in the operator's history."
                    )
                    % {"code": self.instance.code}
                ]
                for name in self.LIFECYCLE_FIELDS
                if name in attrs and attrs[name] != getattr(self.instance, name)
            }
            if errors:
                raise serializers.ValidationError(errors)
        # The contract's rules together (max >= contract...): Operator.contract_errors,
        # checked by the service as a 400 naming the field.
        return super().validate(attrs)


class AgentStateEventSerializer(serializers.ModelSerializer):
    """An operator's state change as read back; also the documented shape of a posted row.

    Posted rows are checked by ``agents.ingest`` (plain checks per row, one COPY).
    """

    operator = serializers.SlugRelatedField(slug_field="code", queryset=Operator.objects.all())
    at = AwareDateTimeField()
    received_at = AwareDateTimeField(read_only=True)

    class Meta:
        model = AgentStateEvent
        fields = ["id", "operator", "state", "at", "reason", "received_at"]
        read_only_fields = ["id"]
        validators: list[
            Any
        ] = []  # (operator, at) repeats are the ingestion's duplicates or conflicts
