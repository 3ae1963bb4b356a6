"""Query filters of the operators list."""

import django_filters

from agents.models import Operator


class OperatorFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(
        field_name="certifications__project__code",
        help_text="Code of a project the operator is certified on.",
    )

    class Meta:
        model = Operator
        fields = ["status", "project"]
