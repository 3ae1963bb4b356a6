"""The "What-if: pooled vs dedicated" admin page.

A PM picks a shipped scenario (``scenarios/*.json``) or uploads one, and sees the same
callers answered by one pool and by dedicated teams side by side: operators, occupancy,
service level, abandon rate and ASA per project and for the pool. Nothing is stored.
"""

import json
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactcenter.l10n import number_text, percent_text
from projects.models import Project
from workforce.simulation.engine import simulate, summarise
from workforce.simulation.scenario import ScenarioError, scenario_load, scenario_parse

MAX_DAYS = 31  # a page answers in a few seconds: a month of the demo takes about 1 s a run
MAX_UPLOAD_BYTES = 1_000_000
# Calls a run may offer, by role (each run is made twice, pooled and dedicated). About
# 160 bytes of memory and 6 us a call: the demo month (166,318 calls) fits a manager's cap;
# 200,000 calls an hour for a day (4.8M calls) took 756 MB and is refused to everyone.
MAX_CALLS_SUPERUSER = 1_000_000
MAX_CALLS_MANAGER = 250_000
MAX_CALLS_OTHER_STAFF = 30_000  # team leads, QA evaluators, trainers: the small examples


def max_calls_for(user) -> int:
    """The most calls a what-if run of ``user`` may offer: superusers, project managers
    (of any project), other staff."""
    if user.is_superuser:
        return MAX_CALLS_SUPERUSER
    if Project.managers.through.objects.filter(user=user).exists():
        return MAX_CALLS_MANAGER
    return MAX_CALLS_OTHER_STAFF


def shipped_scenarios():
    folder = Path(settings.BASE_DIR) / "scenarios"
    return sorted(folder.glob("*.json"))


class WhatIfForm(forms.Form):
    scenario = forms.ChoiceField(
        label=gettext_lazy("Scenario"), required=False, help_text=gettext_lazy("A shipped example.")
    )
    upload = forms.FileField(
        label=gettext_lazy("Upload"),
        required=False,
        help_text=gettext_lazy("Or your own scenario JSON."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
    )

    def __init__(self, *args, max_calls=MAX_CALLS_OTHER_STAFF, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_calls = max_calls
        self.fields["days"].help_text = _("Override the scenario's days (at most %(most)d).") % {
            "most": MAX_DAYS
        }
        self.fields["scenario"].choices = [("", "---")] + [
            (path.name, path.name) for path in shipped_scenarios()
        ]

    def clean(self):
        data = super().clean()
        upload, name = data.get("upload"), data.get("scenario")
        try:
            if upload:
                if upload.size > MAX_UPLOAD_BYTES:
                    raise forms.ValidationError(_("The file is larger than 1 MB."))
                try:
                    raw = json.loads(upload.read().decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as error:
                    raise forms.ValidationError(
                        _("Not valid JSON: %(error)s.") % {"error": error}
                    ) from error
                scenario = scenario_parse(raw)
            elif name:
                scenario = scenario_load(Path(settings.BASE_DIR) / "scenarios" / name)
            else:
                raise forms.ValidationError(_("Pick a scenario or upload one."))
        except ScenarioError as error:
            raise forms.ValidationError(error.message) from error
        days = data.get("days") or scenario.days
        if days > MAX_DAYS:
            raise forms.ValidationError(
                _("At most %(most)d days here; set 'days'.") % {"most": MAX_DAYS}
            )
        scenario = scenario.with_days(days)
        if scenario.expected_calls > self.max_calls:
            raise forms.ValidationError(
                _(
                    "This run offers about %(calls)s calls; you may simulate at most %(most)s. "
                    "Lower calls_per_hour or the days."
                )
                % {
                    "calls": number_text(scenario.expected_calls),
                    "most": number_text(self.max_calls),
                }
            )
        data["parsed"] = scenario
        return data


def what_if_view(request):
    form = WhatIfForm(
        request.POST or None, request.FILES or None, max_calls=max_calls_for(request.user)
    )
    context = {
        **admin.site.each_context(request),
        "title": _("What-if: pooled vs dedicated"),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        scenario = form.cleaned_data["parsed"]
        pooled = summarise(simulate(scenario.with_routing("pooled")))
        dedicated = summarise(simulate(scenario.with_routing("dedicated")))
        context.update(
            scenario=scenario,
            rows=[
                {
                    "project": a["project"],
                    "sides": [_cells(a, "team_occupancy"), _cells(b, "team_occupancy")],
                }
                for a, b in zip(pooled["projects"], dedicated["projects"], strict=True)
            ],
            pool=[_cells(pooled["pool"], "occupancy"), _cells(dedicated["pool"], "occupancy")],
        )
    return TemplateResponse(request, "admin/simulation/what_if.html", context)


def _percent(value):
    return "-" if value is None else percent_text(value)


def _cells(summary, occupancy_key):
    """One side of a row, formatted (a ratio with no calls behind it is shown as -)."""
    return {
        "operators": summary["operators"],
        "occupancy": summary[occupancy_key],
        "occupancy_text": _percent(summary[occupancy_key]),
        "service_level": summary["service_level"],
        "service_level_text": _percent(summary["service_level"]),
        "abandon_rate_text": _percent(summary["abandon_rate"]),
        "asa_text": "-"
        if summary["asa_seconds"] is None
        else number_text(summary["asa_seconds"], 1),
    }
