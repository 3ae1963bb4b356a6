"""People endpoints: an operator's lifecycle moves and history, training programs and
enrolments, and the pool's turnover per month.

Who may call them: staff. Operators are the shared pool, so the history and the turnover
are open to every staff user over every operator, like ``operators/``; a lifecycle move
changes the pool, so it is for superusers and project managers (``PoolWritePermission``).
Training is cut by project to the caller's trainer role (managers hold it on their
projects). Integration tokens neither change nor read people data: a 403 before
any lookup (docs/people.md).
"""

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agents import lifecycle, training, turnover
from agents.api.people_serializers import (
    EnrolmentCreateSerializer,
    EnrolmentResultSerializer,
    EnrolmentSerializer,
    OperatorHistorySerializer,
    OperatorLifecycleSerializer,
    StatusChangeSerializer,
    StatusMoveResultSerializer,
    StatusMoveSerializer,
    TrainingProgramSerializer,
    TurnoverQuerySerializer,
    TurnoverSerializer,
)
from agents.models import Operator, TrainingEnrolment, TrainingProgram
from contactcenter.api.schema import error_responses
from projects.api.scoping import (
    TRAINER,
    PeopleStaffOnly,
    PoolWritePermission,
    ScopedViewSetMixin,
    visible_projects,
)
from projects.api.viewsets import CatalogViewSet

STAFF_ONLY = [permissions.IsAuthenticated, PeopleStaffOnly]


class _PoolView(ScopedViewSetMixin, GenericAPIView):
    """The shared operator pool, whole for staff (the only callers let in)."""

    permission_classes = STAFF_ONLY
    scope_path = "certifications__project"
    scope_bypass_for_staff = True
    queryset = Operator.objects.all()
    lookup_field = "code"
    filter_backends = []
    pagination_class = None


