"""Tenancy in the API: DRF glue over ``projects.tenancy``, where the rule itself lives.

Every API view derives its queryset from the tenancy's sets through
``ScopedViewSetMixin``, so an object outside the caller's scope is a 404, as if it did not
exist; the permission classes here refuse by role (403) what the tenancy says a caller may
not change. Billing knows managers alone, so an evaluator or a trainer sees no invoice.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.generics import GenericAPIView

from contactcenter.api.idempotency import IdempotentPostMixin
from contactcenter.api.query import StrictListQueryMixin
from projects.models import Client, Project

# The tenancy's names, imported by the API modules from here (their one import).
from projects.tenancy import (
    MANAGER,
    QA_EVALUATOR,
    ROLE_RELATIONS,
    SELF,
    TRAINER,
    holds_only_assigned_roles,
    integration_client_id,
    is_integration,
    is_telephony,
    may_change_pool,
    may_post_agent_states,
    scope_queryset,
    sees_internal_costs,
    sees_whole_pool,
    visible_clients,
    visible_projects,
)

__all__ = [
    "MANAGER",
    "QA_EVALUATOR",
    "ROLE_RELATIONS",
    "SELF",
    "TRAINER",
    "AgentStateWritePermission",
    "CatalogPermission",
    "NoBillingForAssignedRoles",
    "PoolWritePermission",
    "ScopedViewSetMixin",
    "StaffOnly",
    "SuperuserOnly",
    "holds_only_assigned_roles",
    "integration_client_id",
    "is_integration",
    "is_telephony",
    "may_change_pool",
    "may_post_agent_states",
    "scope_queryset",
    "sees_internal_costs",
    "sees_whole_pool",
    "visible_clients",
    "visible_projects",
]


# To mypy the mixin is the view it is mixed into (its ``request``, ``get_queryset``); at run
# time it is a plain mixin before the DRF base in each view's bases.
if TYPE_CHECKING:
    ViewMixinBase = GenericAPIView
else:
    ViewMixinBase = object


class ScopedViewSetMixin(StrictListQueryMixin, IdempotentPostMixin, ViewMixinBase):
    """Base of every API view: the queryset is cut to the caller's scope.

    Declare ``scope_path``: the ORM path from the view's model to a ``Project`` or a
    ``Client`` (``"project"``, ``"client"``, ``"certifications__project"``), or ``SELF``
    when the model is itself a project or client. A view without one fails loudly.
    ``scope_bypass_for_staff`` opens every row of the shared operator pool to those who see
    it whole (``sees_whole_pool``) for reading and to those who change it
    (``may_change_pool``) for writing. ``telephony_reaches`` opens every row to the
    center's telephony integration (calls, projects, operators, agent states: what it feeds
    and reads); elsewhere it sees nothing. ``scope_role`` names the staff role that opens
    the view for reading (``MANAGER``, ``QA_EVALUATOR``, ``TRAINER``) and
    ``scope_write_role`` the one that may write: the calls are read by QA evaluators but
    written by managers and integrations.

    Override ``get_base_queryset`` (usually one selector call), never ``get_queryset``:
    the scope is applied on top of it.
    """

    scope_path: str | None = None
    scope_bypass_for_staff = False
    telephony_reaches = False
    scope_role: str = MANAGER
    scope_write_role: str = MANAGER

    @property
    def request_role(self):
        """The role this request is judged by: the reading or the writing one."""
        if self.request.method in permissions.SAFE_METHODS:
            return self.scope_role
        return self.scope_write_role

    def get_queryset(self):
        if not self.scope_path:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must declare scope_path (see projects.api.scoping)."
            )
        queryset = self.get_base_queryset()
        # Cut first, lazily: a scope_path that leads nowhere fails loudly for everyone.
        scoped = scope_queryset(queryset, self.request.user, self.scope_path, self.request_role)
        return queryset if self.reaches_every_row() else scoped

    def get_base_queryset(self):
        return super().get_queryset()

    def reaches_every_row(self) -> bool:
        """Whether the caller gets this view's rows unscoped: a superuser; on the pool's
        views, who sees it whole (reading) or changes it (writing); the telephony where it
        reaches."""
        user = self.request.user
        if user.is_superuser or (self.telephony_reaches and is_telephony(user)):
            return True
        if not self.scope_bypass_for_staff:
            return False
        if self.request.method in permissions.SAFE_METHODS:
            return sees_whole_pool(user)
        return may_change_pool(user)

    def get_object(self):
        # PostgreSQL refuses NUL in text, and a code holding one cannot exist: 404, not 500.
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if isinstance(lookup, str) and "\x00" in lookup:
            raise Http404
        return super().get_object()

    def _telephony_here(self):
        return self.telephony_reaches and is_telephony(self.request.user)

    def visible_projects(self):
        if self._telephony_here():
            return Project.objects.all()
        return visible_projects(self.request.user, self.request_role)

    def visible_clients(self):
        if self._telephony_here():
            return Client.objects.all()
        return visible_clients(self.request.user, self.request_role)


class CatalogPermission(permissions.BasePermission):
    """Reads for anyone authenticated (rows scoped); writes for superusers and project
    managers (``may_change_pool``): a QA evaluator, a trainer or a staff user with no
    project role gets a 403.

    Integration tokens never change the catalogue (clients, projects, operators,
    tariffs), even if their user were flagged staff: 403. A view lists in
    ``superuser_only_actions`` the writes that reach beyond any one PM's scope.
    """

    message = "Only administrators and project managers may change this."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if user.is_superuser:
            return True
        if getattr(view, "action", None) in getattr(view, "superuser_only_actions", ()):
            self.message = "Only administrators may do this."
            return False
        return may_change_pool(user)


class PoolWritePermission(permissions.BasePermission):
    """Reads pass (other permissions and the scope decide them); writes to the shared
    operator pool are for superusers and project managers (``may_change_pool``), and, with
    ``telephony_writes``, for the center's telephony (``may_post_agent_states``)."""

    message = "Only administrators and project managers may change the operator pool."
    telephony_writes = False

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if self.telephony_writes:
            return may_post_agent_states(request.user)
        return may_change_pool(request.user)


class AgentStateWritePermission(PoolWritePermission):
    message = (
        "Only administrators, project managers and the center's telephony may send agent "
        "states: operators are shared by every client."
    )
    telephony_writes = True


class NoBillingForAssignedRoles(permissions.BasePermission):
    """Billing is for managers, administrators and the client's integration: a staff QA
    evaluator or trainer who manages nothing gets a 403, reads included (any other user
    without a managed project sees no billing row through the scope, and changes none:
    ``CatalogPermission``)."""

    message = "QA evaluators and trainers have no access to billing."

    def has_permission(self, request, view):
        return not holds_only_assigned_roles(request.user)


class StaffOnly(permissions.BasePermission):
    """Superusers and staff users, never an integration token (even one flagged staff).
    With ``managers_only``, only those who change the pool (``may_change_pool``): not the
    QA evaluators, trainers and staff with no project role."""

    message: "str | Promise" = gettext_lazy("Only staff may do this.")
    managers_only = False

    def has_permission(self, request, view):
        if self.managers_only:
            return may_change_pool(request.user)
        return sees_whole_pool(request.user)


class PeopleStaffOnly(StaffOnly):
    """People data (operators' records, bench strength): staff only, with its own message."""

    message = gettext_lazy("Only staff may read or change people data.")


class SuperuserOnly(permissions.BasePermission):
    """Superusers alone, reads included (our own legal entities: sellers/)."""

    message = "Only administrators may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)
