"""Query filters of the telephony lists.

The source is named by its code through a method (``?source=``), not a ``source__code``
lookup: the scope cuts the rows first, so another client's source code finds nothing.
"""

import django_filters

from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource


class SourceCodeFilterSet(django_filters.FilterSet):
    source = django_filters.CharFilter(
        method="filter_source", max_length=40, help_text="Source code."
    )

    def filter_source(self, queryset, name, value):
        return queryset.filter(source__code=value)


class TelephonySourceFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="client__code", help_text="Client code.")
    kind = django_filters.ChoiceFilter(choices=TelephonySource.Kind.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = TelephonySource
        fields = ["client", "kind", "is_active"]


class QueueMappingFilter(SourceCodeFilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="Project code.")
    queue = django_filters.CharFilter(max_length=128, help_text="Queue name, exactly.")

    class Meta:
        model = QueueMapping
        fields = ["source", "project", "queue"]


class AgentMappingFilter(SourceCodeFilterSet):
    operator = django_filters.CharFilter(field_name="operator__code", help_text="Operator code.")
    kind = django_filters.ChoiceFilter(choices=AgentMapping.Kind.choices)
    name = django_filters.CharFilter(max_length=128, help_text="The PBX's name, exactly.")

    class Meta:
        model = AgentMapping
        fields = ["source", "operator", "kind", "name"]


class ParkedCallFilter(SourceCodeFilterSet):
    reason = django_filters.ChoiceFilter(choices=ParkedCall.Reason.choices)
    missing = django_filters.CharFilter(max_length=128, help_text="The unmapped name, exactly.")
    state = django_filters.ChoiceFilter(
        choices=[("waiting", "waiting"), ("stored", "stored")],
        method="filter_state",
        help_text="waiting (not stored yet) or stored.",
    )

    class Meta:
        model = ParkedCall
        fields = ["source", "reason", "missing", "state"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == "waiting")
