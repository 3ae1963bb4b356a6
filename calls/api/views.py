"""Call records: ingestion of one call, a filtered list with a cursor, and detail."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from calls import services
from calls.api.filters import CallFilter
from calls.api.serializers import CallIngestResultSerializer, CallSerializer
from calls.models import Call
from contactcenter.api.pagination import TimeCursorPagination
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import ScopedViewSetMixin


@extend_schema_view(
    list=extend_schema(
        summary="List calls, newest first",
        description="Cursor-paginated by (offered_at, id) descending; follow `next`.",
        responses={200: CallSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a call", responses={200: CallSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="Send one call record",
        description=(
            "Stores a call of a project in the caller's scope (an integration: its "
            "client's projects). Resending a stored call (same project and external_id, "
            "same data) is counted as a duplicate and changes nothing; the same "
            "external_id with different data is a 409."
        ),
        request=CallSerializer,
        responses={
            201: OpenApiResponse(CallIngestResultSerializer, description="Stored."),
            200: OpenApiResponse(CallIngestResultSerializer, description="A duplicate."),
            **error_responses(400, 401, 409),
        },
    ),
)
class CallViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls of the projects in the caller's scope.

    Records are what the telephony reported, so the API does not edit or delete them:
    there is no PUT, PATCH or DELETE. A wrong record is corrected by an administrator
    in the admin; a resend with different data is refused (409) rather than silently
    rewriting billed history.

    POST takes one call object for now. Batch ingestion (a list of up to 10,000, atomic,
    errors keyed by row index) plugs in at ``create``: validate each row with
    ``CallSerializer``, then store them through ``calls.services`` in one transaction.
    """

    serializer_class = CallSerializer
    scope_path = "project"
    pagination_class = TimeCursorPagination
    # Only the filterset: the cursor fixes the order, so no ordering or search params.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CallFilter

    def get_base_queryset(self):
        return Call.objects.select_related("project", "operator")

    def create(self, request, *args, **kwargs):
        if isinstance(request.data, list):
            raise DomainError(
                "Send one call object; batch ingestion is not available yet.",
                details={"non_field_errors": ["Expected an object, got a list."]},
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call, created = services.call_create(**serializer.validated_data)
        result = {"created": int(created), "duplicates": int(not created), "ids": [call.pk]}
        return Response(
            CallIngestResultSerializer(result).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
