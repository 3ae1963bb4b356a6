"""What the closing documents (акт, УПД) share: issued invoices only, both parties as the
snapshot holds them, and every line split into net, VAT and gross that add up to the
invoice's own amounts to the kopeck."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils.translation import gettext as _

from billing.exports.common import (
    band_names,
    invoice_date,
    invoice_with_lines,
    line_quantity,
    net_amount,
    printed_description,
)
from billing.models import INVOICE_STATUS_WORDS, Invoice, InvoiceLine
from contactcenter.errors import ConflictError
from contactcenter.money import money
from contactcenter.periods import month_name_ru

DOCUMENT_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID)
KOPECK = Decimal("0.01")


def check_documentable(invoice: Invoice) -> None:
    """Refuse (409 naming the status) closing documents of a draft or a void invoice: an act
    or УПД is made for an issued invoice from its snapshot."""
    if invoice.status not in DOCUMENT_STATUSES or not invoice.snapshot:
        words = {"status": INVOICE_STATUS_WORDS[invoice.status]}
        raise ConflictError(
            _("Invoice is %(status)s: acts and УПД are made for issued or paid invoices.") % words,
            details={
                "status": [
                    _(
                        "The invoice is %(status)s; issue it first (acts and УПД need an issued "
                        "or paid invoice)."
                    )
                    % words
                ]
            },
        )


def seller_of(invoice: Invoice) -> dict[str, Any]:
    """The seller as the snapshot holds it; keys added later (code, ogrn, chief_accountant)
    are read with .get, so snapshots of every age work."""
    details = dict((invoice.snapshot or {})["seller"])
    details["chief_accountant"] = details.get("chief_accountant") or details.get("accountant", "")
    return details


def buyer_of(invoice: Invoice) -> dict[str, Any]:
    """The buyer as the snapshot holds it (ogrn, contract_number, contract_date,
    payment_terms_days may be missing in older snapshots)."""
    return dict((invoice.snapshot or {})["buyer"])


def period_bounds(period: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the invoice's month."""
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return period, following - dt.timedelta(days=1)


def contract_basis(invoice: Invoice, buyer: dict[str, Any]) -> tuple[str, str, dt.date]:
    """(document name, number, date) the services were rendered under: the client's
    contract when the snapshot names one, else the invoice itself."""
    number = buyer.get("contract_number")
    if number:
        date = buyer.get("contract_date")
        signed = dt.date.fromisoformat(date) if date else invoice_date(invoice)
        return "Договор", str(number), signed
    return "Счёт на оплату", invoice.number or "", invoice_date(invoice)


@dataclass(frozen=True)
class DocumentLine:
    """One line of an act or УПД: amounts without VAT, VAT and with VAT."""

    number: int
    description: str
    kind: str
    quantity: Decimal
    unit: str
    price: Decimal  # as the invoice prints it (per minute, or the top-up's amount)
    amount: Decimal  # the stored line amount (gross when VAT is included)
    price_net: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal


def _allocate(total: Decimal, exact: list[Decimal]) -> list[Decimal]:
    """Split ``total`` kopecks over lines in proportion to their ``exact`` shares: floors,
    then the kopecks left one each to the largest remainders (ties: the earlier line)."""
    floors = [(value / KOPECK).to_integral_value(ROUND_FLOOR) for value in exact]
    left = int(total / KOPECK - sum(floors))
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] / KOPECK - floors[i]), i))
    for index in order[: max(left, 0)]:
        floors[index] += 1
    for index in reversed(order[left:] if left < 0 else []):
        floors[index] -= 1
    return [value * KOPECK for value in floors]


@dataclass(frozen=True)
class ClosingRow:
    """A row of a closing document before VAT: an invoice line, or a project's month with
    an SLA credit folded in."""

    description: str
    kind: str
    quantity: Decimal
    unit: str
    price: Decimal
    amount: Decimal


def _project_names(invoice: Invoice) -> dict[int, str]:
    if invoice.snapshot:
        return {row["id"]: row["name"] for row in invoice.snapshot["projects"]}
    return {line.project_id: line.project.name for line in invoice.lines.all()}


def closing_rows(invoice: Invoice) -> list[ClosingRow]:
    """The invoice's lines as the closing documents list them. The УПД format takes no
    negative amount, so a project's month with an SLA credit is one service at its amount
    after the credit, named with the credit's measured value (docs/billing.md, "SLA
    credits"); the счёт itself lists the credit as a line of its own."""
    lines = list(invoice.lines.all())
    names = band_names(invoice)
    credited = {
        (line.project_id, line.service_period): line
        for line in lines
        if line.kind == InvoiceLine.Kind.SLA_CREDIT
    }
    project_names = _project_names(invoice) if credited else {}
    rows, folded = [], set()
    for line in lines:
        key = (line.project_id, line.service_period)
        credit = credited.get(key)
        if credit is None:
            quantity, unit, price = line_quantity(line)
            rows.append(
                ClosingRow(
                    description=printed_description(line, names),
                    kind=line.kind,
                    quantity=Decimal(quantity),
                    unit=unit,
                    price=Decimal(price),
                    amount=money(line.amount),
                )
            )
            continue
        if key in folded:
            continue
        folded.add(key)
        amount = money(
            sum(
                (
                    other.amount
                    for other in lines
                    if (other.project_id, other.service_period) == key
                ),
                Decimal(0),
            )
        )
        measured = credit.description.split(": ", 1)[-1]
        name = project_names.get(line.project_id, "")
        rows.append(
            ClosingRow(
                description=(
                    f"{name}: услуги контакт-центра за {month_name_ru(line.service_period)} "
                    f"с учётом скидки по SLA ({measured})"
                ),
                kind=InvoiceLine.Kind.SLA_CREDIT,
                quantity=Decimal(1),
                unit="усл.",
                price=amount,
                amount=amount,
            )
        )
    return rows


def document_lines(invoice: Invoice) -> list[DocumentLine]:
    """The invoice's lines (``closing_rows``) with their VAT: the invoice's VAT split over
    the lines so that nets, VATs and grosses sum exactly to its net amount, VAT and total."""
    invoice = invoice_with_lines(invoice)
    rows = closing_rows(invoice)
    rate = Decimal(invoice.vat_rate)
    amounts = [row.amount for row in rows]
    if invoice.vat_included:
        shares = [amount * rate / (1 + rate) for amount in amounts]
    else:
        shares = [amount * rate for amount in amounts]
    vats = _allocate(money(invoice.vat), shares)
    result = []
    for number, (row, amount, vat) in enumerate(zip(rows, amounts, vats, strict=True), 1):
        net, gross = (amount - vat, amount) if invoice.vat_included else (amount, amount + vat)
        price_net = row.price
        if invoice.vat_included:
            price_net = money(row.price / (1 + rate)) if row.unit == "мин" else net
        result.append(
            DocumentLine(
                number=number,
                description=row.description,
                kind=row.kind,
                quantity=row.quantity,
                unit=row.unit,
                price=row.price,
                amount=amount,
                price_net=Decimal(price_net),
                net=net,
                vat=vat,
                gross=gross,
            )
        )
    return result


def document_totals(invoice: Invoice) -> tuple[Decimal, Decimal, Decimal]:
    """(without VAT, VAT, with VAT) of the invoice, as the closing documents print them."""
    return net_amount(invoice), money(invoice.vat), money(invoice.total)
