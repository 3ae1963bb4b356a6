"""Writes on shifts (with their planned activities) and absences, and the zone of their days.

A shift is a pair of UTC instants; its planned activities (break, lunch, training,
meeting) lie inside it without overlapping (the model's constraints and migration 0007's
trigger hold that in the database; the checks here answer a 400 naming ``activities``
first). A shift names a project or none (the pool). Its days are those of its zone: the
project's time zone, or ``settings.CENTER_TIME_ZONE`` for a pool shift. An absence is a
run of such local days, both ends included.
"""

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from agents.models import Absence, Certification, Operator, Shift, ShiftActivity
from contactcenter.errors import ConflictError, DomainError
from projects.models import Project

MAX_SHIFT_HOURS = 24
MAX_ACTIVITIES = 20
MAX_ABSENCE_DAYS = 366


def center_zone() -> ZoneInfo:
    """The center's own zone: the days of pool shifts and of operators without one."""
    return ZoneInfo(settings.CENTER_TIME_ZONE)


def shift_zone(shift: Shift) -> ZoneInfo:
    """The zone of a shift's days: its project's, else the center's."""
    if shift.project is not None:
        return ZoneInfo(shift.project.timezone)
    return center_zone()


def shift_days(shift: Shift) -> tuple[dt.date, dt.date]:
    """The first and the last local day a shift touches (its end is excluded)."""
    zone = shift_zone(shift)
    last = shift.ends_at - dt.timedelta(microseconds=1)
    return shift.starts_at.astimezone(zone).date(), last.astimezone(zone).date()


def local_day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """``[local midnight of day, local midnight of the next day)`` as UTC instants."""
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return start, end


# --- Shifts ---------------------------------------------------------------------------------


def activity_errors(starts_at, ends_at, activities) -> dict:
    """Per item: inside the shift, start before end; then no two overlapping."""
    errors = {}
    if len(activities) > MAX_ACTIVITIES:
        return {
            "non_field_errors": [
                _("At most %(count)s activities per shift.") % {"count": MAX_ACTIVITIES}
            ]
        }
    for index, item in enumerate(activities):
        if item["start"] >= item["end"]:
            errors[index] = {"end": [_("Must be after start.")]}
        elif item["start"] < starts_at or item["end"] > ends_at:
            errors[index] = {"start": [_("The activity must lie inside the shift.")]}
    if errors:
        return errors
    ordered = sorted(range(len(activities)), key=lambda i: activities[i]["start"])
    for before, after in itertools.pairwise(ordered):
        if activities[after]["start"] < activities[before]["end"]:
            errors[after] = {"start": [_("Overlaps item %(index)s.") % {"index": before}]}
    return errors


