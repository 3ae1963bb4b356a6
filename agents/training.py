"""Training: projects' courses, operators' enrolments and their results.

Passing a course (score >= its passing score) certifies the operator for the course's
project (``Certification``, the one routing and staffing read) on the day of the result;
an operator still in training is then activated on that day (certified for one project
is enough to take calls). A failing score only marks the enrolment failed: the operator
stays in training, to be enrolled again or dismissed (reason ``failed_training``).
Enrolling a candidate starts their training (``agents.lifecycle``).

The expected ready date: the course takes ceil(hours / hours_per_day) weekdays from the
start day (a weekend start begins on Monday); the operator is ready on the first weekday
after the last one (docs/people.md).
"""

import datetime as dt
import math
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents import lifecycle
from agents.models import Certification, Operator, TrainingEnrolment, TrainingProgram
from contactcenter.errors import ConflictError, DomainError
from contactcenter.orm import assign_fields, delete_or_conflict

PROGRAM_FIELDS = frozenset(
    {"project", "name", "hours", "hours_per_day", "passing_score", "is_active"}
)
Enrolment = TrainingEnrolment


# --- Pure -------------------------------------------------------------------------------------


def training_days(hours, hours_per_day):
    return max(1, math.ceil(Decimal(hours) / Decimal(hours_per_day)))


def _next_weekday(day):
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def expected_ready_on(*, started_on, hours, hours_per_day):
    """The first weekday after the last training day (training on weekdays only)."""
    day = _next_weekday(started_on)
    for _day in range(training_days(hours, hours_per_day) - 1):
        day = _next_weekday(day + dt.timedelta(days=1))
    return _next_weekday(day + dt.timedelta(days=1))


# --- Programs ---------------------------------------------------------------------------------


def _program_save(program):
    errors = {}
    if program.passing_score is not None and not 0 <= program.passing_score <= 100:
        errors["passing_score"] = [_("Between 0 and 100.")]
    if program.hours is not None and program.hours <= 0:
        errors["hours"] = [_("More than 0.")]
    if program.hours_per_day is not None and not 0 < Decimal(program.hours_per_day) <= 24:
        errors["hours_per_day"] = [_("More than 0, at most 24.")]
    clash = TrainingProgram.objects.filter(project=program.project, name=program.name)
    if program.pk:
        clash = clash.exclude(pk=program.pk)
    if clash.exists():
        errors["name"] = [_("The project already has a course with this name.")]
    if errors:
        raise DomainError(_("Invalid training program."), details=errors)
    program.save()
    return program


@transaction.atomic
def program_create(**fields):
    program = TrainingProgram()
    assign_fields(program, fields, PROGRAM_FIELDS)
    return _program_save(program)


@transaction.atomic
def program_update(*, program, **fields):
    """A course stays with its project: its enrolments certify for that project."""
    project = fields.get("project")
    if project is not None and project.pk != program.project_id:
        raise DomainError(
            _("A course cannot move to another project."),
            details={"project": [_("A course stays with its project; create a new one.")]},
        )
    assign_fields(program, fields, PROGRAM_FIELDS)
    return _program_save(program)


@transaction.atomic
def program_delete(*, program):
    delete_or_conflict(program, what="training program")


# --- Enrolments -------------------------------------------------------------------------------


def enrolment_refusal(*, operator, program):
    """Why ``operator`` cannot join ``program`` now (a DomainError), else None; the admin's
    form asks it too, to refuse before saving."""
    if operator.status == Operator.Status.DISMISSED:
        return ConflictError(
            _("A dismissed operator cannot be enrolled; rehire them first."),
            details={"operator": [_("Dismissed.")]},
        )
    if not program.is_active:
        return DomainError(
            _("This course takes no new enrolments."), details={"program": [_("Not active.")]}
        )
    if Enrolment.objects.filter(
        operator=operator, program=program, status=Enrolment.Status.ENROLLED
    ).exists():
        return ConflictError(
            _("The operator is already on this course."),
            details={"program": [_("Already enrolled.")]},
        )
    return None


