"""Weeks of schedules a PM builds, edits and publishes (the scheduling page's services).

- ``week_requirements``: agents per 15 minutes per project, from the forecast
  (``workforce.forecast``) and Erlang C with the project's service level, grossed up by
  shrinkage (``workforce.staffing.plan``'s dedicated scheduled agents): never typed in.
- ``schedule_build``: CP-SAT (``workforce.scheduling.schedule_week``) over the operators
  certified for the projects, with their contract rules and the active templates (pool
  ones and the projects' own); each shift's unpaid break placed as its lunch, staggered
  among shifts starting together. Stored as a new draft version (``ScheduleWeek``).
- ``week_coverage``: the agents each project gets per interval, a max-flow of the
  operators on shift to the projects they may serve (the shift's project, or the
  operator's certifications for a pool shift): the same pooled coverage the solver uses,
  recomputed after every edit.
- ``scheduled_shift_move`` / ``scheduled_shift_delete``: a draft's edits.
- ``schedule_publish``: the draft's shifts become ``agents.Shift`` rows with their lunch
  (``ShiftActivity``), replacing those of the week's previous published version;
  ``week_changes`` tells who gained, lost or moved a shift against that version.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ortools.graph.python import max_flow

from agents.models import Operator, Shift, ShiftActivity, ShiftTemplate
from contactcenter.errors import DomainError
from projects.models import Project
from projects.tenancy import MANAGER, visible_projects
from workforce import forecast, scheduling, staffing

INTERVAL_MINUTES = scheduling.INTERVAL_MINUTES
WEEK_INTERVALS = scheduling.WEEK_INTERVALS
MAX_PROJECTS = 10
SOLVE_SECONDS = 20  # the page's limit; the demo's pool is proven or settled well within it


# --- Who may schedule what ---------------------------------------------------------------


def schedulable_projects(user):
    """The projects ``user`` may schedule: those they manage (every one for a superuser)."""
    return visible_projects(user, MANAGER)


def visible_weeks(user):
    """The weeks whose every project ``user`` may schedule."""
    from workforce.models import ScheduleWeek

    weeks = ScheduleWeek.objects.all()
    if user.is_superuser:
        return weeks
    foreign = Project.objects.exclude(pk__in=schedulable_projects(user))
    return weeks.exclude(projects__in=foreign).filter(projects__isnull=False).distinct()


def week_zone(projects):
    """The projects' shared zone, else the center's: the zone of the week's days."""
    zones = {project.timezone for project in projects}
    return zones.pop() if len(zones) == 1 else settings.CENTER_TIME_ZONE


# --- Requirements --------------------------------------------------------------------------


def week_requirements(*, projects, start, zone, shrinkage, max_occupancy=1.0):
    """{code: 672 agents} for the week from local midnight of ``start`` in ``zone``."""
    first = scheduling.week_start_instant(start, zone)
    targets = [first + i * forecast.INTERVAL for i in range(WEEK_INTERVALS)]
    forecasts = forecast.forecast_projects(projects=projects, targets=targets, start=first)
    offered = np.array([forecasts[p.pk]["offered"] for p in projects])
    aht = staffing.fill_aht(offered, np.array([forecasts[p.pk]["aht_seconds"] for p in projects]))
    plan = staffing.plan(
        offered=offered,
        aht_seconds=aht,
        threshold_seconds=[p.sl_threshold_seconds for p in projects],
        target_service_level=[float(p.sl_target) for p in projects],
        shrinkage=float(shrinkage),
        max_occupancy=float(max_occupancy),
    )
    return {
        project.code: [int(n) for n in plan.dedicated_scheduled[row]]
        for row, project in enumerate(projects)
    }


# --- Building a draft ----------------------------------------------------------------------


def _scope(projects):
    return ",".join(sorted(project.code for project in projects))


def _published(scope, week_start):
    from workforce.models import ScheduleWeek

    return ScheduleWeek.objects.filter(
        scope=scope, week_start=week_start, status=ScheduleWeek.Status.PUBLISHED
    ).first()


LUNCH_STAGGER = (0, 15, -15, 30, -30)  # minutes from the middle, by rank among equal shifts


def _lunch(shift: scheduling.PlannedShift, rank: int):
    """The break as a lunch near the shift's middle, on 15 minutes, staggered by ``rank``
    so that shifts starting together do not all leave at once; None without a break."""
    if not shift.break_minutes:
        return None
    length = dt.timedelta(minutes=shift.break_minutes)
    middle = shift.starts_at + (shift.ends_at - shift.starts_at - length) / 2
    middle = middle.replace(minute=middle.minute - middle.minute % INTERVAL_MINUTES, second=0)
    start = middle + dt.timedelta(minutes=LUNCH_STAGGER[rank % len(LUNCH_STAGGER)])
    start = max(min(start, shift.ends_at - length), shift.starts_at)
    return start, start + length


