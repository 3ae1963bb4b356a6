"""Workforce planning endpoints: a project's forecast and the pooled staffing plan.

``projects/{code}/forecast/`` follows the project's scope (out of scope: 404).
``staffing/plan/`` names its projects in the body: a code outside the caller's scope is
refused as an unknown project (400 naming ``projects``), the same answer as a code that
does not exist, so the refusal tells nothing about other tenants.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agents.models import Operator
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import (
    SELF,
    ScopedViewSetMixin,
    sees_internal_costs,
    sees_whole_pool,
)
from projects.models import Project
from workforce import erlang, forecast, staffing
from workforce.api.plan_serializers import (
    ForecastQuerySerializer,
    ForecastSerializer,
    StaffingPlanInputSerializer,
    StaffingPlanSerializer,
)


class ProjectForecastView(ScopedViewSetMixin, GenericAPIView):
    """``projects/{code}/forecast/``: offered calls and AHT per 15 minutes, weeks ahead."""

    scope_path = SELF
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = ForecastSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="A project's forecast of offered calls and AHT per 15-minute interval",
        description=(
            "Weighted same-weekday-and-interval averages of the last 6 weeks (weights "
            "0.35/0.25/0.15/0.1/0.1/0.05, most recent first) times a trend (recent weeks "
            "over older ones, clipped to [0.5, 2]), matched in the project's local time so "
            "DST does not shift the daily pattern. `backtest.wape` is the error of the same "
            "method on the week before `from`."
        ),
        parameters=[
            OpenApiParameter(
                "weeks",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=False,
                description=f"Weeks ahead, 1..{forecast.MAX_WEEKS}; default 1.",
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="First local day; default tomorrow in the project's time zone.",
            ),
        ],
        responses={200: ForecastSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code):
        project = self.get_object()
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start_date = query.validated_data.get("from")
        if start_date is None:
            today = timezone.now().astimezone(ZoneInfo(project.timezone)).date()
            start_date = today + dt.timedelta(days=1)
        return Response(
            forecast.project_forecast(
                project=project, start_date=start_date, weeks=query.validated_data["weeks"]
            )
        )


# The plan's fields priced with the operators' hourly cost, by level of the answer.
COST_FIELDS = {
    "top": ("hourly_cost",),
    "summary": ("gain_money",),  # totals and each of days_totals
    "gain": ("money", "money_per_day", "money_per_month"),
}


def _drop(row: dict, names: tuple[str, ...]) -> dict:
    return {key: value for key, value in row.items() if key not in names}


def without_costs(answer: dict) -> dict:
    """The staffing plan without ``hourly_cost`` and the money derived from it."""
    answer = _drop(answer, COST_FIELDS["top"])
    answer["totals"] = _drop(answer["totals"], COST_FIELDS["summary"])
    answer["days_totals"] = [_drop(day, COST_FIELDS["summary"]) for day in answer["days_totals"]]
    answer["gain"] = _drop(answer["gain"], COST_FIELDS["gain"])
    return answer


class StaffingPlanView(ScopedViewSetMixin, GenericAPIView):
    """``staffing/plan/``: dedicated teams against one pool, and the pooling gain."""

    scope_path = SELF
    queryset = Project.objects.all()
    serializer_class = StaffingPlanSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="Staffing plan: dedicated teams vs one shared pool, and the pooling gain",
        description=(
            "Per 15-minute interval, from each project's forecast: the agents each project "
            "needs on its own (Erlang C, its own threshold and target) and what one pool "
            "needs for the summed traffic (Erlang C with the strictest threshold and target "
            "among the projects), with occupancies. Hours are scheduled operator-hours "
            "(agents / (1 - shrinkage)); the gain is dedicated minus pooled, in hours and "
            "money (hours x `hourly_cost`, default the average of the active operators), "
            "per day and per month (the average day x 30.4375). A project outside the "
            "caller's scope is an unknown project. An integration token that sends no "
            "`hourly_cost` gets no cost and no money fields: the operators' cost is internal."
        ),
        request=StaffingPlanInputSerializer,
        responses={200: StaffingPlanSerializer, **error_responses(400, 401)},
        examples=[
            OpenApiExample(
                "Two projects, one week",
                {
                    "projects": ["bank-line", "shop-line"],
                    "from": "2026-10-12",
                    "days": 7,
                    "shrinkage": 0.3,
                    "max_occupancy": 0.85,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = StaffingPlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        codes = params["projects"]
        found = {p.code: p for p in self.get_queryset().filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            messages = [f"Unknown project {code!r}." for code in unknown]
            raise DomainError("Unknown project.", details={"projects": messages})
        user = request.user
        # Staff see the whole shared pool's cost; others the operators of their projects.
        if sees_whole_pool(user):
            operators = None
        else:
            operators = Operator.objects.filter(
                pk__in=Operator.objects.filter(
                    certifications__project__in=self.get_queryset()
                ).values("pk")
            )
        hourly_cost = params.get("hourly_cost")
        # The operators' cost is internal: an integration that sends no cost of its own
        # gets the hours alone, with no money derived from our wages.
        hide_costs = hourly_cost is None and not sees_internal_costs(user)
        try:
            answer = staffing.staffing_plan(
                projects=[found[code] for code in codes],
                start_date=params["from"],
                days=params["days"],
                tz=params["tz"],
                shrinkage=params["shrinkage"],
                max_occupancy=params["max_occupancy"],
                hourly_cost=0 if hide_costs else hourly_cost,
                operators=operators,
            )
        except erlang.ErlangInputError as exc:
            raise DomainError(str(exc), details={exc.field: [str(exc)]}) from exc
        if hide_costs:
            answer = without_costs(answer)
        return Response(answer)
