"""Query filters of the operators list and the agent state events list."""

import django_filters

from agents.models import AgentStateEvent, Operator
from contactcenter.api.fields import AwareIsoDateTimeFilter


class OperatorFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(
        field_name="certifications__project__code",
        help_text="Code of a project the operator is certified on.",
    )

    class Meta:
        model = Operator
        fields = ["status", "project"]


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
