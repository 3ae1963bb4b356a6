"""Operators of the shared pool (CRUD looked up by ``code``) and their state events."""

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from agents import services
from agents.api.filters import AgentStateEventFilter, OperatorFilter
from agents.api.serializers import AgentStateEventSerializer, OperatorSerializer
from agents.ingest import agent_events_ingest
from agents.models import AgentStateEvent, Certification, Operator
from contactcenter.api.ingest import IngestResultSerializer, ingest_response
from contactcenter.api.pagination import TimeCursorPagination
from contactcenter.api.schema import IDEMPOTENCY_KEY, error_responses
from projects.api.scoping import AgentStateWritePermission, ScopedViewSetMixin
from projects.api.viewsets import CatalogViewSet

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(400, 401, 404)  # 404: a page past the end, a bad cursor
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="List operators",
        responses={200: OperatorSerializer(many=True), **LIST_ERRORS},
    ),
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
    """Operators. The pool is shared, so superusers and staff see every operator, and so
    does the center's telephony; a client's integration or another user sees the operators
    certified on the projects they see. Only superusers and project managers change
    operators (``CatalogPermission``: QA evaluators, trainers, staff with no project role
    and every integration get a 403). Integrations never read ``hourly_cost`` nor the
    team lead (``OperatorSerializer``).

    ``certifications`` shows and, when sent, replaces only the certifications on projects
    the caller sees: a PM cannot read or drop another client's certifications. Deleting
    an operator drops all their certifications, so it is for administrators; set
    ``status`` to ``dismissed`` instead.
    """

    serializer_class = OperatorSerializer
    lookup_field = "code"
    scope_path = "certifications__project"
    scope_bypass_for_staff = True
    telephony_reaches = True
    superuser_only_actions = ("destroy",)
    filterset_class = OperatorFilter
    search_fields = ["code", "full_name", "email"]
    ordering_fields = ["code", "full_name", "hired_on"]

    def get_base_queryset(self):
        certifications = Certification.objects.filter(
            project__in=self.visible_projects()
        ).select_related("project")
        return Operator.objects.select_related("supervisor").prefetch_related(
            Prefetch("certifications", certifications)
        )

    def create_object(self, data):
        return services.operator_create(**data)

    def update_object(self, instance, data):
        within = None if self.request.user.is_superuser else self.visible_projects()
        return services.operator_update(operator=instance, certifications_within=within, **data)

    def delete_object(self, instance):
        services.operator_delete(operator=instance)


class EventCursorPagination(TimeCursorPagination):
    ordering = ("-at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="List agent state events, newest first",
        description="Cursor-paginated by (at, id) descending; follow `next`.",
        responses={200: AgentStateEventSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an agent state event",
        responses={200: AgentStateEventSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Send agent state events: one object or a list of up to 10,000",
        description=(
            "Superusers, project managers and the center's telephony integration only: "
            "operators are shared by every client, so a client's integration gets a 403. "
            "A state lasts until the operator's next event (SPEC section 5). A list is "
            "atomic: any invalid row rejects the whole batch, errors keyed by row index. "
            "An event identical to a stored one (same operator and instant) is counted in "
            "`duplicates`; the same operator and instant with another state is a 409."
        ),
        request=AgentStateEventSerializer(many=True),
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(IngestResultSerializer, description="Stored."),
            200: OpenApiResponse(IngestResultSerializer, description="Every row a duplicate."),
            **error_responses(400, 401, 403, 409),
        },
    ),
)
class AgentStateEventViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """State events of the operators the caller sees (staff and the telephony: the whole
    shared pool; a client's integration: operators certified on its client's projects).
    Sent by superusers, project managers and the center's telephony only
    (``AgentStateWritePermission``): a client's token changing a shared operator's state
    would change another client's staffed time. Events are what the telephony reported, so
    they are not edited or deleted through the API.
    """

    serializer_class = AgentStateEventSerializer
    permission_classes = [IsAuthenticated, AgentStateWritePermission]
    scope_path = "operator__certifications__project"
    scope_bypass_for_staff = True
    telephony_reaches = True
    pagination_class = EventCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = AgentStateEventFilter

    def get_base_queryset(self):
        return AgentStateEvent.objects.select_related("operator")

    def create(self, request, *args, **kwargs):
        allowed = None
        if not self.reaches_every_row():
            allowed = set(
                Operator.objects.filter(
                    certifications__project__in=self.visible_projects()
                ).values_list("pk", flat=True)
            )
        return ingest_response(
            request, lambda rows: agent_events_ingest(rows=rows, allowed_operator_ids=allowed)
        )
