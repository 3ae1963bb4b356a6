"""Input and output shapes of the people endpoints: lifecycle moves, history, training and
turnover."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents import turnover
from agents.models import (
    DismissalReason,
    Operator,
    OperatorStatusChange,
    TrainingEnrolment,
    TrainingProgram,
)
from contactcenter.api.fields import MAX_ID, BoundedDateField
from projects.api.fields import ProjectCodeField
from projects.api.scoping import TRAINER, visible_projects

STATUSES = ", ".join(Operator.Status.values)


def status_field(**kwargs):
    # Plain strings in the schema: the operators' status enum is already named "status",
    # and drf-spectacular warns about one choice set under several names.
    return serializers.CharField(help_text=f"One of: {STATUSES}.", **kwargs)


class StatusMoveSerializer(serializers.Serializer):
    to_status = status_field()
    on = BoundedDateField(
        help_text="The day the move takes effect; a dismissal's is the "
        "last day worked. Not after today, not before the last move."
    )
    reason = serializers.ChoiceField(
        choices=DismissalReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with to_status dismissed, refused otherwise.",
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate_to_status(self, value):
        if value not in Operator.Status.values:
            raise serializers.ValidationError(
                _("Choose one of: %(choices)s.") % {"choices": STATUSES}
            )
        return value


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = status_field(read_only=True)
    to_status = status_field(read_only=True)
    changed_by: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = OperatorStatusChange
        fields = [
            "id",
            "from_status",
            "to_status",
            "effective_on",
            "reason",
            "note",
            "changed_by",
            "created_at",
        ]


class OperatorLifecycleSerializer(serializers.ModelSerializer):
    """An operator's current lifecycle fields (no certifications: the pool is shared,
    certifications are not)."""

    status = status_field(read_only=True)

    class Meta:
        model = Operator
        fields = ["code", "full_name", "status", "hired_on", "left_on"]


class StatusMoveResultSerializer(serializers.Serializer):
    operator = OperatorLifecycleSerializer()
    change = StatusChangeSerializer()
    deleted_shifts = serializers.IntegerField(help_text="Future shifts a dismissal deleted.")


class OperatorHistorySerializer(serializers.Serializer):
    operator = serializers.CharField()
    status = status_field()
    changes = StatusChangeSerializer(many=True)


class TrainingProgramSerializer(serializers.ModelSerializer):
    project = ProjectCodeField(role=TRAINER)
    hours = serializers.IntegerField(min_value=1, max_value=10000)
    hours_per_day = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal("0.25"), max_value=24, required=False
    )
    passing_score = serializers.IntegerField(min_value=0, max_value=100)

    class Meta:
        model = TrainingProgram
        fields = [
            "id",
            "project",
            "name",
            "hours",
            "hours_per_day",
            "passing_score",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        validators: list[
            Any
        ] = []  # (project, name) is checked by agents.training, naming the field


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class ScopedProgramField(serializers.PrimaryKeyRelatedField):
    """A course of a project the caller trains on; another's is an unknown id."""

    def get_queryset(self):
        projects = visible_projects(self.context["request"].user, TRAINER)
        return TrainingProgram.objects.filter(project__in=projects)


class EnrolmentCreateSerializer(serializers.Serializer):
    operator = serializers.SlugRelatedField(
        slug_field="code", queryset=Operator.objects.all(), help_text="Operator code."
    )
    program = ScopedProgramField(help_text="Training program id.")
    started_on = BoundedDateField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class EnrolmentSerializer(serializers.ModelSerializer):
    operator: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    operator_name = serializers.CharField(source="operator.full_name", read_only=True)
    program_name = serializers.CharField(source="program.name", read_only=True)
    project = serializers.CharField(source="program.project.code", read_only=True)
    trainer: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    status = serializers.CharField(
        read_only=True, help_text="enrolled, passed, failed or withdrawn."
    )

    class Meta:
        model = TrainingEnrolment
        fields = [
            "id",
            "operator",
            "operator_name",
            "program",
            "program_name",
            "project",
            "started_on",
            "expected_ready_on",
            "status",
            "score",
            "completed_on",
            "trainer",
            "note",
        ]
        read_only_fields = fields


class EnrolmentResultSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    on = BoundedDateField(help_text="The day of the test; the certification's date.")


class TurnoverQuerySerializer(serializers.Serializer):
    """``from`` and ``to`` months (YYYY-MM); the rule is ``agents.turnover.turnover_months``."""

    def to_internal_value(self, data):
        months, errors = turnover.turnover_months(data)
        if errors:
            raise serializers.ValidationError(errors)
        return months


class TurnoverMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    headcount_start = serializers.IntegerField()
    headcount_end = serializers.IntegerField()
    hires = serializers.IntegerField()
    rehires = serializers.IntegerField()
    leavers = serializers.IntegerField()
    leavers_by_reason = serializers.DictField(child=serializers.IntegerField())
    training_dropouts = serializers.IntegerField()
    turnover_rate = serializers.CharField(allow_null=True, help_text="4 decimals; null: no one.")
    average_tenure_days = serializers.CharField(allow_null=True, help_text="1 decimal.")
    average_leaver_tenure_days = serializers.CharField(allow_null=True, help_text="1 decimal.")


class TurnoverSerializer(serializers.Serializer):
    months = TurnoverMonthSerializer(many=True)
