"""Writes on tariffs and their time-of-day bands (SPEC section 7), and on the projects'
SLA terms with their credit tiers.

A tariff that rated an issued or paid invoice is frozen: changing or deleting it, or
starting a tariff inside a month such an invoice billed, is a 409 naming the invoice
(``billing.frozen``); a new tariff from a later date replaces it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from billing.frozen import (
    check_tariff_start_free,
    check_tariff_unfrozen,
    invoices_rated_between,
)
from billing.invoicing import lock_client
from billing.models import SlaCreditTier, SlaTerm, Tariff, TariffBand
from contactcenter.errors import ConflictError, DomainError
from contactcenter.orm import assign_fields, delete_or_conflict

TARIFF_FIELDS = frozenset(
    {
        "project",
        "valid_from",
        "currency",
        "rate_per_minute",
        "first_increment_seconds",
        "next_increment_seconds",
        "free_seconds",
        "billable",
        "wrap_cap_seconds",
        "monthly_minimum",
    }
)


def _check_unique_start(tariff):
    clash = Tariff.objects.filter(project=tariff.project, valid_from=tariff.valid_from)
    if tariff.pk:
        clash = clash.exclude(pk=tariff.pk)
    if clash.exists():
        text = _("Project '%(project)s' already has a tariff from %(date)s.") % {
            "project": tariff.project.code,
            "date": f"{tariff.valid_from:%Y-%m-%d}",
        }
        raise DomainError(_("Invalid tariff."), details={"valid_from": [text]})


def _bands_replace(*, tariff, bands):
    """Store ``bands`` in their listed order (the order they are tried in)."""
    seen = {}
    errors = {}
    for index, band in enumerate(bands):
        if band["name"] in seen:
            errors[index] = {
                "name": [_("Already used by item %(index)s.") % {"index": seen[band["name"]]}]
            }
        seen.setdefault(band["name"], index)
    if errors:
        raise DomainError(_("Invalid bands."), details={"bands": errors})
    tariff.bands.all().delete()
    TariffBand.objects.bulk_create(
        TariffBand(
            tariff=tariff,
            position=position,
            name=band["name"],
            display_name=band.get("display_name", ""),
            weekdays=sorted(set(band["weekdays"])),
            start=band["start"],
            end=band["end"],
            rate_per_minute=band["rate_per_minute"],
        )
        for position, band in enumerate(bands)
    )


def _save(tariff):
    _check_unique_start(tariff)
    tariff.full_clean()
    tariff.save()


def _lock(tariff):
    """Issuing an invoice of the project's client waits for this write, and the reverse."""
    lock_client(tariff.project.client_id)


@transaction.atomic
def tariff_create(*, bands: Iterable[Mapping[str, Any]] = (), **fields: Any) -> Tariff:
    tariff = Tariff()
    assign_fields(tariff, fields, TARIFF_FIELDS)
    _lock(tariff)
    check_tariff_start_free(tariff)
    _save(tariff)
    _bands_replace(tariff=tariff, bands=list(bands))
    return tariff


