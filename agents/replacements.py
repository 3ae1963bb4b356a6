"""Cover an absent operator's shifts: who can take them, who cannot and why, and the handover.

Every rule is the candidate's own contract (``agents.contracts.rules_for``). For one
absent shift, an active operator is refused, checked in this order, for the first of:

- ``absent_operator``: they are the absent operator;
- ``absent``: absent themselves on the shift's local days;
- ``not_certified``: not certified for the shift's project (a pool shift: for none of the
  projects the absent operator is certified for);
- ``overlap``: already working then;
- ``rest``: less than their ``min_rest_hours`` between the shift and their shift before or
  after it;
- ``consecutive_days``: the shift makes more than their ``max_consecutive_days`` working
  days in a row;
- ``max_hours``: more than their ``max_hours_per_week`` that week with the shift;
- ``overtime_not_allowed``: beyond their contract's hours that week, overtime not allowed.

Days are local days of the shift's zone (``agents.shifts.shift_days``); the week is the
Monday-to-Sunday week of that zone. Paid time is a shift's length less its lunches
(unpaid, Labour Code art. 108); breaks, training and meetings are paid.

Ranking of the operators who can take at least one shift: least extra cost first (the
overtime hours the shifts they can take would add, times their overtime hourly cost),
then not on one of their preferred days off, then most shared certifications, highest
level on them, fewest hours that week, code. Every other active operator is listed in
``excluded`` with the reason for the absence's earliest shift they were checked against.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _

from agents.contracts import OperatorRules, rules_for
from agents.models import Absence, Certification, Operator, Shift, ShiftActivity
from agents.shifts import local_day_bounds, shift_days, shift_zone
from contactcenter.errors import DomainError
from contactcenter.l10n import number_text

UTC = dt.UTC
# How far around the absence other shifts are read: the longest consecutive-days run (14)
# and a week on either side.
MARGIN = dt.timedelta(days=15)


def _day_start(day):
    return dt.datetime.combine(day, dt.time(0), tzinfo=UTC)


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


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


@dataclass
class Exclusion:
    operator: Operator
    code: str
    reason: str


@dataclass
class Candidate:
    operator: Operator
    shared_projects: list[str]  # codes of the projects both are certified for
    shared_count: int
    best_level: int  # the candidate's highest level on a shared project
    week_hours: float  # paid hours already planned in the week of the first shift they take
    shifts: list[Shift] = field(default_factory=list)  # the absent shifts they can take
    overtime_hours: float = 0.0  # beyond the contract, over the shifts they can take
    extra_cost: Decimal = Decimal("0.00")  # overtime_hours x their overtime hourly cost
    preferred_day_off: bool = False  # a shift they can take falls on a preferred day off


@dataclass
class _Pool:
    """What the rules read, loaded once for a set of operators around some instants."""

    shifts: dict[int, list[Shift]]  # operator id -> their shifts, by start
    absences: dict[int, list[tuple[dt.date, dt.date]]]
    certified: dict[int, dict[int, int]]  # operator id -> project id -> level
    lunch: dict[int, float]  # shift id -> lunch hours

    @classmethod
    def load(cls, operator_ids, begin: dt.datetime, end: dt.datetime) -> _Pool:
        shifts: dict[int, list[Shift]] = defaultdict(list)
        rows = Shift.objects.filter(
            operator_id__in=operator_ids, starts_at__lt=end, ends_at__gt=begin
        ).select_related("project")
        for shift in rows.order_by("starts_at"):
            shifts[shift.operator_id].append(shift)
        absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for operator_id, first, last in Absence.objects.filter(
            operator_id__in=operator_ids,
            starts_on__lte=end.date() + dt.timedelta(days=1),
            ends_on__gte=begin.date() - dt.timedelta(days=1),
        ).values_list("operator_id", "starts_on", "ends_on"):
            absences[operator_id].append((first, last))
        certified: dict[int, dict[int, int]] = defaultdict(dict)
        for operator_id, project_id, level in Certification.objects.filter(
            operator_id__in=operator_ids
        ).values_list("operator_id", "project_id", "level"):
            certified[operator_id][project_id] = level
        lunch = {
            row["shift_id"]: row["total"].total_seconds() / 3600
            for row in ShiftActivity.objects.filter(
                shift__in=[s.pk for ss in shifts.values() for s in ss],
                kind=ShiftActivity.Kind.LUNCH,
            )
            .values("shift_id")
            .annotate(total=Sum(lunch_duration()))
        }
        return cls(shifts=shifts, absences=absences, certified=certified, lunch=lunch)

    def paid_hours(self, shift: Shift, begin: dt.datetime, end: dt.datetime) -> float:
        """Paid hours of ``shift`` inside ``[begin, end)``: lunches count only whole."""
        start, stop = max(shift.starts_at, begin), min(shift.ends_at, end)
        if stop <= start:
            return 0.0
        hours = (stop - start).total_seconds() / 3600
        if start == shift.starts_at and stop == shift.ends_at:
            hours -= self.lunch.get(shift.pk, 0.0)
        return hours


def lunch_duration():
    """An activity's length."""
    return ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())


