"""Time off an operator asks for, and a project manager decides (docs/self-service.md).

A request names local days (the zone of the operator's shifts, as absences do), both
included, at most ``MAX_REQUEST_DAYS``, not in the past, not overlapping another open
request or an absence of theirs. A manager of a project the operator is certified for (or
a superuser) approves it, which creates the ``Absence`` (whose replacements the admin then
offers), or declines it. The operator may cancel a pending request.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents import shifts
from agents.models import Absence, Operator, TimeOffRequest
from contactcenter.errors import ConflictError, DomainError
from projects.tenancy import may_change_pool, visible_projects

MAX_REQUEST_DAYS = 31
MAX_AHEAD_DAYS = 366
OPEN = (TimeOffRequest.Status.PENDING, TimeOffRequest.Status.APPROVED)


def operator_today(operator: Operator) -> dt.date:
    """Today in the center's zone, the zone of an operator's days off."""
    return timezone.now().astimezone(shifts.center_zone()).date()


def may_decide(user, operator: Operator) -> bool:
    """A superuser, or a manager of a project ``operator`` is certified for."""
    if not may_change_pool(user):
        return False
    if user.is_superuser:
        return True
    return operator.certifications.filter(project__in=visible_projects(user)).exists()


def _errors(*, operator, first_day, last_day) -> dict[str, list[str]]:
    today = operator_today(operator)
    if first_day < today:
        return {"first_day": [_("Cannot be in the past.")]}
    if first_day > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        return {"first_day": [_("At most %(days)s days ahead.") % {"days": MAX_AHEAD_DAYS}]}
    if last_day < first_day:
        return {"last_day": [_("Cannot be before the first day.")]}
    if (last_day - first_day).days >= MAX_REQUEST_DAYS:
        return {"last_day": [_("At most %(days)s days at once.") % {"days": MAX_REQUEST_DAYS}]}
    return {}


@transaction.atomic
def time_off_request(
    *, operator: Operator, kind: str, first_day: dt.date, last_day: dt.date, note: str = ""
) -> TimeOffRequest:
    """The operator's new pending request; bad days are a 400 naming the field."""
    Operator.objects.select_for_update().get(pk=operator.pk)
    if kind not in Absence.Kind.values:
        raise DomainError(_("Invalid request."), details={"kind": [_("Unknown kind.")]})
    errors = _errors(operator=operator, first_day=first_day, last_day=last_day)
    if errors:
        raise DomainError(_("Invalid request."), details=errors)
    overlapping = (
        TimeOffRequest.objects.filter(
            operator=operator, status__in=OPEN, starts_on__lte=last_day, ends_on__gte=first_day
        ).exists()
        or Absence.objects.filter(
            operator=operator, starts_on__lte=last_day, ends_on__gte=first_day
        ).exists()
    )
    if overlapping:
        raise ConflictError(
            _("You already have time off or a request on these days."),
            details={"first_day": [_("Overlaps your time off or another request.")]},
        )
    return TimeOffRequest.objects.create(
        operator=operator,
        kind=kind,
        starts_on=first_day,
        ends_on=last_day,
        note=note[:255],
    )


def _decided(request: TimeOffRequest, user, status: str) -> None:
    request.status = status
    request.decided_by = user
    request.decided_at = timezone.now()


def _pending(request_id: int) -> TimeOffRequest:
    request = (
        TimeOffRequest.objects.select_for_update().select_related("operator").get(pk=request_id)
    )
    if request.status != TimeOffRequest.Status.PENDING:
        raise DomainError(
            _("This request is already decided."),
            details={"status": [request.get_status_display()]},
        )
    return request


@transaction.atomic
def time_off_approve(*, request: TimeOffRequest, user) -> TimeOffRequest:
    """Approve: the absence is created (a 409 if one overlaps since) and linked."""
    request = _pending(request.pk)
    if not may_decide(user, request.operator):
        raise DomainError(
            _("Only a manager of the operator's projects decides."), status=403, code="forbidden"
        )
    absence = shifts.absence_create(
        operator=request.operator,
        kind=request.kind,
        first_day=request.starts_on,
        last_day=request.ends_on,
        note=request.note,
    )
    request.absence = absence
    _decided(request, user, TimeOffRequest.Status.APPROVED)
    request.save()
    return request


@transaction.atomic
def time_off_decline(*, request: TimeOffRequest, user) -> TimeOffRequest:
    request = _pending(request.pk)
    if not may_decide(user, request.operator):
        raise DomainError(
            _("Only a manager of the operator's projects decides."), status=403, code="forbidden"
        )
    _decided(request, user, TimeOffRequest.Status.DECLINED)
    request.save()
    return request


@transaction.atomic
def time_off_cancel(*, request: TimeOffRequest, operator: Operator) -> TimeOffRequest:
    """The operator withdraws their own pending request."""
    request = _pending(request.pk)
    if request.operator_id != operator.pk:
        raise DomainError(_("Not your request."), status=404, code="not_found")
    request.status = TimeOffRequest.Status.CANCELLED
    request.save(update_fields=["status"])
    return request
