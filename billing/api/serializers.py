"""Input and output shapes of tariffs and their bands, and of invoices (SPEC section 7)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.exports.common import quantity_minutes
from billing.exports.formats import DIALECTS, FORMAT_NAMES, FORMATS
from billing.models import Invoice, InvoiceLine, Tariff
from contactcenter.api.fields import MonthField, seconds_kwargs, validate_date_range
from projects.api.fields import ClockField, ProjectCodeField
from projects.api.serializers import currency_format


class TariffBandSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    display_name = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="Printed on the documents (invoice, act, УПД) instead of `name`; blank: `name`.",
    )
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
            "valid_from": {"validators": [validate_date_range]},
            "rate_per_minute": {"min_value": 0},
            "first_increment_seconds": seconds_kwargs(minimum=1),
            "next_increment_seconds": seconds_kwargs(minimum=1),
            "free_seconds": seconds_kwargs(),
            "wrap_cap_seconds": seconds_kwargs(),
            "monthly_minimum": {"min_value": 0},
        }


class InvoiceLineSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    service_period = MonthField(
        read_only=True, help_text="The month the calls were made; earlier for late calls."
    )
    quantity = serializers.SerializerMethodField(
        help_text="Billed minutes (billed_seconds / 60), 4 decimals, half-up; the amount is "
        "computed from the exact value."
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "project",
            "kind",
            "band",
            "service_period",
            "description",
            "calls",
            "billed_seconds",
            "quantity",
            "rate_per_minute",
            "amount",
        ]
        read_only_fields = fields

    # A decimal string, like every amount (COERCE_DECIMAL_TO_STRING), not a JSON number.
    @extend_schema_field({"type": "string", "format": "decimal", "example": "3.0000"})
    def get_quantity(self, line):
        return str(quantity_minutes(line.billed_seconds))


class InvoiceSerializer(serializers.ModelSerializer):
    client = serializers.CharField(source="client.code", read_only=True)
    period = MonthField(read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "client",
            "period",
            "status",
            "currency",
            "subtotal",
            "vat",
            "total",
            "vat_rate",
            "vat_included",
            "issued_at",
            "paid_at",
            "voided_at",
            "lines",
        ]
        read_only_fields = fields


class InvoiceGenerateSerializer(serializers.Serializer):
    period = MonthField(help_text="The month to bill, YYYY-MM (each project's local month).")
    client = serializers.CharField(
        required=False,
        help_text="A client code; without it, every client in the caller's scope.",
    )


class InvoiceExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMAT_NAMES)
    dialect = serializers.ChoiceField(
        choices=DIALECTS,
        required=False,
        help_text="CSV formats only: `excel` for a Russian Excel (UTF-8 BOM, `;`, decimal "
        "comma); default `rfc4180`.",
    )

    def validate(self, attrs):
        if attrs.get("dialect") and not FORMATS[attrs["format"]].dialects:
            raise serializers.ValidationError(
                {
                    "dialect": [
                        f"Only the csv and detail formats have a dialect, not {attrs['format']}."
                    ]
                }
            )
        return attrs


class InvoiceArchiveQuerySerializer(serializers.Serializer):
    period = MonthField()
