"""Input and output shapes of clients and projects (SPEC section 8)."""

from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from contactcenter.api.fields import BoundedDateField, seconds_kwargs
from projects import legal_ids
from projects.api.fields import ClientCodeField, ClockField
from projects.models import CODE_HELP, CODE_REGEX, BusinessHours, Client, Project, Seller, VatRate

code_format = RegexValidator(CODE_REGEX, message=f"Invalid code. {CODE_HELP}")
currency_format = RegexValidator(r"^[A-Z]{3}$", message="Use an ISO 4217 code, such as RUB.")


def code_validators(model, noun):
    """The code's format and its uniqueness, both checked before the database would refuse."""
    return [
        code_format,
        UniqueValidator(
            queryset=model.objects.all(), message=f"A {noun} with this code already exists."
        ),
    ]


class VatRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = VatRate
        fields = ["valid_from", "rate"]


class SellerSerializer(serializers.ModelSerializer):
    """Our legal entity; ИНН, ОГРН, БИК and the accounts' keys are checked by their
    control digits (projects.legal_ids, through ``Seller.clean``): a 400 naming the field."""

    class Meta:
        model = Seller
        fields = [
            "code",
            "name",
            "inn",
            "kpp",
            "ogrn",
            "address",
            "bank",
            "bik",
            "correspondent_account",
            "account",
            "director",
            "chief_accountant",
        ]
        extra_kwargs = {
            "code": {"validators": code_validators(Seller, "seller")},
            "address": {"max_length": 1000},
        }

    def validate(self, attrs):
        instance = self.instance or Seller()
        values = {name: attrs.get(name, getattr(instance, name)) for name in self.Meta.fields}
        errors = legal_ids.party_errors(**{k: values[k] for k in LEGAL_ID_FIELDS})
        if errors:
            raise serializers.ValidationError({name: [text] for name, text in errors.items()})
        return attrs


LEGAL_ID_FIELDS = ("inn", "kpp", "ogrn", "bik", "account", "correspondent_account")


class ClientSerializer(serializers.ModelSerializer):
    seller = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Seller.objects.all(),
        required=False,
        allow_null=True,
        help_text="The code of our legal entity that bills the client; null: the only seller "
        "(with several, generating its invoice asks for one).",
    )
    contract_date = BoundedDateField(required=False, allow_null=True)
    vat_rates = VatRateSerializer(many=True, read_only=True)
    vat_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=Decimal("0.9999"),
        write_only=True,
        required=False,
        help_text=(
            "Shortcut: sets the VAT rate (a fraction, 0.2000 is 20%) valid from the "
            "beginning of time (2000-01-01), replacing that rate if it exists. Dated rates "
            "that follow it still apply from their own dates."
        ),
    )
    projects: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="code",
        help_text="Codes of the client's projects that the caller sees.",
    )

    class Meta:
        model = Client
        fields = [
            "code",
            "legal_name",
            "tax_id",
            "kpp",
            "address",
            "billing_email",
            "currency",
            "vat_included",
            "ogrn",
            "seller",
            "contract_number",
            "contract_date",
            "payment_terms_days",
            "is_active",
            "vat_rates",
            "vat_rate",
            "projects",
        ]
        extra_kwargs = {
            "code": {"validators": code_validators(Client, "client")},
            "tax_id": {
                "validators": [
                    RegexValidator(
                        r"^([0-9]{10}|[0-9]{12})$",
                        message="The INN has 10 digits (company) or 12 (person).",
                    )
                ]
            },
            "kpp": {"validators": [RegexValidator(r"^[0-9]{9}$", message="The KPP has 9 digits.")]},
            "currency": {"validators": [currency_format]},
            "payment_terms_days": {"min_value": 0, "max_value": 365},
        }

    def validate(self, attrs):
        """ИНН and ОГРН control digits (projects.legal_ids): a 400 naming the field."""
        instance = self.instance or Client()
        inn = attrs.get("tax_id", instance.tax_id)
        ogrn = attrs.get("ogrn", instance.ogrn)
        errors = legal_ids.party_errors(inn=inn, ogrn=ogrn)
        if errors:
            names = {"inn": "tax_id", "ogrn": "ogrn"}
            raise serializers.ValidationError(
                {names[name]: [text] for name, text in errors.items()}
            )
        return attrs


class BusinessHoursSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(
        choices=BusinessHours.Weekday.choices, help_text="0 = Monday ... 6 = Sunday."
    )
    opens = ClockField()
    closes = ClockField(end_of_day=True, help_text="HH:MM; 24:00 for midnight.")


class ProjectSerializer(serializers.ModelSerializer):
    client = ClientCodeField()
    business_hours = BusinessHoursSerializer(
        many=True,
        required=False,
        help_text=(
            "Opening windows in the project's local time; none means around the clock. "
            "When sent, the list replaces the stored windows."
        ),
    )
    managers: "serializers.SlugRelatedField[Any]" = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="username", help_text="Usernames of the PMs."
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "client",
            "timezone",
            "service_mode",
            "sl_threshold_seconds",
            "sl_target",
            "short_abandon_seconds",
            "sl_formula",
            "abandon_rate_target",
            "asa_target_seconds",
            "is_active",
            "business_hours",
            "managers",
        ]
        extra_kwargs = {
            "code": {"validators": code_validators(Project, "project")},
            "sl_threshold_seconds": seconds_kwargs(),
            "short_abandon_seconds": seconds_kwargs(),
            "asa_target_seconds": seconds_kwargs(),
        }
