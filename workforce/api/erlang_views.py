"""Erlang staffing calculators (SPEC section 6): POST the load, get the agents it needs.

Pure calculation over the numbers sent (``workforce.erlang``): no tenant data is read or
written, so every authenticated caller may use them.
"""

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.api.idempotency import IdempotentPostMixin
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from workforce import erlang
from workforce.api.erlang_serializers import (
    ErlangAInputSerializer,
    ErlangAResultSerializer,
    ErlangCInputSerializer,
    ErlangCResultSerializer,
    result_data,
)

CALLCENTREHELPER = {
    "calls": 100,
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "threshold_seconds": 20,
    "target_service_level": 0.8,
    "shrinkage": 0.3,
}


class _StaffingView(IdempotentPostMixin, APIView):
    input_serializer_class: type[serializers.Serializer] | None = None
    calculate: Callable[..., Any] | None = None

    def post(self, request):
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = dict(serializer.validated_data)
        scalar = not isinstance(params["calls"], list)
        try:
            staffing = type(self).calculate(params.pop("calls"), **params)
        except erlang.ErlangInputError as exc:
            raise DomainError(str(exc), details={exc.field: [str(exc)]}) from exc
        return Response(result_data(staffing, scalar=scalar))


class ErlangCView(_StaffingView):
    input_serializer_class = ErlangCInputSerializer
    calculate = erlang.staff_erlang_c

    @extend_schema(
        summary="Erlang C staffing: agents needed per interval",
        description=(
            "A = calls * aht / interval; P(wait) from the Erlang B recursion; "
            "SL = 1 - P(wait) exp(-(N - A) T / aht); ASA = P(wait) aht / (N - A). "
            "`agents` is the least N meeting the service level and the occupancy cap, or "
            "the staffing sent in `agents`. Send `calls` as a list for many intervals."
        ),
        request=ErlangCInputSerializer,
        responses={200: ErlangCResultSerializer, **error_responses(400, 401)},
        examples=[OpenApiExample("80/20 on 100 calls per half hour", CALLCENTREHELPER)],
    )
    def post(self, request):
        return super().post(request)


class ErlangAView(_StaffingView):
    input_serializer_class = ErlangAInputSerializer
    calculate = erlang.staff_erlang_a

    @extend_schema(
        summary="Erlang A staffing: agents needed per interval, with abandonment",
        description=(
            "The exact M/M/N+M queue: callers abandon at rate 1 / patience while waiting. "
            "`service_level` is the share of all offered calls answered within T "
            "(abandoned calls count as not answered); `asa_seconds` is the mean wait of "
            "answered calls; `occupancy` the carried load over the agents."
        ),
        request=ErlangAInputSerializer,
        responses={200: ErlangAResultSerializer, **error_responses(400, 401)},
        examples=[
            OpenApiExample(
                "80/20 on 100 calls per half hour, callers wait 2 minutes on average",
                {**CALLCENTREHELPER, "patience_seconds": 120},
            )
        ],
    )
    def post(self, request):
        return super().post(request)
