"""Live endpoints: call events in, the live state of a project, of the pool, of operators."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from redis import RedisError
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contactcenter.api.ingest import IngestResultSerializer, ingest_response
from contactcenter.api.schema import IDEMPOTENCY_KEY, error_responses
from live import state
from live.api.serializers import CallEventSerializer, LiveStateSerializer, OperatorLiveSerializer
from live.ingest import call_events_ingest
from live.models import CallEvent
from projects.api.scoping import SELF, ScopedViewSetMixin, sees_whole_pool, visible_projects
from projects.models import Project


class LiveUnavailable(APIException):
    status_code = 503
    default_detail = _("The live state is unavailable (Redis); try again shortly.")
    default_code = "live_unavailable"


class SeesWholePool(permissions.BasePermission):
    """Superusers and staff people: the pool's state mixes every client's projects."""

    message = _("Only the center's staff see the whole pool's live state.")

    def has_permission(self, request, view):
        return sees_whole_pool(request.user)


def _read(compute):
    try:
        return compute()
    except (RedisError, OSError) as exc:
        raise LiveUnavailable from exc


@extend_schema(
    summary="Send live call events: one object or a list of up to 10,000",
    description=(
        "`offered`, `answered`, `ended`, `abandoned` of calls in progress, for the projects "
        "in the caller's scope (a client's integration: its client's projects; the center's "
        "telephony: all). A list is atomic; errors keyed by row index and field. An event "
        "identical to a stored one (same project, external_id and event) is counted in "
        "`duplicates`; the same key with other data is a 409. The finished call record "
        "(calls/) comes later with the same external_id (docs/live.md)."
    ),
    request=CallEventSerializer(many=True),
    parameters=[IDEMPOTENCY_KEY],
    responses={
        201: OpenApiResponse(IngestResultSerializer, description="Stored."),
        200: OpenApiResponse(IngestResultSerializer, description="Every row a duplicate."),
        **error_responses(400, 401, 409),
    },
)
class CallEventViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Live call events (write only): the projects the caller manages or integrates."""

    serializer_class = CallEventSerializer
    queryset = CallEvent.objects.all()
    scope_path = "project"
    telephony_reaches = True

    def create(self, request, *args, **kwargs):
        allowed = (
            None
            if self.reaches_every_row()
            else set(self.visible_projects().values_list("pk", flat=True))
        )
        return ingest_response(
            request, lambda rows: call_events_ingest(rows=rows, allowed_project_ids=allowed)
        )


class ProjectLiveView(ScopedViewSetMixin, GenericAPIView):
    """``projects/{code}/live/``: the project's live state (its managers, its client's
    integration, superusers)."""

    scope_path = SELF
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = LiveStateSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="A project's live state: queue, operators, today so far",
        responses={200: LiveStateSerializer, **error_responses(401, 404), 503: None},
    )
    def get(self, request, code):
        project = self.get_object()
        return Response(_read(lambda: state.project_live(project)))


class PoolLiveView(ScopedViewSetMixin, GenericAPIView):
    """``pool/live/``: the whole center's live state, for staff and superusers."""

    scope_path = SELF
    queryset = Project.objects.all()
    permission_classes = [permissions.IsAuthenticated, SeesWholePool]
    serializer_class = LiveStateSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="The pool's live state: every project's queue, every operator once",
        responses={200: LiveStateSerializer, **error_responses(401, 403), 503: None},
    )
    def get(self, request):
        return Response(_read(state.pool_live))


class PoolOperatorsLiveView(PoolLiveView):
    """``pool/live/operators/``: each operator's state, since when, and current call; the
    call is named only when the reader sees its project (a team lead sees "on_call")."""

    serializer_class = OperatorLiveSerializer  # type: ignore[assignment]  # the same view, operator rows

    @extend_schema(
        summary="Every operator's live state",
        responses={200: OperatorLiveSerializer(many=True), **error_responses(401, 403), 503: None},
    )
    def get(self, request):
        operators = _read(state.operators_live)
        user = request.user
        shown = (
            None
            if user.is_superuser
            else set(visible_projects(user).values_list("code", flat=True))
        )
        for row in operators:
            if (
                row["call"] is not None
                and shown is not None
                and row["call"]["project"] not in shown
            ):
                row["call"] = None
        return Response(OperatorLiveSerializer(operators, many=True).data)
