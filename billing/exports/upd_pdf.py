"""The УПД's printed form, PDF, landscape A4, in the standard layout: the status box (1 or
2) beside the счёт-фактура header lines (1)-(8), the goods/services table with columns А and
1-11, the totals row, and the transfer/acceptance signatures of both sides."""

import io
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.exports.closing import (
    buyer_of,
    check_documentable,
    contract_basis,
    document_lines,
    document_totals,
    period_bounds,
    seller_of,
)
from billing.exports.common import invoice_date, ru_number, ru_rate
from billing.exports.pdf import FONT, FONT_BOLD, GREY, INK, register_fonts
from billing.exports.upd import CURRENCIES, UNITS, tax_rate_label, upd_function
from billing.models import Invoice

PAGE = landscape(A4)
MARGIN = 10 * mm
WIDTH = PAGE[0] - 2 * MARGIN - 12
COLUMNS = [
    # (header, number, width in mm)
    ("Код товара/ работ, услуг", "А", 14),
    ("№ п/п", "1", 8),
    ("Наименование товара (описание выполненных работ, оказанных услуг), имущественного "
     "права", "1а", 62),
    ("Код вида товара", "1б", 12),
    ("Единица измерения: код", "2", 11),
    ("условное обозначение (национальное)", "2а", 15),
    ("Количество (объем)", "3", 17),
    ("Цена (тариф) за единицу измерения", "4", 18),
    ("Стоимость товаров (работ, услуг), имущественных прав без налога — всего", "5", 22),
    ("В том числе сумма акциза", "6", 13),
    ("Налоговая ставка", "7", 13),
    ("Сумма налога, предъявляемая покупателю", "8", 20),
    ("Стоимость товаров (работ, услуг), имущественных прав с налогом — всего", "9", 22),
    ("Страна происхождения товара: цифровой код", "10", 12),
    ("краткое наименование", "10а", 13),
    ("Регистрационный номер декларации на товары или партии товара", "11", 15),
]  # fmt: skip


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("u", fontName=FONT, fontSize=7, leading=8.5, textColor=INK)
    return {
        "base": base,
        "tiny": ParagraphStyle("t", parent=base, fontSize=5.5, leading=6.5),
        "bold": ParagraphStyle("b", parent=base, fontName=FONT_BOLD),
        "title": ParagraphStyle("h", parent=base, fontName=FONT_BOLD, fontSize=10, leading=12),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, style)


def _header(invoice: Invoice, styles: dict) -> Table:
    seller, buyer = seller_of(invoice), buyer_of(invoice)
    date = f"{invoice_date(invoice):%d.%m.%Y}"
    status = "1" if upd_function(invoice) == "СЧФДОП" else "2"
    currency = CURRENCIES.get(invoice.currency, ("", invoice.currency))
    rows = [
        (f"Счет-фактура № {invoice.number} от {date}", "(1)", styles["title"]),
        ("Исправление № — от —", "(1а)", styles["base"]),
        (f"Продавец: {seller.get('name', '')}", "(2)", styles["base"]),
        (f"Адрес: {seller.get('address', '')}", "(2а)", styles["base"]),
        (f"ИНН/КПП продавца: {seller.get('inn', '')}/{seller.get('kpp', '')}", "(2б)",
         styles["base"]),
        ("Грузоотправитель и его адрес: —", "(3)", styles["base"]),
        ("Грузополучатель и его адрес: —", "(4)", styles["base"]),
        ("К платежно-расчетному документу № — от —", "(5)", styles["base"]),
        (f"Документ об отгрузке: № п/п 1–{len(document_lines(invoice))} № {invoice.number} "
         f"от {date}", "(5а)", styles["base"]),
        (f"Покупатель: {buyer.get('name', '')}", "(6)", styles["base"]),
        (f"Адрес: {buyer.get('address', '')}", "(6а)", styles["base"]),
        (f"ИНН/КПП покупателя: {buyer.get('inn', '')}/{buyer.get('kpp', '')}", "(6б)",
         styles["base"]),
        (f"Валюта: наименование, код: {currency[1]}, {currency[0]}", "(7)", styles["base"]),
        ("Идентификатор государственного контракта, договора (соглашения) (при наличии): —",
         "(8)", styles["base"]),
    ]  # fmt: skip
    right = Table(
        [[_p(text, style), _p(code, styles["tiny"])] for text, code, style in rows],
        colWidths=[WIDTH - 60 * mm - 12 * mm, 12 * mm],
    )
    right.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 7),
                               ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))  # fmt: skip
    left = [
        _p("Универсальный передаточный документ", styles["title"]),
        Spacer(1, 3 * mm),
        _p(f"Статус: {status}", styles["bold"]),
        Spacer(1, 2 * mm),
        _p("1 — счет-фактура и передаточный документ (акт)", styles["tiny"]),
        _p("2 — передаточный документ (акт)", styles["tiny"]),
    ]
    table = Table([[left, right]], colWidths=[60 * mm, WIDTH - 60 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEAFTER", (0, 0), (0, 0), 1.2, INK),
            ]
        )
    )
    return table


