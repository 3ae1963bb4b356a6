"""The KPI endpoints' query parameters (input) and answers (output, for the OpenAPI schema:
the views return the selectors' dicts as they are)."""

import re

from rest_framework import serializers

from calls.kpis import OCCUPANCY_COUNTERS, OCCUPANCY_RATIOS, PROJECT_COUNTERS, PROJECT_RATIOS
from calls.selectors import GRANULARITIES
from contactcenter.api.fields import AwareDateTimeField
from projects.models import validate_timezone

# In a query string an unencoded "+" arrives as a space: "...T09:00:00 03:00".
_OFFSET_AFTER_SPACE = re.compile(r" (\d{2}(:?\d{2})?)$")


class QueryDateTimeField(AwareDateTimeField):
    """An aware ISO 8601 instant from a query string (a "+" read as a space is forgiven)."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            value = _OFFSET_AFTER_SPACE.sub(r"+\1", value.strip())
        return super().to_internal_value(value)


class RangeQuerySerializer(serializers.Serializer):
    """``from`` and ``to`` (Python keywords, hence ``get_fields``), and ``tz``."""

    with_granularity = True
    with_tz = True

    def get_fields(self):
        fields = {
            "from": QueryDateTimeField(help_text="Range start, ISO 8601 with an offset or Z."),
            "to": QueryDateTimeField(help_text="Range end (excluded), ISO 8601 with an offset."),
        }
        if self.with_granularity:
            fields["granularity"] = serializers.ChoiceField(choices=GRANULARITIES)
        if self.with_tz:
            fields["tz"] = serializers.CharField(
                required=False, default="UTC", validators=[validate_timezone]
            )
        return fields


class KpiQuerySerializer(RangeQuerySerializer):
    with_tz = False  # a project's KPIs are in the project's own time zone


class OccupancyQuerySerializer(RangeQuerySerializer):
    pass


class PeakHoursQuerySerializer(RangeQuerySerializer):
    with_granularity = False


def _counters_and_ratios(name, counters, ratios, *, with_start):
    fields = {}
    if with_start:
        fields["start"] = serializers.DateTimeField(
            help_text="Bucket start, in the answer's time zone."
        )
    fields.update({counter: serializers.IntegerField() for counter in counters})
    fields.update(
        {
            r: serializers.FloatField(allow_null=True, help_text="null: no denominator")
            for r in ratios
        }
    )
    return type(name, (serializers.Serializer,), fields)


KpiBucketSerializer = _counters_and_ratios(
    "KpiBucketSerializer", PROJECT_COUNTERS, PROJECT_RATIOS, with_start=True
)
KpiTotalsSerializer = _counters_and_ratios(
    "KpiTotalsSerializer", PROJECT_COUNTERS, PROJECT_RATIOS, with_start=False
)
OccupancyBucketSerializer = _counters_and_ratios(
    "OccupancyBucketSerializer", OCCUPANCY_COUNTERS, OCCUPANCY_RATIOS, with_start=True
)
OccupancyTotalsSerializer = _counters_and_ratios(
    "OccupancyTotalsSerializer", OCCUPANCY_COUNTERS, OCCUPANCY_RATIOS, with_start=False
)


class _RangeAnswer(serializers.Serializer):
    granularity = serializers.ChoiceField(choices=GRANULARITIES)
    timezone = serializers.CharField(help_text="The time zone of buckets and instants.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField()
        fields["to"] = serializers.DateTimeField()
        return fields


class ProjectKpisSerializer(_RangeAnswer):
    project = serializers.CharField(help_text="Project code.")
    sl_formula = serializers.CharField(help_text="The project's service level formula.")
    buckets = KpiBucketSerializer(many=True)
    totals = KpiTotalsSerializer()


class OperatorOccupancySerializer(_RangeAnswer):
    operator = serializers.CharField(help_text="Operator code.")
    buckets = OccupancyBucketSerializer(many=True)
    totals = OccupancyTotalsSerializer()


class PoolSerializer(serializers.Serializer):
    operators = serializers.ListField(child=serializers.CharField(), help_text="Codes counted.")
    projects = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Projects whose calls count as handle time; null: every project.",
    )


class PoolOccupancySerializer(_RangeAnswer):
    pool = PoolSerializer()
    buckets = OccupancyBucketSerializer(many=True)
    totals = OccupancyTotalsSerializer()


class _HoursFields(serializers.Serializer):
    offered = serializers.IntegerField()
    hours = serializers.ListField(
        child=serializers.IntegerField(), help_text="Offered calls by local hour, 0 to 23."
    )
    tz_hours = serializers.ListField(
        child=serializers.IntegerField(), help_text="The same calls by hour in `timezone`."
    )
    peak_hour = serializers.IntegerField(allow_null=True)


class ProjectHoursSerializer(_HoursFields):
    project = serializers.CharField()
    timezone = serializers.CharField()


class PoolHoursSerializer(_HoursFields):
    pass


class PeakHoursSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    projects = ProjectHoursSerializer(many=True)
    pool = PoolHoursSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField()
        fields["to"] = serializers.DateTimeField()
        return fields
