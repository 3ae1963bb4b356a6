"""Shift swaps between operators (docs/self-service.md).

An operator offers one of their future shifts; a colleague for whom the replacement rules
hold (``agents.replacements.shift_refusal``: certified for the shift's project, not absent,
free, rested, within their consecutive days, maximum weekly hours and contract) accepts
it; a manager of the shift's project (a pool shift: of a project of the offering operator)
approves, and the shift changes hands. Every rule is checked again on accepting and on
approving; a refusal is a 400 naming ``shift`` with the rule's reason.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Operator, Shift, ShiftSwap
from agents.replacements import shift_refusal
from agents.time_off import may_decide
from contactcenter.errors import ConflictError, DomainError
from projects.tenancy import may_change_pool, visible_projects

OPEN = (ShiftSwap.Status.OFFERED, ShiftSwap.Status.ACCEPTED)


def _refuse(refusal) -> None:
    if refusal is not None:
        raise DomainError(
            _("The swap breaks a rule: %(reason)s") % {"reason": refusal.reason},
            details={"shift": [refusal.reason]},
            code=refusal.code,
        )


def may_approve(user, swap: ShiftSwap) -> bool:
    """A superuser, or a manager of the shift's project (a pool shift: of a project the
    offering operator is certified for)."""
    if swap.shift.project_id is None:
        return may_decide(user, swap.offered_by)
    return may_change_pool(user) and (
        user.is_superuser or visible_projects(user).filter(pk=swap.shift.project_id).exists()
    )


@transaction.atomic
def swap_offer(*, operator: Operator, shift: Shift, note: str = "") -> ShiftSwap:
    """Offer ``shift`` (the operator's own, not started) to colleagues."""
    Operator.objects.select_for_update().get(pk=operator.pk)
    if shift.operator_id != operator.pk:
        raise DomainError(_("Not your shift."), details={"shift": [_("Not your shift.")]})
    if shift.starts_at <= timezone.now():
        raise DomainError(
            _("This shift has started."), details={"shift": [_("Only a future shift.")]}
        )
    if ShiftSwap.objects.filter(shift=shift, status__in=OPEN).exists():
        raise ConflictError(
            _("This shift is already offered."), details={"shift": [_("Already offered.")]}
        )
    return ShiftSwap.objects.create(shift=shift, offered_by=operator, note=note[:255])


def swap_colleagues(*, swap: ShiftSwap) -> list[Operator]:
    """Active colleagues who may take the offered shift under their own rules."""
    colleagues = Operator.objects.filter(status=Operator.Status.ACTIVE).exclude(
        pk=swap.offered_by_id
    )
    return [
        colleague
        for colleague in colleagues.order_by("code")
        if shift_refusal(shift=swap.shift, operator=colleague) is None
    ]


def open_offers_for(operator: Operator) -> list[ShiftSwap]:
    """Offers of colleagues' future shifts that ``operator`` may take."""
    offers = (
        ShiftSwap.objects.filter(
            status=ShiftSwap.Status.OFFERED, shift__starts_at__gt=timezone.now()
        )
        .exclude(offered_by=operator)
        .select_related("shift__project", "offered_by")
        .order_by("shift__starts_at")
    )
    return [s for s in offers if shift_refusal(shift=s.shift, operator=operator) is None]


def _locked(swap: ShiftSwap, status) -> ShiftSwap:
    swap = (
        ShiftSwap.objects.select_for_update(of=("self",))
        .select_related("shift__project", "shift__operator", "offered_by", "taken_by")
        .get(pk=swap.pk)
    )
    if swap.status != status:
        raise DomainError(
            _("This swap is %(status)s.") % {"status": swap.get_status_display().lower()},
            details={"status": [swap.get_status_display()]},
        )
    return swap


@transaction.atomic
def swap_accept(*, swap: ShiftSwap, operator: Operator) -> ShiftSwap:
    """A colleague takes the offer; the rules are theirs (rest, hours...)."""
    Operator.objects.select_for_update().get(pk=operator.pk)
    swap = _locked(swap, ShiftSwap.Status.OFFERED)
    if operator.pk == swap.offered_by_id:
        raise DomainError(_("Your own offer."), details={"shift": [_("Your own offer.")]})
    _refuse(shift_refusal(shift=swap.shift, operator=operator))
    swap.taken_by = operator
    swap.status = ShiftSwap.Status.ACCEPTED
    swap.save(update_fields=["taken_by", "status"])
    return swap


@transaction.atomic
def swap_approve(*, swap: ShiftSwap, user) -> ShiftSwap:
    """The manager approves: the rules are checked again, then the shift changes hands."""
    swap = _locked(swap, ShiftSwap.Status.ACCEPTED)
    if not may_approve(user, swap):
        raise DomainError(
            _("Only a manager of the shift's project decides."), status=403, code="forbidden"
        )
    taker = Operator.objects.select_for_update().get(pk=swap.taken_by_id or 0)
    shift = Shift.objects.select_for_update().get(pk=swap.shift_id)
    if shift.operator_id != swap.offered_by_id:
        raise ConflictError(
            _("The shift has changed hands since."), details={"shift": [_("Not theirs any more.")]}
        )
    _refuse(shift_refusal(shift=shift, operator=taker, projects=None))
    note = _("Swapped from %(operator)s") % {"operator": swap.offered_by.code}
    shift.operator = taker
    shift.note = f"{shift.note}; {note}"[:255] if shift.note else note
    shift.save(update_fields=["operator", "note"])
    swap.status = ShiftSwap.Status.APPROVED
    swap.decided_by, swap.decided_at = user, timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap


@transaction.atomic
def swap_decline(*, swap: ShiftSwap, user) -> ShiftSwap:
    swap = _locked(swap, ShiftSwap.Status.ACCEPTED)
    if not may_approve(user, swap):
        raise DomainError(
            _("Only a manager of the shift's project decides."), status=403, code="forbidden"
        )
    swap.status = ShiftSwap.Status.DECLINED
    swap.decided_by, swap.decided_at = user, timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap


@transaction.atomic
def swap_cancel(*, swap: ShiftSwap, operator: Operator) -> ShiftSwap:
    """The offering operator withdraws an offer not yet approved."""
    swap = ShiftSwap.objects.select_for_update().get(pk=swap.pk)
    if swap.offered_by_id != operator.pk:
        raise DomainError(_("Not your offer."), status=404, code="not_found")
    if swap.status not in OPEN:
        raise DomainError(
            _("This swap is %(status)s.") % {"status": swap.get_status_display().lower()},
            details={"status": [swap.get_status_display()]},
        )
    swap.status = ShiftSwap.Status.CANCELLED
    swap.save(update_fields=["status"])
    return swap