def _goods(invoice: Invoice, styles: dict) -> Table:
    rate = tax_rate_label(invoice)
    tiny = styles["tiny"]
    data = [[_p(header, tiny) for header, _, _ in COLUMNS], [number for _, number, _ in COLUMNS]]
    for line in document_lines(invoice):
        code, unit = UNITS[line.unit]
        vat = ru_number(line.vat, 2) if invoice.vat_rate else "без НДС"
        data.append(
            ["—", str(line.number), _p(line.description, styles["base"]), "—", code, unit,
             ru_number(line.quantity, 2), ru_rate(line.price_net), ru_number(line.net, 2),
             _p("без акциза", tiny), rate, vat, ru_number(line.gross, 2), "—", "—", "—"]
        )  # fmt: skip
    net, vat, total = document_totals(invoice)
    data.append(
        ["", "", _p("Всего к оплате (9)", styles["bold"]), "", "", "", "", "",
         ru_number(net, 2), "X", "", ru_number(vat, 2) if invoice.vat_rate else "без НДС",
         ru_number(total, 2), "", "", ""]
    )  # fmt: skip
    widths = [width * mm for _, _, width in COLUMNS]
    scale = WIDTH / sum(widths)
    table = Table(data, colWidths=[width * scale for width in widths], repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7),
                ("FONT", (0, -1), (-1, -1), FONT_BOLD, 7),
                ("GRID", (0, 0), (-1, -1), 0.4, INK),
                ("BOX", (0, 0), (-1, -1), 1.0, INK),
                ("SPAN", (0, -1), (1, -1)),
                ("ALIGN", (0, 1), (-1, 1), "CENTER"),
                ("ALIGN", (6, 2), (12, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _signatures(invoice: Invoice, styles: dict) -> Table:
    seller, buyer = seller_of(invoice), buyer_of(invoice)
    name, number, signed = contract_basis(invoice, buyer)
    first, last = period_bounds(invoice.period)
    date = f"{invoice_date(invoice):%d.%m.%Y}"
    sign = "_" * 16
    base, tiny = styles["base"], styles["tiny"]
    rows = [
        [_p("Руководитель организации или иное уполномоченное лицо", base), sign,
         _p(seller.get("director", ""), base),
         _p("Главный бухгалтер или иное уполномоченное лицо", base), sign,
         _p(seller.get("chief_accountant", ""), base)],
        [_p(f"Основание передачи (сдачи) / получения (приемки): {name} № {number} от "
            f"{signed:%d.%m.%Y}", base), "", "", "", "", _p("[8]", tiny)],
        [_p(f"Услуги оказаны за период с {first:%d.%m.%Y} по {last:%d.%m.%Y}", base),
         "", "", "", "", _p("[9]", tiny)],
        [_p("Товар (груз) передал / услуги, результаты работ, права сдал [10]", base), "",
         "", _p("Товар (груз) получил / услуги, результаты работ, права принял [15]", base),
         "", ""],
        [_p(f"Генеральный директор {seller.get('director', '')}", base), sign, "",
         _p(f"Представитель {buyer.get('name', '')}", base), sign, ""],
        [_p(f"Дата отгрузки, передачи (сдачи) [11]: {date}", base), "", "",
         _p("Дата получения (приемки) [16]: «___» __________ 20__ г.", base), "", ""],
        [_p(f"Наименование экономического субъекта – составителя документа [14]: "
            f"{seller.get('name', '')}, ИНН/КПП {seller.get('inn', '')}/"
            f"{seller.get('kpp', '')}", base), "", "",
         _p(f"Наименование экономического субъекта – составителя документа [19]: "
            f"{buyer.get('name', '')}, ИНН/КПП {buyer.get('inn', '')}/"
            f"{buyer.get('kpp', '')}", base), "", ""],
        [_p("М. П.", tiny), "", "", _p("М. П.", tiny), "", ""],
    ]  # fmt: skip
    half = WIDTH / 2
    table = Table(rows, colWidths=[half * 0.45, half * 0.25, half * 0.3] * 2)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("SPAN", (0, 1), (4, 1)),
                ("SPAN", (0, 2), (4, 2)),
                ("SPAN", (0, 6), (2, 6)),
                ("SPAN", (3, 6), (5, 6)),
                ("LINEBELOW", (0, 0), (-1, 0), 1.0, INK),
                ("LINEBELOW", (0, 2), (-1, 2), 0.5, INK),
                ("LINEAFTER", (2, 3), (2, -1), 1.0, INK),
            ]
        )
    )
    return table


def invoice_upd_pdf(invoice: Invoice) -> bytes:
    """The printed УПД as PDF bytes (deterministic for the same issued invoice)."""
    check_documentable(invoice)
    register_fonts()
    styles = _styles()
    title = f"УПД № {invoice.number} от {invoice_date(invoice):%d.%m.%Y}"
    story = [
        _header(invoice, styles),
        Spacer(1, 3 * mm),
        _goods(invoice, styles),
        Spacer(1, 4 * mm),
        _signatures(invoice, styles),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=seller_of(invoice).get("name", ""),
        subject=buyer_of(invoice).get("name", ""),
        creator="contactcenter billing",
        invariant=True,
        initialFontName=FONT,
    )
    footer = f"{title} · {buyer_of(invoice).get('name', '')}"

    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 6.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN + 6, 5 * mm, footer)
        canvas.drawRightString(PAGE[0] - MARGIN - 6, 5 * mm, f"стр. {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
