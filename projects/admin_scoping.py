"""Tenancy in the admin: a project manager sees and picks only their projects' rows.

The same sets as the API (``projects.api.scoping``): a superuser sees everything, anyone
else the projects they manage and those projects' clients. Operators are the shared pool,
so their admins do not use this mixin.
"""

from projects.api.scoping import scope_queryset, visible_clients, visible_projects
from projects.models import Client, Project


class ScopedAdminMixin:
    """Declare ``scope_path`` as in the API: the ORM path to a Project or a Client."""

    scope_path = None

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.scope_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user)
        elif db_field.related_model is Client:
            kwargs["queryset"] = visible_clients(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
