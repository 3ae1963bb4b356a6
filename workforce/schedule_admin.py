"""The admin's scheduling page: a PM builds, reviews, edits and publishes a week.

``/admin/scheduling/``: pick projects (those the user manages; a superuser, any) and a week;
the requirement comes from the forecast and Erlang C with shrinkage
(``workforce.schedules.week_requirements``) and CP-SAT builds a draft version. The week's
page shows the roster (operators x days, local time, the shift's project and lunch), a
coverage chart per project (required against scheduled per 15 minutes, the shortfall in
red) and the shortfall per day; a draft's shifts can be moved or deleted, then published;
a published week can be copied into a new draft, and a republished version lists what
changed for whom. Only managers of every project of a week and superusers reach it: any
other staff user gets a 403, another PM's week a 404.
"""

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.models import Operator
from contactcenter.errors import DomainError
from workforce import schedules
from workforce.models import ScheduledShift, ScheduleWeek

MAX_WEEKS_LISTED = 20


def _next_monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


class BuildForm(forms.Form):
    projects: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        queryset=None, label=gettext_lazy("Projects"), widget=forms.CheckboxSelectMultiple
    )
    week = forms.DateField(
        label=gettext_lazy("Week from"),
        help_text=gettext_lazy("First day (local), YYYY-MM-DD; the week lasts seven days."),
    )
    shrinkage = forms.DecimalField(
        label=gettext_lazy("Shrinkage"),
        initial="0.3",
        min_value=0,
        max_value=Decimal("0.9"),
        decimal_places=3,
        help_text=gettext_lazy("Share of paid time off the phones (breaks, training): 0 to 0.9."),
    )
    max_occupancy = forms.DecimalField(
        label=gettext_lazy("Max occupancy"),
        initial="0.85",
        min_value=Decimal("0.5"),
        max_value=1,
        decimal_places=3,
        help_text=gettext_lazy("0.5 to 1."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = schedules.schedulable_projects(user).order_by("code")
        self.fields["week"].initial = _next_monday()

    def clean_projects(self):
        projects = self.cleaned_data["projects"]
        if len(projects) > schedules.MAX_PROJECTS:
            raise forms.ValidationError(
                _("Pick at most %(n)s projects.") % {"n": schedules.MAX_PROJECTS}
            )
        return projects

    def clean_week(self):
        week = self.cleaned_data["week"]
        today = timezone.localdate()
        if not today - dt.timedelta(days=366) <= week <= today + dt.timedelta(days=366):
            raise forms.ValidationError(_("Pick a week within a year of today."))
        return week


class MoveForm(forms.Form):
    day = forms.TypedChoiceField(label=gettext_lazy("Day"), coerce=int, choices=())
    start_time = forms.TimeField(label=gettext_lazy("Start"))

    def __init__(self, *args, week, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [
            (i, date_format(week.week_start + dt.timedelta(days=i), "D d.m")) for i in range(7)
        ]


def _require_scheduler(request):
    """Least privilege: superusers and managers of at least one project."""
    if not schedules.schedulable_projects(request.user).exists():
        raise PermissionDenied


def _week(request, week_id):
    _require_scheduler(request)
    week = schedules.visible_weeks(request.user).filter(pk=week_id).first()
    if week is None:
        raise Http404
    return week


def schedule_view(request):
    _require_scheduler(request)
    form = BuildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            week = schedules.schedule_build(
                projects=list(data["projects"]),
                start=data["week"],
                user=request.user,
                shrinkage=data["shrinkage"],
                max_occupancy=data["max_occupancy"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("schedule_week", week.pk)
    weeks = schedules.visible_weeks(request.user).order_by("-week_start", "scope", "-version")
    context = {
        **admin.site.each_context(request),
        "title": _("Scheduling"),
        "form": form,
        "weeks": weeks[:MAX_WEEKS_LISTED],
    }
    return TemplateResponse(request, "admin/scheduling/index.html", context)


def _local(instant, zone):
    return instant.astimezone(zone)


def _roster(week, rows):
    """Operators (certified for the week's projects, or on a shift) x the seven days."""
    days = [week.week_start + dt.timedelta(days=i) for i in range(7)]
    week_zone = ZoneInfo(week.timezone)
    operators = {
        op.pk: op
        for op in Operator.objects.filter(
            status=Operator.Status.ACTIVE, certifications__project__in=week.projects.all()
        ).distinct()
    }
    cells: dict[int, dict[dt.date, list[dict[str, Any]]]] = {}
    for row in rows:
        operators.setdefault(row.operator_id, row.operator)
        zone = ZoneInfo(row.project.timezone) if row.project_id else week_zone
        start, end = _local(row.starts_at, zone), _local(row.ends_at, zone)
        day = _local(row.starts_at, week_zone).date()
        cell = {
            "id": row.pk,
            "span": f"{start:%H:%M}–{end:%H:%M}",
            "project": row.project.code if row.project_id else "",
            "lunch": (
                f"{_local(row.lunch_starts_at, zone):%H:%M}–{_local(row.lunch_ends_at, zone):%H:%M}"
                if row.lunch_starts_at
                else ""
            ),
            "day_index": (day - week.week_start).days,
            "start_time": f"{start:%H:%M}",
        }
        cells.setdefault(row.operator_id, {}).setdefault(day, []).append(cell)
    grid = []
    for op in sorted(operators.values(), key=lambda o: o.code):
        mine = cells.get(op.pk, {})
        grid.append(
            {
                "operator": op,
                "days": [mine.get(day, []) for day in days],
                "hours": sum(
                    (r.ends_at - r.starts_at).total_seconds() / 3600
                    - (
                        (r.lunch_ends_at - r.lunch_starts_at).total_seconds() / 3600
                        if r.lunch_starts_at
                        else 0
                    )
                    for r in rows
                    if r.operator_id == op.pk
                ),
            }
        )
    return days, grid


def schedule_week_view(request, week_id):
    week = _week(request, week_id)
    rows = list(week.shifts.select_related("operator", "project"))
    coverage = schedules.week_coverage(week, rows)
    days, grid = _roster(week, rows)
    labels = [date_format(day, "D d.m") for day in days]
    charts = [
        {
            "project": code,
            "required": coverage.required[code],
            "scheduled": coverage.scheduled[code],
            "required_hours": sum(coverage.required[code]) / 4,
            "scheduled_hours": sum(coverage.scheduled[code]) / 4,
            "short_hours": sum(coverage.short(code)) / 4,
        }
        for code in sorted(coverage.required)
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Schedule %(scope)s, week from %(day)s, version %(version)s")
        % {"scope": week.scope, "day": date_format(week.week_start), "version": week.version},
        "week": week,
        "days": days,
        "labels": labels,
        "grid": grid,
        "charts": charts,
        "shortfall": schedules.shortfall_by_day(week, coverage),
        "changes": schedules.week_changes(week),
        "move_form": MoveForm(week=week),
        "is_draft": week.status == ScheduleWeek.Status.DRAFT,
    }
    return TemplateResponse(request, "admin/scheduling/week.html", context)


def schedule_shift_view(request, week_id, shift_id):
    """POST: ``action=move`` (``day``, ``start_time``) or ``action=delete`` on a draft."""
    week = _week(request, week_id)
    back = redirect("schedule_week", week.pk)
    if request.method != "POST":
        return back
    try:
        if request.POST.get("action") == "delete":
            schedules.scheduled_shift_delete(week=week, shift_id=shift_id)
            messages.success(request, _("Shift deleted."))
        else:
            form = MoveForm(request.POST, week=week)
            if not form.is_valid():
                messages.error(request, _("Pick a day and a start time (HH:MM)."))
                return back
            schedules.scheduled_shift_move(
                week=week,
                shift_id=shift_id,
                day=form.cleaned_data["day"],
                start_time=form.cleaned_data["start_time"],
            )
            messages.success(request, _("Shift moved."))
    except DomainError as error:
        messages.error(request, error.message)
    return back


def schedule_publish_view(request, week_id):
    week = _week(request, week_id)
    if request.method == "POST":
        try:
            published = schedules.schedule_publish(week=week, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Published: %(created)s shifts, %(skipped)s skipped (overlapping stored shifts).")
                % {"created": published.created, "skipped": len(published.skipped)},
            )
    return redirect("schedule_week", week.pk)


@transaction.atomic
def _copy(week, user):
    from django.db.models import Max

    last = ScheduleWeek.objects.filter(scope=week.scope, week_start=week.week_start).aggregate(
        last=Max("version")
    )["last"]
    copy = ScheduleWeek.objects.create(
        scope=week.scope,
        week_start=week.week_start,
        timezone=week.timezone,
        version=last + 1,
        requirements=week.requirements,
        shrinkage=week.shrinkage,
        solver_status=week.solver_status,
        solve_seconds=week.solve_seconds,
        created_by=user,
    )
    copy.projects.set(week.projects.all())
    ScheduledShift.objects.bulk_create(
        ScheduledShift(
            week=copy,
            operator_id=row.operator_id,
            project_id=row.project_id,
            template=row.template,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            lunch_starts_at=row.lunch_starts_at,
            lunch_ends_at=row.lunch_ends_at,
        )
        for row in week.shifts.all()
    )
    return copy


def schedule_copy_view(request, week_id):
    """POST: a new draft version with this version's shifts, to edit and republish."""
    week = _week(request, week_id)
    if request.method != "POST":
        return redirect("schedule_week", week.pk)
    return redirect("schedule_week", _copy(week, request.user).pk)
