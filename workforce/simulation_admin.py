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

from workforce.simulation.engine import simulate, summarise
from workforce.simulation.scenario import ScenarioError, scenario_load, scenario_parse

MAX_DAYS = 31  # a page answers in a few seconds: a month of the demo takes about 1 s a run
MAX_UPLOAD_BYTES = 1_000_000


def shipped_scenarios():
    folder = Path(settings.BASE_DIR) / "scenarios"
    return sorted(folder.glob("*.json"))


class WhatIfForm(forms.Form):
    scenario = forms.ChoiceField(required=False, help_text="A shipped example.")
    upload = forms.FileField(required=False, help_text="Or your own scenario JSON.")
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        help_text=f"Override the scenario's days (at most {MAX_DAYS}).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [("", "---")] + [
            (path.name, path.name) for path in shipped_scenarios()
        ]

    def clean(self):
        data = super().clean()
        upload, name = data.get("upload"), data.get("scenario")
        try:
            if upload:
                if upload.size > MAX_UPLOAD_BYTES:
                    raise forms.ValidationError("The file is larger than 1 MB.")
                try:
                    raw = json.loads(upload.read().decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as error:
                    raise forms.ValidationError(f"Not valid JSON: {error}.") from error
                scenario = scenario_parse(raw)
            elif name:
                scenario = scenario_load(Path(settings.BASE_DIR) / "scenarios" / name)
            else:
                raise forms.ValidationError("Pick a scenario or upload one.")
        except ScenarioError as error:
            raise forms.ValidationError(error.message) from error
        days = data.get("days") or scenario.days
        if days > MAX_DAYS:
            raise forms.ValidationError(f"At most {MAX_DAYS} days here; set 'days'.")
        data["parsed"] = scenario.with_days(days)
        return data


def what_if_view(request):
    form = WhatIfForm(request.POST or None, request.FILES or None)
    context = {
        **admin.site.each_context(request),
        "title": "What-if: pooled vs dedicated",
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
    return "-" if value is None else f"{value * 100:.1f}%"


def _cells(summary, occupancy_key):
    """One side of a row, formatted (a ratio with no calls behind it is shown as -)."""
    return {
        "operators": summary["operators"],
        "occupancy": summary[occupancy_key],
        "occupancy_text": _percent(summary[occupancy_key]),
        "service_level": summary["service_level"],
        "service_level_text": _percent(summary["service_level"]),
        "abandon_rate_text": _percent(summary["abandon_rate"]),
        "asa_text": "-" if summary["asa_seconds"] is None else f"{summary['asa_seconds']:.1f}",
    }
