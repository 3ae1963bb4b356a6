"""Query filters of the operators list and the agent state events list."""

import django_filters

from agents.models import AgentStateEvent, Certification, Operator
from contactcenter.api.fields import AwareIsoDateTimeFilter
from projects.api.scoping import visible_projects


class OperatorFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(
        method="filter_project",
        help_text="Code of a project the operator is certified on (among the caller's).",
    )

    class Meta:
        model = Operator
        fields = ["status", "project"]

    def filter_project(self, queryset, name, value):
        # Only projects in the caller's scope: another client's project code must find
        # what an unknown code finds (nothing), or the filter would tell who works for it.
        projects = visible_projects(self.request.user).filter(code=value)
        return queryset.filter(
            pk__in=Certification.objects.filter(project__in=projects).values("operator_id")
        )


class AgentStateEventFilter(django_filters.FilterSet):
    operator = django_filters.CharFilter(field_name="operator__code", help_text="Operator code.")
    at_from = AwareIsoDateTimeFilter(
        field_name="at", lookup_expr="gte", help_text="Events at or after this instant."
    )
    at_to = AwareIsoDateTimeFilter(
        field_name="at", lookup_expr="lt", help_text="Events before this instant."
    )

    class Meta:
        model = AgentStateEvent
        fields = ["operator", "state"]

    @classmethod
    def get_filters(cls):
        # "from" is a Python keyword: exposed under the contract's names, declared otherwise.
        filters = super().get_filters()
        filters["from"] = filters.pop("at_from")
        filters["to"] = filters.pop("at_to")
        return filters
