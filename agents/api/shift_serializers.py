"""Input and output shapes of shifts (with their planned activities) and absences."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Absence, Operator, ShiftActivity
from agents.shifts import MAX_ACTIVITIES
from contactcenter.api.fields import AwareDateTimeField, BoundedDateField
from projects.api.fields import CodeLookupField, ProjectCodeField

NOTE_LENGTH = 255


@extend_schema_field({"type": "string", "description": "Operator code.", "example": "anna"})
class OperatorCodeField(CodeLookupField):
    """An operator of the shared pool, named by code (the views are staff only)."""

    noun = "operator"

    def get_queryset(self):
        return Operator.objects.all()


class ActivitySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ShiftActivity.Kind.choices)
    start = AwareDateTimeField(source="starts_at")
    end = AwareDateTimeField(source="ends_at")

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {"kind": value["kind"], "start": value["starts_at"], "end": value["ends_at"]}


class ShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    operator = OperatorCodeField()
    project = ProjectCodeField(
        required=False,
        allow_null=True,
        help_text="Project code; null or absent: a pool shift (any certified project).",
    )
    start = AwareDateTimeField(source="starts_at")
    end = AwareDateTimeField(source="ends_at")
    note = serializers.CharField(max_length=NOTE_LENGTH, required=False, allow_blank=True)
    activities = ActivitySerializer(  # type: ignore[call-arg]  # many=True takes max_length
        many=True,
        required=False,
        max_length=MAX_ACTIVITIES,
        help_text=(
            "Planned break, lunch, training or meeting stretches inside the shift, not "
            "overlapping. Written with the shift; sent on PUT or PATCH, the list replaces "
            "the stored one whole."
        ),
    )

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "operator": instance.operator.code,
            "project": instance.project.code if instance.project_id else None,
            "start": AwareDateTimeField().to_representation(instance.starts_at),
            "end": AwareDateTimeField().to_representation(instance.ends_at),
            "note": instance.note,
            "activities": [
                {
                    "kind": activity.kind,
                    "start": AwareDateTimeField().to_representation(activity.starts_at),
                    "end": AwareDateTimeField().to_representation(activity.ends_at),
                }
                for activity in instance.activities.all()
            ],
        }

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "starts_at" in value:
            value["start"] = value.pop("starts_at")
        if "ends_at" in value:
            value["end"] = value.pop("ends_at")
        return value


class AbsenceSerializer(serializers.ModelSerializer):
    operator = OperatorCodeField()
    first_day = BoundedDateField(
        source="starts_on",
        help_text="First local day (zone of the operator's shifts: docs/adherence.md).",
    )
    last_day = BoundedDateField(source="ends_on", help_text="Last local day, included.")

    class Meta:
        model = Absence
        fields = ["id", "operator", "kind", "first_day", "last_day", "note"]
        read_only_fields = ["id"]

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "starts_on" in value:
            value["first_day"] = value.pop("starts_on")
        if "ends_on" in value:
            value["last_day"] = value.pop("ends_on")
        return value