def _shift_project(shift, operator, codes):
    """A template's project; else the operator's only project among the week's; else the
    pool (None: a cross-skilled operator serves whichever needs them)."""
    if shift.project is not None:
        return shift.project
    mine = sorted(operator.projects & codes)
    return mine[0] if len(mine) == 1 else None


@transaction.atomic
def schedule_build(*, projects, start, user, shrinkage, max_occupancy=1.0, time_limit=None):
    """A new draft version of ``projects``' week from ``start`` (a local Monday)."""
    from workforce.models import ScheduledShift, ScheduleWeek

    projects = sorted(projects, key=lambda p: p.code)
    if not projects or len(projects) > MAX_PROJECTS:
        raise DomainError(
            _("Pick 1 to %(n)s projects.") % {"n": MAX_PROJECTS},
            details={"projects": [_("Pick 1 to %(n)s projects.") % {"n": MAX_PROJECTS}]},
        )
    zone = week_zone(projects)
    scope = _scope(projects)
    codes = {p.code for p in projects}
    templates = list(
        ShiftTemplate.objects.filter(is_active=True)
        .filter(Q(project__isnull=True) | Q(project__in=projects))
        .select_related("project")
    )
    if not templates:
        message = _("No active shift template: create one first.")
        raise DomainError(message, details={"templates": [message]})
    requirements = week_requirements(
        projects=projects, start=start, zone=zone, shrinkage=shrinkage, max_occupancy=max_occupancy
    )
    previous = _published(scope, start)
    replaced = (
        list(previous.shifts.exclude(shift=None).values_list("shift_id", flat=True))
        if previous
        else []
    )
    operators = Operator.objects.filter(certifications__project__in=projects).distinct()
    pool = scheduling.pool_operators(
        start=start, operators=operators, zone=zone, ignore_shifts=replaced
    )
    result = scheduling.schedule_week(
        start=start,
        requirements=requirements,
        operators=pool,
        templates=templates,
        time_limit_seconds=time_limit or SOLVE_SECONDS,
        zone=zone,
        max_hours_per_week=168,  # each operator's own cap applies (pool_operators)
        min_rest_hours=0,  # idem
    )
    # Locks the week's versions so two builds do not take the same number.
    last = (
        ScheduleWeek.objects.select_for_update()
        .filter(scope=scope, week_start=start)
        .aggregate(last=Max("version"))["last"]
    )
    week = ScheduleWeek.objects.create(
        scope=scope,
        week_start=start,
        timezone=zone,
        version=(last or 0) + 1,
        requirements=requirements,
        shrinkage=Decimal(str(shrinkage)),
        solver_status=result.status,
        solve_seconds=Decimal(str(round(result.wall_seconds, 2))),
        created_by=user,
    )
    week.projects.set(projects)
    by_operator = {op.id: op for op in pool}
    project_ids = {p.code: p.pk for p in projects}
    ranks: dict[tuple[dt.datetime, str], int] = defaultdict(int)
    rows = []
    for shift in result.shifts:
        rank = ranks[shift.starts_at, shift.template]
        ranks[shift.starts_at, shift.template] += 1
        lunch = _lunch(shift, rank)
        code = _shift_project(shift, by_operator[shift.operator_id], codes)
        rows.append(
            ScheduledShift(
                week=week,
                operator_id=shift.operator_id,
                project_id=project_ids.get(code) if code else None,
                template=shift.template,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                lunch_starts_at=lunch[0] if lunch else None,
                lunch_ends_at=lunch[1] if lunch else None,
            )
        )
    ScheduledShift.objects.bulk_create(rows)
    return week


# --- Coverage ------------------------------------------------------------------------------


@dataclass
class Coverage:
    required: dict[str, list[int]]
    scheduled: dict[str, list[int]]

    def short(self, code):
        return [
            max(r - s, 0) for r, s in zip(self.required[code], self.scheduled[code], strict=True)
        ]