@transaction.atomic
def enrolment_create(*, operator, program, started_on, trainer=None, note="", by=None):
    """Put ``operator`` on ``program`` from ``started_on``; a candidate starts training."""
    operator = Operator.objects.select_for_update().get(pk=operator.pk)
    refusal = enrolment_refusal(operator=operator, program=program)
    if refusal is not None:
        raise refusal
    if operator.status == Operator.Status.CANDIDATE:
        lifecycle.operator_start_training(operator=operator, on=started_on, by=by)
    return Enrolment.objects.create(
        operator=operator,
        program=program,
        started_on=started_on,
        expected_ready_on=expected_ready_on(
            started_on=started_on, hours=program.hours, hours_per_day=program.hours_per_day
        ),
        trainer=trainer,
        note=note,
    )


def _locked_enrolment(enrolment):
    return Enrolment.objects.select_for_update().select_related("program").get(pk=enrolment.pk)


def finish_date_refusal(enrolment, on):
    """Why ``on`` cannot end ``enrolment`` (a DomainError on ``on``), else None."""
    if on < enrolment.started_on:
        return DomainError(
            _("Invalid date."),
            details={
                "on": [
                    _("Cannot be before the start (%(day)s).")
                    % {"day": enrolment.started_on.isoformat()}
                ]
            },
        )
    if on > timezone.localdate():
        return DomainError(_("Invalid date."), details={"on": [_("Cannot be after today.")]})
    return None


def _check_finish_date(enrolment, on):
    refusal = finish_date_refusal(enrolment, on)
    if refusal is not None:
        raise refusal


@transaction.atomic
def enrolment_record_result(*, enrolment, score, on, by=None):
    """Record the test result: passed (and certified) or failed.

    Sending the very same result again changes nothing (a retry); another result on a
    finished enrolment is a conflict.
    """
    enrolment = _locked_enrolment(enrolment)
    if not isinstance(score, int) or not 0 <= score <= 100:
        raise DomainError(_("Invalid score."), details={"score": [_("A whole number, 0 to 100.")]})
    if enrolment.status != Enrolment.Status.ENROLLED:
        if enrolment.score == score and enrolment.completed_on == on:
            return enrolment
        raise ConflictError(
            _("This enrolment is already %(status)s.") % {"status": enrolment.status},
            details={
                "score": [_("A result was recorded on %(day)s.") % {"day": enrolment.completed_on}]
            },
        )
    _check_finish_date(enrolment, on)
    program = enrolment.program
    passed = score >= program.passing_score
    enrolment.status = Enrolment.Status.PASSED if passed else Enrolment.Status.FAILED
    enrolment.score = score
    enrolment.completed_on = on
    if by is not None and enrolment.trainer_id is None:
        enrolment.trainer = by
    enrolment.save()
    if passed:
        Certification.objects.get_or_create(
            operator_id=enrolment.operator_id,
            project_id=program.project_id,
            defaults={"certified_on": on},
        )
        operator = Operator.objects.get(pk=enrolment.operator_id)
        if operator.status == Operator.Status.TRAINING:
            lifecycle.operator_activate(
                operator=operator,
                on=on,
                by=by,
                note=str(_("Passed %(program)s.") % {"program": program.name}),
            )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment, on, by=None):
    """Take the operator off the course (no result)."""
    enrolment = _locked_enrolment(enrolment)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ConflictError(
            _("This enrolment is already %(status)s.") % {"status": enrolment.status},
            details={"status": [_("Not enrolled.")]},
        )
    _check_finish_date(enrolment, on)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.completed_on = on
    enrolment.save()
    return enrolment


def enrolments_in_progress(projects=None):
    """Open enrolments (who is in training, for which project, ready when), soonest first."""
    queryset = Enrolment.objects.filter(status=Enrolment.Status.ENROLLED).select_related(
        "operator", "program__project", "trainer"
    )
    if projects is not None:
        queryset = queryset.filter(program__project__in=projects)
    return queryset.order_by("expected_ready_on", "operator__code")
