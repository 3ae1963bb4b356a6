"""Query filters of the tariffs list."""

import django_filters

from billing.models import Tariff


class TariffFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="Project code.")

    class Meta:
        model = Tariff
        fields = ["project", "billable"]
