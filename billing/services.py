"""Writes on tariffs and their time-of-day bands (SPEC section 7).

A tariff that rated an issued or paid invoice is frozen: changing or deleting it, or
starting a tariff inside a month such an invoice billed, is a 409 naming the invoice
(``billing.frozen``); a new tariff from a later date replaces it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from billing.frozen import check_tariff_start_free, check_tariff_unfrozen
from billing.invoicing import lock_client
from billing.models import Tariff, TariffBand
from contactcenter.errors import DomainError
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
