"""The "Schedule adherence" admin page: every operator with a shift on a local day, their
adherence, conformance and exceptions (``workforce.adherence_report``; docs/adherence.md).

Staff only (``admin_view``): the shared pool is whole to every staff user, as in the API.
"""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agents.models import Operator
from agents.shifts import center_zone
from contactcenter.periods import MAX_DATE, MIN_DATE
from workforce import adherence_report


class AdherenceDayForm(forms.Form):
    date = forms.DateField(
        label=pgettext_lazy("report field", "Day"),
        help_text=_("Local day of the shifts, YYYY-MM-DD."),
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not MIN_DATE <= day <= MAX_DATE:
            raise forms.ValidationError(_("Out of range."))
        return day


def adherence_view(request):
    today = timezone.now().astimezone(center_zone()).date()
    form = AdherenceDayForm(request.GET or {"date": today})
    rows = []
    day = today
    if form.is_valid():
        day = form.cleaned_data["date"]
        found = adherence_report.adherence_by_operator(None, day)
        names = {o.pk: o for o in Operator.objects.filter(pk__in=found).only("code", "full_name")}
        rows = sorted(
            ({"operator": names[pk], **answer} for pk, answer in found.items()),
            key=lambda row: row["operator"].code,
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Schedule adherence"),
        "form": form,
        "day": day,
        "rows": rows,
        "zone": center_zone().key,
    }
    return TemplateResponse(request, "admin/adherence/day.html", context)
