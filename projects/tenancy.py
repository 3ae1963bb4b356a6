"""The tenancy rule (SPEC section 8) as plain functions: who sees which projects and clients,
who sees the whole operator pool and who may change it.

A superuser sees everything. A user bound to a client by a client ``IntegrationAccount``
(a client's integration token) sees that client's projects. Anyone else sees the projects
they hold a staff role on, and which role counts depends on the room: managers
(``Project.managers``) everywhere, QA evaluators (``Project.qa_evaluators``) only where calls
and their quality are read, trainers (``Project.trainers``) only in training.

Operators are one pool shared by every client. Staff read all of it; superusers and project
managers (staff who manage at least one project) change it; the center's telephony
integration (an ``IntegrationAccount`` of kind ``telephony``, bound to no client) posts its
agent states and the calls of every project. A QA evaluator, a trainer or a staff user with
no project role (a team lead) reads the pool and changes nothing of it. Integrations never
see the pool's internal costs. docs/roles.md tabulates the whole rule.

A client user (``ClientUser``: a person of a client company) is never staff: the admin
refuses them, and the portal shows them their own client's projects alone, by role
(``viewer`` reads service, calls and QA; ``accountant`` also the money). Staff, superusers
included, have no portal role: the portal refuses them (docs/portal.md).

The API applies these through ``projects.api.scoping`` (DRF glue), the admin through
``projects.admin_scoping``.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from projects.models import Client, ClientUser, IntegrationAccount, Project

User = AuthUser | AnonymousUser

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


# --- Who the caller is ---------------------------------------------------------------------


def integration_account(user: User | None) -> IntegrationAccount | None:
    """The user's integration binding, else ``None`` (one query, then cached on the user)."""
    return getattr(user, "integration", None)


def integration_client_id(user: User | None) -> int | None:
    """The client id a client's integration is bound to, else ``None`` (telephony too)."""
    account = integration_account(user)
    return account.client_id if account is not None else None


def is_integration(user: User | None) -> bool:
    """An integration token of any kind: a client's or the center's telephony."""
    return integration_account(user) is not None


def is_client_integration(user: User | None) -> bool:
    account = integration_account(user)
    return account is not None and account.kind == IntegrationAccount.Kind.CLIENT


def is_telephony(user: User | None) -> bool:
    """The center's telephony integration: no client, every project's calls and the whole
    pool's agent states."""
    account = integration_account(user)
    return account is not None and account.kind == IntegrationAccount.Kind.TELEPHONY


def _is_staff_person(user: User | None) -> bool:
    """A staff user who logs in as a person: authenticated, staff, not an integration."""
    return bool(user and user.is_authenticated and user.is_staff and not is_integration(user))


def manages_a_project(user: User | None) -> bool:
    if not user or not user.is_authenticated:
        return False
    return Project.managers.through.objects.filter(user=user).exists()


def holds_only_assigned_roles(user: User | None) -> bool:
    """A QA evaluator or trainer who manages no project: staff who read the shared pool
    but change nothing a manager changes (operators, schedules, the catalogue), and get no
    billing at all.

    Non-staff users (integration tokens above all, on every billing request) answer without
    a query: every rule this feeds already stops at ``is_staff``, and a non-staff user's
    manager-role scope is empty anyway."""
    if not user or not user.is_authenticated or user.is_superuser or not user.is_staff:
        return False
    if manages_a_project(user):
        return False
    return (
        Project.qa_evaluators.through.objects.filter(user=user).exists()
        or Project.trainers.through.objects.filter(user=user).exists()
    )


def client_user(user: User | None) -> ClientUser | None:
    """The user's binding to a client as a portal user, else ``None`` (cached on the user).

    Staff are never client users (``ClientUser.clean``, ``portal_client_user``), so a staff
    user answers without a query: the rules below ask this on every request."""
    if not user or not user.is_authenticated or user.is_staff:
        return None
    return getattr(user, "client_user", None)


