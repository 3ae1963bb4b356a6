"""Tariffs: CRUD looked up by id, cut to the projects the caller sees."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from billing import services
from billing.api.filters import TariffFilter
from billing.api.serializers import TariffSerializer
from billing.models import Tariff
from contactcenter.api.schema import error_responses
from projects.api.viewsets import CatalogViewSet

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(summary="List tariffs", responses={200: TariffSerializer(many=True)}),
    retrieve=extend_schema(
        summary="Get a tariff", responses={200: TariffSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a tariff", responses={201: TariffSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a tariff", responses={200: TariffSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update a tariff", responses={200: TariffSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(summary="Delete a tariff", responses={204: None, **WRITE_ERRORS}),
)
class TariffViewSet(CatalogViewSet):
    """A project's prices, each valid from a local date until the project's next tariff.

    Everyone sees the tariffs of the projects in their scope; superusers and the PMs of
    the project change them. ``bands``, when sent, replaces the stored bands in the
    listed order.
    """

    serializer_class = TariffSerializer
    scope_path = "project"
    filterset_class = TariffFilter
    ordering_fields = ["valid_from", "id"]

    def get_base_queryset(self):
        return Tariff.objects.select_related("project").prefetch_related("bands")

    def create_object(self, data):
        return services.tariff_create(**data)

    def update_object(self, instance, data):
        return services.tariff_update(tariff=instance, **data)

    def delete_object(self, instance):
        services.tariff_delete(tariff=instance)
