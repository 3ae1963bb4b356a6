"""Input and output shapes of tariffs and their bands (SPEC section 7)."""

from rest_framework import serializers

from billing.models import Tariff
from projects.api.fields import ClockField, ProjectCodeField
from projects.api.serializers import currency_format


class TariffBandSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        help_text="0 = Monday ... 6 = Sunday; a window crossing midnight belongs to the "
        "weekday it starts on.",
    )
    start = ClockField()
    end = ClockField(
        end_of_day=True, help_text="HH:MM; 24:00 for midnight; at or before start crosses it."
    )
    rate_per_minute = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0)


class TariffSerializer(serializers.ModelSerializer):
    project = ProjectCodeField()
    bands = TariffBandSerializer(
        many=True,
        required=False,
        help_text=(
            "Tried in the listed order; the first that matches the call's local answer "
            "time wins, else the base rate. When sent, the list replaces the stored bands."
        ),
    )

    class Meta:
        model = Tariff
        fields = [
            "id",
            "project",
            "valid_from",
            "currency",
            "rate_per_minute",
            "first_increment_seconds",
            "next_increment_seconds",
            "free_seconds",
            "billable",
            "wrap_cap_seconds",
            "monthly_minimum",
            "bands",
        ]
        # (project, valid_from) is checked by the service, which names valid_from.
        validators = []
        extra_kwargs = {
            "currency": {"validators": [currency_format]},
            "rate_per_minute": {"min_value": 0},
            "first_increment_seconds": {"min_value": 1},
            "next_increment_seconds": {"min_value": 1},
            "monthly_minimum": {"min_value": 0},
        }
