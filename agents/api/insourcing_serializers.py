"""Input and output shapes of the in-house vs outsourcing calculator.

Every input is optional: what is left out takes the default of ``agents.insourcing.Inputs``
(illustrative examples, not facts), and the answer echoes the inputs with those filled in.
Money and rates are decimal strings, like every amount of the API.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents import insourcing
from agents.api.staffing_serializers import MAX_CALLS_PER_INTERVAL, MAX_SECONDS, OneOrManyField

MAX_MONEY_DIGITS = 12  # inputs up to 9,999,999,999.99
RESULT_DIGITS = 40  # the bounded inputs keep every result under 10^30

_CALLS_ITEM = {"type": "number", "minimum": 0, "maximum": MAX_CALLS_PER_INTERVAL}


@extend_schema_field(
    {
        "oneOf": [
            _CALLS_ITEM,
            {"type": "array", "items": _CALLS_ITEM, "minItems": 24, "maxItems": 24},
        ],
        "description": "Expected calls per hour: one number for every covered hour, or 24 "
        "numbers, one per local hour 0..23 (hours outside coverage are ignored).",
    }
)
class CallsPerHourField(OneOrManyField):
    def __init__(self, **kwargs):
        child = serializers.FloatField(min_value=0, max_value=MAX_CALLS_PER_INTERVAL)
        super().__init__(child=child, **kwargs)


def _default(name):
    return getattr(insourcing.Inputs, name)


def _money(name, help_text):
    return serializers.DecimalField(
        max_digits=MAX_MONEY_DIGITS,
        decimal_places=2,
        min_value=Decimal(0),
        default=_default(name),
        help_text=help_text,
    )


def _rate(name, help_text, *, max_value=Decimal(1)):
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=max_value,
        default=_default(name),
        help_text=help_text,
    )


def _count(name, help_text, *, min_value=Decimal("0.1"), max_value=Decimal(10_000)):
    return serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=min_value,
        max_value=max_value,
        default=_default(name),
        help_text=help_text,
    )


class InsourcingInputSerializer(serializers.Serializer):
    """Defaults (in brackets in each help text) are examples for a Russian line in 2026."""

    calls_per_hour = CallsPerHourField(default=_default("calls_per_hour"))
    coverage = serializers.ChoiceField(
        choices=insourcing.COVERAGES,
        default=_default("coverage"),
        help_text="`business_hours` (open_hour..close_hour on days_per_week days) or `24/7`.",
    )
    open_hour = serializers.IntegerField(
        min_value=0, max_value=23, default=_default("open_hour"), help_text="First covered hour."
    )
    close_hour = serializers.IntegerField(
        min_value=1,
        max_value=24,
        default=_default("close_hour"),
        help_text="Covered up to this hour: 18 covers 17:00-18:00 last.",
    )
    days_per_week = serializers.IntegerField(
        min_value=1,
        max_value=7,
        default=None,
        allow_null=True,
        help_text="Covered days a week; null: 5 for business hours, 7 for 24/7.",
    )
    aht_seconds = serializers.FloatField(
        min_value=1, max_value=MAX_SECONDS, default=_default("aht_seconds")
    )
    threshold_seconds = serializers.FloatField(
        min_value=0,
        max_value=MAX_SECONDS,
        default=_default("threshold_seconds"),
        help_text="Service level: answered within T seconds.",
    )
    target_service_level = serializers.FloatField(
        min_value=0,
        max_value=1,
        default=_default("target_service_level"),
        help_text="Share answered within T, 0..1.",
    )
    shrinkage = serializers.FloatField(
        min_value=0,
        default=_default("shrinkage"),
        help_text="Share of paid time off the phones, 0 <= s < 1.",
    )
    max_occupancy = serializers.FloatField(
        max_value=1,
        default=_default("max_occupancy"),
        help_text="Highest occupancy A / N, 0 < x <= 1.",
    )
    hours_per_fte_month = _count(
        "hours_per_fte_month",
        "Paid hours of one full-time operator a month.",
        min_value=Decimal(1),
        max_value=Decimal(744),
    )
    operator_salary = _money("operator_salary", "Monthly salary of an operator.")
    payroll_tax_rate = _rate("payroll_tax_rate", "Payroll taxes on every salary, e.g. 0.302.")
    workstation_per_seat = _money(
        "workstation_per_seat", "Workstation a seat a month: space, PC, headset."
    )
    software_telephony_per_seat = _money(
        "software_telephony_per_seat", "Software licences and telephony a seat a month."
    )
    agents_per_seat = _count(
        "agents_per_seat", "Seats = ceil(peak scheduled agents / this); 1: a seat each."
    )
    annual_turnover = _rate(
        "annual_turnover", "Operators replaced a year, as a share of the FTE.", max_value=10
    )
    recruiting_cost_per_hire = _money("recruiting_cost_per_hire", "Recruiting cost of a hire.")
    training_hours_per_hire = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(2_000),
        default=_default("training_hours_per_hire"),
        help_text="Paid training hours of a new operator.",
    )
    trainee_hourly_pay = _money("trainee_hourly_pay", "Pay of a trainee an hour.")
    operators_per_supervisor = _count("operators_per_supervisor", "One supervisor per N FTE.")
    supervisor_salary = _money("supervisor_salary", "Monthly salary of a supervisor.")
    operators_per_qa = _count("operators_per_qa", "One QA specialist per N FTE.")
    qa_salary = _money("qa_salary", "Monthly salary of a QA specialist.")
    management_overhead_rate = _rate(
        "management_overhead_rate", "Overhead on all in-house lines, e.g. 0.1.", max_value=10
    )
    price_per_minute = _money("price_per_minute", "Outsourced price of a billable minute.")
    billable_share = _rate(
        "billable_share", "Share of the handle time billed by the outsourcer, e.g. 0.85."
    )
    monthly_minimum = _money("monthly_minimum", "Outsourced monthly minimum charge.")

    def validate_shrinkage(self, value):
        if value >= 1:
            raise serializers.ValidationError("Must be below 1.")
        return value

    def validate_max_occupancy(self, value):
        if value <= 0:
            raise serializers.ValidationError("Must be above 0.")
        return value

    def validate_calls_per_hour(self, value):
        if isinstance(value, list) and len(value) != insourcing.HOURS_PER_DAY:
            raise serializers.ValidationError(
                f"Send one number, or 24 numbers (one per local hour), not {len(value)}."
            )
        return value

    def validate(self, attrs):
        if (
            attrs["coverage"] == insourcing.BUSINESS_HOURS
            and attrs["open_hour"] >= attrs["close_hour"]
        ):
            raise serializers.ValidationError({"close_hour": ["Must be after open_hour."]})
        if attrs["coverage"] == insourcing.ALWAYS_OPEN and attrs["days_per_week"] not in (
            None,
            7,
        ):
            raise serializers.ValidationError(
                {"days_per_week": ["24/7 coverage is 7 days a week: send 7 or null."]}
            )
        return attrs

    def to_inputs(self):
        data = dict(self.validated_data)
        if isinstance(data["calls_per_hour"], list):
            data["calls_per_hour"] = tuple(data["calls_per_hour"])
        return insourcing.Inputs(**data)


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
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field/Serializer attribute
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
