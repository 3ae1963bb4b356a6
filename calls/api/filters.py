"""Filters of the calls list: project, operator, [from, to) on offered_at, outcome, direction."""

import django_filters
from django.db.models import Subquery

from agents.models import Operator
from calls.models import Call
from contactcenter.api.fields import AwareIsoDateTimeFilter
from contactcenter.api.filtersets import FormCachingFilterSet
from projects.models import Project


class CallFilter(FormCachingFilterSet):
    """Fields fixed for every request, so its form class is built once (FormCachingFilterSet)."""

    project = django_filters.CharFilter(method="filter_project", help_text="Project code.")
    operator = django_filters.CharFilter(method="filter_operator", help_text="Operator code.")
    offered_from = AwareIsoDateTimeFilter(
        field_name="offered_at",
        lookup_expr="gte",
        help_text="Calls offered at or after this instant (ISO 8601 with offset).",
    )
    offered_to = AwareIsoDateTimeFilter(
        field_name="offered_at",
        lookup_expr="lt",
        help_text="Calls offered before this instant (ISO 8601 with offset).",
    )
    outcome = django_filters.ChoiceFilter(
        choices=[("answered", "Answered"), ("abandoned", "Abandoned")],
        method="filter_outcome",
        help_text="answered: has answered_at; abandoned: never answered.",
    )
    direction = django_filters.ChoiceFilter(choices=Call.Direction.choices)

    class Meta:
        model = Call
        fields = ["project", "operator", "outcome", "direction"]

    @classmethod
    def get_filters(cls):
        # "from" is a Python keyword, so the [from, to) pair is declared under other
        # names and exposed under the names of the contract.
        filters = super().get_filters()
        filters["from"] = filters.pop("offered_from")
        filters["to"] = filters.pop("offered_to")
        return filters

    # By the id the code names (a scalar subquery, run once), not by a join on the code: the
    # planner then walks call_project_offered_idx backwards and stops at the page's end,
    # where a join sorted every call of the project in the range (bench/README.md, Load).
    def filter_project(self, queryset, name, value):
        return queryset.filter(project_id=Subquery(Project.objects.filter(code=value).values("pk")))

    def filter_operator(self, queryset, name, value):
        return queryset.filter(
            operator_id=Subquery(Operator.objects.filter(code=value).values("pk"))
        )

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(answered_at__isnull=(value == "abandoned"))
