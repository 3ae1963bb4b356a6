"""Tenancy in the admin: a project manager sees and picks only their projects' rows.

The same sets as the API (``projects.api.scoping``): a superuser sees everything, anyone
else the projects they hold the admin's ``scope_role`` on (managers by default; QA
evaluators on calls and quality, trainers on training) and those projects' clients.
Operators are the shared pool, so their admins do not use this mixin.
"""

from typing import TYPE_CHECKING

from django.contrib import admin

from projects.api.scoping import MANAGER, scope_queryset, visible_clients, visible_projects
from projects.models import Client, Project

# Mixed into ModelAdmin: the type checker reads the mixin as one.
if TYPE_CHECKING:
    AdminMixinBase = admin.ModelAdmin
else:
    AdminMixinBase = object


class ScopedAdminMixin(AdminMixinBase):
    """Declare ``scope_path`` as in the API: the ORM path to a Project or a Client; and
    ``scope_role`` when the admin is open to QA evaluators or trainers too."""

    scope_path: str | None = None
    scope_role: str = MANAGER

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return scope_queryset(queryset, request.user, self.scope_path, self.scope_role)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user, self.scope_role)
        elif db_field.related_model is Client:
            kwargs["queryset"] = visible_clients(request.user, self.scope_role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
