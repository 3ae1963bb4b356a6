"""Input and output shapes of the QA room: scorecards, evaluations, disputes, QA reports.

People are named by username to staff; an integration (the client) reads scores and
comments but never who scored or disputed (``hide_people`` in the context: ``null``).
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contactcenter.api.fields import (
    AwareDateTimeField,
    BoundedDateField,
    id_field,
    validate_date_range,
)
from projects.api.fields import ProjectCodeField
from projects.api.scoping import QA_EVALUATOR
from quality.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    Scorecard,
    ScorecardCriterion,
)
from quality.selectors import GROUP_BY
from quality.services import scorecard_is_frozen

MAX_CRITERIA_ORDER = 1_000


@extend_schema_field({"type": "string", "nullable": True, "description": "Username."})
class PersonField(serializers.Field):
    """A user's username, or ``null`` to an integration (the client sees no QA staff)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, user):
        return None if self.context.get("hide_people") else user.get_username()


class CriterionSerializer(serializers.ModelSerializer):
    weight = serializers.IntegerField(min_value=1, max_value=1_000_000)

    class Meta:
        model = ScorecardCriterion
        fields = ["id", "name", "description", "weight", "is_critical", "order"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "order": {"required": False, "min_value": 0, "max_value": MAX_CRITERIA_ORDER},
            "description": {"required": False},
        }


class ScorecardSerializer(serializers.ModelSerializer):
    project = ProjectCodeField(role=QA_EVALUATOR)
    criteria = CriterionSerializer(many=True)
    frozen = serializers.SerializerMethodField(
        help_text="Has evaluations: changing it makes a new version (revise/)."
    )

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "project",
            "name",
            "version",
            "is_active",
            "valid_from",
            "frozen",
            "criteria",
            "created_at",
        ]
        read_only_fields = ["id", "version", "is_active", "created_at"]
        extra_kwargs = {"valid_from": {"validators": [validate_date_range]}}
        validators: list[Any] = []  # the (project, name, version) key is the service's

    def get_frozen(self, scorecard) -> bool:
        annotated = getattr(scorecard, "has_evaluations", None)  # the list's one query
        return scorecard_is_frozen(scorecard) if annotated is None else annotated


class ScorecardReviseSerializer(serializers.Serializer):
    valid_from = BoundedDateField(required=False)
    criteria = CriterionSerializer(many=True)


class AnswerSerializer(serializers.ModelSerializer):
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)
    weight = serializers.IntegerField(source="criterion.weight", read_only=True)
    is_critical = serializers.BooleanField(source="criterion.is_critical", read_only=True)

    class Meta:
        model = EvaluationAnswer
        fields = ["criterion", "criterion_name", "weight", "is_critical", "answer", "comment"]


class AnswerInputSerializer(serializers.Serializer):
    criterion = id_field(help_text="Criterion id, of the evaluation's scorecard.")
    answer = serializers.ChoiceField(choices=EvaluationAnswer.Answer.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DisputeSerializer(serializers.ModelSerializer):
    # A plain string in the schema: "status" enums of several models would collide there.
    status = serializers.CharField(read_only=True, help_text="open, upheld or overturned.")
    raised_by = PersonField()
    resolved_by = PersonField()

    class Meta:
        model = EvaluationDispute
        fields = [
            "id",
            "evaluation",
            "status",
            "reason",
            "raised_by",
            "raised_at",
            "score_before",
            "score_after",
            "resolved_by",
            "resolution_comment",
            "resolved_at",
        ]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    call_external_id = serializers.CharField(source="call.external_id", read_only=True)
    project = serializers.CharField(source="call.project.code", read_only=True)
    operator = serializers.CharField(
        source="call.operator.code", read_only=True, allow_null=True, default=None
    )
    recording_url = serializers.CharField(source="call.recording_url", read_only=True)
    scorecard_name = serializers.CharField(source="scorecard.name", read_only=True)
    scorecard_version = serializers.IntegerField(source="scorecard.version", read_only=True)
    evaluator = PersonField()
    status = serializers.CharField(read_only=True, help_text="draft, submitted, disputed or final.")
    answers = AnswerSerializer(many=True, read_only=True)
    dispute = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "call",
            "call_external_id",
            "project",
            "operator",
            "recording_url",
            "scorecard",
            "scorecard_name",
            "scorecard_version",
            "evaluator",
            "status",
            "score",
            "critical_failed",
            "comment",
            "created_at",
            "submitted_at",
            "answers",
            "dispute",
        ]
        read_only_fields = fields

    def get_dispute(self, evaluation) -> int | None:
        dispute = getattr(evaluation, "dispute", None)
        return dispute.pk if dispute else None


class EvaluationCreateSerializer(serializers.Serializer):
    call = id_field(help_text="Call id: an answered call of a project in scope.")
    scorecard = id_field(
        required=False, help_text="Scorecard id; default: the project's one in force that day."
    )


class EvaluationSubmitSerializer(serializers.Serializer):
    answers = AnswerInputSerializer(many=True, required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True)


class DisputeRaiseSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class DisputeResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("upheld", "Upheld"), ("overturned", "Overturned")])
    resolution_comment = serializers.CharField(allow_blank=True)
    answers = AnswerInputSerializer(
        many=True, required=False, default=list, help_text="Overturned: the changed answers."
    )


class QaQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=GROUP_BY, required=False, default="operator")

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: the fields are named here.
        fields["from"] = AwareDateTimeField()
        fields["to"] = AwareDateTimeField()
        return fields


class OperatorQaQuerySerializer(QaQuerySerializer):
    def get_fields(self):
        fields = super().get_fields()
        del fields["group_by"]
        return fields


class QaSummarySerializer(serializers.Serializer):
    evaluations = serializers.IntegerField()
    average_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="null: nothing counted."
    )
    critical_failures = serializers.IntegerField()


class QaBucketSerializer(QaSummarySerializer):
    key = serializers.CharField(help_text="Operator code, or the local start date of the bucket.")


class ProjectQaSerializer(serializers.Serializer):
    project = serializers.CharField()
    group_by = serializers.ChoiceField(choices=GROUP_BY)
    buckets = QaBucketSerializer(many=True)
    totals = QaSummarySerializer()


class OperatorProjectQaSerializer(QaSummarySerializer):
    project = serializers.CharField()


class OperatorQaSerializer(serializers.Serializer):
    operator = serializers.CharField()
    projects = OperatorProjectQaSerializer(many=True)
    totals = QaSummarySerializer()
