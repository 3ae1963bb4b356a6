"""``projects/{code}/intraday/``: a project's local day per 15 minutes, forecast against
actual, the rest reforecast, agents required and on shift (``workforce.intraday``;
docs/intraday.md).

Staff of the project (a PM of it; a superuser): out of scope, a 404. Integration tokens
get a 403 before any lookup: the agents on shift are the shared pool's planning.
"""

from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contactcenter.api.fields import BoundedDateField
from contactcenter.api.schema import error_responses
from projects.api.scoping import SELF, ScopedViewSetMixin, StaffOnly
from projects.models import Project
from workforce import erlang, intraday


class IntradayStaffOnly(StaffOnly):
    message = "Only staff read the intraday staffing; integrations do not."


class IntradayQuerySerializer(serializers.Serializer):
    date = BoundedDateField(required=False, help_text="Local day; default today.")


class IntradayIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    forecast = serializers.FloatField()
    actual = serializers.IntegerField(allow_null=True, help_text="Offered; null: not begun.")
    reforecast = serializers.FloatField(allow_null=True, help_text="null: finished.")
    expected = serializers.FloatField(help_text="Actual when finished, else the reforecast.")
    aht_seconds = serializers.FloatField()
    required_agents = serializers.IntegerField()
    on_shift = serializers.IntegerField()
    gap = serializers.IntegerField(help_text="on_shift - required_agents (negative: short).")


class IntradayTotalsSerializer(serializers.Serializer):
    forecast = serializers.FloatField()
    actual = serializers.IntegerField()
    reforecast = serializers.FloatField()
    shortest_gap = serializers.IntegerField()


class IntradaySerializer(serializers.Serializer):
    project = serializers.CharField()
    date = serializers.DateField()
    timezone = serializers.CharField()
    now = serializers.DateTimeField()
    interval_seconds = serializers.IntegerField()
    factor = serializers.FloatField()
    factor_applied = serializers.BooleanField()
    totals = IntradayTotalsSerializer()
    intervals = IntradayIntervalSerializer(many=True)


class ProjectIntradayView(ScopedViewSetMixin, GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, IntradayStaffOnly]
    scope_path = SELF
    lookup_field = "code"
    queryset = Project.objects.all()
    serializer_class = IntradaySerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        summary="Intraday: forecast, actual, reforecast and staffing per 15 minutes of a day",
        parameters=[
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="Local day of the project; default today in its zone.",
            )
        ],
        responses={200: IntradaySerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code):
        project = self.get_object()
        query = IntradayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        day = query.validated_data.get("date") or now.astimezone(ZoneInfo(project.timezone)).date()
        try:
            answer = intraday.project_intraday(project=project, day=day, now=now)
        except erlang.ErlangInputError as error:
            return Response(
                {"detail": str(error), "code": "invalid", "errors": {error.field: [str(error)]}},
                status=400,
            )
        return Response(answer)
