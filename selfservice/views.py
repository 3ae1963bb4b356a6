"""The operator's pages: their schedule, time off, shift swaps, KPIs and QA scores.

Every view takes the logged-in operator (``access.operator_required``) and reads or writes
only their rows; another operator's request, swap or shift is a 404. Writes go through
``agents.time_off`` and ``agents.swaps``; a refused rule is shown with its reason.
"""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents import swaps, time_off
from agents.models import Absence, Operator, Shift, ShiftSwap, TimeOffRequest
from agents.shifts import center_zone, local_day_bounds, shift_zone
from calls import kpis
from calls.models import Call
from calls.selectors import operator_occupancy
from contactcenter.errors import DomainError
from contactcenter.l10n import number_text, percent_text, zone_name
from projects.models import Project
from quality.selectors import operator_qa
from selfservice.access import operator_required
from selfservice.forms import TimeOffForm

PAST_DAYS, AHEAD_DAYS = 7, 14


def _error_text(exc: DomainError) -> str:
    reasons = "; ".join(str(m) for ms in exc.details.values() for m in ms)
    return f"{exc.message} {reasons}".strip() if reasons not in exc.message else exc.message


def _shift_row(shift: Shift) -> dict:
    zone = shift_zone(shift)
    start, end = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
    return {
        "shift": shift,
        "start": start,
        "end": end,
        "zone": zone_name(start),
        "project": shift.project.name if shift.project is not None else _("Pool"),
        "activities": [
            {
                "kind": activity.get_kind_display(),
                "start": activity.starts_at.astimezone(zone),
                "end": activity.ends_at.astimezone(zone),
            }
            for activity in shift.activities.all()
        ],
        "past": shift.ends_at <= timezone.now(),
    }


def _today() -> dt.date:
    return timezone.now().astimezone(center_zone()).date()


@operator_required
def schedule(request: HttpRequest, operator: Operator) -> HttpResponse:
    """Shifts of the past week and the next two weeks, in each shift's local time."""
    today = _today()
    begin = local_day_bounds(today - dt.timedelta(days=PAST_DAYS), center_zone())[0]
    end = local_day_bounds(today + dt.timedelta(days=AHEAD_DAYS), center_zone())[1]
    shifts = (
        Shift.objects.filter(operator=operator, starts_at__lt=end, ends_at__gt=begin)
        .select_related("project")
        .prefetch_related("activities")
        .order_by("starts_at")
    )
    absences = Absence.objects.filter(
        operator=operator,
        starts_on__lte=today + dt.timedelta(days=AHEAD_DAYS),
        ends_on__gte=today - dt.timedelta(days=PAST_DAYS),
    ).order_by("starts_on")
    return render(
        request,
        "selfservice/schedule.html",
        {
            "operator": operator,
            "rows": [_shift_row(shift) for shift in shifts],
            "absences": absences,
            "first_day": today - dt.timedelta(days=PAST_DAYS),
            "last_day": today + dt.timedelta(days=AHEAD_DAYS),
            "page": "schedule",
        },
    )


@operator_required
def time_off_page(request: HttpRequest, operator: Operator) -> HttpResponse:
    """The request form and the operator's requests."""
    form = TimeOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            time_off.time_off_request(
                operator=operator,
                kind=data["kind"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                note=data["note"],
            )
        except DomainError as exc:
            for name, problems in exc.details.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, str(problem))
        else:
            messages.success(request, _("Your request is sent: a manager will decide."))
            return redirect("selfservice:time-off")
    requests = TimeOffRequest.objects.filter(operator=operator).select_related("absence")[:50]
    return render(
        request,
        "selfservice/time_off.html",
        {"operator": operator, "form": form, "requests": requests, "page": "time-off"},
    )


@require_POST
@operator_required
def time_off_cancel(request: HttpRequest, operator: Operator, request_id: int) -> HttpResponse:
    row = get_object_or_404(TimeOffRequest, pk=request_id, operator=operator)
    try:
        time_off.time_off_cancel(request=row, operator=operator)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Request cancelled."))
    return redirect("selfservice:time-off")


