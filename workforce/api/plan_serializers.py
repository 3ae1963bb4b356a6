"""The forecast and staffing-plan endpoints' inputs and answers (the answers document the
schema: the views return ``workforce.forecast`` / ``workforce.staffing`` dicts as they are)."""

from rest_framework import serializers

from contactcenter.api.fields import BoundedDateField
from projects.models import validate_timezone
from workforce.forecast import MAX_WEEKS

MAX_PLAN_PROJECTS = 50
MAX_PLAN_DAYS = 31


class ForecastQuerySerializer(serializers.Serializer):
    weeks = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_WEEKS, help_text="Weeks ahead."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = BoundedDateField(
            required=False,
            help_text="First local day of the forecast; default tomorrow in the project's zone.",
        )
        return fields


class ForecastIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    offered = serializers.FloatField(help_text="Forecast offered calls in the interval.")
    aht_seconds = serializers.FloatField(
        allow_null=True, help_text="Forecast AHT; null when the slot never had an answered call."
    )


class BacktestSerializer(serializers.Serializer):
    to = serializers.DateField()
    wape = serializers.FloatField(
        allow_null=True, help_text="sum |actual - forecast| / sum actual; null when actual is 0."
    )
    actual_offered = serializers.FloatField(allow_null=True)
    forecast_offered = serializers.FloatField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class ForecastSerializer(serializers.Serializer):
    project = serializers.CharField()
    timezone = serializers.CharField()
    weeks = serializers.IntegerField()
    history_weeks = serializers.IntegerField()
    interval_seconds = serializers.IntegerField()
    trend = serializers.FloatField(help_text="Recent weeks over older weeks, clipped to [0.5, 2].")
    backtest = BacktestSerializer(help_text="The last full week forecast from the weeks before.")
    intervals = ForecastIntervalSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


COST_HELP = (
    "Absent from the answer to an integration token that sent no `hourly_cost`: the "
    "operators' cost is internal."
)


class StaffingPlanInputSerializer(serializers.Serializer):
    projects = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=MAX_PLAN_PROJECTS,
        help_text="Project codes in the caller's scope.",
    )
    days = serializers.IntegerField(default=7, min_value=1, max_value=MAX_PLAN_DAYS)
    tz = serializers.CharField(
        default="UTC", validators=[validate_timezone], help_text="Zone of the days; default UTC."
    )
    shrinkage = serializers.FloatField(default=0.0, min_value=0.0)
    max_occupancy = serializers.FloatField(default=1.0, max_value=1.0)
    hourly_cost = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Cost of one operator-hour; default the average of the active operators.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = BoundedDateField(help_text="First day of the plan, in `tz`.")
        return fields

    def validate_shrinkage(self, value):
        if value >= 1:
            raise serializers.ValidationError("Must be below 1.")
        return value

    def validate_max_occupancy(self, value):
        if value <= 0:
            raise serializers.ValidationError("Must be above 0.")
        return value

    def validate_projects(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each project at most once.")
        return value


class PlanIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    traffic_erlangs = serializers.FloatField()
    dedicated = serializers.DictField(
        child=serializers.IntegerField(), help_text="Agents per project code, on its own."
    )
    dedicated_occupancy = serializers.DictField(child=serializers.FloatField())
    dedicated_total = serializers.IntegerField()
    dedicated_scheduled = serializers.IntegerField(help_text="Sum of the projects' scheduled.")
    dedicated_total_occupancy = serializers.FloatField()
    pooled = serializers.IntegerField()
    pooled_scheduled = serializers.IntegerField()
    pooled_occupancy = serializers.FloatField()


class PlanSummarySerializer(serializers.Serializer):
    dedicated_agent_intervals = serializers.IntegerField()
    pooled_agent_intervals = serializers.IntegerField()
    dedicated_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    pooled_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    gain_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    gain_money = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, help_text=COST_HELP
    )


class PlanDaySerializer(PlanSummarySerializer):
    date = serializers.DateField()


class PlanGainSerializer(serializers.Serializer):
    agent_intervals = serializers.IntegerField()
    scheduled_agent_intervals = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    hours_per_day = serializers.DecimalField(max_digits=14, decimal_places=2)
    hours_per_month = serializers.DecimalField(max_digits=14, decimal_places=2)
    money = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, help_text=COST_HELP
    )
    money_per_day = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, help_text=COST_HELP
    )
    money_per_month = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, help_text=COST_HELP
    )


class StaffingPlanSerializer(serializers.Serializer):
    projects = serializers.ListField(child=serializers.CharField())
    days = serializers.IntegerField()
    tz = serializers.CharField()
    shrinkage = serializers.FloatField()
    max_occupancy = serializers.FloatField()
    interval_seconds = serializers.IntegerField()
    pooled_threshold_seconds = serializers.FloatField(help_text="The strictest project's.")
    pooled_target_service_level = serializers.FloatField(help_text="The strictest project's.")
    hourly_cost = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, help_text=COST_HELP
    )
    intervals = PlanIntervalSerializer(many=True)
    days_totals = PlanDaySerializer(many=True)
    totals = PlanSummarySerializer()
    gain = PlanGainSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields
