"""Query filters of the tariffs, SLA terms and invoices lists."""

import django_filters
from django import forms

from billing.models import Invoice, SlaTerm, Tariff
from contactcenter.api.fields import MonthField, month_or_none


class TariffFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="Project code.")

    class Meta:
        model = Tariff
        fields = ["project", "billable"]


class SlaTermFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="Project code.")

    class Meta:
        model = SlaTerm
        fields = ["project", "metric"]


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": MonthField.default_error_messages["invalid"]}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = month_or_none(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class InvoiceFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="client__code", help_text="Client code.")
    period = MonthFilter(field_name="period", help_text="Billing month, YYYY-MM.")

    class Meta:
        model = Invoice
        fields = ["client", "period", "status"]
