"""Alerts in the API: a project's managers (and superusers) list and acknowledge them; a
client's integration reads its own projects' alerts and changes nothing (docs/alerts.md)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.api.filters import AlertFilter
from alerts.api.serializers import AlertSerializer
from alerts.engine import alert_acknowledge
from alerts.models import Alert
from contactcenter.api.schema import error_responses
from projects.api.scoping import MANAGER, ScopedViewSetMixin, is_integration


class AcknowledgePermission(permissions.BasePermission):
    """Reads pass (the scope decides them); an integration token never acknowledges."""

    message = _("Integration tokens read alerts; only people acknowledge them.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return not is_integration(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="List alerts",
        responses={200: AlertSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Get an alert", responses={200: AlertSerializer, **error_responses(401, 404)}
    ),
)
class AlertViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Alerts of the projects in scope, newest first; ``?project=`` and ``?state=`` filter.
    ``acknowledge/`` marks an open alert seen (managers of its project and superusers)."""

    serializer_class = AlertSerializer
    scope_path = "project"
    scope_role = MANAGER
    scope_write_role = MANAGER
    lookup_value_regex = "[0-9]+"
    permission_classes = [permissions.IsAuthenticated, AcknowledgePermission]
    filterset_class = AlertFilter
    ordering_fields = ["opened_at", "id"]
    search_fields: list[str] = []

    def get_base_queryset(self):
        return Alert.objects.select_related("project", "acknowledged_by").order_by(
            "-opened_at", "-id"
        )

    @extend_schema(
        summary="Acknowledge an alert",
        description=(
            "Marks the alert seen by the caller; acknowledging again keeps the first. A "
            "cleared alert is a 409."
        ),
        request=None,
        responses={200: AlertSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = alert_acknowledge(alert=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_base_queryset().get(pk=alert.pk)).data)
