"""The in-house vs outsourcing calculator (``workforce.insourcing``): POST the line's load and
costs, get both monthly costs explained line by line.

Pure calculation over the numbers sent: no tenant data is read or written, so every
authenticated caller may use it.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.api.idempotency import IdempotentPostMixin
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from workforce import insourcing
from workforce.api.insourcing_serializers import (
    InsourcingInputSerializer,
    InsourcingResultSerializer,
    result_data,
)


class InHouseVsOutsourcingView(IdempotentPostMixin, APIView):
    @extend_schema(
        summary="In-house vs outsourcing: both monthly costs, line by line",
        description=(
            "Agents per covered hour by Erlang C (interval 3,600 s) with shrinkage; paid "
            "hours = weekly scheduled agent-hours × 52 / 12; FTE = paid hours / hours per "
            "FTE; then salaries, payroll taxes, seats, recruiting and training at the "
            "turnover, supervisors, QA and overhead. Outsourced = handled calls × AHT / 60 × "
            "billable share × price, at least the monthly minimum. Every input is optional; "
            "the defaults are illustrative examples, not market facts (docs/insourcing.md)."
        ),
        request=InsourcingInputSerializer,
        responses={200: InsourcingResultSerializer, **error_responses(400, 401)},
        examples=[
            OpenApiExample(
                "A flat 200 calls an hour, 24/7, 80/20",
                {
                    "calls_per_hour": 200,
                    "coverage": "24/7",
                    "aht_seconds": 180,
                    "threshold_seconds": 20,
                    "target_service_level": 0.8,
                    "shrinkage": 0.3,
                    "max_occupancy": 1,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = InsourcingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            comparison = insourcing.compare(serializer.to_inputs())
        except insourcing.InsourcingInputError as exc:
            raise DomainError(str(exc), details={exc.field: [str(exc)]}) from exc
        return Response(result_data(comparison))
