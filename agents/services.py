"""Writes on operators of the shared pool and their project certifications."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from agents.models import Certification, Operator
from contactcenter.errors import DomainError
from contactcenter.orm import assign_fields, delete_or_conflict

OPERATOR_FIELDS = frozenset(
    {
        "code",
        "full_name",
        "email",
        "status",
        "hired_on",
        "left_on",
        "hourly_cost",
        "supervisor",
        "user",
        # The contract's rules (agents.contracts).
        "contract_hours_per_week",
        "max_hours_per_week",
        "min_rest_hours",
        "max_consecutive_days",
        "preferred_days_off",
        "overtime_allowed",
        "overtime_hourly_cost",
    }
)


def _employment_errors(operator):
    """The employment rules of the model's constraints, each on the field to fix."""
    errors = {}
    if operator.hired_on and operator.left_on and operator.left_on < operator.hired_on:
        errors["left_on"] = [_("Cannot be before hired_on.")]
    if operator.status == Operator.Status.DISMISSED and not operator.left_on:
        errors["left_on"] = [_("A dismissed operator needs the date they left.")]
    if operator.status == Operator.Status.ACTIVE and not operator.hired_on:
        errors["hired_on"] = [_("An active operator needs a hire date.")]
    errors.update(operator.contract_errors())
    return errors


def _save(operator):
    errors = _employment_errors(operator)
    if errors:
        raise DomainError(_("Invalid operator."), details=errors)
    operator.full_clean()
    operator.save()


def _certifications_replace(*, operator, certifications, within=None):
    """Replace the operator's certifications; with ``within`` (a project queryset), only
    those on these projects: a PM's list never removes another PM's certifications."""
    seen = {}
    errors = {}
    for index, item in enumerate(certifications):
        code = item["project"].code
        if code in seen:
            errors[index] = {
                "project": [_("Already listed as item %(index)s.") % {"index": seen[code]}]
            }
        seen.setdefault(code, index)
    if errors:
        raise DomainError(_("Invalid certifications."), details={"certifications": errors})
    stored = operator.certifications.all()
    if within is not None:
        stored = stored.filter(project__in=within)
    stored.delete()
    Certification.objects.bulk_create(
        Certification(
            operator=operator,
            project=item["project"],
            level=item.get("level", Certification.Level.REGULAR),
            certified_on=item["certified_on"],
        )
        for item in certifications
    )


@transaction.atomic
def operator_create(*, certifications: Iterable[Any] = (), **fields: Any) -> Operator:
    operator = Operator()
    assign_fields(operator, fields, OPERATOR_FIELDS)
    _save(operator)
    _certifications_replace(operator=operator, certifications=list(certifications))
    return operator


@transaction.atomic
def operator_update(
    *,
    operator: Operator,
    certifications: Iterable[Any] | None = None,
    certifications_within: Iterable[Any] | None = None,
    **fields: Any,
) -> Operator:
    """Update an operator; ``certifications``, when given, replaces the stored ones (only
    those on ``certifications_within`` projects, if given)."""
    assign_fields(operator, fields, OPERATOR_FIELDS)
    _save(operator)
    if certifications is not None:
        _certifications_replace(
            operator=operator, certifications=list(certifications), within=certifications_within
        )
    return operator


@transaction.atomic
def operator_delete(*, operator: Operator) -> None:
    delete_or_conflict(operator, what="operator")
