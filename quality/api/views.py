"""The QA room's API: scorecards, evaluations (create, submit), disputes, QA scores.

Open to QA evaluators of a project (``scope_role = scope_write_role = QA_EVALUATOR``;
managers hold every role on their projects). An integration (the client) reads its
projects' scorecards, evaluations, disputes and scores, without the QA staff's names, and
writes nothing (403). Supervisors reach the evaluations of the operators they supervise,
to read them and raise a dispute, and the disputes they raised, on any project.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agents.models import Operator
from calls import selectors
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import QA_EVALUATOR, SELF, ScopedViewSetMixin, is_integration
from projects.models import Project
from quality import selectors as quality_selectors
from quality import services as quality_services
from quality.api.serializers import (
    DisputeRaiseSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    EvaluationCreateSerializer,
    EvaluationSerializer,
    EvaluationSubmitSerializer,
    OperatorQaQuerySerializer,
    OperatorQaSerializer,
    ProjectQaSerializer,
    QaQuerySerializer,
    ScorecardReviseSerializer,
    ScorecardSerializer,
)
from quality.models import Evaluation, EvaluationAnswer, EvaluationDispute, Scorecard

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
LIST_ERRORS = error_responses(400, 401, 404)  # 404: a page past the end


class QaWritePermission(permissions.BasePermission):
    """Reads for anyone authenticated (rows scoped); an integration never writes QA."""

    message = "Integrations read quality; they do not evaluate calls."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_superuser or not is_integration(request.user)


class _QaViewMixin(ScopedViewSetMixin):
    scope_role = QA_EVALUATOR
    scope_write_role = QA_EVALUATOR
    permission_classes = [permissions.IsAuthenticated, QaWritePermission]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["hide_people"] = is_integration(self.request.user)
        return context


@extend_schema_view(
    list=extend_schema(
        summary="List scorecards (every version)",
        responses={200: ScorecardSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a scorecard version", responses={200: ScorecardSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Create a scorecard (or the next version of one of that name)",
        responses={201: ScorecardSerializer, **WRITE_ERRORS},
    ),
)
class ScorecardViewSet(
    _QaViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Scorecards of the projects in scope. A version never changes once made: ``revise/``
    makes the next one, so the evaluations of a version keep their criteria."""

    serializer_class = ScorecardSerializer
    scope_path = "project"
    filterset_fields = {"is_active": ["exact"]}
    search_fields = ["name"]
    ordering_fields = ["valid_from", "version"]

    def get_base_queryset(self):
        frozen = Exists(Evaluation.objects.filter(scorecard=OuterRef("pk")))
        return (
            Scorecard.objects.select_related("project")
            .prefetch_related("criteria")
            .annotate(has_evaluations=frozen)
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = quality_services.scorecard_create(
            project=data["project"],
            name=data["name"],
            valid_from=data["valid_from"],
            criteria=data["criteria"],
        )

    @extend_schema(
        summary="Make the next version of a scorecard with new criteria",
        request=ScorecardReviseSerializer,
        responses={201: ScorecardSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        scorecard = self.get_object()
        serializer = ScorecardReviseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revised = quality_services.scorecard_revise(
            scorecard=scorecard,
            criteria=serializer.validated_data["criteria"],
            valid_from=serializer.validated_data.get("valid_from"),
        )
        return Response(
            ScorecardSerializer(revised, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# Read as a scoped view by the type checker; at run time the view's own bases supply it.
if TYPE_CHECKING:
    _ScopedBase = ScopedViewSetMixin
else:
    _ScopedBase = object


class _SupervisedMixin(_ScopedBase):
    """Adds, for a staff user (not an integration), the rows of the operators they
    supervise to the scoped rows, on the actions listed in ``supervisor_actions``."""

    supervisor_actions: tuple[str, ...] = ()
    supervisor_condition: Callable[..., Q] | None = (
        None  # a Q over the view's model, given the user
    )

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if (
            getattr(self, "action", None) not in self.supervisor_actions
            or not user.is_authenticated
            or is_integration(user)
        ):
            return queryset
        extra = self.get_base_queryset().filter(self.supervisor_condition(user))
        return self.get_base_queryset().filter(
            Q(pk__in=queryset.values("pk")) | Q(pk__in=extra.values("pk"))
        )


@extend_schema_view(
    list=extend_schema(
        summary="List evaluations", responses={200: EvaluationSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get an evaluation with its answers",
        responses={200: EvaluationSerializer, **READ_ERRORS},
    ),
)
class EvaluationViewSet(
    _SupervisedMixin,
    _QaViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Evaluations of the calls of the projects in scope: create one for a call (usually a
    sampled one already has its draft), submit the answers (the score is computed), and
    dispute a submitted one (the operator's supervisor, or a manager)."""

    serializer_class = EvaluationSerializer
    scope_path = "call__project"
    filterset_fields = {"status": ["exact"], "call": ["exact"], "scorecard": ["exact"]}
    search_fields = ["call__external_id", "call__operator__code"]
    ordering_fields = ["created_at", "submitted_at", "score"]
    supervisor_actions = ("list", "retrieve", "dispute")

    @staticmethod
    def supervisor_condition(user):
        return Q(call__operator__supervisor=user)

    def get_base_queryset(self):
        return Evaluation.objects.select_related(
            "call__project", "call__operator", "scorecard", "evaluator", "dispute"
        ).prefetch_related(
            Prefetch(
                "answers",
                queryset=EvaluationAnswer.objects.select_related("criterion").order_by(
                    "criterion__order", "criterion_id"
                ),
            )
        )

    def _answer(self, evaluation, code=status.HTTP_200_OK):
        fresh = self.get_base_queryset().get(pk=evaluation.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Start an evaluation of a call (a draft)",
        request=EvaluationCreateSerializer,
        responses={201: EvaluationSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        serializer = EvaluationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call = quality_services.call_for_evaluation(
            call_id=data["call"], projects=self.visible_projects()
        )
        scorecard = None
        if "scorecard" in data:
            scorecard = Scorecard.objects.filter(
                pk=data["scorecard"], project_id=call.project_id
            ).first()
            if scorecard is None:
                raise DomainError(
                    _("Unknown scorecard."),
                    details={"scorecard": [_("Not a scorecard of the call's project.")]},
                )
        evaluation = quality_services.evaluation_create(
            call=call, scorecard=scorecard, evaluator=request.user
        )
        return self._answer(evaluation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Submit a draft: answers for every criterion; the score is computed",
        request=EvaluationSubmitSerializer,
        responses={200: EvaluationSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        evaluation = self.get_object()
        serializer = EvaluationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = quality_services.evaluation_submit(
            evaluation=evaluation,
            user=request.user,
            answers=serializer.validated_data["answers"],
            comment=serializer.validated_data.get("comment"),
        )
        return self._answer(evaluation)

    @extend_schema(
        summary="Dispute a submitted evaluation (the operator's supervisor or a manager)",
        request=DisputeRaiseSerializer,
        responses={201: DisputeSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        evaluation = self.get_object()
        serializer = DisputeRaiseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dispute = quality_services.dispute_raise(
            evaluation=evaluation, user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(
            DisputeSerializer(dispute, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List disputes", responses={200: DisputeSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get a dispute", responses={200: DisputeSerializer, **READ_ERRORS}
    ),
)
class DisputeViewSet(
    _SupervisedMixin,
    _QaViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Disputes of the evaluations in scope (and those the caller raised); ``resolve/``
    upholds or overturns one."""

    serializer_class = DisputeSerializer
    scope_path = "evaluation__call__project"
    filterset_fields = {"status": ["exact"], "evaluation": ["exact"]}
    search_fields: list[str] = []
    ordering_fields = ["raised_at", "resolved_at"]
    supervisor_actions = ("list", "retrieve")

    @staticmethod
    def supervisor_condition(user):
        return Q(raised_by=user)

    def get_base_queryset(self):
        return EvaluationDispute.objects.select_related("raised_by", "resolved_by")

    @extend_schema(
        summary="Resolve a dispute: upheld (score stands) or overturned (answers changed)",
        request=DisputeResolveSerializer,
        responses={200: DisputeSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        dispute = self.get_object()
        serializer = DisputeResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dispute = quality_services.dispute_resolve(
            dispute=dispute,
            user=request.user,
            outcome=data["outcome"],
            comment=data["resolution_comment"],
            answers=data["answers"],
        )
        return Response(DisputeSerializer(dispute, context=self.get_serializer_context()).data)


class _QaReportView(_QaViewMixin, GenericAPIView):
    filter_backends = []
    pagination_class = None
    query_serializer_class = QaQuerySerializer

    def query(self):
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        selectors.validate_range(
            start=data["from"], end=data["to"], max_days=quality_selectors.MAX_DAYS
        )
        return data


class ProjectQaView(_QaReportView):
    """``projects/{code}/qa/``: a project's QA score, per operator, day, week or month."""

    scope_path = SELF
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = ProjectQaSerializer

    @extend_schema(
        summary="A project's QA score over a period",
        description=(
            "Submitted and final evaluations of the calls offered in [from, to): count, "
            "average score (a decimal string, null when none counts) and critical "
            "failures; buckets by operator or by local day, week (Monday) or month. "
            "Disputed evaluations wait for their resolution; drafts never count."
        ),
        parameters=[QaQuerySerializer],
        responses={200: ProjectQaSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code):
        project = self.get_object()
        query = self.query()
        return Response(
            quality_selectors.project_qa(
                project=project, start=query["from"], end=query["to"], group_by=query["group_by"]
            )
        )


class OperatorQaView(_QaReportView):
    """``operators/{code}/qa/``: an operator's QA score on the projects in scope."""

    scope_path = "certifications__project"
    lookup_field = "code"
    queryset = Operator.objects.all()
    serializer_class = OperatorQaSerializer
    query_serializer_class = OperatorQaQuerySerializer

    @extend_schema(
        summary="An operator's QA score over a period, per project in scope",
        parameters=[OperatorQaQuerySerializer],
        responses={200: OperatorQaSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code):
        operator = self.get_object()
        query = self.query()
        return Response(
            quality_selectors.operator_qa(
                operator=operator,
                projects=self.visible_projects(),
                start=query["from"],
                end=query["to"],
            )
        )