def _week_bounds(shift: Shift) -> tuple[dt.datetime, dt.datetime]:
    """The Monday-to-Sunday week, in the shift's zone, of the shift's first local day."""
    zone = shift_zone(shift)
    first = shift_days(shift)[0]
    monday = first - dt.timedelta(days=first.weekday())
    return local_day_bounds(monday, zone)[0], local_day_bounds(monday + dt.timedelta(days=6), zone)[
        1
    ]


def _working_days(shifts: list[Shift], zone) -> set[dt.date]:
    days = set()
    for shift in shifts:
        start = shift.starts_at.astimezone(zone).date()
        last = (shift.ends_at - dt.timedelta(microseconds=1)).astimezone(zone).date()
        while start <= last:
            days.add(start)
            start += dt.timedelta(days=1)
    return days


@dataclass
class _Check:
    refusal: Refusal | None
    week_hours: float = 0.0
    overtime_hours: float = 0.0
    extra_cost: Decimal = Decimal("0.00")
    preferred_day_off: bool = False


def _presence_refusal(*, shift, operator, projects, pool, own) -> Refusal | None:
    """The absent operator themselves, absent too, not certified, or already working."""
    if operator.pk == shift.operator_id:
        return Refusal("absent_operator", _("Is the absent operator."))
    first, last = shift_days(shift)
    if any(a <= last and b >= first for a, b in pool.absences.get(operator.pk, ())):
        return Refusal("absent", _("Is absent on the shift's days."))
    certified = pool.certified.get(operator.pk, {})
    if shift.project_id is not None and shift.project_id not in certified:
        return Refusal(
            "not_certified",
            _("Is not certified for the shift's project %(project)s.")
            % {"project": shift.project.code},
        )
    if shift.project_id is None and not set(certified) & set(projects):
        return Refusal(
            "not_certified", _("Is not certified for any project of the absent operator.")
        )
    if any(s.starts_at < shift.ends_at and s.ends_at > shift.starts_at for s in own):
        return Refusal("overlap", _("Already works then."))
    return None


def _rest_refusal(*, shift, rules: OperatorRules, own) -> Refusal | None:
    """Less rest than the contract's minimum before or after the shift."""
    before = [s.ends_at for s in own if s.ends_at <= shift.starts_at]
    after = [s.starts_at for s in own if s.starts_at >= shift.ends_at]
    gaps = ([shift.starts_at - max(before)] if before else []) + (
        [min(after) - shift.ends_at] if after else []
    )
    if gaps and min(gaps) < dt.timedelta(hours=rules.min_rest_hours):
        return Refusal(
            "rest",
            _("Would rest %(gap)s hours between shifts, less than their %(rest)s.")
            % {
                "gap": number_text(min(gaps).total_seconds() / 3600, 1),
                "rest": rules.min_rest_hours,
            },
        )
    return None


