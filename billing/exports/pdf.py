"""The invoice as a PDF in the Russian 'счёт на оплату' layout.

Bank details of the payee on top, the title with number and date, seller and buyer, the
lines (quantity in minutes, unit 'мин', rate, amount), subtotal, VAT as Russian invoices
word it ('в т.ч. НДС' or 'НДС'), total, the total in words, and the signature lines.

ReportLab: pure Python wheels, no system libraries, about 20 ms an invoice once its fonts
are loaded (fpdf2 took ~230 ms for the same page, re-subsetting the font every time).
Cyrillic comes from DejaVu Sans shipped in ``billing/fonts`` and embedded (subset) in every
file, so neither the server nor the reader needs the font installed.
"""

import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from billing.exports.common import (
    band_names,
    buyer,
    currency_short,
    invoice_basis,
    invoice_heading,
    invoice_with_lines,
    line_quantity,
    printed_description,
    ru_number,
    ru_rate,
    seller,
    vat_caption,
)
from billing.exports.qr import QrFlowable, payment_payload
from billing.exports.words import amount_in_words
from billing.models import Invoice
from contactcenter.periods import month_ru

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_fonts_lock = threading.Lock()

INK = colors.HexColor("#1F2933")
GREY = colors.HexColor("#7B8794")
HEADER_FILL = colors.HexColor("#E8ECF1")
QR_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID)
WATERMARKS = {Invoice.Status.DRAFT: "ЧЕРНОВИК", Invoice.Status.VOID: "АННУЛИРОВАН"}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
# The frame pads its content by 6 pt on each side; tables span exactly what is left.
WIDTH = PAGE_WIDTH - 2 * MARGIN - 12


def register_fonts():
    """Load the embedded fonts once per process (parsing a TTF is most of a first export)."""
    with _fonts_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11.5, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9, textColor=GREY),
        "bold": ParagraphStyle("bold", parent=base, fontName=FONT_BOLD),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "words": ParagraphStyle("words", parent=base, fontName=FONT_BOLD, fontSize=9.5),
    }


def _p(text, style):
    return Paragraph(escape(text), style)


