"""An operator's lifecycle: candidate -> training -> active -> dismissed, and rehire.

Each move is one function, run under a row lock on the operator, that checks the move is
possible, writes exactly one ``OperatorStatusChange`` and keeps the operator's dates in
step (docs/people.md has the diagram)::

    candidate --start_training--> training --activate--> active
        |                            |                     |
        +--------- dismiss ----------+------ dismiss ------+--> dismissed
    dismissed --rehire--> candidate

- There is no shortcut from candidate to active: every operator is trained (and so
  certified) before taking calls. The only way out of ``dismissed`` is a rehire, back to
  candidate, with the earlier history kept.
- Moves are dated, never after today and never before the operator's previous move.
- ``hired_on`` is the day the operator became active (on a rehire, the new activation);
  ``left_on`` the dismissal day (the last day worked). A rehire clears both: the row
  describes the current spell, the history every spell.
- A dismissal deletes the operator's shifts that start after their last day (or after
  now, when the dismissal is dated in the past: shifts already begun are history).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import DismissalReason, Operator, OperatorStatusChange, Shift
from contactcenter.errors import ConflictError, DomainError

Status = Operator.Status

# Allowed moves: (from, to) -> the function's verb, for the error messages.
MOVES = {
    (Status.CANDIDATE, Status.TRAINING): "start training",
    (Status.TRAINING, Status.ACTIVE): "activate",
    (Status.CANDIDATE, Status.DISMISSED): "dismiss",
    (Status.TRAINING, Status.DISMISSED): "dismiss",
    (Status.ACTIVE, Status.DISMISSED): "dismiss",
    (Status.DISMISSED, Status.CANDIDATE): "rehire",
}

OPENED_NOTE = "Opened from the operator's dates when the history began."


def _locked(operator):
    return Operator.objects.select_for_update().get(pk=operator.pk)


def _last_change(operator):
    return operator.status_changes.order_by("-effective_on", "-id").first()


def _open_history(operator, by):
    """An operator made before the history (or through the operators API) with a hire
    date gets its opening rows first, as the migration gave the others, so turnover sees
    the spell that is about to end."""
    if operator.status_changes.exists() or operator.hired_on is None:
        return
    OperatorStatusChange.objects.create(
        operator=operator,
        from_status=Status.CANDIDATE,
        to_status=Status.ACTIVE,
        effective_on=operator.hired_on,
        note=OPENED_NOTE,
        changed_by=by,
    )
    if operator.status == Status.DISMISSED and operator.left_on:
        OperatorStatusChange.objects.create(
            operator=operator,
            from_status=Status.ACTIVE,
            to_status=Status.DISMISSED,
            effective_on=operator.left_on,
            reason=DismissalReason.OTHER,
            note=OPENED_NOTE,
            changed_by=by,
        )


def _check_move(operator, to_status, on):
    if (operator.status, to_status) not in MOVES:
        statuses = {"status": operator.status, "to_status": to_status}
        refused = _("An operator who is %(status)s cannot become %(to_status)s.") % statuses
        if operator.status == Status.DISMISSED:
            refused += " " + _("A dismissed operator comes back only by a rehire.")
        raise ConflictError(
            refused,
            details={"to_status": [_("Not allowed from %(status)s.") % statuses]},
            code="invalid_transition",
        )
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise DomainError(_("Invalid date."), details={"on": [_("Send a date, YYYY-MM-DD.")]})
    today = timezone.localdate()
    if on > today:
        raise DomainError(
            _("A move is recorded when it happens."),
            details={
                "on": [_("Cannot be after today (%(today)s).") % {"today": today.isoformat()}]
            },
        )
    floor = None
    last = _last_change(operator)
    if last is not None:
        floor = last.effective_on
    for date in (operator.hired_on, operator.left_on):
        if date is not None and (floor is None or date > floor):
            floor = date
    if floor is not None and on < floor:
        raise DomainError(
            _("Moves cannot go back in time."),
            details={
                "on": [
                    _("Cannot be before the previous move (%(day)s).") % {"day": floor.isoformat()}
                ]
            },
        )


def _move(operator, *, to_status, on, by=None, reason="", note=""):
    operator = _locked(operator)
    _open_history(operator, by)
    _check_move(operator, to_status, on)
    change = OperatorStatusChange.objects.create(
        operator=operator,
        from_status=operator.status,
        to_status=to_status,
        effective_on=on,
        reason=reason,
        note=note,
        changed_by=by,
    )
    operator.status = to_status
    return operator, change


def _save(operator):
    operator.save(update_fields=["status", "hired_on", "left_on", "updated_at"])


@transaction.atomic
def operator_start_training(*, operator, on, by=None, note=""):
    """candidate -> training (enrolling a candidate on a course does this)."""
    operator, change = _move(operator, to_status=Status.TRAINING, on=on, by=by, note=note)
    _save(operator)
    return change


@transaction.atomic
def operator_activate(*, operator, on, by=None, note=""):
    """training -> active: hired from ``on``."""
    operator, change = _move(operator, to_status=Status.ACTIVE, on=on, by=by, note=note)
    operator.hired_on = on
    operator.left_on = None
    _save(operator)
    return change


@transaction.atomic
def operator_dismiss(*, operator, on, reason, by=None, note=""):
    """candidate, training or active -> dismissed, ``on`` being the last day worked.

    The operator's shifts that start after that day are deleted (the count is on the
    returned change as ``deleted_shifts``); certifications stay, for a rehire.
    """
    if reason not in DismissalReason.values:
        choices = ", ".join(DismissalReason.values)
        raise DomainError(
            _("A dismissal needs a reason."),
            details={"reason": [_("Choose one of: %(choices)s.") % {"choices": choices}]},
        )
    operator, change = _move(
        operator, to_status=Status.DISMISSED, on=on, by=by, reason=reason, note=note
    )
    operator.left_on = on
    _save(operator)
    # Local midnight after the last day, in the site's time zone (operators have none).
    after_last_day = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time()))
    cutoff = max(after_last_day, timezone.now())
    deleted, _by_model = Shift.objects.filter(operator=operator, starts_at__gte=cutoff).delete()
    change.deleted_shifts = deleted
    return change


@transaction.atomic
def operator_rehire(*, operator, on, by=None, note=""):
    """dismissed -> candidate: a new spell starts; the earlier ones stay in the history."""
    operator, change = _move(operator, to_status=Status.CANDIDATE, on=on, by=by, note=note)
    operator.hired_on = None
    operator.left_on = None
    _save(operator)
    return change


def operator_move(*, operator, to_status, on, reason="", note="", by=None):
    """The API's and the admin's one entry: the move to ``to_status``, by its function."""
    if reason and to_status != Status.DISMISSED:
        raise DomainError(
            _("Only a dismissal has a reason."),
            details={"reason": [_("Only with to_status dismissed.")]},
        )
    if to_status == Status.TRAINING:
        return operator_start_training(operator=operator, on=on, by=by, note=note)
    if to_status == Status.ACTIVE:
        return operator_activate(operator=operator, on=on, by=by, note=note)
    if to_status == Status.DISMISSED:
        return operator_dismiss(operator=operator, on=on, reason=reason, by=by, note=note)
    if to_status == Status.CANDIDATE:
        return operator_rehire(operator=operator, on=on, by=by, note=note)
    raise DomainError(
        _("Unknown status."),
        details={"to_status": [_("Unknown %(status)s.") % {"status": repr(to_status)}]},
    )
