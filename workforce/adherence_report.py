"""Schedule adherence per operator and local day: the database side of
``workforce.adherence`` (shifts, state events and answered calls, a few queries for any
number of operators).

An operator's day is the shifts whose start falls on that date in the shift's zone (its
project's, else ``settings.CENTER_TIME_ZONE``: ``agents.shifts.shift_zone``). "On a call"
is an answered call of the operator (``answered_at`` to ``ended_at``).
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Prefetch

from agents.models import AgentStateEvent, Shift, ShiftActivity
from agents.shifts import shift_zone
from calls.models import Call
from workforce import adherence

# A local day lies within this of the UTC day of the same date (zones span -12..+14 h).
ZONE_SLACK = dt.timedelta(hours=15)


def thresholds() -> adherence.Thresholds:
    """The center's exception thresholds (settings ``ADHERENCE_*_SECONDS``)."""
    return adherence.Thresholds(
        late_login=settings.ADHERENCE_LATE_LOGIN_SECONDS,
        early_logout=settings.ADHERENCE_EARLY_LOGOUT_SECONDS,
        long_break=settings.ADHERENCE_LONG_BREAK_SECONDS,
        unscheduled_break=settings.ADHERENCE_UNSCHEDULED_BREAK_SECONDS,
    )


def day_shifts(operator_ids: list[int] | None, day: dt.date) -> dict[int, list[Shift]]:
    """{operator id: their shifts starting on local ``day``}, activities prefetched;
    ``operator_ids`` None: every operator."""
    midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
    rows = Shift.objects.all()
    if operator_ids is not None:
        rows = rows.filter(operator_id__in=operator_ids)
    candidates = (
        rows.filter(
            starts_at__gte=midnight - ZONE_SLACK,
            starts_at__lt=midnight + dt.timedelta(days=1) + ZONE_SLACK,
        )
        .select_related("project")
        .prefetch_related(Prefetch("activities", ShiftActivity.objects.order_by("starts_at")))
        .order_by("starts_at")
    )
    found = defaultdict(list)
    for shift in candidates:
        if shift.starts_at.astimezone(shift_zone(shift)).date() == day:
            found[shift.operator_id].append(shift)
    return found


def _planned(shift: Shift) -> adherence.PlannedShift:
    return adherence.PlannedShift(
        start=shift.starts_at,
        end=shift.ends_at,
        activities=tuple(
            adherence.Activity(a.kind, a.starts_at, a.ends_at) for a in shift.activities.all()
        ),
    )


def _timelines(operator_ids, start, end) -> dict[int, list[adherence.Stretch]]:
    """Each operator's state timeline over ``[start, end)``: the last event before
    ``start``, the events inside, the answered calls laid over them."""
    events = defaultdict(list)
    before = (
        AgentStateEvent.objects.filter(operator_id__in=operator_ids, at__lt=start)
        .order_by("operator_id", "-at")
        .distinct("operator_id")
        .values_list("operator_id", "at", "state", "reason")
    )
    inside = AgentStateEvent.objects.filter(
        operator_id__in=operator_ids, at__gte=start, at__lt=end
    ).values_list("operator_id", "at", "state", "reason")
    for operator_id, at, state, reason in [*before, *inside]:
        events[operator_id].append((at, state, reason))
    calls: defaultdict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for operator_id, answered_at, ended_at in Call.objects.filter(
        operator_id__in=operator_ids,
        answered_at__isnull=False,
        answered_at__lt=end,
        ended_at__gt=start,
    ).values_list("operator_id", "answered_at", "ended_at"):
        if answered_at is not None:  # the query keeps answered calls only
            calls[operator_id].append((answered_at, ended_at))
    return {
        operator_id: adherence.timeline_from_events(
            events[operator_id], calls[operator_id], end=end
        )
        for operator_id in operator_ids
    }


def adherence_by_operator(operator_ids: list[int] | None, day: dt.date) -> dict[int, dict]:
    """{operator id: the adherence answer of local ``day``} for the operators with a shift
    that day (``operator_ids`` None: every operator); the others are absent."""
    shifts = day_shifts(operator_ids, day)
    if not shifts:
        return {}
    start = min(s.starts_at for rows in shifts.values() for s in rows)
    end = max(s.ends_at for rows in shifts.values() for s in rows)
    timelines = _timelines(list(shifts), start, end)
    limits = thresholds()
    return {
        operator_id: adherence.day_adherence(
            [_planned(s) for s in rows], timelines[operator_id], limits
        ).as_dict()
        for operator_id, rows in shifts.items()
    }


def operator_adherence(*, operator_id: int, day: dt.date) -> dict:
    """One operator's day; a day without a shift schedules nothing (ratios null)."""
    found = adherence_by_operator([operator_id], day)
    return found.get(operator_id, adherence.Adherence().as_dict())


def out_of_adherence_now(now: dt.datetime) -> dict[int, int]:
    """{operator id: seconds out of adherence without a break until ``now``} for the
    operators on a shift at ``now`` who are out of it (``adherence.out_of_adherence_now``)."""
    shifts = list(
        Shift.objects.filter(starts_at__lt=now, ends_at__gte=now).prefetch_related(
            Prefetch("activities", ShiftActivity.objects.order_by("starts_at"))
        )
    )
    if not shifts:
        return {}
    operator_ids = sorted({s.operator_id for s in shifts})
    timelines = _timelines(operator_ids, min(s.starts_at for s in shifts), now)
    found: dict[int, int] = {}
    for shift in shifts:
        seconds = adherence.out_of_adherence_now(_planned(shift), timelines[shift.operator_id], now)
        if seconds:
            found[shift.operator_id] = max(seconds, found.get(shift.operator_id, 0))
    return found
