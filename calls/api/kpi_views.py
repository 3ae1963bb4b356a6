"""KPI endpoints (SPEC section 8): a project's KPIs and peak hours, an operator's and the
pool's occupancy. Each view validates the query, cuts the project or operators to the
caller's scope (``ScopedViewSetMixin``: out of scope is a 404) and calls one selector.

Who counts in the pool: staff (PMs) and superusers see the whole shared pool of operators
and all their handle time; an integration (or a non-staff user) sees the operators
certified on its projects, and only its own projects' calls count as their handle time.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agents.models import Operator
from calls import kpi_cache, selectors
from calls.api.kpi_serializers import (
    KpiQuerySerializer,
    OccupancyQuerySerializer,
    OperatorOccupancySerializer,
    PeakHoursQuerySerializer,
    PeakHoursSerializer,
    PoolOccupancySerializer,
    ProjectKpisSerializer,
)
from contactcenter.api.schema import error_responses
from projects.api.scoping import SELF, ScopedViewSetMixin, sees_whole_pool
from projects.models import Project

ERRORS = error_responses(400, 401, 404)


def _param(name, description, *, required=True, enum=None, type_=OpenApiTypes.STR):
    return OpenApiParameter(
        name, type_, OpenApiParameter.QUERY, required=required, description=description, enum=enum
    )


FROM = _param("from", "Range start, ISO 8601 with an offset or Z.", type_=OpenApiTypes.DATETIME)
TO = _param(
    "to", "Range end (excluded), ISO 8601 with an offset or Z.", type_=OpenApiTypes.DATETIME
)
GRANULARITY = _param(
    "granularity",
    "Bucket size. 15min: at most 31 days; hour: 366 days. Days and months are local.",
    enum=list(selectors.GRANULARITIES),
)
TZ = _param(
    "tz",
    "IANA time zone of the buckets (days, months, local hours); default UTC.",
    required=False,
)


class _KpiView(ScopedViewSetMixin, GenericAPIView):
    """A read-only report: no filters, no pagination, GET only."""

    filter_backends = []
    pagination_class = None
    query_serializer_class: type[serializers.Serializer] | None = None

    def query(self):
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def sees_whole_pool(self):
        return sees_whole_pool(self.request.user)


class ProjectKpisView(_KpiView):
    """``projects/{code}/kpis/``: SPEC section 4's counters and ratios per bucket."""

    scope_path = SELF
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = ProjectKpisSerializer
    query_serializer_class = KpiQuerySerializer

    @extend_schema(
        summary="A project's KPIs per bucket and in total",
        description=(
            "Counters of inbound calls (SPEC section 4) summed per bucket from the "
            "15-minute rollups, and the ratios derived from them (`null` when the "
            "denominator is 0). Buckets are in the project's time zone; empty ones are "
            "listed with zeros. Data is as fresh as the last rollup run (every minute)."
        ),
        parameters=[FROM, TO, GRANULARITY],
        responses={200: ProjectKpisSerializer, **ERRORS},
    )
    def get(self, request, code):
        project = self.get_object()
        query = self.query()
        start, end, granularity = query["from"], query["to"], query["granularity"]
        answer = kpi_cache.cached(
            "project_kpis",
            (project.pk, project.code, project.timezone, project.sl_formula, granularity),
            start,
            end,
            lambda: selectors.project_kpis(
                project=project, start=start, end=end, granularity=granularity
            ),
        )
        return Response(answer)


class ProjectPeakHoursView(_KpiView):
    """``projects/{code}/peak-hours/``: one project's offered calls by hour of day."""

    scope_path = SELF
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = PeakHoursSerializer
    query_serializer_class = PeakHoursQuerySerializer

    @extend_schema(
        summary="A project's offered calls by hour of day",
        description=(
            "`hours`: by the project's local hour; `tz_hours`: by the hour in `tz`. "
            "At most 366 days."
        ),
        parameters=[FROM, TO, TZ],
        responses={200: PeakHoursSerializer, **ERRORS},
    )
    def get(self, request, code):
        project = self.get_object()
        query = self.query()
        return Response(
            selectors.peak_hours(
                projects=[project], start=query["from"], end=query["to"], tz=query["tz"]
            )
        )


class PoolPeakHoursView(_KpiView):
    """``pool/peak-hours/``: every project in scope by hour of day, and their sum."""

    scope_path = SELF
    queryset = Project.objects.all()
    serializer_class = PeakHoursSerializer
    query_serializer_class = PeakHoursQuerySerializer

    @extend_schema(
        summary="Offered calls by hour of day, per project in scope and for the pool",
        description=(
            "Each project by its own local hour (`hours`) and by the hour in `tz` "
            "(`tz_hours`); the pool row sums them. Projects peaking at different hours "
            "are what lets one shared pool serve them all."
        ),
        parameters=[FROM, TO, TZ],
        responses={200: PeakHoursSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query()
        return Response(
            selectors.peak_hours(
                projects=self.get_queryset(), start=query["from"], end=query["to"], tz=query["tz"]
            )
        )


class _OccupancyView(_KpiView):
    scope_path = "certifications__project"
    scope_bypass_for_staff = True  # the shared pool, as on operators/
    queryset = Operator.objects.all()
    query_serializer_class = OccupancyQuerySerializer

    def handle_projects(self):
        """Whose calls count as handle time: all (None) for the whole pool's viewers."""
        return None if self.sees_whole_pool() else self.visible_projects()


class OperatorOccupancyView(_OccupancyView):
    """``operators/{code}/occupancy/``: one operator's staffed, break and handle time."""

    lookup_field = "code"
    serializer_class = OperatorOccupancySerializer

    @extend_schema(
        summary="An operator's occupancy, utilization and shrinkage per bucket",
        description=(
            "Staffed (ready), break and handle seconds (SPEC section 5) per bucket in "
            "`tz`. An integration sees the operators certified on its projects, with only "
            "its own projects' calls as handle time."
        ),
        parameters=[FROM, TO, GRANULARITY, TZ],
        responses={200: OperatorOccupancySerializer, **ERRORS},
    )
    def get(self, request, code):
        operator = self.get_object()
        query = self.query()
        return Response(
            selectors.operator_occupancy(
                operator=operator,
                start=query["from"],
                end=query["to"],
                granularity=query["granularity"],
                tz=query["tz"],
                projects=self.handle_projects(),
            )
        )


class PoolOccupancyView(_OccupancyView):
    """``pool/occupancy/``: the same for every operator in scope."""

    serializer_class = PoolOccupancySerializer

    @extend_schema(
        summary="The pool's occupancy per bucket: sum of handle / sum of staffed",
        description=(
            "Every operator in scope: staff see the whole shared pool; an integration the "
            "operators certified on its projects, with only its projects' calls as handle."
        ),
        parameters=[FROM, TO, GRANULARITY, TZ],
        responses={200: PoolOccupancySerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query()
        # Staff: every operator (no subquery); others: the operators certified in scope.
        operators = None if self.sees_whole_pool() else self.get_queryset()
        projects = self.handle_projects()
        start, end = query["from"], query["to"]
        scope = (
            None if operators is None else sorted(operators.values_list("pk", flat=True)),
            None if projects is None else sorted(projects.values_list("pk", flat=True)),
        )
        answer = kpi_cache.cached(
            "pool_occupancy",
            (repr(scope), query["granularity"], str(query["tz"])),
            start,
            end,
            lambda: selectors.pool_occupancy(
                projects_queryset_or_None=projects,
                operators_queryset=operators,
                start=start,
                end=end,
                granularity=query["granularity"],
                tz=query["tz"],
            ),
        )
        return Response(answer)
