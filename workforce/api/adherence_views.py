"""Schedule adherence: ``operators/{code}/adherence/`` and ``pool/adherence/``
(``workforce.adherence_report``; definitions in docs/adherence.md).

Staff only: every staff user reads the shared pool's adherence (out of scope cannot
happen: the pool is whole to staff); integration tokens get a 403 before any lookup, an
operator's schedule and punctuality being the center's internal data.
"""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from agents.models import Operator
from agents.shifts import center_zone
from contactcenter.api.fields import BoundedDateField
from contactcenter.api.schema import error_responses
from projects.api.scoping import ScopedViewSetMixin, StaffOnly
from workforce import adherence_report


class AdherenceStaffOnly(StaffOnly):
    message = "Only staff read schedule adherence; integrations do not."


class DayQuerySerializer(serializers.Serializer):
    date = BoundedDateField(
        required=False,
        help_text="Local date (the zone of the shift); default today in the center's zone.",
    )


def query_day(request) -> dt.date:
    """``?date=`` (a 400 naming ``date`` when malformed), default today in the center's zone."""
    query = DayQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("date") or timezone.now().astimezone(center_zone()).date()


class ExceptionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["late_login", "early_logout", "long_break", "unscheduled_break", "absent"]
    )
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    seconds = serializers.IntegerField()


class AdherenceSerializer(serializers.Serializer):
    operator = serializers.CharField()
    date = serializers.DateField()
    scheduled_seconds = serializers.IntegerField(help_text="The shifts' whole length.")
    in_adherence_seconds = serializers.IntegerField()
    adherence = serializers.FloatField(
        allow_null=True, help_text="in_adherence / scheduled, 4 decimals; null: no shift."
    )
    worked_seconds = serializers.IntegerField(help_text="Logged in (not offline) in the shifts.")
    conformance = serializers.FloatField(allow_null=True, help_text="worked / scheduled.")
    exceptions = ExceptionSerializer(many=True)


class PoolAdherenceSerializer(serializers.Serializer):
    date = serializers.DateField()
    operators = AdherenceSerializer(many=True)


DATE = OpenApiParameter(
    "date",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    required=False,
    description="Local date YYYY-MM-DD of the shifts; default today in the center's zone.",
)


class _AdherenceView(ScopedViewSetMixin, GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, AdherenceStaffOnly]
    scope_path = "certifications__project"
    scope_bypass_for_staff = True  # the shared pool: staff read every operator
    filter_backends = []
    pagination_class = None

    def get_base_queryset(self):
        return Operator.objects.all()


class OperatorAdherenceView(_AdherenceView):
    lookup_field = "code"
    serializer_class = AdherenceSerializer

    @extend_schema(
        summary="An operator's schedule adherence and conformance on a local day",
        description=(
            "Shifts starting on `date` in their zone. In adherence: ready, on a call or "
            "in wrap during working stretches; on break during a planned break or lunch; "
            "on break with reason training/meeting during those. Exceptions above the "
            "center's thresholds: late_login, early_logout, long_break, "
            "unscheduled_break, absent."
        ),
        parameters=[DATE],
        responses={200: AdherenceSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code):
        operator = self.get_object()
        day = query_day(request)
        answer = adherence_report.operator_adherence(operator_id=operator.pk, day=day)
        return Response({"operator": operator.code, "date": day, **answer})


class PoolAdherenceView(_AdherenceView):
    serializer_class = PoolAdherenceSerializer

    @extend_schema(
        summary="Schedule adherence of every operator with a shift on a local day",
        parameters=[DATE],
        responses={200: PoolAdherenceSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        day = query_day(request)
        found = adherence_report.adherence_by_operator(None, day)
        codes = dict(Operator.objects.filter(pk__in=found).values_list("pk", "code"))
        rows = sorted(
            ({"operator": codes[pk], "date": day, **answer} for pk, answer in found.items()),
            key=lambda row: row["operator"],
        )
        return Response({"date": day, "operators": rows})
