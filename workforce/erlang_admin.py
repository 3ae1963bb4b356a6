"""The Erlang calculator in the admin: the staffing endpoints' arithmetic as a form.

A PM types the calls per interval and the targets, and sees per interval what
``POST /api/v1/staffing/erlang-c/`` (or ``erlang-a/`` when a patience is given) answers,
plus the trade-off around the answer: the same queue at N-2 .. N+3 agents for the
busiest interval. Pure calculation (``workforce.erlang``), so any staff user may use it.
"""

import re

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workforce import erlang
from workforce.erlang import MAX_CALLS_PER_INTERVAL, MAX_INTERVALS, MAX_SECONDS

TRADE_OFF = range(-2, 4)  # agents around the answer shown side by side


class ErlangForm(forms.Form):
    calls = forms.CharField(
        label=gettext_lazy("Calls per interval"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy(
            "One number, or one per interval separated by spaces, commas or lines."
        ),
    )
    interval_seconds = forms.IntegerField(
        label=gettext_lazy("Interval (s)"), initial=1800, min_value=1, max_value=MAX_SECONDS
    )
    aht_seconds = forms.FloatField(
        label=gettext_lazy("AHT (s)"), min_value=1, max_value=MAX_SECONDS
    )
    threshold_seconds = forms.FloatField(
        label=gettext_lazy("Answer within (s)"), min_value=0, max_value=MAX_SECONDS
    )
    target_service_level = forms.FloatField(
        label=gettext_lazy("Target service level"),
        min_value=0,
        max_value=1,
        help_text=gettext_lazy("0..1, e.g. 0.8."),
    )
    shrinkage = forms.FloatField(
        label=gettext_lazy("Shrinkage"),
        initial=0,
        min_value=0,
        help_text=gettext_lazy("0 <= s < 1, e.g. 0.3."),
    )
    max_occupancy = forms.FloatField(
        label=gettext_lazy("Max occupancy"),
        initial=1,
        max_value=1,
        help_text=gettext_lazy("0 < x <= 1."),
    )
    patience_seconds = forms.FloatField(
        label=gettext_lazy("Patience (s)"),
        required=False,
        min_value=1,
        max_value=MAX_SECONDS,
        help_text=gettext_lazy(
            "Mean caller patience. Given: Erlang A (with abandons); empty: Erlang C."
        ),
    )

    def clean_calls(self):
        text = self.cleaned_data["calls"]
        parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
        if not parts:
            raise forms.ValidationError(_("Enter at least one number."))
        if len(parts) > MAX_INTERVALS:
            raise forms.ValidationError(
                _("At most %(count)d intervals.") % {"count": MAX_INTERVALS}
            )
        values = []
        for position, part in enumerate(parts, start=1):
            try:
                value = float(part)
            except ValueError:
                raise forms.ValidationError(
                    _("Interval %(position)d: %(text)s is not a number.")
                    % {"position": position, "text": repr(part)}
                ) from None
            if not 0 <= value <= MAX_CALLS_PER_INTERVAL:
                raise forms.ValidationError(
                    _("Interval %(position)d: calls must be between 0 and %(most)d.")
                    % {"position": position, "most": MAX_CALLS_PER_INTERVAL}
                )
            values.append(value)
        return values

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


def _rows(staffing, calls=None):
    metrics = staffing.metrics
    abandon = metrics.probability_of_abandon
    rows = []
    for index in range(staffing.agents.size):
        asa = float(metrics.asa_seconds[index])
        rows.append(
            {
                "number": index + 1,
                "calls": calls[index] if calls is not None else None,
                "traffic": float(staffing.traffic_erlangs[index]),
                "agents": int(staffing.agents[index]),
                "scheduled": int(staffing.scheduled_agents[index]),
                "service_level": float(metrics.service_level[index]),
                "wait": float(metrics.probability_of_waiting[index]),
                "asa": asa if asa == asa and asa != float("inf") else None,
                "occupancy": float(metrics.occupancy[index]),
                "abandon": float(abandon[index]) if abandon is not None else None,
            }
        )
    return rows


def calculate(*, calls, patience_seconds=None, **params):
    """The staffing per interval, and the trade-off table around the busiest interval."""
    if patience_seconds is None:

        def staff(load, **extra):
            return erlang.staff_erlang_c(load, **params, **extra)
    else:

        def staff(load, **extra):
            return erlang.staff_erlang_a(load, patience_seconds=patience_seconds, **params, **extra)

    staffing = staff(calls)
    busiest = int(staffing.traffic_erlangs.argmax())
    answer = int(staffing.agents[busiest])
    around = [answer + step for step in TRADE_OFF if answer + step >= 0]
    trade_off = staff([calls[busiest]] * len(around), agents=around)
    rows = _rows(trade_off)
    for row in rows:
        row["is_answer"] = row["agents"] == answer
    return {
        "intervals": _rows(staffing, calls),
        "busiest": busiest + 1,
        "trade_off": rows,
        "model": "Erlang C" if patience_seconds is None else "Erlang A",
    }


def erlang_view(request):
    form = ErlangForm(request.GET or None)
    context = {**admin.site.each_context(request), "title": _("Erlang calculator"), "form": form}
    if form.is_valid():
        try:
            context.update(calculate(**form.cleaned_data))
        except erlang.ErlangInputError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
    return TemplateResponse(request, "admin/staffing/erlang.html", context)