def _check_shift(*, operator, project, starts_at, ends_at, activities, instance=None):
    errors = {}
    if ends_at <= starts_at:
        errors["end"] = [_("Must be after start.")]
    elif ends_at - starts_at > dt.timedelta(hours=MAX_SHIFT_HOURS):
        errors["end"] = [_("A shift lasts at most %(hours)s hours.") % {"hours": MAX_SHIFT_HOURS}]
    if (
        project is not None
        and not Certification.objects.filter(operator=operator, project=project).exists()
    ):
        errors["project"] = [
            _("Operator %(operator)s is not certified for %(project)s.")
            % {"operator": repr(operator.code), "project": repr(project.code)}
        ]
    if not errors:
        activity_errors_found = activity_errors(starts_at, ends_at, activities)
        if activity_errors_found:
            errors["activities"] = activity_errors_found
    if errors:
        raise DomainError(_("Invalid shift."), details=errors)
    overlapping = Shift.objects.filter(
        operator=operator, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exclude(pk=getattr(instance, "pk", None))
    other = overlapping.order_by("starts_at").first()
    if other is not None:
        raise ConflictError(
            _("The operator already has a shift then."),
            details={"start": [_("Overlaps the operator's shift %(id)s.") % {"id": other.pk}]},
        )


def _activities_write(shift: Shift, activities: Iterable[Mapping]) -> None:
    ShiftActivity.objects.bulk_create(
        ShiftActivity(shift=shift, kind=item["kind"], starts_at=item["start"], ends_at=item["end"])
        for item in activities
    )


@transaction.atomic
def shift_create(
    *,
    operator: Operator,
    start: dt.datetime,
    end: dt.datetime,
    project: Project | None = None,
    activities: Iterable[Mapping] = (),
    note: str = "",
) -> Shift:
    """A new shift with its planned activities (each ``{kind, start, end}``)."""
    activities = list(activities)
    Operator.objects.select_for_update().get(pk=operator.pk)  # one writer per operator
    _check_shift(
        operator=operator, project=project, starts_at=start, ends_at=end, activities=activities
    )
    shift = Shift.objects.create(
        operator=operator, project=project, starts_at=start, ends_at=end, note=note
    )
    _activities_write(shift, activities)
    return shift


@transaction.atomic
def shift_update(*, shift: Shift, activities: Iterable[Mapping] | None = None, **fields) -> Shift:
    """Change a shift; ``activities``, when given, replaces its activities whole. Fields:
    ``operator``, ``project``, ``start``, ``end``, ``note``."""
    operator = fields.get("operator", shift.operator)
    project = fields.get("project", shift.project)
    starts_at = fields.get("start", shift.starts_at)
    ends_at = fields.get("end", shift.ends_at)
    if activities is None:
        activities = [
            {"kind": a.kind, "start": a.starts_at, "end": a.ends_at} for a in shift.activities.all()
        ]
    activities = list(activities)
    Operator.objects.select_for_update().filter(pk__in={operator.pk, shift.operator_id}).count()
    _check_shift(
        operator=operator,
        project=project,
        starts_at=starts_at,
        ends_at=ends_at,
        activities=activities,
        instance=shift,
    )
    shift.activities.all().delete()
    shift.operator, shift.project = operator, project
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.note = fields.get("note", shift.note)
    shift.save()
    _activities_write(shift, activities)
    return shift


def shift_delete(*, shift: Shift) -> None:
    shift.delete()


# --- Absences -------------------------------------------------------------------------------


def _check_absence(*, operator, first_day, last_day, instance=None):
    if last_day < first_day:
        raise DomainError(
            _("Invalid absence."), details={"last_day": [_("Cannot be before first_day.")]}
        )
    if (last_day - first_day).days >= MAX_ABSENCE_DAYS:
        raise DomainError(
            _("Invalid absence."),
            details={
                "last_day": [
                    _("An absence lasts at most %(days)s days.") % {"days": MAX_ABSENCE_DAYS}
                ]
            },
        )
    other = (
        Absence.objects.filter(operator=operator, starts_on__lte=last_day, ends_on__gte=first_day)
        .exclude(pk=getattr(instance, "pk", None))
        .first()
    )
    if other is not None:
        raise ConflictError(
            _("The operator is already absent then."),
            details={
                "first_day": [_("Overlaps the operator's absence %(id)s.") % {"id": other.pk}]
            },
        )


@transaction.atomic
def absence_create(
    *, operator: Operator, kind: str, first_day: dt.date, last_day: dt.date, note: str = ""
) -> Absence:
    Operator.objects.select_for_update().get(pk=operator.pk)
    _check_absence(operator=operator, first_day=first_day, last_day=last_day)
    return Absence.objects.create(
        operator=operator, kind=kind, starts_on=first_day, ends_on=last_day, note=note
    )


@transaction.atomic
def absence_update(*, absence: Absence, **fields) -> Absence:
    """Change an absence: ``operator``, ``kind``, ``first_day``, ``last_day``, ``note``."""
    operator = fields.get("operator", absence.operator)
    first_day = fields.get("first_day", absence.starts_on)
    last_day = fields.get("last_day", absence.ends_on)
    Operator.objects.select_for_update().filter(pk__in={operator.pk, absence.operator_id}).count()
    _check_absence(operator=operator, first_day=first_day, last_day=last_day, instance=absence)
    absence.operator, absence.starts_on, absence.ends_on = operator, first_day, last_day
    absence.kind = fields.get("kind", absence.kind)
    absence.note = fields.get("note", absence.note)
    absence.save()
    return absence


def absence_delete(*, absence: Absence) -> None:
    absence.delete()
