"""The demo's contracts, one absence whose replacements are offered, and an operator login.

Contracts, by the operator's place in the pool (codes in order): every fourth works part
time (30 h, overtime allowed at 1.5x, at most 48 h), the others full time (40 h, at most
48 h), every other one of them with overtime allowed, and every fifth prefers weekends off.
The absences: on the latest day of the simulated month and on a day of the coming week
(after the published schedule), the first operator on shift that day whose shift someone
can cover (``agents.replacements``), sick that day. The login ``operator`` (the demo
password, role Operators) is the first other active operator, to try the pages at /me/.
Each step finds what an earlier load made, so a second load adds nothing.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from agents.models import Absence, Operator, Shift
from agents.replacements import replacement_candidates
from agents.shifts import center_zone, local_day_bounds, shift_days
from projects.roles import OPERATORS, roles_setup

DEMO_ABSENCE_NOTE = "Демо: больничный, замены предложены"
DEMO_ABSENCE_AHEAD_NOTE = "Демо: больничный на этой неделе, замены предложены"
OPERATOR_USERNAME = "operator"
MAX_TRIES = 40  # operators tried for the absence


def demo_contracts() -> int:
    """Give the active operators their contracts; returns how many changed."""
    changed = 0
    operators = Operator.objects.filter(status=Operator.Status.ACTIVE).order_by("code")
    for index, operator in enumerate(operators):
        part_time = index % 4 == 3
        wanted = {
            "contract_hours_per_week": Decimal(30 if part_time else 40),
            "max_hours_per_week": Decimal(48),
            "overtime_allowed": part_time or index % 2 == 0,
            "preferred_days_off": [5, 6] if index % 5 == 0 else [],
        }
        if any(getattr(operator, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(operator, name, value)
            operator.save(update_fields=[*wanted, "updated_at"])
            changed += 1
    return changed


def demo_absence() -> Absence | None:
    """A one-day sick leave on the latest day with shifts whose shift someone can cover
    (None: no such operator that day)."""
    existing = Absence.objects.filter(note=DEMO_ABSENCE_NOTE).first()
    if existing is not None:
        return existing
    last = Shift.objects.order_by("-starts_at").select_related("project").first()
    if last is None:
        return None
    return _sick_with_replacements(shift_days(last)[0], DEMO_ABSENCE_NOTE)


def demo_absence_ahead(*, today: dt.date) -> Absence | None:
    """The same in the coming week (once the published schedule is stored), so the PM can
    assign a replacement on the absence's page."""
    existing = Absence.objects.filter(note=DEMO_ABSENCE_AHEAD_NOTE).first()
    if existing is not None:
        return existing
    for offset in range(1, 8):
        absence = _sick_with_replacements(
            today + dt.timedelta(days=offset), DEMO_ABSENCE_AHEAD_NOTE
        )
        if absence is not None:
            return absence
    return None


def _sick_with_replacements(day: dt.date, note: str) -> Absence | None:
    """The first operator (by code) on shift on ``day`` whose shift someone can cover, sick
    that day; None when nobody in ``MAX_TRIES``."""
    begin = local_day_bounds(day, center_zone())[0]
    tried = 0
    for shift in (
        Shift.objects.filter(
            starts_at__gte=begin - dt.timedelta(days=1),
            starts_at__lt=begin + dt.timedelta(days=2),
            operator__status=Operator.Status.ACTIVE,
        )
        .select_related("project", "operator")
        .order_by("operator__code", "starts_at")
    ):
        if (
            shift_days(shift)[0] != day
            or Absence.objects.filter(
                operator=shift.operator, starts_on__lte=day, ends_on__gte=day
            ).exists()
        ):
            continue
        tried += 1
        if tried > MAX_TRIES:
            return None
        with transaction.atomic():
            absence = Absence.objects.create(
                operator=shift.operator,
                kind=Absence.Kind.SICK,
                starts_on=day,
                ends_on=day,
                note=note,
            )
            if replacement_candidates(absence=absence):
                return absence
            transaction.set_rollback(True)
    return None


def demo_operator_login(*, password: str, absent: Operator | None = None) -> Operator | None:
    """The ``operator`` login on the first active operator (not the absent one)."""
    operator = (
        Operator.objects.filter(status=Operator.Status.ACTIVE)
        .exclude(pk=absent.pk if absent is not None else 0)
        .order_by("code")
        .first()
    )
    if operator is None:
        return None
    roles_setup()
    user, _created = get_user_model().objects.get_or_create(username=OPERATOR_USERNAME)
    user.is_staff = False
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=OPERATORS))
    Operator.objects.filter(user=user).exclude(pk=operator.pk).update(user=None)
    if operator.user_id != user.pk:
        operator.user = user
        operator.save(update_fields=["user", "updated_at"])
    return operator