def _serve(required, counts):
    """Max-flow of operator classes (frozenset of projects -> count) to project needs:
    the agents each project gets."""
    codes = sorted(required)
    classes = [key for key, n in counts.items() if n and key]
    graph = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    for c, key in enumerate(classes):
        graph.add_arc_with_capacity(source, 2 + c, counts[key])
        for code in key:
            graph.add_arc_with_capacity(2 + c, 2 + len(classes) + codes.index(code), counts[key])
    for p, code in enumerate(codes):
        graph.add_arc_with_capacity(2 + len(classes) + p, sink, required[code])
    graph.solve(source, sink)
    served = dict.fromkeys(codes, 0)
    for arc in range(graph.num_arcs()):
        if graph.head(arc) == sink:
            served[codes[graph.tail(arc) - 2 - len(classes)]] = graph.flow(arc)
    return served


def week_coverage(week, shifts=None):
    """Required and scheduled agents per interval per project of ``week``'s rows."""
    shifts = list(week.shifts.select_related("project")) if shifts is None else shifts
    codes = set(week.requirements)
    certified = defaultdict(set)
    for operator_id, code in Operator.objects.filter(
        pk__in={s.operator_id for s in shifts}, certifications__project__code__in=codes
    ).values_list("pk", "certifications__project__code"):
        certified[operator_id].add(code)
    start = scheduling.week_start_instant(week.week_start, week.timezone)
    on = [defaultdict(int) for _ in range(WEEK_INTERVALS)]
    for shift in shifts:
        key = frozenset(
            {shift.project.code} & codes if shift.project_id else certified[shift.operator_id]
        )
        first = -(-int((shift.starts_at - start).total_seconds()) // (INTERVAL_MINUTES * 60))
        last = int((shift.ends_at - start).total_seconds()) // (INTERVAL_MINUTES * 60)
        for index in range(max(first, 0), min(last, WEEK_INTERVALS)):
            on[index][key] += 1
    scheduled = {code: [0] * WEEK_INTERVALS for code in codes}
    cache: dict[tuple, dict[str, int]] = {}
    for index in range(WEEK_INTERVALS):
        need = {code: week.requirements[code][index] for code in codes}
        signature = (tuple(sorted(need.items())), tuple(sorted(on[index].items(), key=str)))
        if signature not in cache:
            cache[signature] = _serve(need, on[index]) if any(need.values()) else {}
        for code, n in cache[signature].items():
            scheduled[code][index] = n
    return Coverage(required=week.requirements, scheduled=scheduled)


def shortfall_by_day(week, coverage):
    """Per project and local day: the agent-intervals short and the hours they make."""
    rows = []
    for code in sorted(coverage.required):
        short = coverage.short(code)
        for day in range(scheduling.DAYS):
            part = short[day * 96 : (day + 1) * 96]
            if any(part):
                rows.append(
                    {
                        "project": code,
                        "date": week.week_start + dt.timedelta(days=day),
                        "agent_intervals": sum(part),
                        "hours": Decimal(sum(part)) / 4,
                        "intervals": sum(1 for n in part if n),
                    }
                )
    return rows


# --- Editing a draft -----------------------------------------------------------------------


def _draft_shift(week, shift_id):
    if week.status != week.Status.DRAFT:
        message = _("Only a draft can be edited.")
        raise DomainError(message, details={"week": [message]})
    shift = week.shifts.filter(pk=shift_id).first()
    if shift is None:
        message = _("No such shift in this week.")
        raise DomainError(message, details={"shift": [message]})
    return shift


@transaction.atomic
def scheduled_shift_delete(*, week, shift_id):
    _draft_shift(week, shift_id).delete()


@transaction.atomic
def scheduled_shift_move(*, week, shift_id, day, start_time):
    """Move a draft's shift to ``day`` (0..6 of the week) at the local ``start_time``, its
    length and its lunch's place in it kept; refused if it would overlap another shift of
    the operator in the draft or leave less than their minimum rest."""
    from agents.contracts import rules_for

    shift = _draft_shift(week, shift_id)
    if not 0 <= day < scheduling.DAYS:
        message = _("Pick a day of the week.")
        raise DomainError(message, details={"day": [message]})
    zone = ZoneInfo(shift.project.timezone if shift.project_id else week.timezone)
    starts = dt.datetime.combine(week.week_start + dt.timedelta(days=day), start_time, zone)
    shift_by = starts.astimezone(dt.UTC) - shift.starts_at
    rest = dt.timedelta(hours=rules_for(shift.operator).min_rest_hours)
    new_start, new_end = shift.starts_at + shift_by, shift.ends_at + shift_by
    for other in week.shifts.filter(operator_id=shift.operator_id).exclude(pk=shift.pk):
        if new_start < other.ends_at + rest and other.starts_at < new_end + rest:
            message = _("%(operator)s would work two shifts less than %(hours)s hours apart.") % {
                "operator": shift.operator.code,
                "hours": rules_for(shift.operator).min_rest_hours,
            }
            raise DomainError(message, details={"start_time": [message]})
    shift.starts_at, shift.ends_at = new_start, new_end
    if shift.lunch_starts_at is not None:
        shift.lunch_starts_at += shift_by
        shift.lunch_ends_at += shift_by
    shift.save()
    return shift


# --- Publishing ----------------------------------------------------------------------------


@dataclass
class Published:
    created: int
    skipped: list  # ScheduledShift rows overlapping a shift stored outside the schedule


@transaction.atomic
def schedule_publish(*, week, user):
    """Publish a draft: the previous published version's shifts are replaced by this one's."""
    from workforce.models import ScheduleWeek

    week = ScheduleWeek.objects.select_for_update().get(pk=week.pk)
    if week.status != ScheduleWeek.Status.DRAFT:
        message = _("Only a draft can be published.")
        raise DomainError(message, details={"week": [message]})
    previous = (
        ScheduleWeek.objects.select_for_update()
        .filter(scope=week.scope, week_start=week.week_start, status=ScheduleWeek.Status.PUBLISHED)
        .first()
    )
    if previous is not None:
        Shift.objects.filter(pk__in=previous.shifts.values("shift_id")).delete()
        previous.status = ScheduleWeek.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    rows = list(week.shifts.select_related("operator"))
    ids = {row.operator_id for row in rows}
    list(Operator.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    stored = defaultdict(list)
    if rows:
        for operator_id, begin, end in Shift.objects.filter(
            operator_id__in=ids,
            starts_at__lt=max(r.ends_at for r in rows),
            ends_at__gt=min(r.starts_at for r in rows),
        ).values_list("operator_id", "starts_at", "ends_at"):
            stored[operator_id].append((begin, end))
    note = _("Schedule %(scope)s v%(version)s") % {"scope": week.scope, "version": week.version}
    created, skipped, activities = 0, [], []
    for row in rows:
        if any(b < row.ends_at and row.starts_at < e for b, e in stored[row.operator_id]):
            skipped.append(row)
            continue
        shift = Shift.objects.create(
            operator_id=row.operator_id,
            project_id=row.project_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            note=f"{note}: {row.template}"[:255],
        )
        if row.lunch_starts_at is not None:
            activities.append(
                ShiftActivity(
                    shift=shift,
                    kind=ShiftActivity.Kind.LUNCH,
                    starts_at=row.lunch_starts_at,
                    ends_at=row.lunch_ends_at,
                )
            )
        row.shift = shift
        created += 1
    ShiftActivity.objects.bulk_create(activities)
    week.shifts.model.objects.bulk_update(rows, ["shift"])
    week.status = ScheduleWeek.Status.PUBLISHED
    week.published_by = user
    week.published_at = timezone.now()
    week.save(update_fields=["status", "published_by", "published_at"])
    return Published(created=created, skipped=skipped)


def previous_version(week):
    """The version published before ``week``, if any."""
    from workforce.models import ScheduleWeek

    return (
        ScheduleWeek.objects.filter(
            scope=week.scope,
            week_start=week.week_start,
            version__lt=week.version,
            published_at__isnull=False,
        )
        .order_by("-version")
        .first()
    )


def _span(row, zone):
    start, end = row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)
    project = row.project.code if row.project_id else _("pool")
    return f"{date_format(start, 'D d.m')} {start:%H:%M}–{end:%H:%M} {project}"


def week_changes(week):
    """Against the previous published version, per operator (by code): shifts ``added``,
    ``removed`` and ``moved`` (an operator's changed shifts paired in time order: one
    that left and one that came make a move); None when there is no previous version."""
    before = previous_version(week)
    if before is None:
        return None
    zone = ZoneInfo(week.timezone)

    def by_operator(version):
        shifts = defaultdict(dict)
        for row in version.shifts.select_related("operator", "project"):
            shifts[row.operator.code][row.starts_at, row.ends_at, row.project_id] = row
        return shifts

    old, new = by_operator(before), by_operator(week)
    changes = []
    for code in sorted(set(old) | set(new)):
        gone = [old[code][key] for key in sorted(set(old[code]) - set(new[code]), key=str)]
        came = [new[code][key] for key in sorted(set(new[code]) - set(old[code]), key=str)]
        pairs = min(len(gone), len(came))
        entry = {
            "operator": code,
            "moved": [(_span(a, zone), _span(b, zone)) for a, b in zip(gone, came, strict=False)],
            "removed": [_span(row, zone) for row in gone[pairs:]],
            "added": [_span(row, zone) for row in came[pairs:]],
        }
        if gone or came:
            changes.append(entry)
    return {"previous": before, "operators": changes}
