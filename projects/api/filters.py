"""Query filters of the projects list."""

import django_filters

from projects.models import Project


class ProjectFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="client__code", help_text="Client code.")

    class Meta:
        model = Project
        fields = ["client", "service_mode", "is_active"]
