"""The project manager's KPI dashboard in the admin: one page over the KPI selectors.

The page reads the same selectors as the API (``calls.selectors``) and passes their
answer through the API's JSON encoder, so every number it draws is, to the last digit,
the number ``GET /api/v1/projects/{code}/kpis/`` returns. Charts are inline SVG laid out
by ``dashboard.templatetags.kpi_charts``: no JavaScript and nothing fetched from elsewhere.
"""

import datetime as dt
import json
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from rest_framework.utils.encoders import JSONEncoder

from agents.models import Certification, Operator
from calls import selectors
from contactcenter.errors import DomainError
from contactcenter.l10n import number_text, percent_text
from dashboard.templatetags.kpi_charts import (
    CALLS,
    RATIO,
    SECONDS,
    ChartSpec,
    Reference,
    Series,
    format_value,
    hour_categories,
    time_categories,
)
from projects.models import Project
from projects.tenancy import sees_whole_pool, visible_projects
from quality import selectors as quality_selectors

GRANULARITIES = [
    ("15min", gettext_lazy("15 minutes")),
    ("hour", pgettext_lazy("granularity", "Hour")),
    ("day", gettext_lazy("Day")),
    ("month", gettext_lazy("Month")),
]
PER_GRANULARITY = {
    "15min": gettext_lazy("per 15 minutes"),
    "hour": gettext_lazy("per hour"),
    "day": gettext_lazy("per day"),
    "month": gettext_lazy("per month"),
}
# Beyond this many bars a chart is an unreadable smear and a heavy page: ask for less.
MAX_BUCKETS = 800
BUCKETS_PER_DAY = {"15min": 96, "hour": 24, "day": 1}
# The pool is staffed to keep occupancy here (SPEC section 1): drawn as a band.
POOL_OCCUPANCY_BAND = (0.70, 0.75)