@operator_required
def swaps_page(request: HttpRequest, operator: Operator) -> HttpResponse:
    """My next shifts to offer, my offers, and colleagues' offers I may take."""
    now = timezone.now()
    mine = (
        Shift.objects.filter(
            operator=operator, starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=AHEAD_DAYS)
        )
        .select_related("project")
        .annotate(open_swaps=Count("swaps", filter=Q(swaps__status__in=swaps.OPEN)))
        .order_by("starts_at")
    )
    offers = (
        ShiftSwap.objects.filter(offered_by=operator)
        .select_related("shift__project", "taken_by")
        .order_by("-created_at")[:30]
    )
    return render(
        request,
        "selfservice/swaps.html",
        {
            "operator": operator,
            "mine": [{**_shift_row(s), "offered": s.open_swaps > 0} for s in mine],
            "offers": [{"swap": s, **_shift_row(s.shift)} for s in offers],
            "takeable": [
                {"swap": s, **_shift_row(s.shift)} for s in swaps.open_offers_for(operator)
            ],
            "page": "swaps",
        },
    )


@require_POST
@operator_required
def swap_offer(request: HttpRequest, operator: Operator) -> HttpResponse:
    shift_id = request.POST.get("shift", "")
    shift = get_object_or_404(
        Shift, pk=int(shift_id) if shift_id.isdigit() else 0, operator=operator
    )
    try:
        swaps.swap_offer(operator=operator, shift=shift, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Your shift is offered to your colleagues."))
    return redirect("selfservice:swaps")


@require_POST
@operator_required
def swap_accept(request: HttpRequest, operator: Operator, swap_id: int) -> HttpResponse:
    swap = get_object_or_404(
        ShiftSwap.objects.exclude(offered_by=operator), pk=swap_id, status=ShiftSwap.Status.OFFERED
    )
    try:
        swaps.swap_accept(swap=swap, operator=operator)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("You took the shift: a manager will approve the swap."))
    return redirect("selfservice:swaps")


@require_POST
@operator_required
def swap_cancel(request: HttpRequest, operator: Operator, swap_id: int) -> HttpResponse:
    swap = get_object_or_404(ShiftSwap, pk=swap_id, offered_by=operator)
    try:
        swaps.swap_cancel(swap=swap, operator=operator)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Offer withdrawn."))
    return redirect("selfservice:swaps")


def _score_text(score: str | None) -> str:
    return "—" if score is None else number_text(Decimal(score), 2)


def _month_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = center_zone()
    return local_day_bounds(first, zone)[0], local_day_bounds(following, zone)[0]


@operator_required
def my_kpis(request: HttpRequest, operator: Operator) -> HttpResponse:
    """This month: calls handled, AHT, occupancy (calls.selectors) and QA (quality)."""
    start, end = _month_bounds(_today())
    answered = Call.objects.filter(
        operator=operator, answered_at__isnull=False, offered_at__gte=start, offered_at__lt=end
    ).aggregate(
        answered=Count("id"),
        talk_seconds=Sum("talk_seconds"),
        hold_seconds=Sum("hold_seconds"),
        wrap_seconds=Sum("wrap_seconds"),
    )
    counters = {name: float(value or 0) for name, value in answered.items()}
    aht = kpis.aht_seconds(counters)
    occupancy = operator_occupancy(
        operator=operator,
        start=start,
        end=end,
        granularity="month",
        tz=center_zone().key,
    )["totals"]["occupancy"]
    qa = operator_qa(operator=operator, projects=Project.objects.all(), start=start, end=end)
    names = dict(
        Project.objects.filter(code__in=[p["project"] for p in qa["projects"]]).values_list(
            "code", "name"
        )
    )
    return render(
        request,
        "selfservice/kpis.html",
        {
            "operator": operator,
            "month": start.astimezone(center_zone()),
            "handled": int(counters["answered"]),
            "aht": None if aht is None else number_text(aht, 0),
            "occupancy": percent_text(occupancy),
            "qa_total": qa["totals"],
            "qa_text": _score_text(qa["totals"]["average_score"]),
            "qa_projects": [
                {
                    **p,
                    "name": names.get(p["project"], p["project"]),
                    "score_text": _score_text(p["average_score"]),
                }
                for p in qa["projects"]
            ],
            "page": "kpis",
        },
    )
