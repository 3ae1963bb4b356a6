"""Input rules shared by the workforce API and its admin pages: a number-or-list field and
the in-house vs outsourcing calculator's inputs, so the page and the endpoint refuse the
same things. Not an ``api`` module: the admin may import it (import-linter contract)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workforce import insourcing
from workforce.erlang import MAX_CALLS_PER_INTERVAL, MAX_INTERVALS, MAX_SECONDS


def one_or_many_schema(item, description):
    return {
        "oneOf": [item, {"type": "array", "items": item, "minItems": 1, "maxItems": MAX_INTERVALS}],
        "description": description,
    }


class OneOrManyField(serializers.Field):
    """A number, or a list of 1..MAX_INTERVALS numbers, each checked by ``child``.

    A bad list item is reported under its index, like a bad row of a batch.
    """

    default_error_messages = {
        "empty": gettext_lazy("Send at least one interval."),
        "too_many": gettext_lazy("At most {max} intervals."),
    }

    def __init__(self, *, child, **kwargs):
        self.child = child
        super().__init__(**kwargs)
        self.child.bind(field_name="", parent=self)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.child.fail("invalid")
        if not isinstance(data, list):
            return self.child.run_validation(data)
        if not data:
            self.fail("empty")
        if len(data) > MAX_INTERVALS:
            self.fail("too_many", max=MAX_INTERVALS)
        values, errors = [], {}
        for index, item in enumerate(data):
            try:
                if isinstance(item, bool | list | dict):
                    self.child.fail("invalid")
                values.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors[index] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def to_representation(self, value):
        return value


MAX_MONEY_DIGITS = 12  # inputs up to 9,999,999,999.99

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
            raise serializers.ValidationError(_("Must be below 1."))
        return value

    def validate_max_occupancy(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("Must be above 0."))
        return value

    def validate_calls_per_hour(self, value):
        if isinstance(value, list) and len(value) != insourcing.HOURS_PER_DAY:
            raise serializers.ValidationError(
                _("Send one number, or 24 numbers (one per local hour), not %(count)d.")
                % {"count": len(value)}
            )
        return value

    def validate(self, attrs):
        if (
            attrs["coverage"] == insourcing.BUSINESS_HOURS
            and attrs["open_hour"] >= attrs["close_hour"]
        ):
            raise serializers.ValidationError({"close_hour": [_("Must be after open_hour.")]})
        if attrs["coverage"] == insourcing.ALWAYS_OPEN and attrs["days_per_week"] not in (
            None,
            7,
        ):
            raise serializers.ValidationError(
                {"days_per_week": [_("24/7 coverage is 7 days a week: send 7 or null.")]}
            )
        return attrs

    def to_inputs(self):
        data = dict(self.validated_data)
        if isinstance(data["calls_per_hour"], list):
            data["calls_per_hour"] = tuple(data["calls_per_hour"])
        return insourcing.Inputs(**data)
