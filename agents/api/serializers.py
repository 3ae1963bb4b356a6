"""Input and output shapes of operators and their certifications."""

from rest_framework import serializers

from agents.models import Certification, Operator
from projects.api.fields import ProjectCodeField
from projects.api.serializers import code_validators


class CertificationSerializer(serializers.Serializer):
    project = ProjectCodeField()
    level = serializers.ChoiceField(
        choices=Certification.Level.choices,
        default=Certification.Level.REGULAR,
        help_text="1 junior, 2 regular, 3 senior.",
    )
    certified_on = serializers.DateField()


class OperatorSerializer(serializers.ModelSerializer):
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
            "certifications",
        ]
        extra_kwargs = {
            "code": {"validators": code_validators(Operator, "operator")},
            "hourly_cost": {"min_value": 0},
        }
