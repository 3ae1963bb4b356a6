"""Clients and projects: CRUD looked up by ``code``, cut to the caller's scope."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects import selectors, services
from projects.api.filters import ProjectFilter
from projects.api.scoping import SELF, SuperuserOnly
from projects.api.serializers import ClientSerializer, ProjectSerializer, SellerSerializer
from projects.api.viewsets import CatalogViewSet
from projects.models import Seller
from projects.roles import holds_billing_right

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(400, 401, 404)  # 404: a page past the end
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="List clients", responses={200: ClientSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get a client", responses={200: ClientSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a client (administrators)",
        responses={201: ClientSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a client", responses={200: ClientSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update a client", responses={200: ClientSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete a client without projects (administrators)",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class ClientViewSet(CatalogViewSet):
    """Clients. A superuser sees all, an integration its own client, a PM the clients of
    the projects they manage (and of those clients' projects, only the managed ones).

    Creating and deleting a client is for administrators: a new client has no PM yet,
    and a client is shared by all its projects' PMs. PMs may edit clients in scope, but
    their billing details (legal name, INN, KPP, address, billing email, currency, VAT)
    only a user with the billing right (``projects.roles.BILLING_RIGHT``; superusers), as
    in the admin: otherwise a 403 naming the fields, nothing stored.
    """

    serializer_class = ClientSerializer
    lookup_field = "code"
    scope_path = SELF
    superuser_only_actions = ("create", "destroy")
    search_fields = ["code", "legal_name", "tax_id"]
    ordering_fields = ["code", "legal_name"]

    def get_base_queryset(self):
        return selectors.client_list(projects=self.visible_projects())

    def create_object(self, data):
        return services.client_create(**data)

    def update_object(self, instance, data):
        changed = services.client_billing_changes(client=instance, fields=data)
        if changed and not holds_billing_right(self.request.user):
            raise DomainError(
                "Only users with the billing right may change a client's billing details.",
                details={
                    name: ["Changed only by users with the billing right (administrators)."]
                    for name in changed
                },
                status=403,
                code="permission_denied",
            )
        return services.client_update(client=instance, **data)

    def delete_object(self, instance):
        services.client_delete(client=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List projects", responses={200: ProjectSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get a project", responses={200: ProjectSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a project", responses={201: ProjectSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a project", responses={200: ProjectSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update a project", responses={200: ProjectSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete a project without calls or tariffs (administrators)",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class ProjectViewSet(CatalogViewSet):
    """Projects with their KPI targets and business hours.

    A PM may create a project for a client in their scope and becomes its manager (else
    they could not see what they made); they edit the projects they manage. Deleting a
    project is for administrators; deactivate it (``is_active``) instead.
    ``business_hours``, when sent, replaces the stored windows; omitted, they stay.
    The center's telephony reads every project (the codes it posts calls under).
    """

    serializer_class = ProjectSerializer
    lookup_field = "code"
    scope_path = SELF
    telephony_reaches = True
    superuser_only_actions = ("destroy",)
    filterset_class = ProjectFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def get_base_queryset(self):
        return selectors.project_list()

    def create_object(self, data):
        user = self.request.user
        managers = () if user.is_superuser else (user,)
        return services.project_create(managers=managers, **data)

    def update_object(self, instance, data):
        return services.project_update(project=instance, **data)

    def delete_object(self, instance):
        services.project_delete(project=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List sellers (administrators)",
        responses={200: SellerSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="Get a seller (administrators)",
        responses={200: SellerSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Create a seller (administrators)",
        responses={201: SellerSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a seller (administrators)",
        responses={200: SellerSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update a seller (administrators)",
        responses={200: SellerSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a seller no client names (administrators)",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class SellerViewSet(CatalogViewSet):
    """Our legal entities, printed as the seller on invoices and closing documents
    (docs/billing.md, "Parties"). Superusers only, reads included: every other caller gets
    a 403. A client names its seller; with one seller, it bills every client. ИНН, ОГРН,
    БИК and the accounts' keys are checked by their control digits (400 naming the field).
    An issued invoice keeps the seller it was issued with (its snapshot).
    """

    serializer_class = SellerSerializer
    permission_classes = [SuperuserOnly]
    lookup_field = "code"
    scope_path = "clients"  # never cut: only superusers reach the view
    search_fields = ["code", "name", "inn"]
    ordering_fields = ["code", "name"]

    def get_base_queryset(self):
        return Seller.objects.all()

    def create_object(self, data):
        return services.seller_create(**data)

    def update_object(self, instance, data):
        return services.seller_update(seller=instance, **data)

    def delete_object(self, instance):
        services.seller_delete(seller=instance)
