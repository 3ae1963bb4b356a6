"""The call-by-call detail of an invoice as CSV, streamed: memory stays flat at any size.

Every billed call with its billable and billed seconds, band, rate and amount; then a
trailer: the calls' totals (which equal the invoice's usage lines), each monthly-minimum
top-up line, and the invoice's subtotal, VAT and total, so the file ends on the total.
Same conventions as the invoice CSV: UTF-8 without BOM, comma separated, '.' decimals,
instants in UTC ISO 8601 with 'Z', ``local_date`` in the project's time zone;
``inside_client_hours`` is ``yes`` for a reserve line's call offered inside the client's own
business hours (``Call.inside_client_hours``), and a trailer row counts them when any.
"""

import functools
import io
from decimal import Decimal

from billing.exports.common import aware_iso, invoice_with_lines, project_codes
from billing.exports.detail_copy import copy_stream, line_cells
from billing.selectors import Verdict, detail_rows, invoice_detail_plan
from contactcenter.csv_safety import EXCEL_BOM, dialect_csv_writer
from contactcenter.money import money

HEADER = [
    "project",
    "external_id",
    "offered_at",
    "answered_at",
    "local_date",
    "billable_seconds",
    "billed_seconds",
    "band",
    "rate_per_minute",
    # Reserve lines: "yes" for a call offered inside the client's own hours. Before the
    # amount, so the amount stays the last column and the file ends on the total.
    "inside_client_hours",
    "amount",
]
# About 64 KiB per chunk: few enough writes to the socket, and nothing piles up.
CHUNK_CHARACTERS = 64 * 1024


def _trailer_row(label, *, amount, calls="", billable="", billed=""):
    row = [""] * len(HEADER)
    row[0] = label
    row[1] = calls
    row[HEADER.index("billable_seconds")] = billable
    row[HEADER.index("billed_seconds")] = billed
    row[HEADER.index("amount")] = "" if amount is None else money(amount)
    return row


def invoice_detail_chunks(invoice, *, rows=None, dialect=None):
    """The CSV as an iterator of UTF-8 chunks of about 64 KiB.

    By default the rows leave PostgreSQL by ``COPY ... TO STDOUT``
    (``billing.exports.detail_copy``), and the Python writer below is used only when a call's
    id holds a line break; tests may pass ``rows``, any iterable of the dicts
    ``billing.selectors.invoice_call_details`` yields, to go through the Python writer. The
    verdict is read before this returns, so a refusal (calls that no longer rate to the
    stored lines) is raised here, while an HTTP answer can still say so, not in the middle
    of a download.
    """
    invoice = invoice_with_lines(invoice)
    if rows is None:
        cells = functools.partial(line_cells, dialect=dialect)
        plan = invoice_detail_plan(invoice, line_cells=cells)
        if plan.ctes is None:
            return _chunks(invoice, iter(()), dialect)
        stream = copy_stream(plan, dialect=dialect)
        verdict = next(stream)  # the statement runs up to its first row: a refusal is raised
        if not isinstance(verdict, Verdict):  # the stream's first item is its verdict
            raise TypeError("the detail's COPY stream did not start with its verdict")
        if not verdict.awkward:
            return _copy_chunks(invoice, plan, verdict, stream, dialect)
        stream.close()
        rows = detail_rows(plan)
    return _chunks(invoice, iter(rows), dialect)


def _start(dialect):
    buffer = io.StringIO(newline="")
    if dialect == "excel":
        buffer.write(EXCEL_BOM)
    writer = dialect_csv_writer(buffer, dialect)
    writer.writerow(HEADER)
    return buffer, writer


def _copy_chunks(invoice, plan, verdict, stream, dialect):
    buffer, _writer = _start(dialect)
    yield buffer.getvalue().encode("utf-8")
    yield from stream
    buffer = io.StringIO(newline="")
    dialect_csv_writer(buffer, dialect).writerows(
        _trailer(
            invoice,
            calls=verdict.calls,
            inside=verdict.inside_client_hours,
            billable=verdict.billable_seconds,
            billed=verdict.billed_seconds,
            amount=sum((line.amount for line in plan.lines.values()), Decimal("0.00")),
        )
    )
    yield buffer.getvalue().encode("utf-8")


def _chunks(invoice, rows, dialect=None):
    buffer, writer = _start(dialect)
    writerow = writer.writerow
    calls = billable_total = billed_total = inside = 0
    amount_total = Decimal("0.00")
    for row in rows:
        billable = row["billable_seconds"]
        billed = row["billed_seconds"]
        amount = row["amount"]
        writerow(
            (
                row["project"],
                row["external_id"],
                aware_iso(row["offered_at"]),
                aware_iso(row["answered_at"]),
                row["local_date"].isoformat(),
                billable,
                billed,
                row["band"] or "",
                row["rate_per_minute"],
                "yes" if row.get("inside_client_hours") else "no",
                amount,
            )
        )
        calls += 1
        inside += bool(row.get("inside_client_hours"))
        billable_total += billable
        billed_total += billed
        amount_total += amount
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(
        _trailer(
            invoice,
            calls=calls,
            inside=inside,
            billable=billable_total,
            billed=billed_total,
            amount=amount_total,
        )
    )
    yield buffer.getvalue().encode("utf-8")


def _trailer(invoice, *, calls, inside, billable, billed, amount):
    """The rows after the calls: their totals (equal to the usage lines), the calls inside
    the client's hours, each minimum top-up, then subtotal, VAT and total."""
    trailer = [
        _trailer_row("calls total", calls=calls, billable=billable, billed=billed, amount=amount)
    ]
    if inside:
        # Reserve lines: their calls offered inside the client's own hours, counted apart.
        trailer.append(_trailer_row("inside client hours", calls=inside, amount=None))
    codes = project_codes(invoice)
    trailer.extend(
        _trailer_row(f"minimum top-up {codes[line.project_id]}", amount=line.amount)
        for line in invoice.lines.all()
        if line.kind == line.Kind.MINIMUM_TOPUP
    )
    trailer.extend(
        _trailer_row(f"sla credit {codes[line.project_id]}", amount=line.amount)
        for line in invoice.lines.all()
        if line.kind == line.Kind.SLA_CREDIT
    )
    rate = f"{invoice.vat_rate.normalize():f}"
    vat_label = f"vat {rate} included" if invoice.vat_included else f"vat {rate} on top"
    trailer += [
        _trailer_row("subtotal", amount=invoice.subtotal),
        _trailer_row(vat_label, amount=invoice.vat),
        _trailer_row("total", amount=invoice.total),
    ]
    return trailer


def invoice_detail_csv(invoice, *, rows=None):
    """The whole detail as bytes: for tests and small invoices only (it is all in memory)."""
    return b"".join(invoice_detail_chunks(invoice, rows=rows))
