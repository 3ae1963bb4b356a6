"""Tenancy in the admin: a project manager sees and picks only their projects' rows, and
only those who change the shared operator pool change its rows.

The same rule as the API (``projects.tenancy``): a superuser sees everything, anyone else
the projects they hold the admin's ``scope_role`` on (managers by default; QA evaluators on
calls and quality, trainers on training) and those projects' clients. Operators are the
shared pool, so their admins use ``PoolWriteAdminMixin`` instead of the scope.
"""

from typing import TYPE_CHECKING

from django.contrib import admin

from projects.models import Client, Project
from projects.tenancy import (
    MANAGER,
    may_change_pool,
    scope_queryset,
    visible_clients,
    visible_projects,
)

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


class PoolWriteAdminMixin:
    """The shared pool's admins (operators, certifications, shifts, absences, agent
    states): every staff user with the view permission reads them; only superusers and
    project managers (``may_change_pool``) add, change or delete, or run an action, whatever
    their groups grant. A QA evaluator, a trainer or a staff user with no project role
    (a team lead) gets a read-only page."""

    def has_add_permission(self, request, *args):
        return may_change_pool(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_change_pool(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_change_pool(request.user) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        if not may_change_pool(request.user):
            return {}
        return super().get_actions(request)
