"""The invoice as an Excel workbook, and the registry sheet of a month's invoices.

XlsxWriter: pure Python, writes only (which is all we need), and about 3x faster than
openpyxl at it; ``in_memory`` keeps it off the disk for these small sheets. Amounts and
quantities are numbers with number formats, not text, so accountants can sum them; an
amount read back is exactly the stored one (any 2-decimal amount below 10^13 survives a
double). Every text cell is written with ``write_string`` (``write`` would take a text
starting with ``=`` for a formula), and ``strings_to_formulas`` is off as a second guard.
"""

import io

import xlsxwriter

from billing.exports.common import (
    KIND_NAMES_RU,
    STATUS_NAMES_RU,
    band_label,
    band_names,
    buyer,
    currency_short,
    file_stem,
    invoice_heading,
    invoice_with_lines,
    line_quantity,
    net_amount,
    printed_description,
    project_codes,
    quantity_minutes,
    seller,
    vat_caption,
)
from billing.exports.words import amount_in_words
from contactcenter.money import money
from contactcenter.periods import month_label, month_ru

MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.0000"
RATE_FORMAT = "#,##0.00##"

LINE_COLUMNS = [
    # header, width
    ("№", 5),
    ("Наименование услуги", 48),
    ("Проект", 16),
    ("Тип", 20),
    ("Период услуг", 12),
    ("Звонков", 10),
    ("Секунд", 12),
    ("Кол-во", 13),
    ("Ед.", 6),
    ("Цена", 12),
    ("Сумма", 15),
]


def _workbook(buffer):
    return xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )


def _party_text(party):
    parts = [party.name]
    if party.inn:
        parts.append(f"ИНН {party.inn}")
    if party.kpp:
        parts.append(f"КПП {party.kpp}")
    if party.address:
        parts.append(party.address)
    return ", ".join(parts)