def _bank_block(company, styles):
    """The payee's bank details box every Russian invoice starts with."""
    small = styles["small"]
    base = styles["base"]
    data = [
        [_p(company.bank, base), "", _p("БИК", base), _p(company.bik, base)],
        [
            _p("Банк получателя", small),
            "",
            _p("Сч. №", base),
            _p(company.correspondent_account, base),
        ],
        [
            _p(f"ИНН {company.inn}", base),
            _p(f"КПП {company.kpp}", base),
            _p("Сч. №", base),
            _p(company.account, base),
        ],
        [_p(company.name, base), "", "", ""],
        [_p("Получатель", small), "", "", ""],
    ]
    table = Table(data, colWidths=[52 * mm, 50 * mm, 16 * mm, WIDTH - 118 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("SPAN", (0, 0), (1, 0)),
                ("SPAN", (0, 1), (1, 1)),
                ("SPAN", (0, 3), (1, 3)),
                ("SPAN", (0, 4), (1, 4)),
                ("SPAN", (2, 2), (2, 4)),
                ("SPAN", (3, 2), (3, 4)),
                ("BOX", (0, 0), (-1, -1), 0.6, INK),
                ("LINEBEFORE", (2, 0), (2, -1), 0.6, INK),
                ("LINEBEFORE", (3, 0), (3, -1), 0.6, INK),
                ("LINEBELOW", (2, 0), (3, 0), 0.6, INK),
                ("LINEABOVE", (0, 2), (-1, 2), 0.6, INK),
                ("LINEBEFORE", (1, 2), (1, 2), 0.6, INK),
                ("LINEABOVE", (0, 3), (1, 3), 0.6, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _party(party, styles):
    parts = [f"<b>{escape(party.name)}</b>"]
    if party.inn:
        parts.append(f"ИНН {escape(party.inn)}")
    if party.kpp:
        parts.append(f"КПП {escape(party.kpp)}")
    if party.address:
        parts.append(escape(party.address))
    return Paragraph(", ".join(parts), styles["base"])


def _lines_table(invoice, lines, styles):
    currency = currency_short(invoice.currency)
    header = ["№", "Товары (работы, услуги)", "Кол-во", "Ед.", f"Цена, {currency}",
              f"Сумма, {currency}"]  # fmt: skip
    data = [[_p(text, styles["bold"]) for text in header]]
    names = band_names(invoice)
    for number, line in enumerate(lines, start=1):
        quantity, unit, price = line_quantity(line)
        data.append(
            [
                str(number),
                _p(printed_description(line, names), styles["base"]),
                ru_number(quantity, 2),
                unit,
                ru_rate(price),
                ru_number(line.amount, 2),
            ]
        )
    widths = [9 * mm, WIDTH - 111 * mm, 26 * mm, 12 * mm, 28 * mm, 36 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
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


def _totals_table(invoice, styles):
    vat = "—" if not invoice.vat_rate else ru_number(invoice.vat, 2)
    data = [
        ["Итого:", ru_number(invoice.subtotal, 2)],
        [f"{vat_caption(invoice)}:", vat],
        ["Всего к оплате:", ru_number(invoice.total, 2)],
    ]
    table = Table(data, colWidths=[WIDTH - 36 * mm, 36 * mm])
    table.setStyle(
        TableStyle(
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


def _signatures(company, styles):
    line = "_" * 20
    data = [
        ["Руководитель", line, _p(company.director, styles["base"]),
         "Бухгалтер", line, _p(company.accountant, styles["base"])],
        ["", _p("подпись", styles["small"]), _p("расшифровка", styles["small"]),
         "", _p("подпись", styles["small"]), _p("расшифровка", styles["small"])],
    ]  # fmt: skip
    widths = [27 * mm, 34 * mm, 27 * mm, 22 * mm, 34 * mm, WIDTH - 144 * mm]
    table = Table(data, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (0, 0), FONT_BOLD, 9),
                ("FONT", (3, 0), (3, 0), FONT_BOLD, 9),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 1), (-1, 1), 0),
            ]
        )
    )
    return table


def _payment_qr(invoice, company, styles):
    """The ГОСТ Р 56042-2014 payment QR of an issued (or paid) invoice in roubles, with a
    caption; a draft (no number yet) and a void invoice have none."""
    if invoice.status not in QR_STATUSES or invoice.currency != "RUB" or not company.account:
        return []
    size = 34 * mm
    caption = _p(
        "Оплата по QR-коду: отсканируйте его в приложении банка; реквизиты, сумма и "
        "назначение платежа заполнятся сами.",
        styles["small"],
    )
    table = Table([[QrFlowable(payment_payload(invoice, company), size), caption]],
                  colWidths=[size + 4 * mm, WIDTH - size - 4 * mm])  # fmt: skip
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [Spacer(1, 3 * mm), table]


def _rule(thickness):
    rule = Table([[""]], colWidths=[WIDTH], rowHeights=[2])
    rule.setStyle(
        TableStyle(
            [("FONT", (0, 0), (-1, -1), FONT, 9), ("LINEBELOW", (0, 0), (-1, -1), thickness, INK)]
        )
    )
    return rule


def _page_decoration(invoice, footer):
    watermark = WATERMARKS.get(invoice.status)

    def decorate(canvas, doc):
        canvas.saveState()
        if watermark:
            canvas.setFont(FONT_BOLD, 72)
            canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.12))
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, watermark)
            canvas.rotate(-45)
            canvas.translate(-PAGE_WIDTH / 2, -PAGE_HEIGHT / 2)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN + 6, 9 * mm, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN - 6, 9 * mm, f"стр. {doc.page}")
        canvas.restoreState()

    return decorate


def invoice_pdf(invoice):
    """The PDF as bytes (deterministic for the same invoice: no creation timestamp)."""
    register_fonts()
    invoice = invoice_with_lines(invoice)
    styles = _styles()
    company = seller(invoice)
    client = buyer(invoice)
    lines = list(invoice.lines.all())
    heading = invoice_heading(invoice)
    currency = currency_short(invoice.currency)

    story = [
        _bank_block(company, styles),
        Spacer(1, 7 * mm),
        _p(heading, styles["title"]),
        _rule(1.5),
        Spacer(1, 4 * mm),
    ]
    parties = Table(
        [
            [_p("Поставщик (Исполнитель):", styles["base"]), _party(company, styles)],
            [_p("Покупатель (Заказчик):", styles["base"]), _party(client, styles)],
            [
                _p("Основание:", styles["base"]),
                _p(invoice_basis(invoice), styles["base"]),
            ],
        ],
        colWidths=[50 * mm, WIDTH - 50 * mm],
    )
    parties.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [
        parties,
        Spacer(1, 4 * mm),
        _lines_table(invoice, lines, styles),
        # Totals, the amount in words and the signatures never split across pages.
        KeepTogether(
            [
                Spacer(1, 2 * mm),
                _totals_table(invoice, styles),
                Spacer(1, 3 * mm),
                _p(
                    f"Всего наименований {len(lines)}, на сумму "
                    f"{ru_number(invoice.total, 2)} {currency}",
                    styles["base"],
                ),
                _p(amount_in_words(invoice.total, invoice.currency), styles["words"]),
                Spacer(1, 2 * mm),
                _rule(1.5),
                *_payment_qr(invoice, company, styles),
                Spacer(1, 10 * mm),
                _signatures(company, styles),
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
        author=company.name,
        subject=f"{client.name}, {month_ru(invoice.period)}",
        creator="contactcenter billing",
        invariant=True,
        # Else the canvas declares Helvetica, a font the reader would have to supply.
        initialFontName=FONT,
    )
    decorate = _page_decoration(invoice, f"{heading} · {client.name}")
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