@transaction.atomic
def tariff_update(
    *, tariff: Tariff, bands: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> Tariff:
    """Update a tariff; ``bands``, when given, replaces the stored bands. A tariff that
    rated an issued invoice is refused (409), as is a move into a month one billed."""
    _lock(tariff)
    check_tariff_unfrozen(tariff)
    assign_fields(tariff, fields, TARIFF_FIELDS)
    _lock(tariff)
    check_tariff_start_free(tariff)
    _save(tariff)
    if bands is not None:
        _bands_replace(tariff=tariff, bands=list(bands))
    return tariff


@transaction.atomic
def tariff_delete(*, tariff: Tariff) -> None:
    _lock(tariff)
    check_tariff_unfrozen(tariff, what=_("Deleting this tariff"))
    delete_or_conflict(tariff, what="tariff")


# --- SLA terms (docs/billing.md, "SLA credits") ------------------------------------------

SLA_TERM_FIELDS = frozenset(
    {"project", "valid_from", "metric", "target_percent", "threshold_seconds"}
)


def _sla_validity_end(term: SlaTerm):
    later = SlaTerm.objects.filter(project_id=term.project_id, valid_from__gt=term.valid_from)
    if term.pk:
        later = later.exclude(pk=term.pk)
    return later.order_by("valid_from").values_list("valid_from", flat=True).first()


def check_sla_unfrozen(term: SlaTerm, field: str) -> None:
    """Refuse (409 naming the invoices) a term whose dates meet a month an issued or paid
    invoice of its project billed: that invoice's credit was judged by the terms then."""
    invoices = invoices_rated_between(term.project_id, term.valid_from, _sla_validity_end(term))
    if invoices:
        numbers = ", ".join(invoice.number or "" for invoice in invoices)
        raise ConflictError(
            _("This would change the SLA credit of issued invoice %(numbers)s.")
            % {"numbers": numbers},
            details={
                field: [
                    _(
                        "Invoice %(numbers)s was judged by the SLA terms in force then; add a "
                        "term from a later month instead."
                    )
                    % {"numbers": numbers}
                ]
            },
        )


def _tiers_replace(*, term: SlaTerm, tiers: list[Mapping[str, Any]]) -> None:
    bounds = [tier.get("shortfall_up_to_points") for tier in tiers]
    errors = {
        index: {"shortfall_up_to_points": [_("Already used by another tier.")]}
        for index, bound in enumerate(bounds)
        if bounds.index(bound) != index
    }
    if errors:
        raise DomainError(_("Invalid credit tiers."), details={"tiers": errors})
    term.tiers.all().delete()
    SlaCreditTier.objects.bulk_create(
        SlaCreditTier(
            term=term,
            shortfall_up_to_points=tier.get("shortfall_up_to_points"),
            credit_percent=tier["credit_percent"],
        )
        for tier in tiers
    )


def _save_term(term: SlaTerm) -> None:
    clash = SlaTerm.objects.filter(project=term.project, valid_from=term.valid_from)
    if term.pk:
        clash = clash.exclude(pk=term.pk)
    if clash.exists():
        text = _("Project '%(project)s' already has SLA terms from %(date)s.") % {
            "project": term.project.code,
            "date": f"{term.valid_from:%Y-%m-%d}",
        }
        raise DomainError(_("Invalid SLA terms."), details={"valid_from": [text]})
    if term.metric == SlaTerm.Metric.ABANDON_RATE and term.threshold_seconds is not None:
        raise DomainError(
            _("Invalid SLA terms."),
            details={"threshold_seconds": [_("Only the service level has a threshold.")]},
        )
    term.full_clean()
    term.save()


@transaction.atomic
def sla_term_create(*, tiers: Iterable[Mapping[str, Any]] = (), **fields: Any) -> SlaTerm:
    term = SlaTerm()
    assign_fields(term, fields, SLA_TERM_FIELDS)
    lock_client(term.project.client_id)
    check_sla_unfrozen(term, "valid_from")
    _save_term(term)
    _tiers_replace(term=term, tiers=list(tiers))
    return term


@transaction.atomic
def sla_term_update(
    *, term: SlaTerm, tiers: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> SlaTerm:
    """Change a term; ``tiers``, when given, replaces the stored schedule. A term that
    judged an issued invoice is refused (409), as is a move onto a month one billed."""
    lock_client(term.project.client_id)
    check_sla_unfrozen(SlaTerm.objects.get(pk=term.pk), "sla_term")
    assign_fields(term, fields, SLA_TERM_FIELDS)
    lock_client(term.project.client_id)
    check_sla_unfrozen(term, "valid_from")
    _save_term(term)
    if tiers is not None:
        _tiers_replace(term=term, tiers=list(tiers))
    return term


@transaction.atomic
def sla_term_delete(*, term: SlaTerm) -> None:
    lock_client(term.project.client_id)
    check_sla_unfrozen(term, "sla_term")
    delete_or_conflict(term, what="SLA term")