def invoice_xlsx(invoice):  # noqa: PLR0915  the sheet written cell by cell, top to bottom
    """The workbook as bytes: one sheet, the invoice laid out as on paper."""
    invoice = invoice_with_lines(invoice)
    codes = project_codes(invoice)
    buffer = io.BytesIO()
    book = _workbook(buffer)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    label = book.add_format({"bold": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format(
        {"bold": True, "border": 1, "bg_color": "#E8ECF1", "text_wrap": True, "valign": "vcenter"}
    )
    cell = book.add_format({"border": 1, "valign": "top"})
    cell_wrap = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    cell_int = book.add_format({"border": 1, "num_format": "#,##0", "valign": "top"})
    cell_qty = book.add_format({"border": 1, "num_format": QUANTITY_FORMAT, "valign": "top"})
    cell_rate = book.add_format({"border": 1, "num_format": RATE_FORMAT, "valign": "top"})
    cell_money = book.add_format({"border": 1, "num_format": MONEY_FORMAT, "valign": "top"})
    total_label = book.add_format({"bold": True, "align": "right"})
    total_money = book.add_format({"bold": True, "num_format": MONEY_FORMAT})

    sheet = book.add_worksheet("Счёт")
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    for index, (_, width) in enumerate(LINE_COLUMNS):
        sheet.set_column(index, index, width)

    sheet.write_string(0, 0, invoice_heading(invoice), title)
    info = [
        ("Поставщик:", _party_text(seller(invoice))),
        ("Покупатель:", _party_text(buyer(invoice))),
        ("Период:", month_ru(invoice.period)),
        ("Статус:", STATUS_NAMES_RU.get(invoice.status, invoice.status)),
        ("Валюта:", invoice.currency),
    ]
    row = 2
    for caption, text in info:
        sheet.write_string(row, 0, caption, label)
        # Merged, then written as a string: a client's name is never read as a formula.
        sheet.merge_range(row, 1, row, len(LINE_COLUMNS) - 1, "", wrap)
        sheet.write_string(row, 1, text, wrap)
        row += 1

    row += 1
    table_top = row
    for column, (header, _) in enumerate(LINE_COLUMNS):
        sheet.write_string(row, column, header, head)
    sheet.set_row(row, 30)
    row += 1
    lines = list(invoice.lines.all())
    names = band_names(invoice)
    for number, line in enumerate(lines, start=1):
        sheet.write_number(row, 0, number, cell)
        quantity, unit, price = line_quantity(line)
        sheet.write_string(row, 1, printed_description(line, names), cell_wrap)
        sheet.write_string(row, 2, codes[line.project_id], cell)
        kind = KIND_NAMES_RU.get(line.kind, line.kind)
        band = band_label(line, names)
        sheet.write_string(row, 3, f"{kind}, {band}" if band else kind, cell_wrap)
        sheet.write_string(row, 4, month_label(line.service_period), cell)
        sheet.write_number(row, 5, line.calls, cell_int)
        sheet.write_number(row, 6, line.billed_seconds, cell_int)
        if unit == "мин":
            quantity = quantity_minutes(line.billed_seconds)
        sheet.write_number(row, 7, float(quantity), cell_qty)
        sheet.write_string(row, 8, unit, cell)
        sheet.write_number(row, 9, float(price), cell_rate)
        sheet.write_number(row, 10, float(money(line.amount)), cell_money)
        row += 1
    if lines:
        sheet.autofilter(table_top, 0, row - 1, len(LINE_COLUMNS) - 1)

    row += 1
    money_column = len(LINE_COLUMNS) - 1
    vat_text = vat_caption(invoice)
    totals = [("Итого:", invoice.subtotal), (f"{vat_text}:", invoice.vat)]
    totals.append(("Всего к оплате:", invoice.total))
    for caption, amount in totals:
        sheet.merge_range(row, 0, row, money_column - 1, "", total_label)
        sheet.write_string(row, 0, caption, total_label)
        if invoice.vat_rate or caption != f"{vat_text}:":
            sheet.write_number(row, money_column, float(money(amount)), total_money)
        else:
            sheet.write_string(row, money_column, "-", total_label)
        row += 1
    row += 1
    sheet.write_string(
        row,
        0,
        f"Всего наименований {len(lines)}, на сумму "
        f"{money(invoice.total)} {currency_short(invoice.currency)}",
    )
    sheet.write_string(row + 1, 0, amount_in_words(invoice.total, invoice.currency), bold)
    book.close()
    return buffer.getvalue()


REGISTRY_COLUMNS = [
    ("Номер", 18),
    ("Клиент", 18),
    ("Наименование", 40),
    ("ИНН", 14),
    ("Период", 10),
    ("Статус", 13),
    ("Валюта", 8),
    ("Без НДС", 16),
    ("НДС", 14),
    ("Всего", 16),
    ("Файл", 28),
]


def registry_xlsx(invoices, *, period, built_at):
    """The month's register of invoices: number, client, INN, period, amounts, status.

    A totals row per currency sums every invoice except void ones (a void invoice keeps its
    number, so it stays listed, but is owed by nobody).
    """
    buffer = io.BytesIO()
    book = _workbook(buffer)
    title = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format(
        {"bold": True, "border": 1, "bg_color": "#E8ECF1", "text_wrap": True, "valign": "vcenter"}
    )
    cell = book.add_format({"border": 1})
    cell_money = book.add_format({"border": 1, "num_format": MONEY_FORMAT})
    total_label = book.add_format({"bold": True, "border": 1})
    total_money = book.add_format({"bold": True, "border": 1, "num_format": MONEY_FORMAT})
    sheet = book.add_worksheet("Реестр")
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    for index, (_, width) in enumerate(REGISTRY_COLUMNS):
        sheet.set_column(index, index, width)
    sheet.write_string(0, 0, f"Реестр счетов за {month_ru(period)}", title)
    sheet.write_string(1, 0, f"Сформирован {built_at:%d.%m.%Y %H:%M} UTC")
    row = 3
    for column, (header, _) in enumerate(REGISTRY_COLUMNS):
        sheet.write_string(row, column, header, head)
    sheet.set_row(row, 30)
    top = row
    row += 1
    totals = {}
    for invoice in invoices:
        client = buyer(invoice)
        values = [
            invoice.number or "(черновик)",
            client.code,
            client.name,
            client.inn,
            month_label(invoice.period),
            STATUS_NAMES_RU.get(invoice.status, invoice.status),
            invoice.currency,
        ]
        for column, value in enumerate(values):
            sheet.write_string(row, column, value, cell)
        amounts = (net_amount(invoice), money(invoice.vat), money(invoice.total))
        for column, amount in enumerate(amounts, start=7):
            sheet.write_number(row, column, float(amount), cell_money)
        sheet.write_string(row, 10, f"{file_stem(invoice)}.pdf", cell)
        if invoice.status != invoice.Status.VOID:
            sums = totals.setdefault(invoice.currency, [0, 0, 0])
            for index, amount in enumerate(amounts):
                sums[index] += amount
        row += 1
    if row > top + 1:
        sheet.autofilter(top, 0, row - 1, len(REGISTRY_COLUMNS) - 1)
    for currency, sums in sorted(totals.items()):
        sheet.merge_range(row, 0, row, 5, "Итого (кроме аннулированных)", total_label)
        sheet.write_string(row, 6, currency, total_label)
        for column, amount in enumerate(sums, start=7):
            sheet.write_number(row, column, float(amount), total_money)
        sheet.write_blank(row, 10, None, total_label)
        row += 1
    book.close()
    return buffer.getvalue()