class DashboardForm(forms.Form):
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        to_field_name="code",
        empty_label=None,
        label=gettext_lazy("Project"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        help_text=gettext_lazy("Local dates of the project, both included."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    granularity = forms.ChoiceField(choices=GRANULARITIES, label=gettext_lazy("Granularity"))

    def __init__(self, data, *, projects):
        super().__init__(data)
        self.fields["project"].queryset = projects

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        granularity = cleaned.get("granularity")
        if first and last:
            if last < first:
                raise forms.ValidationError(_("'To' is before 'From'."))
            if granularity and bucket_count(first, last, granularity) > MAX_BUCKETS:
                raise forms.ValidationError(
                    _(
                        "%(count)s intervals are too many for one chart (at most %(max)s): "
                        "choose a coarser granularity or a shorter range."
                    ),
                    params={"count": bucket_count(first, last, granularity), "max": MAX_BUCKETS},
                )
        return cleaned


def bucket_count(first, last, granularity):
    """How many buckets the local days ``first``..``last`` hold at ``granularity``."""
    if granularity == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return ((last - first).days + 1) * BUCKETS_PER_DAY[granularity]


def local_range(first, last, tz):
    """The instants of the local days ``first``..``last``: [first 00:00, day after last 00:00)."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, end


def as_api_json(body):
    """A selector's answer exactly as the API renders it (Decimal to float, instants ISO)."""
    return json.loads(json.dumps(body, cls=JSONEncoder))


def presets(today):
    """Quick ranges, as (label, first day, last day, granularity); the default comes first.

    The default is the last three complete local days: a whole day compares with a whole
    day, and today, still running, is one click away.
    """
    yesterday = today - dt.timedelta(days=1)
    last_month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return [
        (_("Last 3 days"), today - dt.timedelta(days=3), yesterday, "hour"),
        (_("Today"), today, today, "15min"),
        (_("Yesterday"), yesterday, yesterday, "15min"),
        (_("Last 7 days"), today - dt.timedelta(days=7), yesterday, "hour"),
        (_("This month"), today.replace(day=1), today, "day"),
        (_("Last month"), last_month_start, today.replace(day=1) - dt.timedelta(days=1), "day"),
    ]


def _project_today(projects, code):
    project = projects.filter(code=code).first() if code else None
    return timezone.localdate(timezone=ZoneInfo(project.timezone) if project else None)


def _form_data(query, projects):
    """The query string, completed with the defaults: the first project, the last 3 days."""
    data = query.copy()
    if "project" not in data:
        first = projects.first()
        if first is not None:
            data["project"] = first.code
    _label, first_day, last_day, granularity = presets(
        _project_today(projects, data.get("project"))
    )[0]
    data.setdefault("date_from", first_day.isoformat())
    data.setdefault("date_to", last_day.isoformat())
    data.setdefault("granularity", granularity)
    return data


def preset_links(project):
    """The quick ranges as query strings for ``project``, in its time zone."""
    today = timezone.localdate(timezone=ZoneInfo(project.timezone))
    return [
        {
            "label": label,
            "query": urlencode(
                {
                    "project": project.code,
                    "date_from": first.isoformat(),
                    "date_to": last.isoformat(),
                    "granularity": granularity,
                }
            ),
            "first": first,
            "last": last,
            "granularity": granularity,
        }
        for label, first, last, granularity in presets(today)
    ]


def dashboard_view(request):
    projects = visible_projects(request.user).select_related("client").order_by("code")
    form = DashboardForm(_form_data(request.GET, projects), projects=projects)
    context = {
        **admin.site.each_context(request),
        "title": _("KPI dashboard"),
        "form": form,
        "has_projects": projects.exists(),
    }
    if form.is_valid():
        try:
            context.update(
                dashboard_context(
                    user=request.user,
                    project=form.cleaned_data["project"],
                    first=form.cleaned_data["date_from"],
                    last=form.cleaned_data["date_to"],
                    granularity=form.cleaned_data["granularity"],
                    projects=projects,
                )
            )
        except DomainError as error:  # a range the selectors refuse, said as the API says it
            form.add_error(None, error.message)
    return TemplateResponse(request, "admin/dashboard/dashboard.html", context)


def pool_scope(user, projects):
    """Whose time and calls the pool counts, as ``GET /api/v1/pool/occupancy/`` does.

    Staff and superusers see the whole shared pool and every call it handles: ``(None,
    None)``. Anyone else (a staff user bound to an integration) sees the operators
    certified on their projects and only those projects' calls as handle time.
    """
    if sees_whole_pool(user):
        return None, None
    operators = Operator.objects.filter(
        pk__in=Certification.objects.filter(project__in=projects).values("operator_id")
    )
    return projects, operators


def dashboard_context(*, user, project, first, last, granularity, projects):
    """Everything the page draws for ``project`` and the pool, from the selectors.

    The pool's buckets and the peak hours are in the project's time zone, like the rest
    of the page (the API's ``tz`` parameter).
    """
    tz = ZoneInfo(project.timezone)
    start, end = local_range(first, last, tz)
    handle_projects, operators = pool_scope(user, projects)
    kpis = as_api_json(
        selectors.project_kpis(project=project, start=start, end=end, granularity=granularity)
    )
    occupancy = as_api_json(
        selectors.pool_occupancy(
            projects_queryset_or_None=handle_projects,
            operators_queryset=operators,
            start=start,
            end=end,
            granularity=granularity,
            tz=project.timezone,
        )
    )
    try:
        peaks = as_api_json(
            selectors.peak_hours(projects=projects, start=start, end=end, tz=project.timezone)
        )
    except DomainError as error:  # peak hours span at most a year; the rest still shows
        peaks, peaks_refused = None, error.message
    else:
        peaks_refused = None
    qa = as_api_json(quality_selectors.project_qa(project=project, start=start, end=end))
    return {
        "project": project,
        "qa_tile": qa_tile(qa["totals"]),
        "first_day": first,
        "last_day": last,
        "granularity": granularity,
        "granularity_label": PER_GRANULARITY[granularity],
        "presets": preset_links(project),
        "kpis": kpis,
        "project_empty": not kpis["totals"]["offered"],
        "project_tiles": project_tiles(project, kpis["totals"]),
        "project_charts": project_charts(project, kpis, tz=tz, granularity=granularity),
        "occupancy": occupancy,
        "pool_empty": not (
            occupancy["totals"]["staffed_seconds"] or occupancy["totals"]["handle_seconds"]
        ),
        "pool_tiles": pool_tiles(occupancy["totals"]),
        "occupancy_chart": occupancy_chart(occupancy, tz=tz, granularity=granularity),
        "peaks": peaks,
        "peaks_refused": peaks_refused,
        "peaks_empty": peaks is not None and not peaks["pool"]["offered"],
        "peaks_chart": peaks_chart(peaks) if peaks is not None else None,
    }


def _percent(fraction):
    return percent_text(fraction, 0 if float(fraction) * 100 == int(float(fraction) * 100) else 1)


def project_tiles(project, totals):
    """The KPI tiles: the totals of the range, each with its target where the project has one."""
    sl_target, abandon_target = float(project.sl_target), float(project.abandon_rate_target)
    asa_target = project.asa_target_seconds

    def status(value, target, *, at_least):
        if value is None or target is None:
            return ""
        return "met" if (value >= target if at_least else value <= target) else "missed"

    sl, asa = totals.get("service_level"), totals.get("asa_seconds")
    abandon = totals.get("abandon_rate")
    return [
        {
            "kpi": "service_level",
            "label": _("Service level"),
            "unit": RATIO,
            "value": sl,
            "target": _("target %(percent)s in %(seconds)d s")
            % {"percent": _percent(sl_target), "seconds": project.sl_threshold_seconds},
            "status": status(sl, sl_target, at_least=True),
        },
        {
            "kpi": "asa_seconds",
            "label": _("ASA"),
            "unit": SECONDS,
            "value": asa,
            "target": _("speed of answer; target at most %(seconds)d s") % {"seconds": asa_target}
            if asa_target is not None
            else _("average speed of answer"),
            "status": status(asa, asa_target, at_least=False),
        },
        {
            "kpi": "aht_seconds",
            "label": _("AHT"),
            "unit": SECONDS,
            "value": totals.get("aht_seconds"),
            "target": _("handle time: talk + hold + wrap"),
        },
        {
            "kpi": "abandon_rate",
            "label": _("Abandon rate"),
            "unit": RATIO,
            "value": abandon,
            "target": _("target at most %(percent)s") % {"percent": _percent(abandon_target)},
            "status": status(abandon, abandon_target, at_least=False),
        },
        {
            "kpi": "offered",
            "label": _("Offered"),
            "unit": CALLS,
            "value": totals.get("offered"),
            "target": _("%(count)s short abandons")
            % {"count": format_value(totals["short_abandoned"], CALLS)},
        },
        {
            "kpi": "answered",
            "label": _("Answered"),
            "unit": CALLS,
            "value": totals.get("answered"),
            "target": _("%(count)s within %(seconds)d s")
            % {
                "count": format_value(totals["answered_within_threshold"], CALLS),
                "seconds": project.sl_threshold_seconds,
            },
        },
    ]


def qa_tile(totals):
    """The QA score of the range, drawn beside service level: what
    ``GET /api/v1/projects/{code}/qa/?from=&to=`` answers in ``totals`` (docs/quality.md)."""
    count, critical = totals["evaluations"], totals["critical_failures"]
    return {
        "value": totals["average_score"],
        "data": json.dumps(totals["average_score"]),
        "evaluations": count,
        "critical_failures": critical,
        "note": ngettext("%(count)d evaluation scored", "%(count)d evaluations scored", count)
        % {"count": count}
        + (
            ngettext(", %(count)d critical failure", ", %(count)d critical failures", critical)
            % {"count": critical}
            if critical
            else ""
        ),
    }


def project_charts(project, kpis, *, tz, granularity):
    buckets = kpis["buckets"]
    categories = time_categories([b["start"] for b in buckets], tz=tz, granularity=granularity)

    def column(name):
        return [b.get(name) for b in buckets]

    asa_references = []
    if project.asa_target_seconds is not None:
        asa_references.append(
            Reference(
                _("Target %(seconds)d s") % {"seconds": project.asa_target_seconds},
                project.asa_target_seconds,
            )
        )
    return [
        {
            "title": _("Service level per interval"),
            "spec": ChartSpec(
                key="service_level",
                unit=RATIO,
                categories=categories,
                series=[
                    Series(
                        "service_level",
                        _("Service level (answered within %(seconds)d s)")
                        % {"seconds": project.sl_threshold_seconds},
                        "line",
                        column("service_level"),
                        "sl",
                    )
                ],
                references=[
                    Reference(
                        _("Target %(percent)s") % {"percent": _percent(project.sl_target)},
                        float(project.sl_target),
                    )
                ],
                y_min_top=1,
                description=_("Service level per interval against the target"),
            ),
        },
        {
            "title": _("Offered and answered calls"),
            "spec": ChartSpec(
                key="volume",
                unit=CALLS,
                categories=categories,
                series=[
                    Series("offered", _("Offered"), "bar", column("offered"), "offered"),
                    Series("answered", _("Answered"), "bar", column("answered"), "answered"),
                ],
                description=_("Offered and answered calls per interval"),
            ),
        },
        {
            "title": _("Abandon rate"),
            "spec": ChartSpec(
                key="abandon_rate",
                unit=RATIO,
                categories=categories,
                series=[
                    Series(
                        "abandon_rate",
                        _("Abandon rate (short abandons excluded)"),
                        "line",
                        column("abandon_rate"),
                        "abandon",
                    )
                ],
                references=[
                    Reference(
                        _("Target at most %(percent)s")
                        % {"percent": _percent(project.abandon_rate_target)},
                        float(project.abandon_rate_target),
                    )
                ],
                description=_("Abandon rate per interval against the target"),
            ),
        },
        {
            "title": _("Average speed of answer"),
            "spec": ChartSpec(
                key="asa_seconds",
                unit=SECONDS,
                categories=categories,
                series=[Series("asa_seconds", _("ASA"), "line", column("asa_seconds"), "asa")],
                references=asa_references,
                description=_("Average speed of answer per interval, in seconds"),
            ),
        },
    ]


def pool_tiles(totals):
    return [
        {
            "kpi": "occupancy",
            "label": _("Occupancy"),
            "unit": RATIO,
            "value": totals.get("occupancy"),
            "target": _("handle / staffed, aim %(low)s-%(high)s")
            % {"low": _percent(POOL_OCCUPANCY_BAND[0]), "high": _percent(POOL_OCCUPANCY_BAND[1])},
        },
        {
            "kpi": "utilization",
            "label": _("Utilization"),
            "unit": RATIO,
            "value": totals.get("utilization"),
            "target": _("handle / (staffed + break)"),
        },
        {
            "kpi": "shrinkage",
            "label": _("Shrinkage"),
            "unit": RATIO,
            "value": totals.get("shrinkage"),
            "target": _("break / (staffed + break)"),
        },
        {
            "kpi": "staffed_seconds",
            "label": _("Staffed time"),
            "unit": SECONDS,
            "value": totals.get("staffed_seconds"),
            "display": _hours(totals.get("staffed_seconds")),
            "target": _("%(hours)s handling calls")
            % {"hours": _hours(totals.get("handle_seconds"))},
        },
    ]


def _hours(seconds):
    if seconds is None:
        return "—"
    hours = seconds / 3600
    number = number_text(hours, 1) if hours < 100 else number_text(hours, 0)
    return _("%(hours)s h") % {"hours": number}


def occupancy_chart(occupancy, *, tz, granularity):
    buckets = occupancy["buckets"]
    low, high = POOL_OCCUPANCY_BAND
    return ChartSpec(
        key="pool_occupancy",
        unit=RATIO,
        categories=time_categories([b["start"] for b in buckets], tz=tz, granularity=granularity),
        series=[
            Series(
                "occupancy", _("Occupancy"), "bar", [b.get("occupancy") for b in buckets], "occ"
            ),
            Series(
                "utilization",
                _("Utilization"),
                "line",
                [b.get("utilization") for b in buckets],
                "util",
            ),
        ],
        references=[
            Reference(
                _("Aim %(low)s-%(high)s") % {"low": _percent(low), "high": _percent(high)},
                low,
                high,
            )
        ],
        y_min_top=1,
        description=_("Pool occupancy and utilization per interval"),
    )


def _peak_label(row, name):
    if row["peak_hour"] is None:
        return name
    return _("%(name)s, peak %(hour)s:00") % {"name": name, "hour": f"{row['peak_hour']:02d}"}


def peak_series(peaks):
    """The pool's offered calls by hour as bars, each project's by its local hour as a line."""
    series = [
        Series(
            "pool",
            _peak_label(peaks["pool"], _("Pool (the projects shown)")),
            "bar",
            peaks["pool"]["hours"],
            "pool",
        )
    ]
    for index, row in enumerate(peaks["projects"]):
        series.append(
            Series(
                row["project"],
                _peak_label(row, f"{row['project']} ({row['timezone']})"),
                "line",
                row["hours"],
                f"p{index % 6}",
            )
        )
    return series


def peaks_chart(peaks):
    return ChartSpec(
        key="peak_hours",
        unit=CALLS,
        categories=hour_categories(),
        series=peak_series(peaks),
        description=_("Offered calls by local hour of day, per project and for the pool"),
    )
