"""Issued documents never change: the snapshot an invoice takes when it is issued, and the
tariffs it freezes (docs/billing.md, "Frozen documents").

The snapshot (``Invoice.snapshot``, JSON) holds both parties, the VAT and, for every project
on the invoice, the project's code, name and time zone and the tariffs (with their bands)
whose validity overlaps a month the invoice bills. Every export of an issued invoice reads it;
drafts read live data. A tariff whose validity overlaps a month billed by an issued or paid
invoice, for a project on that invoice, *rated* it: it cannot be changed or deleted, and no
new tariff may start inside such a month.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from billing.models import Invoice, Tariff
from billing.sla import sla_term_details, term_in_force
from contactcenter.errors import ConflictError
from projects.models import Project
from projects.selectors import client_seller

SNAPSHOT_VERSION = 1
FROZEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID)
# Snapshot key -> setting: how migration 0007 filled the snapshots of invoices issued before
# sellers were data (projects.Seller since projects/migrations/0005); read nowhere else.
SELLER_SETTINGS = {
    "name": "SELLER_NAME",
    "inn": "SELLER_INN",
    "kpp": "SELLER_KPP",
    "address": "SELLER_ADDRESS",
    "bank": "SELLER_BANK",
    "bik": "SELLER_BIK",
    "account": "SELLER_ACCOUNT",
    "correspondent_account": "SELLER_CORRESPONDENT_ACCOUNT",
    "director": "SELLER_DIRECTOR",
    "accountant": "SELLER_ACCOUNTANT",
}


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def overlaps_month(start: dt.date, end: dt.date | None, month: dt.date) -> bool:
    """[start, end) (local dates; end None: open) meets the month starting on ``month``."""
    return start < next_month(month) and (end is None or end > month)


# --- Taking the snapshot ---------------------------------------------------------------


def legacy_seller_details() -> dict[str, str]:
    """Our company as the SELLER_* settings said (migration 0007's snapshots only)."""
    return {key: str(getattr(settings, name, "")) for key, name in SELLER_SETTINGS.items()}


def seller_details(seller: Any) -> dict[str, str]:
    """A ``projects.Seller`` as the snapshot holds it (``accountant`` is the chief
    accountant, under the key the first snapshots used)."""
    return {
        "code": seller.code,
        "name": seller.name,
        "inn": seller.inn,
        "kpp": seller.kpp,
        "ogrn": seller.ogrn,
        "address": seller.address,
        "bank": seller.bank,
        "bik": seller.bik,
        "account": seller.account,
        "correspondent_account": seller.correspondent_account,
        "director": seller.director,
        "accountant": seller.chief_accountant,
        "chief_accountant": seller.chief_accountant,
    }


def client_details(client: Any) -> dict[str, Any]:
    contract_date = getattr(client, "contract_date", None)
    return {
        "code": client.code,
        "name": client.legal_name,
        "inn": client.tax_id,
        "kpp": client.kpp,
        "ogrn": getattr(client, "ogrn", ""),
        "address": client.address,
        "billing_email": client.billing_email,
        "timezone": client.timezone,
        "currency": client.currency,
        "contract_number": getattr(client, "contract_number", ""),
        "contract_date": contract_date.isoformat() if contract_date else None,
        "payment_terms_days": getattr(client, "payment_terms_days", None),
    }


def tariff_details(tariff: Any) -> dict[str, Any]:
    return {
        "id": tariff.id,
        "valid_from": tariff.valid_from.isoformat(),
        "currency": tariff.currency,
        "rate_per_minute": str(tariff.rate_per_minute),
        "first_increment_seconds": tariff.first_increment_seconds,
        "next_increment_seconds": tariff.next_increment_seconds,
        "free_seconds": tariff.free_seconds,
        "billable": tariff.billable,
        "wrap_cap_seconds": tariff.wrap_cap_seconds,
        "monthly_minimum": str(tariff.monthly_minimum),
        "bands": [
            {
                "position": band.position,
                "name": band.name,
                # Old snapshots lack it: readers use .get("display_name", name).
                "display_name": getattr(band, "display_name", "") or band.name,
                "weekdays": sorted(band.weekdays),
                "start": band.start.isoformat(),
                "end": band.end.isoformat(),
                "rate_per_minute": str(band.rate_per_minute),
            }
            for band in sorted(tariff.bands.all(), key=lambda band: (band.position, band.id))
        ],
    }


def tariffs_in_months(tariffs: list[Any], months: set[dt.date]) -> list[Any]:
    """Of one project's tariffs (sorted by ``valid_from``), those in force in ``months``."""
    kept = []
    for index, tariff in enumerate(tariffs):
        end = tariffs[index + 1].valid_from if index + 1 < len(tariffs) else None
        if any(overlaps_month(tariff.valid_from, end, month) for month in months):
            kept.append(tariff)
    return kept


def build_snapshot(
    *, invoice: Any, client: Any, projects: list[Any], tariffs: dict[int, list[Any]], months
) -> dict[str, Any]:
    """The snapshot from plain objects (the live models, or a migration's historical ones),
    with the seller migration 0007 knew (the settings); ``invoice_snapshot`` puts the
    client's seller in its place."""
    return {
        "version": SNAPSHOT_VERSION,
        "seller": legacy_seller_details(),
        "buyer": client_details(client),
        "vat": {"rate": str(invoice.vat_rate), "included": invoice.vat_included},
        "months": sorted(month.isoformat() for month in months),
        "projects": [
            {
                "id": project.id,
                "code": project.code,
                "name": project.name,
                "timezone": project.timezone,
                "tariffs": [
                    tariff_details(tariff)
                    for tariff in tariffs_in_months(tariffs.get(project.id, []), months)
                ],
            }
            for project in sorted(projects, key=lambda project: project.code)
        ],
    }


def invoice_months(invoice: Any) -> set[dt.date]:
    """The months an invoice bills: its coverage windows' and its lines' service months."""
    months = set(invoice.coverage.values_list("service_period", flat=True))
    months.update(invoice.lines.values_list("service_period", flat=True))
    return months or {invoice.period}


def invoice_snapshot(invoice: Invoice) -> dict[str, Any]:
    """The snapshot of ``invoice`` from today's data (taken when it is issued)."""
    project_ids = set(invoice.lines.values_list("project_id", flat=True))
    projects = list(Project.objects.filter(id__in=project_ids))
    tariffs = defaultdict(list)
    queryset = Tariff.objects.filter(project_id__in=project_ids).prefetch_related("bands")
    for tariff in queryset.order_by("project_id", "valid_from"):
        tariffs[tariff.project_id].append(tariff)
    snapshot = build_snapshot(
        invoice=invoice,
        client=invoice.client,
        projects=projects,
        tariffs=tariffs,
        months=invoice_months(invoice),
    )
    snapshot["seller"] = seller_details(client_seller(invoice.client))
    # The SLA terms that judged the month (the credit line itself names the measured value);
    # the key only when a project has one, so snapshots without SLA keep their shape.
    sla = [
        {"project": project.code, **sla_term_details(term)}
        for project in sorted(projects, key=lambda project: project.code)
        if (term := term_in_force(project, invoice.period)) is not None
    ]
    if sla:
        snapshot["sla"] = sla
    return snapshot


# --- Reading it ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FrozenBand:
    """A band as it was when the invoice was issued (the attributes of ``TariffBand``)."""

    position: int
    name: str
    weekdays: list[int]
    start: dt.time
    end: dt.time
    rate_per_minute: Decimal


class FrozenBands(tuple):
    """The bands of a ``FrozenTariff``; ``.all()`` like a related manager."""

    def all(self) -> list[FrozenBand]:
        return list(self)


@dataclasses.dataclass(frozen=True)
class FrozenTariff:
    """A tariff as it was when the invoice was issued (the attributes rating reads)."""

    id: int
    project_id: int
    valid_from: dt.date
    currency: str
    rate_per_minute: Decimal
    first_increment_seconds: int
    next_increment_seconds: int
    free_seconds: int
    billable: str
    wrap_cap_seconds: int | None
    monthly_minimum: Decimal
    bands: FrozenBands


def frozen_projects(snapshot: dict[str, Any]) -> list[Project]:
    """The invoice's projects as they were (unsaved instances: read, never saved)."""
    return [
        Project(id=row["id"], code=row["code"], name=row["name"], timezone=row["timezone"])
        for row in snapshot["projects"]
    ]


def frozen_tariffs(snapshot: dict[str, Any]) -> dict[int, list[FrozenTariff]]:
    """{project id: its tariffs as rated, by valid_from}."""
    result = {}
    for project in snapshot["projects"]:
        result[project["id"]] = [
            FrozenTariff(
                id=row["id"],
                project_id=project["id"],
                valid_from=dt.date.fromisoformat(row["valid_from"]),
                currency=row["currency"],
                rate_per_minute=Decimal(row["rate_per_minute"]),
                first_increment_seconds=row["first_increment_seconds"],
                next_increment_seconds=row["next_increment_seconds"],
                free_seconds=row["free_seconds"],
                billable=row["billable"],
                wrap_cap_seconds=row["wrap_cap_seconds"],
                monthly_minimum=Decimal(row["monthly_minimum"]),
                bands=FrozenBands(
                    FrozenBand(
                        position=band["position"],
                        name=band["name"],
                        weekdays=list(band["weekdays"]),
                        start=dt.time.fromisoformat(band["start"]),
                        end=dt.time.fromisoformat(band["end"]),
                        rate_per_minute=Decimal(band["rate_per_minute"]),
                    )
                    for band in row["bands"]
                ),
            )
            for row in project["tariffs"]
        ]
    return result


# --- Tariffs that rated an issued invoice ------------------------------------------------


def invoices_rated_between(project_id: int, start: dt.date, end: dt.date | None) -> list[Invoice]:
    """Issued or paid invoices with a line of the project that bill a month meeting the
    local dates [start, end): a tariff valid over those dates rated them."""
    candidates = (
        Invoice.objects.filter(status__in=FROZEN_STATUSES, lines__project_id=project_id)
        .distinct()
        .order_by("number")
    )
    return [
        invoice
        for invoice in candidates
        if any(overlaps_month(start, end, month) for month in invoice_months(invoice))
    ]


def _refuse(field: str, invoices: list[Invoice], what: str) -> None:
    numbers = ", ".join(invoice.number or "" for invoice in invoices)
    words = {"what": what, "numbers": numbers}
    raise ConflictError(
        _("%(what)s would change issued invoice %(numbers)s.") % words,
        details={
            field: [
                _(
                    "Invoice %(numbers)s was rated by this project's tariffs in force then and "
                    "cannot change; create a new tariff from a later date instead."
                )
                % words
            ]
        },
    )


def _validity_end(project_id: int, start: dt.date, exclude_id: int | None) -> dt.date | None:
    later = Tariff.objects.filter(project_id=project_id, valid_from__gt=start)
    if exclude_id is not None:
        later = later.exclude(pk=exclude_id)
    return later.order_by("valid_from").values_list("valid_from", flat=True).first()


def invoices_rated_by(tariff: Tariff) -> list[Invoice]:
    """The issued or paid invoices the tariff, as stored, rated (none for an unsaved one)."""
    if tariff.pk is None:
        return []
    stored = Tariff.objects.filter(pk=tariff.pk).values("project_id", "valid_from").first()
    if stored is None:
        return []
    end = _validity_end(stored["project_id"], stored["valid_from"], tariff.pk)
    return invoices_rated_between(stored["project_id"], stored["valid_from"], end)


def check_tariff_unfrozen(tariff: Tariff, *, what: str | None = None) -> None:
    """Refuse (409 naming the invoices) a change or deletion of a tariff, as stored, that
    rated an issued or paid invoice."""
    invoices = invoices_rated_by(tariff)
    if invoices:
        _refuse("tariff", invoices, what or _("Changing this tariff"))


def check_tariff_start_free(tariff: Tariff) -> None:
    """Refuse a tariff (new, or moved) whose dates [valid_from, next tariff) meet a month an
    issued or paid invoice billed: it would re-rate that invoice's calls."""
    end = _validity_end(tariff.project_id, tariff.valid_from, tariff.pk)
    invoices = invoices_rated_between(tariff.project_id, tariff.valid_from, end)
    if invoices:
        what = _("A tariff from %(date)s") % {"date": f"{tariff.valid_from:%Y-%m-%d}"}
        _refuse("valid_from", invoices, what)
