"""The DRF glue over the tenancy rule (``projects.tenancy``): the scoped view mixin and the
permission classes. The rule's names are re-exported here for the API modules."""

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from rest_framework import permissions

from contactcenter.api.idempotency import IdempotentPostMixin
from contactcenter.api.query import StrictListQueryMixin
from projects.tenancy import (  # noqa: F401 (re-exported for the API modules)
    MANAGER,
    QA_EVALUATOR,
    ROLE_RELATIONS,
    SELF,
    TRAINER,
    holds_only_assigned_roles,
    integration_client_id,
    is_integration,
    scope_queryset,
    visible_clients,
    visible_projects,
)


class ScopedViewSetMixin(StrictListQueryMixin, IdempotentPostMixin):
    """Base of every API view: the queryset is cut to the caller's scope.

    Declare ``scope_path``: the ORM path from the view's model to a ``Project`` or a
    ``Client`` (``"project"``, ``"client"``, ``"certifications__project"``), or ``SELF``
    when the model is itself a project or client. A view without one fails loudly.
    ``scope_bypass_for_staff`` lets staff users see every row (the shared operator pool).
    ``scope_role`` names the staff role that opens the view for reading (``MANAGER``,
    ``QA_EVALUATOR``, ``TRAINER``) and ``scope_write_role`` the one that may write: the
    calls are read by QA evaluators but written by managers and integrations.

    Override ``get_base_queryset`` (usually one selector call), never ``get_queryset``:
    the scope is applied on top of it. Every POST honours an ``Idempotency-Key``
    (``IdempotentPostMixin``); a list refuses query parameters it does not know
    (``StrictListQueryMixin``).
    """

    scope_path = None
    scope_bypass_for_staff = False
    scope_role = MANAGER
    scope_write_role = MANAGER

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
        user = self.request.user
        if self.scope_bypass_for_staff and self._sees_the_pool(user):
            return queryset
        return scope_queryset(queryset, user, self.scope_path, self.request_role)

    def get_base_queryset(self):
        return super().get_queryset()

    def _sees_the_pool(self, user):
        """Staff read the whole pool; evaluators and trainers do not write to it."""
        if not user.is_staff or is_integration(user):
            return False
        return self.request.method in permissions.SAFE_METHODS or not holds_only_assigned_roles(
            user
        )

    def get_object(self):
        # PostgreSQL refuses NUL in text, and a code holding one cannot exist: 404, not 500.
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if isinstance(lookup, str) and "\x00" in lookup:
            raise Http404
        return super().get_object()

    def visible_projects(self):
        return visible_projects(self.request.user, self.request_role)

    def visible_clients(self):
        return visible_clients(self.request.user, self.request_role)


class CatalogPermission(permissions.BasePermission):
    """Reads for anyone authenticated (rows scoped); writes for superusers and staff PMs.

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
        return bool(
            user.is_staff and not is_integration(user) and not holds_only_assigned_roles(user)
        )


class NoBillingForAssignedRoles(permissions.BasePermission):
    """Billing is for managers, administrators and the client's integration: a staff QA
    evaluator or trainer who manages nothing gets a 403, reads included (any other user
    without a managed project sees no billing row through the scope)."""

    message = "QA evaluators and trainers have no access to billing."

    def has_permission(self, request, view):
        return not holds_only_assigned_roles(request.user)


class StaffOnly(permissions.BasePermission):
    """Superusers and staff users, never an integration token (even one flagged staff).
    With ``managers_only``, not the QA evaluators and trainers who manage nothing either."""

    message = "Only staff may do this."
    managers_only = False

    def has_permission(self, request, view):
        user = request.user
        if user.is_superuser:
            return True
        if not user.is_staff or is_integration(user):
            return False
        return not (self.managers_only and holds_only_assigned_roles(user))
