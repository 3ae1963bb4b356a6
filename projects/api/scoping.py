"""Tenancy (SPEC section 8) in one place: who sees which projects, clients and rows.

A superuser sees everything. A user bound to a client by an ``IntegrationAccount`` (an
integration token) sees that client's projects. Anyone else sees the projects they hold a
staff role on, and which role counts depends on the room: managers (``Project.managers``)
everywhere, QA evaluators (``Project.qa_evaluators``) only where calls and their quality
are read, trainers (``Project.trainers``) only in training. Billing knows managers alone,
so an evaluator or a trainer sees no invoice. Every API view derives its queryset from
these sets through ``ScopedViewSetMixin``, so an object outside the caller's scope is a
404, as if it did not exist.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Q
from django.http import Http404
from rest_framework import permissions
from rest_framework.generics import GenericAPIView

from projects.models import Client, Project

# ``scope_path`` value meaning "the object is itself the project (or the client)".
SELF = "pk"

# Staff roles on a project, by the room they open. A manager holds every role on the
# projects they manage.
MANAGER = "manager"
QA_EVALUATOR = "qa_evaluator"
TRAINER = "trainer"
ROLE_RELATIONS = {
    MANAGER: ("managers",),
    QA_EVALUATOR: ("managers", "qa_evaluators"),
    TRAINER: ("managers", "trainers"),
}


def integration_client_id(user):
    """The client id an integration user is bound to, else ``None`` (one query, then cached)."""
    account = getattr(user, "integration", None)
    return account.client_id if account is not None else None


def is_integration(user):
    return integration_client_id(user) is not None


def holds_only_assigned_roles(user):
    """A QA evaluator or trainer who manages no project: staff who read the shared pool
    but change nothing a manager changes (operators, schedules, the catalogue).

    Non-staff users (integration tokens above all, on every billing request) answer without
    a query: every rule this feeds already stops at ``is_staff``, and a non-staff user's
    manager-role scope is empty anyway."""
    if not user or not user.is_authenticated or user.is_superuser or not user.is_staff:
        return False
    if Project.managers.through.objects.filter(user=user).exists():
        return False
    return (
        Project.qa_evaluators.through.objects.filter(user=user).exists()
        or Project.trainers.through.objects.filter(user=user).exists()
    )


def visible_projects(user, role=MANAGER):
    """The projects ``user`` may see in a room open to ``role``, as a lazy queryset."""
    if not user or not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    client_id = integration_client_id(user)
    if client_id is not None:
        return Project.objects.filter(client_id=client_id)
    assigned = Q()
    for relation in ROLE_RELATIONS[role]:
        through = Project._meta.get_field(relation).remote_field.through
        assigned |= Q(pk__in=through.objects.filter(user=user).values("project_id"))
    return Project.objects.filter(assigned)


def visible_clients(user, role=MANAGER):
    """Superuser: all; integration: its own client; others: clients of the projects they see."""
    if not user or not user.is_authenticated:
        return Client.objects.none()
    if user.is_superuser:
        return Client.objects.all()
    client_id = integration_client_id(user)
    if client_id is not None:
        return Client.objects.filter(pk=client_id)
    return Client.objects.filter(pk__in=visible_projects(user, role).values("client_id"))


def _resolve_scope(model, path):
    """Follow ``path`` from ``model``; return (target model, crosses a to-many relation)."""
    if path == SELF:
        return model, False
    current, many = model, False
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(
                f"scope_path {path!r} does not resolve on {model.__name__}: no field {part!r}."
            ) from exc
        if not field.is_relation:
            raise ImproperlyConfigured(
                f"scope_path {path!r} on {model.__name__}: {part!r} is not a relation."
            )
        many = many or field.many_to_many or field.one_to_many
        current = field.related_model
    return current, many


def scope_queryset(queryset, user, path, role=MANAGER):
    """Restrict ``queryset`` to the rows whose ``path`` leads to a project or client that
    ``user`` sees in a room open to ``role``."""
    target, many = _resolve_scope(queryset.model, path)
    if target not in (Project, Client):
        raise ImproperlyConfigured(
            f"scope_path {path!r} on {queryset.model.__name__} must lead to a Project or "
            f"a Client, not {target.__name__}."
        )
    if user.is_superuser:
        return queryset
    allowed = visible_projects(user, role) if target is Project else visible_clients(user, role)
    condition = {f"{path}__in": allowed.values("pk")}
    if many:
        # Filter through a subquery so a row reachable by several paths is not repeated.
        matching = queryset.model._default_manager.filter(**condition).values("pk")
        return queryset.filter(pk__in=matching)
    return queryset.filter(**condition)


# The mixins below are mixed into DRF's generic views: the type checker reads them as one.
if TYPE_CHECKING:
    ViewMixinBase = GenericAPIView
else:
    ViewMixinBase = object


class ScopedViewSetMixin(ViewMixinBase):
    """Base of every API view: the queryset is cut to the caller's scope.

    Declare ``scope_path``: the ORM path from the view's model to a ``Project`` or a
    ``Client`` (``"project"``, ``"client"``, ``"certifications__project"``), or ``SELF``
    when the model is itself a project or client. A view without one fails loudly.
    ``scope_bypass_for_staff`` lets staff users see every row (the shared operator pool).
    ``scope_role`` names the staff role that opens the view for reading (``MANAGER``,
    ``QA_EVALUATOR``, ``TRAINER``) and ``scope_write_role`` the one that may write: the
    calls are read by QA evaluators but written by managers and integrations.

    Override ``get_base_queryset`` (usually one selector call), never ``get_queryset``:
    the scope is applied on top of it.
    """

    scope_path: str | None = None
    scope_bypass_for_staff = False
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