def _consecutive_refusal(*, shift, rules: OperatorRules, own) -> Refusal | None:
    """More working days in a row than the contract allows, the shift's days included."""
    zone = shift_zone(shift)
    days = _working_days(own, zone) | _working_days([shift], zone)
    run_start = run_end = shift_days(shift)[0]
    while run_start - dt.timedelta(days=1) in days:
        run_start -= dt.timedelta(days=1)
    while run_end + dt.timedelta(days=1) in days:
        run_end += dt.timedelta(days=1)
    run = (run_end - run_start).days + 1
    if run > rules.max_consecutive_days:
        return Refusal(
            "consecutive_days",
            _("Would work %(run)s days in a row, more than their %(max)s.")
            % {"run": run, "max": rules.max_consecutive_days},
        )
    return None


def _hours_check(*, shift, rules: OperatorRules, pool: _Pool, own, lunch: float) -> _Check:
    """The week's hours: the maximum, then overtime (allowed or not, and its cost)."""
    week_start, week_end = _week_bounds(shift)
    week_hours = sum(pool.paid_hours(s, week_start, week_end) for s in own)
    total = week_hours + (shift.ends_at - shift.starts_at).total_seconds() / 3600 - lunch
    if total > float(rules.max_hours_per_week):
        return _Check(
            Refusal(
                "max_hours",
                _("Would work %(total)s hours that week, more than their %(max)s (%(now)s now).")
                % {
                    "total": number_text(total, 1),
                    "max": number_text(rules.max_hours_per_week, 1),
                    "now": number_text(week_hours, 1),
                },
            ),
            week_hours=week_hours,
        )
    contract = float(rules.contract_hours_per_week)
    overtime = max(0.0, total - contract) - max(0.0, week_hours - contract)
    if overtime > 0 and not rules.overtime_allowed:
        return _Check(
            Refusal(
                "overtime_not_allowed",
                _(
                    "Would work %(total)s hours that week, beyond their contract's"
                    " %(contract)s; overtime is not allowed."
                )
                % {"total": number_text(total, 1), "contract": number_text(contract, 1)},
            ),
            week_hours=week_hours,
        )
    cost = (Decimal(str(round(overtime, 4))) * rules.overtime_hourly_cost).quantize(Decimal("0.01"))
    return _Check(None, week_hours=week_hours, overtime_hours=overtime, extra_cost=cost)


def _check(
    *, shift: Shift, operator: Operator, rules: OperatorRules, projects, pool: _Pool, lunch: float
) -> _Check:
    """Whether ``operator`` may take ``shift`` (of the absent operator), and at what cost."""
    own = [s for s in pool.shifts.get(operator.pk, ()) if s.pk != shift.pk]
    refusal = (
        _presence_refusal(shift=shift, operator=operator, projects=projects, pool=pool, own=own)
        or _rest_refusal(shift=shift, rules=rules, own=own)
        or _consecutive_refusal(shift=shift, rules=rules, own=own)
    )
    if refusal is not None:
        return _Check(refusal)
    check = _hours_check(shift=shift, rules=rules, pool=pool, own=own, lunch=lunch)
    check.preferred_day_off = shift_days(shift)[0].weekday() in rules.preferred_days_off
    return check


def _absent_projects(operator_id) -> list[int]:
    return list(
        Certification.objects.filter(operator_id=operator_id).values_list("project_id", flat=True)
    )


def _lunch_hours(shift: Shift) -> float:
    total = ShiftActivity.objects.filter(shift=shift, kind=ShiftActivity.Kind.LUNCH).aggregate(
        total=Sum(lunch_duration())
    )["total"]
    return total.total_seconds() / 3600 if total else 0.0


