"""The call-by-call detail as PostgreSQL rates and formats it agrees with the Python
reference, call by call and byte for byte.

Seeded random months (tests/billing/test_invoicing_agreement.py's builder: far and DST
zones, tariffs changing mid-month, bands of every shape): the SQL rows equal
``billing.detail_reference`` (rating each call with ``billing.rating``), and the CSV leaving
PostgreSQL by COPY equals the Python writer's, in both dialects. External ids a spreadsheet
would run as a formula, with commas, quotes, semicolons and microsecond instants; an id with
a line break goes through the Python writer.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from billing.detail_reference import invoice_call_details_python
from billing.exports.detail_csv import invoice_detail_chunks
from billing.invoicing import invoice_generate
from billing.selectors import detail_verdict, invoice_call_details, invoice_detail_plan
from calls.models import Call
from tests.billing.test_invoicing_agreement import PERIODS, build
from tests.factories.billing import clock

pytestmark = pytest.mark.django_db


def _october_answered(client):
    return Call.objects.filter(
        project__client=client,
        answered_at__isnull=False,
        offered_at__gte=dt.datetime(2026, 10, 3, tzinfo=dt.UTC),
        offered_at__lt=dt.datetime(2026, 10, 29, tzinfo=dt.UTC),
    ).order_by("id")


def _detail(invoice, *, dialect=None, python=False):
    rows = invoice_call_details_python(invoice) if python else None
    return b"".join(invoice_detail_chunks(invoice, rows=rows, dialect=dialect))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sql_detail_equals_the_python_reference_call_by_call(seed):
    client = build(seed)
    with clock("2026-12-15T00:00"):
        invoices = [
            invoice
            for period in PERIODS
            for invoice in invoice_generate(period=period, client_code=client.code)
        ]
    compared = 0
    for invoice in invoices:
        by_sql = list(invoice_call_details(invoice=invoice))
        by_python = list(invoice_call_details_python(invoice))
        assert by_sql == by_python
        compared += len(by_sql)
        for dialect in (None, "excel"):
            assert _detail(invoice, dialect=dialect) == _detail(
                invoice, dialect=dialect, python=True
            )
    assert compared > 200


def test_awkward_ids_leave_postgresql_as_the_python_writer_writes_them():
    client = build(5)
    awkward = ["=1+2", "+7901", "-5", "@SUM(A1)", "a,b", 'say "hi"', "semi;colon", "tab\tinside"]
    calls = _october_answered(client)
    for call, external_id in zip(calls, awkward, strict=False):
        call.external_id = external_id
        call.offered_at = call.offered_at.replace(microsecond=123456)
        call.save(update_fields=["external_id", "offered_at"])
    with clock("2026-12-15T00:00"):
        [invoice] = invoice_generate(period=PERIODS[0], client_code=client.code)
    assert detail_verdict(invoice_detail_plan(invoice)).awkward is False  # COPY writes them
    for dialect in (None, "excel"):
        copied = _detail(invoice, dialect=dialect)
        assert copied == _detail(invoice, dialect=dialect, python=True)
    text = _detail(invoice).decode()
    ids = {row[1] for row in csv.reader(io.StringIO(text))}
    assert {"'=1+2", "'@SUM(A1)", "'+7901", "'-5", 'say "hi"', "semi;colon"} <= ids
    assert ".123456Z" in text
    assert text.count("\r\n") == text.count("\n")


def test_an_id_with_a_line_break_goes_through_the_python_writer():
    client = build(6)
    call = _october_answered(client).first()
    call.external_id = "two\nlines"
    call.save(update_fields=["external_id"])
    with clock("2026-12-15T00:00"):
        [invoice] = invoice_generate(period=PERIODS[0], client_code=client.code)
    assert detail_verdict(invoice_detail_plan(invoice)).awkward is True
    text = _detail(invoice).decode()
    assert '"two\nlines"' in text
    assert text == _detail(invoice, python=True).decode()


def test_the_detail_workbook_lists_every_call_and_adds_up(monkeypatch):
    import openpyxl

    from billing.exports import detail_xlsx

    client = build(8)
    with clock("2026-12-15T00:00"):
        [invoice] = invoice_generate(period=PERIODS[0], client_code=client.code)
    expected = list(invoice_call_details(invoice=invoice))
    monkeypatch.setattr(detail_xlsx, "ROWS_PER_SHEET", 50)  # several sheets
    data = b"".join(detail_xlsx.invoice_detail_xlsx_chunks(invoice))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [
        row for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    calls = [row for row in rows if row[0] and row[2] is not None]
    assert len(book.worksheets) == -(-len(expected) // 50)
    assert [row[1] for row in calls] == [row["external_id"] for row in expected]
    assert [Decimal(str(row[10])) for row in calls] == [row["amount"] for row in expected]
    totals = {row[0]: row for row in rows if row[0] and row[2] is None}
    usage = sum(line.amount for line in invoice.lines.filter(kind="usage"))
    assert totals["Итого звонков"][1] == len(expected)
    assert Decimal(str(totals["Итого звонков"][10])) == usage
    assert Decimal(str(totals["Всего к оплате"][10])) == invoice.total
