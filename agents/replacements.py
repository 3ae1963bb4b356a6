"""Cover an absent operator's shifts: who can take them, and handing a shift over.

A replacement is an active operator certified for at least one project the absent
operator is certified for, not absent on the shift's days (local days of its zone),
without a shift overlapping it, and whose paid time in the shift's UTC week (Monday to
Sunday) stays within ``MAX_HOURS_PER_WEEK`` with the shift added. Stored shifts carry no
break, so their whole length counts.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from agents.models import MAX_HOURS_PER_WEEK, Absence, Certification, Operator, Shift
from agents.shifts import shift_days
from contactcenter.errors import DomainError
from contactcenter.l10n import number_text

UTC = dt.UTC


def _day_start(day):
    return dt.datetime.combine(day, dt.time(0), tzinfo=UTC)


def _week_bounds(instant):
    monday = instant.date() - dt.timedelta(days=instant.weekday())
    return _day_start(monday), _day_start(monday + dt.timedelta(days=7))


def _hours(begin, end):
    return (end - begin).total_seconds() / 3600


def absence_shifts(absence):
    """The absent operator's shifts that overlap the absence: its days are local days of
    each shift's zone (``agents.shifts.shift_days``)."""
    near = Shift.objects.filter(
        operator_id=absence.operator_id,
        starts_at__lt=_day_start(absence.ends_on + dt.timedelta(days=2)),
        ends_at__gt=_day_start(absence.starts_on - dt.timedelta(days=1)),
    ).select_related("project")
    return [
        shift
        for shift in near.order_by("starts_at")
        if shift_days(shift)[0] <= absence.ends_on and shift_days(shift)[1] >= absence.starts_on
    ]


def _week_hours(operator_id, shift):
    week_start, week_end = _week_bounds(shift.starts_at)
    total = 0.0
    for begin, end in Shift.objects.filter(
        operator_id=operator_id, starts_at__lt=week_end, ends_at__gt=week_start
    ).values_list("starts_at", "ends_at"):
        total += _hours(max(begin, week_start), min(end, week_end))
    return total


def _refusals(*, shift, operator, projects, max_hours):
    """Why ``operator`` cannot take ``shift``: a list of messages, empty if they can."""
    reasons = []
    if operator.pk == shift.operator_id:
        reasons.append(_("Is the absent operator."))
    if operator.status != Operator.Status.ACTIVE:
        reasons.append(_("Is not active."))
    if not Certification.objects.filter(operator=operator, project_id__in=projects).exists():
        reasons.append(_("Is not certified for any project of the absent operator."))
    if (
        shift.project_id is not None
        and not Certification.objects.filter(
            operator=operator, project_id=shift.project_id
        ).exists()
    ):
        reasons.append(_("Is not certified for the shift's project."))
    first, last = shift_days(shift)
    if Absence.objects.filter(operator=operator, starts_on__lte=last, ends_on__gte=first).exists():
        reasons.append(_("Is absent on the shift's days."))
    if Shift.objects.filter(
        operator=operator, starts_at__lt=shift.ends_at, ends_at__gt=shift.starts_at
    ).exists():
        reasons.append(_("Has an overlapping shift."))
    week_hours = _week_hours(operator.pk, shift)
    if week_hours + _hours(shift.starts_at, shift.ends_at) > max_hours:
        reasons.append(
            _("Would work more than %(max)s hours that week (%(now)s now).")
            % {"max": max_hours, "now": number_text(week_hours, 1)}
        )
    return reasons


@dataclass
class Candidate:
    operator: Operator
    shared_projects: list[str]  # codes of the projects both are certified for
    shared_count: int
    best_level: int  # the candidate's highest level on a shared project
    week_hours: float  # hours already planned in the week of the absence's first shift
    shifts: list[Shift] = field(default_factory=list)  # the absent shifts they can take


def replacement_candidates(*, absence, max_hours=MAX_HOURS_PER_WEEK):
    """Operators who can take at least one of the absent operator's shifts in the absence,
    ranked: most shared certifications, highest level on them, fewest hours that week,
    then code. Without shifts to cover, nobody is listed."""
    shifts = absence_shifts(absence)
    if not shifts:
        return []
    projects = list(
        Certification.objects.filter(operator_id=absence.operator_id).values_list(
            "project_id", flat=True
        )
    )
    first_day = min(shift_days(s)[0] for s in shifts)
    last_day = max(shift_days(s)[1] for s in shifts)
    pool = (
        Operator.objects.filter(status=Operator.Status.ACTIVE, certifications__project__in=projects)
        .exclude(pk=absence.operator_id)
        .exclude(absences__starts_on__lte=last_day, absences__ends_on__gte=first_day)
        .distinct()
    )
    candidates = []
    for operator in pool:
        shared = Certification.objects.filter(operator=operator, project_id__in=projects)
        takes = [
            shift
            for shift in shifts
            if not _refusals(shift=shift, operator=operator, projects=projects, max_hours=max_hours)
        ]
        if not takes:
            continue
        candidates.append(
            Candidate(
                operator=operator,
                shared_projects=sorted(shared.values_list("project__code", flat=True)),
                shared_count=shared.count(),
                best_level=shared.aggregate(best=Max("level"))["best"] or 0,
                week_hours=_week_hours(operator.pk, shifts[0]),
                shifts=takes,
            )
        )
    candidates.sort(key=lambda c: (-c.shared_count, -c.best_level, c.week_hours, c.operator.code))
    return candidates


@transaction.atomic
def replacement_assign(*, shift, operator, max_hours=MAX_HOURS_PER_WEEK):
    """Hand an absent operator's ``shift`` to ``operator``; each refused rule is a 400
    naming ``shift`` or ``operator``."""
    shift = (
        Shift.objects.select_for_update(of=("self", "operator"))
        .select_related("operator", "project")
        .get(pk=shift.pk)
    )
    # Lock the replacement too, so two assignments cannot both pass the hours check.
    operator = Operator.objects.select_for_update().get(pk=operator.pk)
    absent = shift.operator
    first, last = shift_days(shift)
    if not Absence.objects.filter(
        Q(operator=absent, starts_on__lte=last, ends_on__gte=first)
    ).exists():
        raise DomainError(
            _("The shift's operator is not absent."),
            details={"shift": [_("Its operator has no absence on the shift's days.")]},
        )
    projects = list(
        Certification.objects.filter(operator=absent).values_list("project_id", flat=True)
    )
    reasons = _refusals(shift=shift, operator=operator, projects=projects, max_hours=max_hours)
    if reasons:
        raise DomainError(_("This operator cannot take the shift."), details={"operator": reasons})
    note = str(_("Replacing %(operator)s") % {"operator": absent.code})
    shift.operator = operator
    shift.note = f"{shift.note}; {note}"[:255] if shift.note else note
    shift.full_clean()
    shift.save(update_fields=["operator", "note"])
    return shift
