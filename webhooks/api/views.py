"""webhooks/endpoints/: a client's integration manages its own client's endpoints;
superusers every endpoint, the center's (no client) included; the PMs of a client's
projects that client's; QA evaluators, trainers and staff without a project role none."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import (
    ScopedViewSetMixin,
    holds_only_assigned_roles,
    integration_client_id,
    is_integration,
    may_change_pool,
)
from webhooks import services
from webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

MAX_DELIVERIES = 100
READ_ERRORS = error_responses(401, 403, 404)
LIST_ERRORS = error_responses(400, 401, 403, 404)  # 400: an unknown query parameter
WRITE_ERRORS = error_responses(400, 401, 403, 404)


class WebhookPermission(permissions.BasePermission):
    """Reads: anyone authenticated but QA evaluators and trainers (rows scoped). Writes:
    superusers, a client's integration, project managers; never the telephony (no client),
    evaluators, trainers or staff without a project role."""

    message = "Only administrators, project managers and a client's integration manage webhooks."

    def has_permission(self, request, view):
        user = request.user
        if holds_only_assigned_roles(user):
            return False
        if request.method in permissions.SAFE_METHODS or user.is_superuser:
            return True
        if is_integration(user):
            return integration_client_id(user) is not None
        return may_change_pool(user)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a webhook endpoint", responses={200: WebhookEndpointSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a webhook endpoint",
        responses={201: WebhookEndpointWithSecretSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint",
        responses={200: WebhookEndpointSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint", responses={204: None, **WRITE_ERRORS}
    ),
)
class WebhookEndpointViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Endpoints that receive events signed by the Standard Webhooks scheme
    (docs/webhooks.md). The answer of a create and of ``rotate-secret/`` holds the
    ``secret`` (``whsec_...``); no other answer shows it."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsAuthenticated, WebhookPermission]
    scope_path = "client"

    def get_base_queryset(self):
        return WebhookEndpoint.objects.select_related("client").order_by("pk")

    def _owner(self, data):
        """The client an endpoint is for: an integration's own; others name it (a superuser
        may leave it blank: the center's)."""
        user = self.request.user
        if is_integration(user):
            own = integration_client_id(user)
            client = data.get("client")
            if client is not None and client.pk != own:
                raise DomainError(_("Unknown client."), details={"client": [_("Not your client.")]})
            return self.visible_clients().get(pk=own)
        if "client" not in data or data["client"] is None:
            if not user.is_superuser:
                raise DomainError(
                    _("A client is required."),
                    details={"client": [_("Only administrators create the center's endpoints.")]},
                )
            return None
        return data["client"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        endpoint = services.endpoint_create(
            client=self._owner(data),
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
        )
        return Response(
            WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "client" in data and (data["client"] is None or data["client"].pk != endpoint.client_id):
            raise DomainError(
                _("An endpoint keeps its client."),
                details={"client": [_("Create an endpoint for the other client instead.")]},
            )
        data.pop("client", None)
        endpoint = services.endpoint_update(endpoint=endpoint, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=endpoint.pk)).data)

    @extend_schema(
        summary="Rotate an endpoint's secret",
        request=None,
        responses={200: WebhookEndpointWithSecretSerializer, **WRITE_ERRORS},
        description="A new secret, shown in this answer only; the old one still signs "
        "(beside the new, space-separated) for WEBHOOK_SECRET_GRACE_HOURS (24).",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        summary="An endpoint's deliveries",
        responses={200: WebhookDeliverySerializer(many=True), **READ_ERRORS},
        description=f"The latest {MAX_DELIVERIES} deliveries, newest first, each with its "
        "attempts (status code, latency, error, the answer's start).",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        rows = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("message")
            .prefetch_related(
                Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
            )
            .order_by("-created_at", "-id")[:MAX_DELIVERIES]
        )
        return Response(WebhookDeliverySerializer(rows, many=True).data)
