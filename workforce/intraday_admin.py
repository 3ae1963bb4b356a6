"""The "Intraday" admin page: a project's day per 15 minutes, forecast against actual, the
reforecast, the agents required and on shift, and the gap (``workforce.intraday``;
docs/intraday.md). Staff only (``admin_view``); the projects are those the user manages.
"""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contactcenter.periods import MAX_DATE, MIN_DATE
from projects.tenancy import visible_projects
from workforce import erlang, intraday


class IntradayForm(forms.Form):
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("Project"), to_field_name="code"
    )
    date = forms.DateField(
        label=pgettext_lazy("report field", "Day"),
        required=False,
        help_text=_("Local day; empty: today in the project's zone."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = visible_projects(user).order_by("code")

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise forms.ValidationError(_("Out of range."))
        return day


def intraday_view(request):
    form = IntradayForm(request.GET or None, user=request.user)
    context = {**admin.site.each_context(request), "title": _("Intraday"), "form": form}
    if form.is_valid():
        project = form.cleaned_data["project"]
        now = timezone.now()
        day = form.cleaned_data["date"] or now.astimezone(ZoneInfo(project.timezone)).date()
        try:
            context["report"] = intraday.project_intraday(project=project, day=day, now=now)
        except erlang.ErlangInputError as error:
            form.add_error(None, str(error))
    return TemplateResponse(request, "admin/intraday/day.html", context)
