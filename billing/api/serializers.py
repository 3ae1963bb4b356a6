"""Input and output shapes of tariffs and their bands, and of invoices (SPEC section 7),
their payments and deliveries."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.exports.common import quantity_minutes
from billing.exports.formats import DIALECTS, FORMAT_NAMES, FORMATS
from billing.models import Delivery, Invoice, InvoiceLine, Payment, SlaTerm, Tariff
from billing.payments import MAX_AMOUNT, paid_amount
from contactcenter.api.fields import (
    BoundedDateField,
    MonthField,
    seconds_kwargs,
    validate_date_range,
)
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
        validators: list[Any] = []
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


MONEY_SCHEMA = {"type": "string", "format": "decimal", "example": "15414.68", "nullable": True}


class InvoiceSerializer(serializers.ModelSerializer):
    client = serializers.CharField(source="client.code", read_only=True)
    period = MonthField(read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    paid_amount = serializers.SerializerMethodField(
        help_text="The part of the total paid (an overpayment is the client's credit)."
    )
    balance_due = serializers.SerializerMethodField(
        help_text="What is still due: total - paid_amount; null for a draft or a void invoice."
    )

    @extend_schema_field(MONEY_SCHEMA)
    def get_paid_amount(self, invoice):
        return str(invoice_paid_amount(invoice))

    @extend_schema_field(MONEY_SCHEMA)
    def get_balance_due(self, invoice):
        if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID):
            return None
        return str(invoice.total - invoice_paid_amount(invoice))

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
            "due_date",
            "paid_at",
            "voided_at",
            "paid_amount",
            "balance_due",
            "calls_received_before",
            "calls_after_build",
            "lines",
        ]
        read_only_fields = fields


class InvoiceGenerateSerializer(serializers.Serializer):
    """What to generate; nothing else: an amount, a line or a total is derived, so a body
    naming one (or any other field) is refused, naming it."""

    period = MonthField(help_text="The month to bill, YYYY-MM (each project's local month).")
    client = serializers.CharField(
        required=False,
        max_length=40,
        help_text="A client code; without it, every client in the caller's scope.",
    )

    def validate(self, attrs):
        known = set(self.fields)
        sent = self.initial_data if isinstance(self.initial_data, dict) else {}
        unknown = sorted(str(name)[:64] for name in sent if name not in known)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [
                        "Not a field of this request: amounts, lines and totals are "
                        "computed by generation, never sent."
                    ]
                    for name in unknown
                }
            )
        return attrs


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


def invoice_paid_amount(invoice):
    """``paid`` as the list annotates it, else one query (billing.payments.paid_amount)."""
    paid = getattr(invoice, "paid", None)
    return paid_amount(invoice) if paid is None else paid


class PaymentSerializer(serializers.ModelSerializer):
    invoice = serializers.CharField(source="invoice.number", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )
    credit = serializers.SerializerMethodField(help_text="The part kept as the client's credit.")

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "amount",
            "applied_amount",
            "credit",
            "paid_on",
            "reference",
            "source",
            "bank_number",
            "bank_date",
            "payer_inn",
            "payer_account",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "decimal", "example": "0.00"})
    def get_credit(self, payment):
        return str(payment.amount - payment.applied_amount)


class PaymentCreateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT
    )
    paid_on = BoundedDateField(help_text="The date the money arrived, YYYY-MM-DD; not future.")
    reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PayQuerySerializer(serializers.Serializer):
    """pay/: optional; without them, the whole balance today."""

    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT,
        required=False,
    )  # fmt: skip
    paid_on = BoundedDateField(required=False)


class PaymentImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A 1CClientBankExchange file (1.02 or 1.03).")


class DryRunQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["recipient", "status", "attempts", "last_error", "sent_at"]
        read_only_fields = fields


class ReconciliationQuerySerializer(serializers.Serializer):
    from_ = MonthField(help_text="First month, YYYY-MM.")
    to = MonthField(help_text="Last month, YYYY-MM (inclusive).")
    format = serializers.ChoiceField(
        choices=["json", "pdf", "xlsx"], required=False, default="json"
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["Must not be before from."]})
        if (attrs["to"].year - attrs["from"].year) * 12 + attrs["to"].month - attrs[
            "from"
        ].month >= 36:
            raise serializers.ValidationError({"to": ["At most 36 months."]})
        return attrs


MAX_SLA_TIERS = 20


class SlaCreditTierSerializer(serializers.Serializer):
    shortfall_up_to_points = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        allow_null=True,
        help_text="Percentage points under (over) the target; null: beyond every other tier.",
    )
    credit_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(100)
    )


class SlaTermSerializer(serializers.ModelSerializer):
    project = ProjectCodeField()
    tiers = SlaCreditTierSerializer(
        many=True,
        required=False,
        help_text="The credit schedule (at most 20 tiers); when sent, it replaces the stored "
        "tiers.",
    )

    class Meta:
        model = SlaTerm
        fields = ["id", "project", "valid_from", "metric", "target_percent", "threshold_seconds",
                  "tiers"]  # fmt: skip
        # (project, valid_from) is checked by the service, which names valid_from.
        validators: list[Any] = []
        extra_kwargs = {
            "valid_from": {"validators": [validate_date_range]},
            "target_percent": {"min_value": 0, "max_value": 100},
            "threshold_seconds": {"min_value": 1, "max_value": 3600},
        }

    def validate_tiers(self, tiers):
        if len(tiers) > MAX_SLA_TIERS:
            raise serializers.ValidationError(
                gettext("At most %(count)s tiers.") % {"count": MAX_SLA_TIERS}
            )
        return tiers
