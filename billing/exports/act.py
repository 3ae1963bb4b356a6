"""The акт оказанных услуг of an issued invoice, PDF: both parties, the basis (contract or
invoice), the period, the services (quantity in minutes, price, amount), VAT, the total in
words and the signatures of both sides. Read from the invoice's snapshot only."""

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import TableStyle as Style

from billing.exports.closing import (
    buyer_of,
    check_documentable,
    contract_basis,
    document_lines,
    document_totals,
    period_bounds,
    seller_of,
)
from billing.exports.common import currency_short, invoice_date, ru_number, ru_rate, vat_caption
from billing.exports.pdf import (
    FONT,
    FONT_BOLD,
    HEADER_FILL,
    INK,
    MARGIN,
    WIDTH,
    _p,
    _page_decoration,
    _rule,
    _styles,
    register_fonts,
)
from billing.exports.words import amount_in_words
from billing.models import Invoice

ACCEPTANCE = (
    "Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объёму, "
    "качеству и срокам оказания услуг не имеет."
)


def act_heading(invoice: Invoice) -> str:
    """'Акт № INV-2026-000001 от 01.11.2026' (the act carries its invoice's number)."""
    return f"Акт № {invoice.number} от {invoice_date(invoice):%d.%m.%Y}"


def _party_line(details: dict[str, Any]) -> str:
    parts = [f"<b>{_escape(details.get('name', ''))}</b>"]
    for label, key in (("ИНН", "inn"), ("КПП", "kpp"), ("ОГРН", "ogrn")):
        if details.get(key):
            parts.append(f"{label} {_escape(details[key])}")
    if details.get("address"):
        parts.append(_escape(details["address"]))
    return ", ".join(parts)


def _escape(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parties(invoice: Invoice, styles: dict) -> Table:
    seller, buyer = seller_of(invoice), buyer_of(invoice)
    first, last = period_bounds(invoice.period)
    name, number, date = contract_basis(invoice, buyer)
    rows = [
        ("Исполнитель:", Paragraph(_party_line(seller), styles["base"])),
        ("Заказчик:", Paragraph(_party_line(buyer), styles["base"])),
        ("Основание:", _p(f"{name} № {number} от {date:%d.%m.%Y}", styles["base"])),
        ("Период:", _p(f"с {first:%d.%m.%Y} по {last:%d.%m.%Y}", styles["base"])),
    ]
    table = Table(
        [[_p(label, styles["base"]), value] for label, value in rows],
        colWidths=[30 * mm, WIDTH - 30 * mm],
    )
    table.setStyle(
        Style(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _services(invoice: Invoice, styles: dict) -> Table:
    currency = currency_short(invoice.currency)
    header = ["№", "Наименование работ, услуг", "Кол-во", "Ед.", f"Цена, {currency}",
              f"Сумма, {currency}"]  # fmt: skip
    data = [[_p(text, styles["bold"]) for text in header]]
    for line in document_lines(invoice):
        data.append(  # noqa: PERF401  one table row per line, read as such
            [
                str(line.number),
                _p(line.description, styles["base"]),
                ru_number(line.quantity, 2),
                line.unit,
                ru_rate(line.price),
                ru_number(line.amount, 2),
            ]
        )
    table = Table(
        data,
        colWidths=[9 * mm, WIDTH - 111 * mm, 26 * mm, 12 * mm, 28 * mm, 36 * mm],
        repeatRows=1,
    )
    table.setStyle(
        Style(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("GRID", (0, 0), (-1, -1), 0.5, INK),
                ("BOX", (0, 0), (-1, -1), 1.0, INK),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ("ALIGN", (3, 1), (3, -1), "CENTER"),
                ("ALIGN", (4, 1), (5, -1), "RIGHT"),
            ]
        )
    )
    return table


def _totals(invoice: Invoice) -> Table:
    net, vat, total = document_totals(invoice)
    rows = [
        ["Итого:", ru_number(invoice.subtotal, 2)],
        [f"{vat_caption(invoice)}:", ru_number(vat, 2) if invoice.vat_rate else "—"],
        ["Всего (с учётом НДС):", ru_number(total, 2)],
    ]
    if invoice.vat_included:
        rows.insert(2, ["Сумма без НДС:", ru_number(net, 2)])
    table = Table(rows, colWidths=[WIDTH - 36 * mm, 36 * mm])
    table.setStyle(
        Style(
            [
                ("FONT", (0, 0), (-1, -1), FONT_BOLD, 9.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _signatures(invoice: Invoice, styles: dict) -> Table:
    seller, buyer = seller_of(invoice), buyer_of(invoice)
    line = "_" * 22
    small = styles["small"]
    data = [
        [_p("ИСПОЛНИТЕЛЬ", styles["bold"]), "", _p("ЗАКАЗЧИК", styles["bold"]), ""],
        [_p(seller.get("name", ""), styles["base"]), "", _p(buyer.get("name", ""), styles["base"]),
         ""],
        [_p("Генеральный директор", styles["base"]), "", _p("Руководитель", styles["base"]), ""],
        [line, _p(seller.get("director", ""), styles["base"]), line, _p("", styles["base"])],
        [_p("подпись", small), _p("расшифровка", small), _p("подпись", small),
         _p("расшифровка", small)],
        [_p("М. П.", small), "", _p("М. П.", small), ""],
    ]  # fmt: skip
    half = WIDTH / 2
    table = Table(data, colWidths=[half * 0.5, half * 0.5, half * 0.5, half * 0.5])
    table.setStyle(
        Style(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("SPAN", (0, 1), (1, 1)),
                ("SPAN", (2, 1), (3, 1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 4), (-1, 4), 0),
            ]
        )
    )
    return table


def invoice_act_pdf(invoice: Invoice) -> bytes:
    """The act as PDF bytes (deterministic for the same issued invoice)."""
    check_documentable(invoice)
    register_fonts()
    styles = _styles()
    heading = act_heading(invoice)
    lines = document_lines(invoice)
    _, _, total = document_totals(invoice)
    buyer = buyer_of(invoice)
    story = [
        _p(heading, styles["title"]),
        _p("об оказании услуг контакт-центра", styles["base"]),
        _rule(1.5),
        Spacer(1, 4 * mm),
        _parties(invoice, styles),
        Spacer(1, 4 * mm),
        _services(invoice, styles),
        KeepTogether(
            [
                Spacer(1, 2 * mm),
                _totals(invoice),
                Spacer(1, 3 * mm),
                _p(
                    f"Всего оказано услуг {len(lines)}, на сумму {ru_number(total, 2)} "
                    f"{currency_short(invoice.currency)}",
                    styles["base"],
                ),
                _p(amount_in_words(total, invoice.currency), styles["words"]),
                Spacer(1, 3 * mm),
                _p(ACCEPTANCE, styles["base"]),
                Spacer(1, 2 * mm),
                _rule(1.5),
                Spacer(1, 6 * mm),
                _signatures(invoice, styles),
            ]
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=heading,
        author=seller_of(invoice).get("name", ""),
        subject=buyer.get("name", ""),
        creator="contactcenter billing",
        invariant=True,
        initialFontName=FONT,
    )
    decorate = _page_decoration(invoice, f"{heading} · {buyer.get('name', '')}")
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