# Portal roles, each with the roles that hold it: an accountant reads all a viewer reads.
PORTAL_VIEWER = ClientUser.Role.VIEWER
PORTAL_ACCOUNTANT = ClientUser.Role.ACCOUNTANT
PORTAL_ROLE_HOLDERS: dict[str, set[str]] = {
    PORTAL_VIEWER: {ClientUser.Role.VIEWER, ClientUser.Role.ACCOUNTANT},
    PORTAL_ACCOUNTANT: {ClientUser.Role.ACCOUNTANT},
}


def portal_client_user(user: User | None, role: str) -> ClientUser | None:
    """The client user allowed a portal page open to ``role``, else ``None``.

    Never staff or a superuser, even one bound by mistake (the binding's ``clean`` refuses
    that; a later edit of the user could still make them staff), and never an inactive
    user."""
    binding = client_user(user)
    if binding is None or user is None or user.is_superuser:
        return None
    if not user.is_active or binding.role not in PORTAL_ROLE_HOLDERS[role]:
        return None
    return binding


# --- The shared operator pool --------------------------------------------------------------


def sees_whole_pool(user: User | None) -> bool:
    """Superusers and staff (not integrations) read every operator of the shared pool,
    their state events, occupancy and the handle time of every call they take."""
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or _is_staff_person(user)


def may_change_pool(user: User | None) -> bool:
    """Superusers and project managers (staff managing at least one project) change the
    pool's operators, their costs, lifecycle, certifications, shifts and schedules, and the
    catalogue. QA evaluators, trainers and staff with no project role do not; nor does
    any integration token."""
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or (_is_staff_person(user) and manages_a_project(user))


def may_post_agent_states(user: User | None) -> bool:
    """Agent states of the shared pool: what ``may_change_pool`` allows, and the center's
    telephony. Never a client's integration: one client's token would change another
    client's staffed time through a shared operator."""
    return may_change_pool(user) or is_telephony(user)


def sees_internal_costs(user: User | None) -> bool:
    """Operators' ``hourly_cost`` and team leads: for the center's own people, never for an
    integration token (a client's or the telephony's)."""
    return bool(
        user and user.is_authenticated and not is_integration(user) and client_user(user) is None
    )


# --- Visible projects and clients ----------------------------------------------------------


def visible_projects(user: User | None, role: str = MANAGER) -> QuerySet[Project]:
    """The projects ``user`` may see in a room open to ``role``, as a lazy queryset.

    The telephony integration sees none here: the few views it feeds open every project
    to it themselves (``ScopedViewSetMixin.telephony_reaches``)."""
    if not user or not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    account = integration_account(user)
    if account is not None:
        if account.client_id is None:  # the telephony
            return Project.objects.none()
        return Project.objects.filter(client_id=account.client_id)
    assigned = Q()
    for relation in ROLE_RELATIONS[role]:
        through = getattr(Project, relation).through  # the many-to-many's table
        assigned |= Q(pk__in=through.objects.filter(user=user).values("project_id"))
    if not user.is_staff:
        # A client's person (never staff): that client's projects, whatever the room. A
        # subquery of the same SQL, so every other user pays no extra query for it.
        assigned |= Q(client_id__in=ClientUser.objects.filter(user=user).values("client_id"))
    return Project.objects.filter(assigned)


def visible_clients(user: User | None, role: str = MANAGER) -> QuerySet[Client]:
    """Superuser: all; a client's integration: its own client; others: clients of the
    projects they see."""
    if not user or not user.is_authenticated:
        return Client.objects.none()
    if user.is_superuser:
        return Client.objects.all()
    account = integration_account(user)
    if account is not None:
        if account.client_id is None:  # the telephony
            return Client.objects.none()
        return Client.objects.filter(pk=account.client_id)
    return Client.objects.filter(pk__in=visible_projects(user, role).values("client_id"))


def _resolve_scope(model: type[Model], path: str) -> tuple[type[Model], bool]:
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
        many = many or bool(field.many_to_many or field.one_to_many)
        related = field.related_model
        if related is None or isinstance(related, str):  # a relation always names its model
            raise ImproperlyConfigured(f"scope_path {path!r}: {part!r} leads to no model.")
        current = related
    return current, many


def scope_queryset(queryset: QuerySet, user: User, path: str, role: str = MANAGER) -> QuerySet:
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