class OperatorStatusView(_PoolView):
    """``operators/{code}/status/``: one lifecycle move, by a superuser or a project
    manager (QA evaluators, trainers and staff with no project role: 403)."""

    permission_classes = [*STAFF_ONLY, PoolWritePermission]
    serializer_class = StatusMoveSerializer

    @extend_schema(
        summary="Move an operator along the lifecycle",
        description=(
            "candidate -> training -> active -> dismissed (with a reason); dismissed -> "
            "candidate is a rehire. Any other move is a 409. `on` is never after today nor "
            "before the previous move. A dismissal deletes the operator's shifts after "
            "their last day (`deleted_shifts`). Superusers and project managers only."
        ),
        request=StatusMoveSerializer,
        responses={200: StatusMoveResultSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, code):
        operator = self.get_object()
        data = StatusMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = lifecycle.operator_move(operator=operator, by=request.user, **data.validated_data)
        operator.refresh_from_db()
        return Response(
            {
                "operator": OperatorLifecycleSerializer(operator).data,
                "change": StatusChangeSerializer(change).data,
                "deleted_shifts": getattr(change, "deleted_shifts", 0),
            }
        )


class OperatorHistoryView(_PoolView):
    """``operators/{code}/history/``: every lifecycle move, oldest first."""

    serializer_class = OperatorHistorySerializer

    @extend_schema(
        summary="An operator's lifecycle history",
        responses={200: OperatorHistorySerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, code):
        operator = self.get_object()
        changes = operator.status_changes.select_related("changed_by").order_by(
            "effective_on", "id"
        )
        return Response(
            {
                "operator": operator.code,
                "status": operator.status,
                "changes": StatusChangeSerializer(changes, many=True).data,
            }
        )


class TurnoverView(_PoolView):
    """``people/turnover/``: the whole pool's turnover per calendar month."""

    serializer_class = TurnoverSerializer

    @extend_schema(
        summary="Turnover of the operator pool per month",
        description=(
            "Per calendar month: hires (rehires included), leavers (dismissed active "
            "operators), headcount of active operators at the start and end, turnover rate "
            "= leavers / ((start + end) / 2) (null when 0), average tenure in days of the "
            "active operators at the month's end and of the leavers (docs/people.md)."
        ),
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="First month, YYYY-MM.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="Last month, YYYY-MM (at most 120 months).",
            ),
        ],
        responses={200: TurnoverSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        query = TurnoverQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        months = turnover.turnover(
            first_month=query.validated_data["from"], last_month=query.validated_data["to"]
        )
        return Response({"months": [turnover.as_row(month) for month in months]})


LIST_ERRORS = error_responses(400, 401, 403, 404)  # a bad filter; a page past the end
READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="Training programs",
        responses={200: TrainingProgramSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A training program", responses={200: TrainingProgramSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a training program",
        responses={201: TrainingProgramSerializer, **error_responses(400, 401, 403, 409)},
    ),
    update=extend_schema(
        summary="Replace a training program (it stays with its project)",
        responses={200: TrainingProgramSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update a training program (it stays with its project)",
        responses={200: TrainingProgramSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a training program without enrolments",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
class TrainingProgramViewSet(CatalogViewSet):
    """Training programs of the projects the caller trains on (managers: theirs)."""

    permission_classes = STAFF_ONLY
    serializer_class = TrainingProgramSerializer
    scope_path = "project"
    scope_role = TRAINER
    scope_write_role = TRAINER
    filterset_fields = ["is_active"]
    ordering_fields = ["name", "created_at"]
    search_fields = ["name"]

    def get_base_queryset(self):
        return TrainingProgram.objects.select_related("project").order_by("project__code", "name")

    def create_object(self, data):
        return training.program_create(**data)

    def update_object(self, instance, data):
        return training.program_update(program=instance, **data)

    def delete_object(self, instance):
        training.program_delete(program=instance)


class EnrolmentFilter(filters.FilterSet):
    # Method filters: the codes are looked up among the caller's projects, so another
    # client's code finds what an unknown code finds (nothing).
    project = filters.CharFilter(method="filter_project", help_text="Project code.")
    operator = filters.CharFilter(method="filter_operator", help_text="Operator code.")

    class Meta:
        model = TrainingEnrolment
        fields = ["status", "project", "operator"]

    def filter_project(self, queryset, name, value):
        projects = visible_projects(self.request.user, TRAINER).filter(code=value)
        return queryset.filter(program__project__in=projects)

    def filter_operator(self, queryset, name, value):
        return queryset.filter(operator__code=value)


@extend_schema_view(
    list=extend_schema(
        summary="Training enrolments (filter project, status, operator)",
        responses={200: EnrolmentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A training enrolment", responses={200: EnrolmentSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Enrol an operator on a course",
        description="A candidate starts training on `started_on`; the expected ready date "
        "is computed from the course's hours (docs/people.md).",
        request=EnrolmentCreateSerializer,
        responses={201: EnrolmentSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
class TrainingEnrolmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Who is on which course of the caller's projects, and when they will be ready."""

    permission_classes = STAFF_ONLY
    serializer_class = EnrolmentSerializer
    scope_path = "program__project"
    scope_role = TRAINER
    scope_write_role = TRAINER
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = EnrolmentFilter

    def get_base_queryset(self):
        return TrainingEnrolment.objects.select_related(
            "operator", "program__project", "trainer"
        ).order_by("expected_ready_on", "operator__code", "id")

    def create(self, request, *args, **kwargs):
        data = EnrolmentCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        enrolment = training.enrolment_create(
            trainer=request.user, by=request.user, **data.validated_data
        )
        enrolment = self.get_queryset().get(pk=enrolment.pk)
        return Response(EnrolmentSerializer(enrolment).data, status=201)

    @extend_schema(
        summary="Record a course's test result",
        description=(
            "score >= the course's passing score: passed, the operator is certified for the "
            "project on `on` (once) and, if in training, activated. Otherwise failed. The "
            "same result again changes nothing; another result is a 409."
        ),
        request=EnrolmentResultSerializer,
        responses={200: EnrolmentSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="result")
    def result(self, request, pk=None):
        enrolment = self.get_object()
        data = EnrolmentResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        training.enrolment_record_result(
            enrolment=enrolment, by=request.user, **data.validated_data
        )
        return Response(EnrolmentSerializer(self.get_queryset().get(pk=enrolment.pk)).data)
