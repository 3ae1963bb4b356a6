"""``projects/{code}/bench-strength/``: certified active operators against the heads the
staffing plan needs (``workforce.bench_strength``). It lives in ``workforce`` beside the
plan; the rest of the people endpoints are in ``agents.api.people_views``.

Staff only, like every people endpoint: a PM or trainer of the project (out of scope:
404); an integration token gets a 403 before any lookup.
"""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contactcenter.api.fields import BoundedDateField
from contactcenter.api.schema import error_responses
from projects.api.scoping import SELF, TRAINER, PeopleStaffOnly, ScopedViewSetMixin
from projects.models import Project
from workforce import bench_strength

STAFF_ONLY = [permissions.IsAuthenticated, PeopleStaffOnly]


class BenchQuerySerializer(serializers.Serializer):
    start = BoundedDateField(required=False, help_text="First local day; default tomorrow.")
    days = serializers.IntegerField(min_value=1, max_value=28, default=7)
    shrinkage = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal("0.95"),
        default=Decimal(bench_strength.DEFAULT_SHRINKAGE),
    )
    rota_factor = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal(1), max_value=Decimal(7), required=False
    )


class BenchStrengthSerializer(serializers.Serializer):
    project = serializers.CharField()
    start = serializers.DateField()
    days = serializers.IntegerField()
    shrinkage = serializers.CharField()
    rota_factor = serializers.CharField()
    peak_agents = serializers.IntegerField()
    heads_needed = serializers.IntegerField()
    certified_active = serializers.IntegerField()
    in_training = serializers.IntegerField()
    shortage = serializers.IntegerField()
    short = serializers.BooleanField()


class ProjectBenchStrengthView(ScopedViewSetMixin, GenericAPIView):
    permission_classes = STAFF_ONLY
    scope_path = SELF
    scope_role = TRAINER
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = BenchStrengthSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="A project's bench strength: certified active operators vs heads needed",
        description=(
            "heads_needed = ceil(peak dedicated Erlang C agents over the horizon / (1 - "
            "shrinkage) x rota_factor); shortage = heads_needed - certified active "
            "operators, when positive (docs/people.md)."
        ),
        parameters=[
            OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False)
            for name, kind in (
                ("start", OpenApiTypes.DATE),
                ("days", OpenApiTypes.INT),
                ("shrinkage", OpenApiTypes.NUMBER),
                ("rota_factor", OpenApiTypes.NUMBER),
            )
        ],
        responses={200: BenchStrengthSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code):
        project = self.get_object()
        query = BenchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        start = params.get("start") or bench_strength.default_start(project)
        rota = params.get("rota_factor") or bench_strength.rota_factor_setting()
        (row,) = bench_strength.bench_strength(
            projects=[project],
            start_date=start,
            days=params["days"],
            shrinkage=params["shrinkage"],
            rota_factor=rota,
        )
        return Response(
            {
                "start": start,
                "days": params["days"],
                "shrinkage": f"{Decimal(params['shrinkage']).normalize():f}",
                "rota_factor": f"{Decimal(rota).normalize():f}",
                **row.as_dict(),
            }
        )
