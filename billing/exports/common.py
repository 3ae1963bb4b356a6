"""What every export of an invoice shares: its data read once, the seller, Russian formats."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from billing.frozen import SELLER_SETTINGS, client_details, seller_details
from billing.models import Invoice, TariffBand
from contactcenter.money import money
from contactcenter.periods import month_label, month_ru
from projects.selectors import client_seller

CENT = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.0001")

STATUS_NAMES_RU = {
    Invoice.Status.DRAFT: "черновик",
    Invoice.Status.ISSUED: "выставлен",
    Invoice.Status.PAID: "оплачен",
    Invoice.Status.VOID: "аннулирован",
}
KIND_NAMES_RU = {
    "usage": "минуты разговоров",
    "minimum_topup": "доплата до минимума",
    "sla_credit": "скидка по SLA",
}
CURRENCY_SHORT = {"RUB": "руб."}
NBSP = "\u00a0"


def quantity_minutes(billed_seconds):
    """Billed minutes to 4 places, half-up. The amount is computed from the exact value."""
    return (Decimal(billed_seconds) / 60).quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


def ru_number(value, places=2):
    """Decimal('12345.5') -> '12 345,50' (no-break space between thousands, comma decimals)."""
    text = f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"
    return text.replace(",", NBSP).replace(".", ",")


def ru_rate(value):
    """A per-minute rate: at least 2 decimals, up to the 4 stored ('12,50', '0,3375')."""
    value = Decimal(value)
    places = 4 if value != value.quantize(CENT) else 2
    return ru_number(value, places)


def percent_label(rate):
    """Decimal('0.2000') -> '20%', Decimal('0.0500') -> '5%', Decimal('0.125') -> '12,5%'."""
    number = (Decimal(rate) * 100).normalize()
    text = f"{number:f}".replace(".", ",")
    return f"{text}%"


def currency_short(code):
    return CURRENCY_SHORT.get(code, code)


@dataclass(frozen=True)
class Party:
    name: str
    inn: str
    kpp: str
    address: str


@dataclass(frozen=True)
class Seller(Party):
    bank: str
    bik: str
    account: str
    correspondent_account: str
    director: str
    accountant: str


@dataclass(frozen=True)
class Buyer(Party):
    code: str
    timezone: str


def seller(invoice):
    """Our company: as the issued invoice's snapshot holds it; a draft's, the client's
    seller as it is now (projects.selectors.client_seller)."""
    snapshot = getattr(invoice, "snapshot", None)
    details = snapshot["seller"] if snapshot else seller_details(client_seller(invoice.client))
    return Seller(**{name: details.get(name, "") for name in SELLER_SETTINGS})


def buyer(invoice):
    """The client as the issued invoice's snapshot holds it; a draft's, as it is now."""
    details = invoice.snapshot["buyer"] if invoice.snapshot else client_details(invoice.client)
    return Buyer(
        name=details["name"],
        inn=details["inn"],
        kpp=details["kpp"],
        address=details["address"],
        code=details["code"],
        timezone=details["timezone"],
    )


def invoice_basis(invoice) -> str:
    """The счёт's "Основание" line: the contract when the client has one, and the month."""
    details = invoice.snapshot["buyer"] if invoice.snapshot else client_details(invoice.client)
    services = f"Услуги контакт-центра за {month_ru(invoice.period)}"
    number, date = details.get("contract_number"), details.get("contract_date")
    if not number:
        return services
    contract = f"Договор № {number}"
    if date:
        contract += f" от {dt.date.fromisoformat(date):%d.%m.%Y}"
    return f"{contract}; {services[0].lower()}{services[1:]}"


def project_codes(invoice):
    """{project id: code} of the invoice's projects (from the snapshot once issued)."""
    if invoice.snapshot:
        return {row["id"]: row["code"] for row in invoice.snapshot["projects"]}
    return {line.project_id: line.project.code for line in invoice.lines.all()}


def invoice_with_lines(invoice):
    """The invoice with its client and its lines (with projects) in 2 queries, for exports."""
    return (
        Invoice.objects.select_related("client")
        .prefetch_related("lines__project")
        .get(pk=invoice.pk)
    )


def invoice_date(invoice):
    """The date printed on the invoice: its issue date in the client's time zone.

    A draft has none yet: it shows the day it was generated.
    """
    instant = invoice.issued_at or invoice.generated_at or timezone.now()
    return instant.astimezone(zoneinfo.ZoneInfo(buyer(invoice).timezone)).date()


def invoice_heading(invoice):
    """'Счёт на оплату № INV-2026-000001 от 01.11.2026'; a draft has no number yet."""
    date = f"{invoice_date(invoice):%d.%m.%Y}"
    if invoice.number:
        return f"Счёт на оплату № {invoice.number} от {date}"
    return f"Счёт на оплату (черновик, без номера) от {date}"


def file_stem(invoice):
    """'INV-2026-000001', or 'draft-acme-2026-10' before the invoice has a number."""
    if invoice.number:
        return invoice.number
    return f"draft-{invoice.client.code}-{month_label(invoice.period)}"


def vat_caption(invoice):
    """How Russian invoices name the VAT line: included, on top, or none at all."""
    if not invoice.vat_rate:
        return "Без налога (НДС)"
    rate = percent_label(invoice.vat_rate)
    return f"В том числе НДС {rate}" if invoice.vat_included else f"НДС {rate}"


def line_quantity(line):
    """(quantity, unit, price) as the invoice prints them.

    Usage: billed minutes (exact seconds / 60), 'мин', the rate per minute. A monthly-minimum
    top-up is a fixed charge: 1 'усл.' (one service) at its amount; an SLA credit too, at its
    (negative) amount.
    """
    if line.kind in ("minimum_topup", "sla_credit"):
        return Decimal(1), "усл.", line.amount
    return line.quantity_minutes, "мин", line.rate_per_minute


def aware_iso(instant):
    """An instant as ISO 8601 in UTC with 'Z'; empty for None."""
    if instant is None:
        return ""
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def net_amount(invoice: Invoice) -> Decimal:
    """The amount without VAT: the subtotal on top, the total less its VAT when included."""
    return money(invoice.total) - money(invoice.vat)


def band_names(invoice: Invoice) -> dict[tuple[int, str], str]:
    """{(project id, band name): the name printed on documents} of the invoice's projects.

    An issued invoice reads its snapshot (``display_name``; snapshots taken before it existed
    print the name); a draft, the bands as they are now. A later tariff's band wins.
    """
    if invoice.snapshot:
        return {
            (project["id"], band["name"]): band.get("display_name") or band["name"]
            for project in invoice.snapshot["projects"]
            for tariff in project["tariffs"]
            for band in tariff["bands"]
        }
    project_ids = {line.project_id for line in invoice.lines.all()}
    bands = TariffBand.objects.filter(tariff__project_id__in=project_ids).order_by(
        "tariff__valid_from", "position"
    )
    return {
        (band.tariff.project_id, band.name): band.printed_name
        for band in bands.select_related("tariff")
    }


def band_label(line: Any, names: dict[tuple[int, str], str]) -> str:
    """The band of a line as documents print it ('' for the base rate)."""
    if not line.band:
        return ""
    return names.get((line.project_id, line.band), line.band)


def printed_description(line: Any, names: dict[tuple[int, str], str]) -> str:
    """A line's description with its band's printed name in place of the internal one
    (the billing core writes 'тариф «night»'; documents say 'тариф «Ночной»')."""
    label = band_label(line, names)
    if not label or label == line.band:
        return line.description
    return line.description.replace(f"«{line.band}»", f"«{label}»")
