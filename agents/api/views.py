"""Operators of the shared pool: CRUD looked up by ``code``."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from agents import services
from agents.api.filters import OperatorFilter
from agents.api.serializers import OperatorSerializer
from agents.models import Certification, Operator
from contactcenter.api.schema import error_responses
from projects.api.viewsets import CatalogViewSet

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(summary="List operators", responses={200: OperatorSerializer(many=True)}),
    retrieve=extend_schema(
        summary="Get an operator", responses={200: OperatorSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create an operator", responses={201: OperatorSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace an operator", responses={200: OperatorSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update an operator", responses={200: OperatorSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete an operator without calls or state events (administrators)",
        responses={204: None, **WRITE_ERRORS},
    ),
)
class OperatorViewSet(CatalogViewSet):
    """Operators. The pool is shared, so superusers and staff (PMs) see every operator; an
    integration or another user sees the operators certified on the projects they see.

    ``certifications`` shows and, when sent, replaces only the certifications on projects
    the caller sees: a PM cannot read or drop another client's certifications. Deleting
    an operator drops all their certifications, so it is for administrators; set
    ``status`` to ``dismissed`` instead.
    """

    serializer_class = OperatorSerializer
    lookup_field = "code"
    scope_path = "certifications__project"
    scope_bypass_for_staff = True
    superuser_only_actions = ("destroy",)
    filterset_class = OperatorFilter
    search_fields = ["code", "full_name", "email"]
    ordering_fields = ["code", "full_name", "hired_on"]

    def get_base_queryset(self):
        certifications = Certification.objects.filter(
            project__in=self.visible_projects()
        ).select_related("project")
        return Operator.objects.prefetch_related(Prefetch("certifications", certifications))

    def create_object(self, data):
        return services.operator_create(**data)

    def update_object(self, instance, data):
        within = None if self.request.user.is_superuser else self.visible_projects()
        return services.operator_update(operator=instance, certifications_within=within, **data)

    def delete_object(self, instance):
        services.operator_delete(operator=instance)
