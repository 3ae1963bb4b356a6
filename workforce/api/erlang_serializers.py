"""Input and output shapes of the Erlang staffing calculators (SPEC section 6).

``calls`` (and ``agents``) take one number or a list with one number per interval; the
answer mirrors that shape: scalars for a number, lists for a list.
"""

import math

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workforce import erlang
from workforce.erlang import (  # noqa: F401 (the bounds, named here as before)
    MAX_CALLS_PER_INTERVAL,
    MAX_ERLANG_A_TOTAL_TRAFFIC,
    MAX_INTERVALS,
    MAX_SECONDS,
)
from workforce.inputs import OneOrManyField, one_or_many_schema


@extend_schema_field(
    one_or_many_schema(
        {"type": "number", "minimum": 0, "maximum": MAX_CALLS_PER_INTERVAL},
        "Offered calls: one interval, or a list with one value per interval "
        "(fractional forecasts are fine).",
    )
)
class CallsField(OneOrManyField):
    def __init__(self, **kwargs):
        child = serializers.FloatField(min_value=0, max_value=MAX_CALLS_PER_INTERVAL)
        super().__init__(child=child, **kwargs)


@extend_schema_field(
    one_or_many_schema(
        {"type": "integer", "minimum": 0, "maximum": erlang.MAX_AGENTS},
        "Agents to evaluate instead of searching: one number for every interval, or a "
        "list matching `calls`.",
    )
)
class AgentsField(OneOrManyField):
    def __init__(self, **kwargs):
        child = serializers.IntegerField(min_value=0, max_value=erlang.MAX_AGENTS)
        super().__init__(child=child, **kwargs)


class ErlangCInputSerializer(serializers.Serializer):
    calls = CallsField()
    interval_seconds = serializers.IntegerField(
        default=1800, min_value=1, max_value=MAX_SECONDS, help_text="Interval length."
    )
    aht_seconds = serializers.FloatField(
        min_value=1, max_value=MAX_SECONDS, help_text="Average handle time."
    )
    threshold_seconds = serializers.FloatField(
        min_value=0,
        max_value=MAX_SECONDS,
        help_text="Service level threshold T: answered within T seconds.",
    )
    target_service_level = serializers.FloatField(
        min_value=0, max_value=1, help_text="Share of calls to answer within T, 0..1."
    )
    shrinkage = serializers.FloatField(
        default=0.0,
        min_value=0,
        help_text="Share of paid time off the phones, 0 <= s < 1: scheduled = "
        "ceil(agents / (1 - s)).",
    )
    max_occupancy = serializers.FloatField(
        default=1.0,
        max_value=1,
        help_text="Highest occupancy A / N allowed, 0 < x <= 1.",
    )
    agents = AgentsField(required=False)

    def validate_shrinkage(self, value):
        if value >= 1:
            raise serializers.ValidationError("Must be below 1.")
        return value

    def validate_max_occupancy(self, value):
        if value <= 0:
            raise serializers.ValidationError("Must be above 0.")
        return value

    def validate(self, attrs):
        calls, agents = attrs["calls"], attrs.get("agents")
        if isinstance(agents, list) and (not isinstance(calls, list) or len(agents) != len(calls)):
            expected = f"{len(calls)} values" if isinstance(calls, list) else "one number"
            raise serializers.ValidationError(
                {"agents": [f"Must match calls: {expected}, not a list of {len(agents)}."]}
            )
        return attrs


class ErlangAInputSerializer(ErlangCInputSerializer):
    patience_seconds = serializers.FloatField(
        min_value=1,
        max_value=MAX_SECONDS,
        help_text="Mean caller patience: a waiting caller abandons at rate 1 / patience.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # The exact M/M/N+M chain costs about traffic states per interval: 10,000 intervals
        # of 1,000 Erlangs took 16 s. Cap the request's total traffic so one call stays
        # within a couple of seconds and a worker's timeout.
        calls = attrs["calls"] if isinstance(attrs["calls"], list) else [attrs["calls"]]
        total = sum(calls) * attrs["aht_seconds"] / attrs["interval_seconds"]
        if total > MAX_ERLANG_A_TOTAL_TRAFFIC:
            raise serializers.ValidationError(
                {
                    "calls": [
                        f"Too much work for one request: {total:,.0f} Erlangs over all "
                        f"intervals; at most {MAX_ERLANG_A_TOTAL_TRAFFIC:,}. Split the intervals."
                    ]
                }
            )
        return attrs


def _number_or_list(item, description):
    @extend_schema_field(one_or_many_schema(item, description))
    class Field(serializers.Field):
        def to_representation(self, value):
            return value

    return Field(read_only=True)


NUMBER = {"type": "number"}
NULLABLE_NUMBER = {"type": "number", "nullable": True}
INTEGER = {"type": "integer"}


class ErlangCResultSerializer(serializers.Serializer):
    """Scalars when ``calls`` was a number, lists (one item per interval) when a list."""

    traffic_erlangs = _number_or_list(NUMBER, "A = calls * aht / interval, in Erlangs.")
    agents = _number_or_list(
        INTEGER,
        "Least N with service level >= target and occupancy <= max_occupancy, or the "
        "agents given. 0 for an interval without calls.",
    )
    scheduled_agents = _number_or_list(INTEGER, "ceil(agents / (1 - shrinkage)).")
    service_level = _number_or_list(NUMBER, "Share of calls answered within T, at `agents`.")
    probability_of_waiting = _number_or_list(NUMBER, "P(a call waits), at `agents`.")
    asa_seconds = _number_or_list(
        NULLABLE_NUMBER,
        "Average speed of answer of answered calls, at `agents`; null when unbounded "
        "(Erlang C with agents <= traffic) or when no call is answered.",
    )
    occupancy = _number_or_list(
        NUMBER, "Busy share of the agents' time (carried load / agents), at most 1."
    )


class ErlangAResultSerializer(ErlangCResultSerializer):
    probability_of_abandon = _number_or_list(
        NUMBER, "Share of offered calls that abandon while waiting, at `agents`."
    )


def result_data(staffing, *, scalar):
    """The answer's body from ``erlang.Staffing``: plain numbers, inf and nan as null."""
    metrics = staffing.metrics
    columns = {
        "traffic_erlangs": staffing.traffic_erlangs,
        "agents": staffing.agents,
        "scheduled_agents": staffing.scheduled_agents,
        "service_level": metrics.service_level,
        "probability_of_waiting": metrics.probability_of_waiting,
        "asa_seconds": metrics.asa_seconds,
        "occupancy": metrics.occupancy,
    }
    if metrics.probability_of_abandon is not None:
        columns["probability_of_abandon"] = metrics.probability_of_abandon

    def plain(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    data = {}
    for name, column in columns.items():
        values = [plain(value) for value in column.ravel().tolist()]
        data[name] = values[0] if scalar else values
    return data
