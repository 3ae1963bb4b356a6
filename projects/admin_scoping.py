"""Tenancy in the admin: a project manager sees and picks only their projects' rows.

The same sets as the API (``projects.api.scoping``): a superuser sees everything, anyone
else the projects they hold the admin's ``scope_role`` on (managers by default; QA
evaluators on calls and quality, trainers on training) and those projects' clients.
Operators are the shared pool, so their admins do not use this mixin.
"""

from projects.models import Client, Project
from projects.tenancy import MANAGER, scope_queryset, visible_clients, visible_projects


class ScopedAdminMixin:
    """Declare ``scope_path`` as in the API: the ORM path to a Project or a Client; and
    ``scope_role`` when the admin is open to QA evaluators or trainers too."""

    scope_path = None
    scope_role = MANAGER

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return scope_queryset(queryset, request.user, self.scope_path, self.scope_role)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user, self.scope_role)
        elif db_field.related_model is Client:
            kwargs["queryset"] = visible_clients(request.user, self.scope_role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
