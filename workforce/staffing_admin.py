"""The "Pooling gain" admin page: dedicated teams against one pool, per day of a week.

A PM picks projects (those they may see) and a week, and sees per day the scheduled
operator-hours of dedicated teams and of the shared pool, and the gain in hours and
money: ``workforce.staffing.staffing_plan``, the answer of ``POST /api/v1/staffing/plan/``.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.tenancy import visible_projects
from workforce import erlang, staffing

CHART_WIDTH = 560
BAR_HEIGHT = 14


def _next_monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


class PoolingGainForm(forms.Form):
    projects: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        queryset=None,
        label=gettext_lazy("Projects"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("At least two to pool."),
    )
    week = forms.DateField(
        label=gettext_lazy("Week from"), help_text=gettext_lazy("First day (UTC), YYYY-MM-DD.")
    )
    shrinkage = forms.FloatField(
        label=gettext_lazy("Shrinkage"),
        initial=0.3,
        min_value=0,
        help_text=gettext_lazy("0 <= s < 1."),
    )
    max_occupancy = forms.FloatField(
        label=gettext_lazy("Max occupancy"),
        initial=0.85,
        max_value=1,
        help_text=gettext_lazy("0 < x <= 1."),
    )
    hourly_cost = forms.DecimalField(
        label=gettext_lazy("Hourly cost"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Per operator-hour; empty: the average of the active operators."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = visible_projects(user).order_by("code")
        self.fields["week"].initial = _next_monday()

    def clean_shrinkage(self):
        value = self.cleaned_data["shrinkage"]
        if value >= 1:
            raise forms.ValidationError(_("Must be below 1."))
        return value

    def clean_max_occupancy(self):
        value = self.cleaned_data["max_occupancy"]
        if value <= 0:
            raise forms.ValidationError(_("Must be above 0."))
        return value


def _chart(days):
    """Bars per day: dedicated and pooled hours, scaled to the largest."""
    top = max((Decimal(day["dedicated_hours"]) for day in days), default=Decimal(0)) or 1
    rows = []
    for index, day in enumerate(days):
        y = index * (2 * BAR_HEIGHT + 8)
        rows.append(
            {
                "label": date_format(day["date"], "D d"),
                "y": y,
                "text_y": y + BAR_HEIGHT,
                "pooled_y": y + BAR_HEIGHT,
                "dedicated_width": int(CHART_WIDTH * Decimal(day["dedicated_hours"]) / top),
                "pooled_width": int(CHART_WIDTH * Decimal(day["pooled_hours"]) / top),
            }
        )
    return {"rows": rows, "height": len(days) * (2 * BAR_HEIGHT + 8), "bar": BAR_HEIGHT}


def pooling_gain_view(request):
    form = PoolingGainForm(request.GET or None, user=request.user)
    context = {**admin.site.each_context(request), "title": _("Pooling gain"), "form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = staffing.staffing_plan(
                projects=list(data["projects"]),
                start_date=data["week"],
                days=7,
                shrinkage=data["shrinkage"],
                max_occupancy=data["max_occupancy"],
                hourly_cost=data["hourly_cost"],
            )
        except erlang.ErlangInputError as error:
            form.add_error(None, str(error))
        else:
            context.update(plan=plan, chart=_chart(plan["days_totals"]))
    return TemplateResponse(request, "admin/staffing_plan/pooling_gain.html", context)
