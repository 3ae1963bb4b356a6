"""The invoice CSV (exact) and the call-by-call detail (streamed, summing to the invoice)."""

import csv
import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import pytest

from billing.exports.detail_csv import HEADER as DETAIL_HEADER
from billing.exports.detail_csv import invoice_detail_chunks, invoice_detail_csv
from billing.exports.lines_csv import invoice_csv
from tests.billing.invoice_samples import generated_invoice, issue, sample_invoice

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def parse(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_invoice_csv_is_exact():
    invoice = issue(sample_invoice())
    table = parse(invoice_csv(invoice))
    head = ["INV-2026-000001", "volga-bank", "2026-10", "issued"]
    assert table == [
        ["invoice", "client", "period", "status", "position", "project", "kind", "band",
         "service_period", "description", "calls", "billed_seconds", "quantity_minutes",
         "rate_per_minute", "amount", "currency"],
        [*head, "0", "volga-hotline", "usage", "", "2026-10", "Горячая линия: минуты разговора",
         "812", "48630", "810.5000", "12.5000", "10131.25", "RUB"],
        [*head, "1", "volga-hotline", "usage", "ночь", "2026-10",
         "Горячая линия: минуты разговора, тариф «ночь»", "40", "3540", "59.0000", "15.0000",
         "885.00", "RUB"],
        [*head, "2", "volga-sales", "usage", "", "2026-09",
         "Продажи: минуты разговора (звонки, поступившие после выставления счёта)", "60",
         "6382", "106.3667", "12.4975", "1329.32", "RUB"],
        [*head, "3", "volga-sales", "minimum_topup", "", "2026-10",
         "Продажи: доплата до месячного минимума 5000.00 за октябрь 2026", "0", "0", "0.0000",
         "0.0000", "500.00", "RUB"],
        [*head, "", "", "", "", "", "subtotal", "", "", "", "", "12845.57", "RUB"],
        [*head, "", "", "", "", "", "vat 0.2 on top", "", "", "", "", "2569.11", "RUB"],
        [*head, "", "", "", "", "", "total", "", "", "", "", "15414.68", "RUB"],
    ]  # fmt: skip


def fake_rows(count):
    base = dt.datetime(2026, 10, 1, 7, tzinfo=UTC)
    for index in range(count):
        offered = base + dt.timedelta(minutes=index)
        yield {
            "project": "volga-hotline",
            "external_id": f"cdr-{index}",
            "offered_at": offered,
            "answered_at": offered + dt.timedelta(seconds=5),
            "local_date": dt.date(2026, 10, 1),
            "billable_seconds": 61,
            "billed_seconds": 66,
            "band": "",
            "rate_per_minute": Decimal("12.5000"),
            "amount": Decimal("13.75"),
        }


def test_detail_rows_are_formatted_exactly():
    invoice = sample_invoice()
    table = parse(invoice_detail_csv(invoice, rows=fake_rows(2)))
    assert table[0] == DETAIL_HEADER
    assert table[1] == [
        "volga-hotline", "cdr-0", "2026-10-01T07:00:00Z", "2026-10-01T07:00:05Z", "2026-10-01",
        "61", "66", "", "12.5000", "no", "13.75",
    ]  # fmt: skip
    assert table[3] == ["calls total", "2", "", "", "", "122", "132", "", "", "", "27.50"]
    assert table[4] == [
        "minimum top-up volga-sales", "", "", "", "", "", "", "", "", "", "500.00",
    ]  # fmt: skip
    assert [row[0] for row in table[5:]] == ["subtotal", "vat 0.2 on top", "total"]
    assert table[-1][-1] == "15414.68"


def test_the_detail_of_a_generated_invoice_sums_to_it_exactly():
    invoice = issue(generated_invoice(calls=40))
    lines = list(invoice.lines.all())
    table = parse(invoice_detail_csv(invoice))
    calls = [row for row in table[1:] if row[1].startswith("cdr-")]
    trailer = {row[0]: row for row in table[len(calls) + 1 :]}

    assert len(calls) == sum(line.calls for line in lines) == 40
    amounts = [Decimal(row[-1]) for row in calls]
    assert sum(amounts) == sum(line.amount for line in lines)
    assert sum(int(row[6]) for row in calls) == sum(line.billed_seconds for line in lines)
    by_band = {}
    for row in calls:
        by_band[row[7]] = by_band.get(row[7], Decimal(0)) + Decimal(row[-1])
    assert by_band == {line.band: line.amount for line in lines}
    assert Decimal(trailer["calls total"][-1]) == sum(amounts)
    assert Decimal(trailer["subtotal"][-1]) == invoice.subtotal
    assert Decimal(trailer["vat 0.2 on top"][-1]) == invoice.vat
    assert table[-1][0] == "total"
    assert Decimal(table[-1][-1]) == invoice.total == invoice.subtotal + invoice.vat
    assert {row[2][-1] for row in calls} == {"Z"}


def test_the_detail_streams_in_chunks_and_reads_rows_as_it_goes():
    invoice = sample_invoice()
    pulled = []

    def counting_rows():
        for row in fake_rows(30_000):
            pulled.append(1)
            yield row

    chunks = invoice_detail_chunks(invoice, rows=counting_rows())
    first = next(chunks)
    assert 64 * 1024 <= len(first) < 80 * 1024
    assert len(pulled) < 2_000  # only what the first chunk needed
    assert sum(1 for _ in chunks) > 20


def test_the_detail_memory_stays_flat():
    invoice = sample_invoice()

    def peak_for(count):
        tracemalloc.start()
        for _ in invoice_detail_chunks(invoice, rows=fake_rows(count)):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small, large = peak_for(2_000), peak_for(20_000)
    assert large < small * 1.5 + 200_000, (small, large)
