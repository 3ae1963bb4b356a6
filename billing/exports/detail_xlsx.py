"""The call-by-call detail of an invoice as an Excel workbook, memory flat at any size.

XlsxWriter's ``constant_memory`` mode writes each row to a temporary file as it comes (rows in
order, never revisited), and the workbook itself goes to a temporary file that is then
streamed in 64 KiB pieces: a million calls cost the process no more memory than a thousand.
A sheet holds at most 1,000,000 calls (Excel's limit is 1,048,576 rows); more calls continue
on "Звонки 2", "Звонки 3"... The columns are the detail CSV's (``detail_csv.HEADER``) with
Russian captions; instants are Excel date-times in UTC, amounts numbers with a money format,
ids text (``write_string``: never a formula). The last sheet ends with the totals, which add
up to the invoice.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from decimal import Decimal

import xlsxwriter

from billing.exports.common import invoice_with_lines, project_codes
from billing.models import InvoiceLine
from billing.selectors import detail_rows, invoice_detail_plan

ROWS_PER_SHEET = 1_000_000
CHUNK_BYTES = 64 * 1024
COLUMNS = [
    # caption, width
    ("Проект", 16),
    ("ID звонка", 24),
    ("Поступил (UTC)", 20),
    ("Отвечен (UTC)", 20),
    ("Дата (местная)", 12),
    ("Тарифицируемые секунды", 12),
    ("Оплачиваемые секунды", 12),
    ("Зона тарифа", 14),
    ("Цена за минуту", 12),
    ("В часы клиента", 10),
    ("Сумма", 14),
]


def invoice_detail_xlsx_chunks(invoice) -> Iterator[bytes]:
    """The workbook in 64 KiB pieces. The plan is checked before this returns (a 409 can
    still be answered), the rows are read and written as the pieces are asked for."""
    invoice = invoice_with_lines(invoice)
    plan = invoice_detail_plan(invoice)
    return _chunks(invoice, detail_rows(plan))


def _chunks(invoice, rows) -> Iterator[bytes]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as output:
        _write(invoice, rows, output.name)
        output.seek(0)
        while chunk := output.read(CHUNK_BYTES):
            yield chunk


def _write(invoice, rows, path: str) -> None:  # noqa: PLR0915  a sheet written row by row
    book = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "default_date_format": "yyyy-mm-dd hh:mm:ss",
            "remove_timezone": True,
        },
    )
    head = book.add_format({"bold": True, "bg_color": "#E8ECF1", "text_wrap": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    rate_format = book.add_format({"num_format": "#,##0.00##"})
    money_format = book.add_format({"num_format": "#,##0.00"})
    bold = book.add_format({"bold": True})
    bold_money = book.add_format({"bold": True, "num_format": "#,##0.00"})

    def new_sheet(number: int):
        sheet = book.add_worksheet("Звонки" if number == 1 else f"Звонки {number}")
        for index, (caption, width) in enumerate(COLUMNS):
            sheet.set_column(index, index, width)
            sheet.write_string(0, index, caption, head)
        sheet.freeze_panes(1, 0)
        return sheet

    sheets = 1
    sheet = new_sheet(sheets)
    row_no = 0
    calls = billable_total = billed_total = 0
    amount_total = Decimal("0.00")
    for row in rows:
        if row_no == ROWS_PER_SHEET:
            sheets += 1
            sheet = new_sheet(sheets)
            row_no = 0
        row_no += 1
        sheet.write_string(row_no, 0, row["project"])
        sheet.write_string(row_no, 1, row["external_id"])
        sheet.write_datetime(row_no, 2, row["offered_at"])
        sheet.write_datetime(row_no, 3, row["answered_at"])
        sheet.write_datetime(row_no, 4, row["local_date"], day)
        sheet.write_number(row_no, 5, row["billable_seconds"])
        sheet.write_number(row_no, 6, row["billed_seconds"])
        sheet.write_string(row_no, 7, row["band"] or "")
        sheet.write_number(row_no, 8, row["rate_per_minute"], rate_format)
        sheet.write_string(row_no, 9, "да" if row["inside_client_hours"] else "нет")
        sheet.write_number(row_no, 10, row["amount"], money_format)
        calls += 1
        billable_total += row["billable_seconds"]
        billed_total += row["billed_seconds"]
        amount_total += row["amount"]

    row_no += 2
    sheet.write_string(row_no, 0, "Итого звонков", bold)
    sheet.write_number(row_no, 1, calls, bold)
    sheet.write_number(row_no, 5, billable_total, bold)
    sheet.write_number(row_no, 6, billed_total, bold)
    sheet.write_number(row_no, 10, amount_total, bold_money)
    codes = project_codes(invoice)
    captions = {
        InvoiceLine.Kind.MINIMUM_TOPUP: "Доплата до минимума",
        InvoiceLine.Kind.SLA_CREDIT: "Скидка по SLA",
    }
    for line in invoice.lines.all():
        if line.kind in captions:
            row_no += 1
            sheet.write_string(row_no, 0, f"{captions[line.kind]} {codes[line.project_id]}")
            sheet.write_number(row_no, 10, line.amount, money_format)
    rate = f"{invoice.vat_rate.normalize():f}"
    vat = f"НДС {rate}% (включён)" if invoice.vat_included else f"НДС {rate}% (сверху)"
    for caption, amount in (
        ("Итого", invoice.subtotal),
        (vat, invoice.vat),
        ("Всего к оплате", invoice.total),
    ):
        row_no += 1
        sheet.write_string(row_no, 0, caption, bold)
        sheet.write_number(row_no, 10, amount, bold_money)
    book.close()
