"""The invoice as CSV: one row per line, then subtotal, VAT and total rows.

RFC 4180, UTF-8 without BOM, comma separated, '.' decimals: made for machines (the XLSX is
the file for people). Quantities have 4 places; amounts are the stored ones, to the kopeck.
"""

import io

from billing.exports.common import (
    buyer,
    invoice_with_lines,
    project_codes,
    quantity_minutes,
)
from contactcenter.csv_safety import EXCEL_BOM, dialect_csv_writer
from contactcenter.money import money
from contactcenter.periods import month_label

HEADER = [
    "invoice",
    "client",
    "period",
    "status",
    "position",
    "project",
    "kind",
    "band",
    "service_period",
    "description",
    "calls",
    "billed_seconds",
    "quantity_minutes",
    "rate_per_minute",
    "amount",
    "currency",
]


def invoice_csv_rows(invoice):
    """The rows of the CSV, header first: text as ``str``, numbers as ``int``/``Decimal``
    (so the writer neutralizes text cells only, docs/exports.md "Safe CSV")."""
    invoice = invoice_with_lines(invoice)
    codes = project_codes(invoice)
    head = [invoice.number or "", buyer(invoice).code, month_label(invoice.period), invoice.status]
    yield HEADER
    for line in invoice.lines.all():
        yield [
            *head,
            line.position,
            codes[line.project_id],
            line.kind,
            line.band,
            month_label(line.service_period),
            line.description,
            line.calls,
            line.billed_seconds,
            quantity_minutes(line.billed_seconds),
            line.rate_per_minute,
            money(line.amount),
            invoice.currency,
        ]
    vat_label = f"vat {invoice.vat_rate.normalize():f} " + (
        "included" if invoice.vat_included else "on top"
    )
    summary = [("subtotal", invoice.subtotal), (vat_label, invoice.vat), ("total", invoice.total)]
    for label, amount in summary:
        row = [*head] + [""] * (len(HEADER) - len(head))
        row[HEADER.index("description")] = label
        row[HEADER.index("amount")] = money(amount)
        row[HEADER.index("currency")] = invoice.currency
        yield row


def invoice_csv(invoice, *, dialect=None):
    """The CSV file as bytes (small: one row per line); ``dialect="excel"`` for a Russian
    Excel (BOM, ';', decimal comma)."""
    buffer = io.StringIO(newline="")
    if dialect == "excel":
        buffer.write(EXCEL_BOM)
    dialect_csv_writer(buffer, dialect).writerows(invoice_csv_rows(invoice))
    return buffer.getvalue().encode("utf-8")
