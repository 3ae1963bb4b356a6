"""Instants in the admin as people read them: in the project's zone, the zone named.

``LocalTimeAdminMixin`` renders a changelist in one local zone, so its date hierarchy and
its "day" links are local days: the filtered project's zone when one project is filtered
(``?project__id__exact=``), else the zone all the user's projects share, else
``DISPLAY_TIME_ZONE`` (the center's). ``local_time_display`` makes a column that shows each
row's instant in its own project's zone, with the zone named (docs/i18n.md).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from contactcenter.l10n import local_time_text
from projects.tenancy import MANAGER, visible_projects


def local_time_display(
    field: str, description: Any, zone_path: str = "project.timezone"
) -> Callable[[Any, Any], str]:
    """An admin column: ``field`` of the row in the zone at ``zone_path`` (dotted)."""

    @admin.display(description=description, ordering=field)
    def show(model_admin: Any, obj: Any) -> str:
        instant = getattr(obj, field, None)
        zone: Any = obj
        for part in zone_path.split("."):
            zone = getattr(zone, part, None)
        if instant is None or zone is None:  # an add page: nothing stored yet
            return str(model_admin.get_empty_value_display())
        return local_time_text(instant, zone)

    return show


class LocalTimeAdminMixin:
    """Changelists and change pages of a model with a ``project`` in local time."""

    local_time_project_param = "project__id__exact"
    # The row's zone on its change page, as a lookup from the model.
    local_time_zone_lookup = "project__timezone"

    def display_zone(self, request: Any) -> str:
        """The zone a changelist's days and times are in (see the module's docstring)."""
        project_id = request.GET.get(self.local_time_project_param)
        if project_id and project_id.isdigit():
            zone = (
                visible_projects(request.user, getattr(self, "scope_role", MANAGER))
                .filter(pk=project_id)
                .values_list("timezone", flat=True)
                .first()
            )
            if zone:
                return zone
        zones = set(
            visible_projects(request.user, getattr(self, "scope_role", MANAGER))
            .values_list("timezone", flat=True)
            .distinct()[:2]
        )
        if len(zones) == 1:
            return zones.pop()
        return settings.DISPLAY_TIME_ZONE

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        with timezone.override(self.display_zone(request)):
            response = super().changelist_view(request, extra_context)  # type: ignore[misc]
            if hasattr(response, "render"):
                response.render()
            return response

    def change_view(self, request: Any, object_id: str, *args: Any, **kwargs: Any) -> Any:
        rows = self.model._default_manager.filter(pk=object_id)  # type: ignore[attr-defined]
        zone = (
            rows.values_list(self.local_time_zone_lookup, flat=True).first()
            if object_id.isdigit()
            else None
        )
        with timezone.override(zone or self.display_zone(request)):
            response = super().change_view(request, object_id, *args, **kwargs)  # type: ignore[misc]
            if hasattr(response, "render"):
                response.render()
            return response