def replacements_for(*, absence) -> tuple[list[Candidate], list[Exclusion]]:
    """Who can take the absent operator's shifts (ranked) and every other active operator
    with the reason they are not offered. Without shifts to cover, nobody is offered and
    every other active operator is excluded as ``no_shift``."""
    shifts = absence_shifts(absence)
    operators = list(Operator.objects.filter(status=Operator.Status.ACTIVE).order_by("code"))
    if not shifts:
        return [], [
            Exclusion(o, "no_shift", _("No shift of the absent operator falls in the absence."))
            for o in operators
            if o.pk != absence.operator_id
        ] + [
            Exclusion(o, "absent_operator", _("Is the absent operator."))
            for o in operators
            if o.pk == absence.operator_id
        ]
    projects = _absent_projects(absence.operator_id)
    pool = _Pool.load(
        [o.pk for o in operators], shifts[0].starts_at - MARGIN, shifts[-1].ends_at + MARGIN
    )
    lunches = {shift.pk: _lunch_hours(shift) for shift in shifts}
    candidates, excluded = [], []
    for operator in operators:
        rules = rules_for(operator)
        checks = [
            (
                shift,
                _check(
                    shift=shift,
                    operator=operator,
                    rules=rules,
                    projects=projects,
                    pool=pool,
                    lunch=lunches[shift.pk],
                ),
            )
            for shift in shifts
        ]
        takes = [(shift, check) for shift, check in checks if check.refusal is None]
        if not takes:
            refusal = checks[0][1].refusal or Refusal("", "")  # every check refused here
            excluded.append(Exclusion(operator, refusal.code, refusal.reason))
            continue
        certified = pool.certified.get(operator.pk, {})
        shared = {p: level for p, level in certified.items() if p in projects}
        codes = dict(
            Certification.objects.filter(operator=operator, project_id__in=shared).values_list(
                "project_id", "project__code"
            )
        )
        candidates.append(
            Candidate(
                operator=operator,
                shared_projects=sorted(codes.values()),
                shared_count=len(shared),
                best_level=max(shared.values(), default=0),
                week_hours=takes[0][1].week_hours,
                shifts=[shift for shift, _check in takes],
                overtime_hours=sum(check.overtime_hours for _shift, check in takes),
                extra_cost=sum((check.extra_cost for _shift, check in takes), Decimal("0.00")),
                preferred_day_off=any(check.preferred_day_off for _shift, check in takes),
            )
        )
    candidates.sort(
        key=lambda c: (
            c.extra_cost,
            c.preferred_day_off,
            -c.shared_count,
            -c.best_level,
            c.week_hours,
            c.operator.code,
        )
    )
    return candidates, excluded


def replacement_candidates(*, absence) -> list[Candidate]:
    """The ranked candidates of ``replacements_for``."""
    return replacements_for(absence=absence)[0]


def shift_refusal(*, shift: Shift, operator: Operator, projects=None) -> Refusal | None:
    """Why ``operator`` cannot take ``shift`` under their rules (None: they can).

    ``projects``: for a pool shift, the projects one of which they must be certified for
    (default: those of the shift's operator)."""
    if projects is None:
        projects = _absent_projects(shift.operator_id)
    pool = _Pool.load([operator.pk], shift.starts_at - MARGIN, shift.ends_at + MARGIN)
    check = _check(
        shift=shift,
        operator=operator,
        rules=rules_for(operator),
        projects=projects,
        pool=pool,
        lunch=_lunch_hours(shift),
    )
    return check.refusal


@transaction.atomic
def replacement_assign(*, shift, operator):
    """Hand an absent operator's ``shift`` to ``operator``; a refused rule is a 400 naming
    ``shift`` or ``operator``."""
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
    if operator.status != Operator.Status.ACTIVE:
        refusal: Refusal | None = Refusal("not_active", _("Is not active."))
    else:
        refusal = shift_refusal(shift=shift, operator=operator)
    if refusal is not None:
        raise DomainError(
            _("This operator cannot take the shift."), details={"operator": [refusal.reason]}
        )
    note = str(_("Replacing %(operator)s") % {"operator": absent.code})
    shift.operator = operator
    shift.note = f"{shift.note}; {note}"[:255] if shift.note else note
    shift.full_clean()
    shift.save(update_fields=["operator", "note"])
    return shift
