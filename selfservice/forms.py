"""The time-off request form of the self-service pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agents.models import Absence


class DateInput(forms.DateInput):
    input_type = "date"


class TimeOffForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    first_day = forms.DateField(label=_("First day"), widget=DateInput)
    last_day = forms.DateField(label=_("Last day"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
