"""The portal's query forms: every input bounded, every refusal naming its field."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contactcenter.periods import parse_month
from portal.tables import EXPORTS
from projects.models import Project

MAX_RANGE_DAYS = 31
MAX_MONTHS = 36
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExportForm(forms.Form):
    export = forms.ChoiceField(
        choices=[("", "—"), *((name, name.upper()) for name in EXPORTS)], required=False
    )


class ServiceForm(ExportForm):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        initial="month",
        required=False,
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, required=False)
    table = forms.ChoiceField(
        choices=[("service", "service"), ("missed-intervals", "missed-intervals")],
        required=False,
    )

    def clean_period(self):
        return self.cleaned_data.get("period") or "month"

    def clean_date(self):
        return self.cleaned_data.get("date") or timezone.localdate()


class RangeForm(ExportForm):
    """Local days ``date_from`` to ``date_to``, both included, at most 31 days."""

    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), widget=DATE_WIDGET, required=False
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Both days included; at most 31 days."),
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All projects"),
    )

    def __init__(self, data, *, projects, today: dt.date):
        super().__init__(data)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        self.today = today

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        last = data.get("date_to") or self.today
        first = data.get("date_from") or last - dt.timedelta(days=6)
        if first > last:
            self.add_error("date_to", _("The last day comes before the first."))
        elif (last - first).days >= MAX_RANGE_DAYS:
            self.add_error("date_to", _("At most 31 days after the first day."))
        data["date_from"], data["date_to"] = first, last
        return data


class CallSearchForm(RangeForm):
    number = forms.CharField(
        label=_("Number"),
        max_length=16,
        required=False,
        help_text=_("Digits of the caller's number, such as 9011234."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Any")), ("answered", _("Answered")), ("abandoned", _("Abandoned"))],
        required=False,
    )

    def clean_number(self):
        number = self.cleaned_data.get("number", "").strip().lstrip("+")
        if number and not number.isdigit():
            raise forms.ValidationError(_("Digits only."))
        return number


class QaForm(ExportForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class MonthRangeForm(ExportForm):
    """Months ``from`` to ``to`` (YYYY-MM), at most 36."""

    export = forms.ChoiceField(
        choices=[("", "—"), ("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")], required=False
    )
    month_from = forms.CharField(label=_("From month"), max_length=7, required=False)
    month_to = forms.CharField(label=_("To month"), max_length=7, required=False)

    def __init__(self, data, *, today: dt.date):
        super().__init__(data)
        self.today = today

    def _month(self, name, default):
        value = self.cleaned_data.get(name)
        if not value:
            return default
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError(_("A month as YYYY-MM, such as 2026-10.")) from None

    def clean_month_to(self):
        return self._month("month_to", self.today.replace(day=1))

    def clean_month_from(self):
        return self._month("month_from", None)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        last = data["month_to"]
        first = data.get("month_from") or last.replace(month=1)
        months = (last.year - first.year) * 12 + last.month - first.month
        if months < 0:
            self.add_error("month_to", _("The last month comes before the first."))
        elif months >= MAX_MONTHS:
            self.add_error("month_to", _("At most 36 months."))
        data["month_from"] = first
        return data
