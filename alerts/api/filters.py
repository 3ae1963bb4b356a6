"""Query filters of the alerts list."""

import django_filters

from alerts.models import Alert


class AlertFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="Project code.")
    state = django_filters.ChoiceFilter(
        choices=Alert.State.choices, method="filter_state", help_text="open, acknowledged, cleared."
    )
    condition = django_filters.CharFilter(max_length=40, help_text="Condition code.")

    class Meta:
        model = Alert
        fields = ["project", "state", "condition"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value)
