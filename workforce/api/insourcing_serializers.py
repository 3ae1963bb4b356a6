"""Input and output shapes of the in-house vs outsourcing calculator.

Every input is optional: what is left out takes the default of ``workforce.insourcing.Inputs``
(illustrative examples, not facts), and the answer echoes the inputs with those filled in.
Money and rates are decimal strings, like every amount of the API.
"""

from rest_framework import serializers

from workforce import insourcing
from workforce.inputs import (  # noqa: F401 (the input shape, named here as before)
    MAX_MONEY_DIGITS,
    CallsPerHourField,
    InsourcingInputSerializer,
)

RESULT_DIGITS = 40  # the bounded inputs keep every result under 10^30


class HourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(help_text="Local hour 0..23.")
    calls = serializers.FloatField()
    traffic_erlangs = serializers.FloatField(help_text="calls * aht / 3600.")
    agents = serializers.IntegerField(help_text="Erlang C: least N meeting the targets.")
    scheduled_agents = serializers.IntegerField(help_text="ceil(agents / (1 - shrinkage)).")


class LineSerializer(serializers.Serializer):
    key = serializers.CharField()
    section = serializers.ChoiceField(
        choices=(insourcing.WORKLOAD, insourcing.IN_HOUSE, insourcing.OUTSOURCED)
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    formula = serializers.CharField(help_text="How the figure is computed, with the numbers.")
    quantity = serializers.DecimalField(
        max_digits=RESULT_DIGITS,
        decimal_places=2,
        allow_null=True,
        help_text="What is counted, in `unit`.",
    )
    unit = serializers.CharField()
    amount = serializers.DecimalField(
        max_digits=RESULT_DIGITS,
        decimal_places=2,
        allow_null=True,
        help_text="Money a month, or null.",
    )


class TotalsSerializer(serializers.Serializer):
    in_house = serializers.DecimalField(max_digits=RESULT_DIGITS, decimal_places=2)
    outsourced = serializers.DecimalField(max_digits=RESULT_DIGITS, decimal_places=2)
    saving = serializers.DecimalField(
        max_digits=RESULT_DIGITS,
        decimal_places=2,
        help_text="in_house - outsourced: what outsourcing saves a month (negative: costs).",
    )
    outsourced_to_in_house = serializers.DecimalField(
        max_digits=RESULT_DIGITS,
        decimal_places=4,
        allow_null=True,
        help_text="outsourced / in_house.",
    )
    break_even_price_per_minute = serializers.DecimalField(
        max_digits=RESULT_DIGITS,
        decimal_places=2,
        allow_null=True,
        help_text="in_house / billable minutes: the price at which both cost the same.",
    )


class InsourcingResultSerializer(serializers.Serializer):
    inputs = InsourcingInputSerializer(help_text="The inputs, defaults filled in.")
    hours = HourSerializer(many=True, help_text="Each covered local hour of a day.")
    lines = LineSerializer(many=True)
    totals = TotalsSerializer()
    verdict = serializers.CharField()


def result_data(comparison):
    inputs = comparison.inputs
    echoed = {name: getattr(inputs, name) for name in insourcing.INPUT_NAMES}
    if isinstance(echoed["calls_per_hour"], tuple):
        echoed["calls_per_hour"] = list(echoed["calls_per_hour"])
    return InsourcingResultSerializer(
        {
            "inputs": echoed,
            "hours": comparison.hours,
            "lines": comparison.lines,
            "totals": comparison.totals,
            "verdict": comparison.verdict,
        }
    ).data
