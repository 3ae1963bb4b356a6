"""The invoice as CSV: one row per line, then subtotal, VAT and total rows.

RFC 4180, UTF-8 without BOM, comma separated, '.' decimals: made for machines (the XLSX is
the file for people). Quantities have 4 places; amounts are the stored ones, to the kopeck.
"""

import csv
import io

from billing.exports.common import invoice_with_lines, quantity_minutes
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
    """The rows of the CSV, header first, as lists of strings."""
    invoice = invoice_with_lines(invoice)
    head = [invoice.number or "", invoice.client.code, month_label(invoice.period), invoice.status]
    yield HEADER
    for line in invoice.lines.all():
        yield [
            *head,
            str(line.position),
            line.project.code,
            line.kind,
            line.band,
            month_label(line.service_period),
            line.description,
            str(line.calls),
            str(line.billed_seconds),
            str(quantity_minutes(line.billed_seconds)),
            str(line.rate_per_minute),
            str(money(line.amount)),
            invoice.currency,
        ]
    vat_label = f"vat {invoice.vat_rate.normalize():f} " + (
        "included" if invoice.vat_included else "on top"
    )
    summary = [("subtotal", invoice.subtotal), (vat_label, invoice.vat), ("total", invoice.total)]
    for label, amount in summary:
        row = [*head] + [""] * (len(HEADER) - len(head))
        row[HEADER.index("description")] = label
        row[HEADER.index("amount")] = str(money(amount))
        row[HEADER.index("currency")] = invoice.currency
        yield row


def invoice_csv(invoice):
    """The CSV file as bytes (small: one row per line)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(invoice_csv_rows(invoice))
    return buffer.getvalue().encode("utf-8")
