"""Input and output shapes of schedule generation and absence replacements."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contactcenter.api.fields import BoundedDateField, id_field
from workforce.scheduling import WEEK_INTERVALS, ScheduleInputError, expand_requirement

MAX_AGENTS_PER_INTERVAL = 10_000

_REQUIREMENT_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "integer", "minimum": 0, "maximum": MAX_AGENTS_PER_INTERVAL},
            {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": MAX_AGENTS_PER_INTERVAL},
                "minItems": WEEK_INTERVALS // 4,
                "maxItems": WEEK_INTERVALS,
            },
        ]
    },
    "description": (
        "Project code to the agents it needs: one number for the whole week, 168 hourly "
        "values or 672 quarter-hour values, UTC from `start` 00:00."
    ),
}


@extend_schema_field(_REQUIREMENT_SCHEMA)
class RequirementsField(serializers.Field):
    def to_internal_value(self, data):
        if not isinstance(data, dict) or not data:
            raise serializers.ValidationError("Send an object of project code to agents.")
        expanded = {}
        for code, value in data.items():
            if isinstance(value, bool) or not isinstance(value, int | list):
                raise serializers.ValidationError(f"{code}: a number or a list of numbers.")
            if isinstance(value, list) and any(isinstance(v, bool) for v in value):
                raise serializers.ValidationError(f"{code}: agents must be integers.")
            try:
                values = expand_requirement(value, project=str(code))
            except ScheduleInputError as exc:
                raise serializers.ValidationError(str(exc)) from exc
            if max(values) > MAX_AGENTS_PER_INTERVAL:
                raise serializers.ValidationError(f"{code}: at most 10000 agents.")
            expanded[str(code)] = values
        return expanded

    def to_representation(self, value):
        return value


class ScheduleGenerateInputSerializer(serializers.Serializer):
    start = BoundedDateField(help_text="First day of the week, 00:00 UTC.")
    requirements = RequirementsField()
    operators = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        required=False,
        max_length=1000,
        help_text="Operator codes to schedule; default: every active operator.",
    )
    publish = serializers.BooleanField(
        default=False, help_text="false: a preview; true: write the shifts."
    )
    max_hours_per_week = serializers.IntegerField(default=40, min_value=1, max_value=80)
    min_rest_hours = serializers.IntegerField(default=11, min_value=0, max_value=24)
    time_limit_seconds = serializers.IntegerField(default=20, min_value=1, max_value=60)


class PlannedShiftSerializer(serializers.Serializer):
    operator = serializers.CharField(source="operator_code")
    template = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    paid_minutes = serializers.IntegerField()


class ProjectCoverageSerializer(serializers.Serializer):
    project = serializers.CharField()
    required = serializers.ListField(child=serializers.IntegerField())  # type: ignore[assignment]  # a field named like a Field/Serializer attribute
    covered = serializers.ListField(child=serializers.IntegerField())


class UnderstaffedSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    project = serializers.CharField()
    required = serializers.IntegerField()  # type: ignore[assignment]  # a field named like a Field/Serializer attribute
    covered = serializers.IntegerField()


class PublishedSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Shifts written.")
    skipped = PlannedShiftSerializer(
        many=True, help_text="Shifts not written: they overlap a stored shift."
    )


class ScheduleResultSerializer(serializers.Serializer):
    start = serializers.DateField()
    status = serializers.CharField(help_text="CP-SAT's: OPTIMAL, FEASIBLE, UNKNOWN, ...")
    objective = serializers.FloatField(allow_null=True)
    solve_seconds = serializers.FloatField()
    interval_minutes = serializers.IntegerField()
    paid_hours = serializers.FloatField()
    understaffed_agent_intervals = serializers.IntegerField()
    shifts = PlannedShiftSerializer(many=True)
    coverage = ProjectCoverageSerializer(many=True, help_text="Per 15-minute interval.")
    on_shift = serializers.ListField(
        child=serializers.IntegerField(), help_text="Operators working per interval."
    )
    understaffed = UnderstaffedSerializer(many=True)
    published = PublishedSerializer(allow_null=True)


def schedule_data(result, published=None):
    return {
        "start": result.start,
        "status": result.status,
        "objective": result.objective,
        "solve_seconds": round(result.wall_seconds, 3),
        "interval_minutes": 15,
        "paid_hours": result.paid_minutes / 60,
        "understaffed_agent_intervals": result.understaffed_agent_intervals,
        "shifts": result.shifts,
        "coverage": [
            {"project": code, "required": required, "covered": result.coverage.get(code, [])}
            for code, required in result.requirements.items()
        ],
        "on_shift": result.on_shift,
        "understaffed": result.understaffed,
        "published": published
        and {"created": len(published.created), "skipped": published.skipped},
    }


class AbsentShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class CandidateSerializer(serializers.Serializer):
    operator = serializers.CharField(source="operator.code")
    full_name = serializers.CharField(source="operator.full_name")
    shared_projects = serializers.ListField(
        child=serializers.CharField(), help_text="Shared projects the caller sees."
    )
    shared_count = serializers.IntegerField()
    best_level = serializers.IntegerField()
    week_hours = serializers.FloatField()
    shifts = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the absent shifts they can take."
    )
    overtime_hours = serializers.FloatField(
        help_text="Hours beyond their contract's weekly hours, over the shifts they can take."
    )
    extra_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="overtime_hours x their overtime hourly cost (roubles).",
    )
    preferred_day_off = serializers.BooleanField(
        help_text="A shift they can take falls on one of their preferred days off."
    )


class ExcludedSerializer(serializers.Serializer):
    operator = serializers.CharField(source="operator.code")
    code = serializers.CharField(
        help_text=(
            "absent_operator, absent, not_certified, overlap, rest, consecutive_days, "
            "max_hours, overtime_not_allowed, no_shift."
        )
    )
    reason = serializers.CharField(help_text="The reason in the interface's language.")


class ReplacementsSerializer(serializers.Serializer):
    absence = serializers.IntegerField()
    operator = serializers.CharField(help_text="The absent operator.")
    shifts = AbsentShiftSerializer(many=True)
    candidates = CandidateSerializer(many=True)
    excluded = ExcludedSerializer(
        many=True, help_text="Every other active operator, with why they are not offered."
    )


class AssignInputSerializer(serializers.Serializer):
    shift = id_field(help_text="Id of the absent operator's shift.")
    operator = serializers.SlugField(max_length=40, help_text="The replacement's code.")


class AssignedShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    operator = serializers.CharField(source="operator.code")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    note = serializers.CharField()
