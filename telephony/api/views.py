"""Telephony sources, their mapping tables and the parked calls in the API.

Who (least privilege, ``TelephonyPermission``): superusers and the center's telephony
reach every source; a client's integration its own client's sources, mapping them to its
client's projects and to the operators certified there; a project manager the sources of
the clients whose projects they manage. QA evaluators, trainers and staff with no project
role get a 403, reads included. Deleting a source (and its parked calls) is for
superusers. Writing a mapping queues the replay of the source's parked calls.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.filters import OrderingFilter

from contactcenter.api.schema import error_responses
from projects.api.scoping import ScopedViewSetMixin, is_integration, may_change_pool
from projects.api.viewsets import CatalogViewSet
from telephony import services
from telephony.api.filters import (
    AgentMappingFilter,
    ParkedCallFilter,
    QueueMappingFilter,
    TelephonySourceFilter,
)
from telephony.api.serializers import (
    AgentMappingSerializer,
    ParkedCallSerializer,
    QueueMappingSerializer,
    TelephonySourceSerializer,
)
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource

WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
LIST_ERRORS = error_responses(400, 401, 403, 404)  # 404: a page past the last
READ_ERRORS = error_responses(401, 403, 404)


class TelephonyPermission(permissions.BasePermission):
    """Superusers, integration tokens (the scope cuts a client's to its client) and project
    managers; nobody else, reads included. ``superuser_only_actions`` of the view are for
    superusers alone."""

    message = _("Telephony sources are for administrators, project managers and integrations.")

    def has_permission(self, request, view):
        user = request.user
        if user.is_superuser:
            return True
        if getattr(view, "action", None) in getattr(view, "superuser_only_actions", ()):
            self.message = _("Only administrators may do this.")
            return False
        return is_integration(user) or may_change_pool(user)


# Exact filters and ordering; no free-text search (a source is found by its code).
FILTER_BACKENDS = [DjangoFilterBackend, OrderingFilter]


class TelephonyViewSet(CatalogViewSet):
    permission_classes = [permissions.IsAuthenticated, TelephonyPermission]
    filter_backends = FILTER_BACKENDS
    telephony_reaches = True


@extend_schema_view(
    list=extend_schema(
        summary="List telephony sources",
        responses={200: TelephonySourceSerializer(many=True), **LIST_ERRORS},
    ),
    create=extend_schema(
        summary="Create a telephony source",
        responses={201: TelephonySourceSerializer, **WRITE_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a telephony source", responses={200: TelephonySourceSerializer, **READ_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a telephony source",
        responses={200: TelephonySourceSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update a telephony source",
        responses={200: TelephonySourceSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a telephony source (administrators)", responses={204: None, **WRITE_ERRORS}
    ),
)
class TelephonySourceViewSet(TelephonyViewSet):
    """A client's PBX: its kind, the zone of its naive times, its default phone region."""

    serializer_class = TelephonySourceSerializer
    lookup_field = "code"
    scope_path = "client"
    superuser_only_actions = ("destroy",)
    filterset_class = TelephonySourceFilter
    ordering_fields = ["code", "name"]

    def get_base_queryset(self):
        waiting = Count("parked_calls", filter=Q(parked_calls__resolved_at__isnull=True))
        return (
            TelephonySource.objects.select_related("client")
            .annotate(waiting=waiting)
            .order_by("code")
        )

    def create_object(self, data):
        return services.source_save(TelephonySource(**data))

    def update_object(self, instance, data):
        for name, value in data.items():
            setattr(instance, name, value)
        return services.source_save(instance)

    def delete_object(self, instance):
        instance.delete()


class MappingViewSet(TelephonyViewSet):
    scope_path = "source__client"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["id"]

    def create_object(self, data):
        return services.mapping_save(self.queryset.model(**data))

    def update_object(self, instance, data):
        for name, value in data.items():
            setattr(instance, name, value)
        return services.mapping_save(instance)

    def delete_object(self, instance):
        instance.delete()


@extend_schema_view(
    list=extend_schema(
        summary="List queue mappings",
        responses={200: QueueMappingSerializer(many=True), **LIST_ERRORS},
    ),
    create=extend_schema(
        summary="Map a queue to a project", responses={201: QueueMappingSerializer, **WRITE_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get a queue mapping", responses={200: QueueMappingSerializer, **READ_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a queue mapping", responses={200: QueueMappingSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update a queue mapping", responses={200: QueueMappingSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(summary="Delete a queue mapping", responses={204: None, **WRITE_ERRORS}),
)
class QueueMappingViewSet(MappingViewSet):
    """A queue of a source and the project its calls belong to (a project of the source's
    client). Creating or changing one stores the parked calls it resolves (a job)."""

    queryset = QueueMapping.objects.all()
    serializer_class = QueueMappingSerializer
    filterset_class = QueueMappingFilter

    def get_base_queryset(self):
        return QueueMapping.objects.select_related("source", "project").order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="List agent mappings",
        responses={200: AgentMappingSerializer(many=True), **LIST_ERRORS},
    ),
    create=extend_schema(
        summary="Map a PBX name to an operator",
        responses={201: AgentMappingSerializer, **WRITE_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an agent mapping", responses={200: AgentMappingSerializer, **READ_ERRORS}
    ),
    update=extend_schema(
        summary="Replace an agent mapping", responses={200: AgentMappingSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Update an agent mapping", responses={200: AgentMappingSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(summary="Delete an agent mapping", responses={204: None, **WRITE_ERRORS}),
)
class AgentMappingViewSet(MappingViewSet):
    """A name the PBX gives a person (agent, queue member, extension, channel) and the
    operator. Creating or changing one stores the parked calls it resolves (a job)."""

    queryset = AgentMapping.objects.all()
    serializer_class = AgentMappingSerializer
    filterset_class = AgentMappingFilter

    def get_base_queryset(self):
        return AgentMapping.objects.select_related("source", "operator").order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="List parked calls",
        responses={200: ParkedCallSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a parked call",
        responses={200: ParkedCallSerializer, **READ_ERRORS},
    ),
)
class ParkedCallViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Calls an import could not store whole, with what they wait for (``?reason=``,
    ``?missing=``, ``?source=``, ``?state=waiting|stored``). Read-only: adding the missing
    mapping stores them."""

    serializer_class = ParkedCallSerializer
    permission_classes = [permissions.IsAuthenticated, TelephonyPermission]
    scope_path = "source__client"
    telephony_reaches = True
    lookup_value_regex = "[0-9]+"
    filter_backends = FILTER_BACKENDS
    filterset_class = ParkedCallFilter
    ordering_fields = ["parked_at", "id"]

    def get_base_queryset(self):
        return ParkedCall.objects.select_related("source").order_by("-parked_at", "-id")
