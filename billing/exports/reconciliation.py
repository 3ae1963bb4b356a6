"""The reconciliation statement (акт сверки) as PDF (ReportLab, the invoice's fonts) and as
an Excel workbook (XlsxWriter)."""

import io
from xml.sax.saxutils import escape

import xlsxwriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.exports.common import ru_number
from billing.exports.pdf import (
    FONT,
    FONT_BOLD,
    HEADER_FILL,
    INK,
    MARGIN,
    WIDTH,
    _styles,
    register_fonts,
)
from billing.reconciliation import Reconciliation
from projects.selectors import client_seller

HEADER = ["Дата", "Документ", "Дебет", "Кредит"]


def title(statement: Reconciliation) -> str:
    return (
        f"Акт сверки взаимных расчётов за период с {statement.start:%d.%m.%Y} "
        f"по {statement.end:%d.%m.%Y}"
    )


def parties(statement: Reconciliation) -> str:
    client = statement.client
    return (
        f"между {client_seller(client).name} и {client.legal_name} (ИНН {client.tax_id}), "
        f"валюта {statement.currency}"
    )


def rows(statement: Reconciliation) -> list[list[str]]:
    """The table as text: opening, entries, turnover, closing (shared by both formats)."""
    body = [["", "Сальдо начальное", ru_number(statement.opening), ""]]
    body += [
        [
            f"{entry.date:%d.%m.%Y}",
            entry.document,
            ru_number(entry.debit) if entry.debit else "",
            ru_number(entry.credit) if entry.credit else "",
        ]
        for entry in statement.entries
    ]
    body.append(["", "Обороты за период", ru_number(statement.debit), ru_number(statement.credit)])
    body.append(["", "Сальдо конечное", ru_number(statement.closing), ""])
    return body


def reconciliation_pdf(statement: Reconciliation) -> bytes:
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title(statement),
    )  # fmt: skip
    data = [HEADER] + [
        [cell if i != 1 else Paragraph(escape(cell), styles["base"]) for i, cell in enumerate(row)]
        for row in rows(statement)
    ]
    table = Table(data, colWidths=[24 * mm, WIDTH - 84 * mm, 30 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.5, INK),
                ("ALIGN", (2, 0), (3, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    closing = statement.closing
    verdict = (
        f"Задолженность {statement.client.legal_name} на {statement.end:%d.%m.%Y}: "
        f"{ru_number(closing)} {statement.currency}."
        if closing >= 0
        else f"Переплата {statement.client.legal_name} на {statement.end:%d.%m.%Y}: "
        f"{ru_number(-closing)} {statement.currency}."
    )
    story = [
        Paragraph(escape(title(statement)), styles["title"]),
        Paragraph(escape(parties(statement)), styles["base"]),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(escape(verdict), styles["bold"]),
    ]
    document.build(story)
    return buffer.getvalue()


def reconciliation_xlsx(statement: Reconciliation) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Акт сверки")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write_string(0, 0, title(statement), bold)
    sheet.write_string(1, 0, parties(statement))
    for column, (name, width) in enumerate(zip(HEADER, (12, 60, 16, 16), strict=True)):
        sheet.write_string(3, column, name, bold)
        sheet.set_column(column, column, width)
    numbers = [["", "Сальдо начальное", statement.opening, None]]
    numbers += [
        [f"{e.date:%d.%m.%Y}", e.document, e.debit or None, e.credit or None]
        for e in statement.entries
    ]
    numbers.append(["", "Обороты за период", statement.debit, statement.credit])
    numbers.append(["", "Сальдо конечное", statement.closing, None])
    for offset, (date, text, debit, credit) in enumerate(numbers, start=4):
        sheet.write_string(offset, 0, date)
        sheet.write_string(offset, 1, text)
        for column, value in ((2, debit), (3, credit)):
            if value is not None:
                sheet.write_number(offset, column, float(str(value)), money)
    workbook.close()
    return buffer.getvalue()
