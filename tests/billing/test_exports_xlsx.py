"""The invoice workbook and the registry sheet, read back with openpyxl: exact numbers."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from billing.exports.xlsx import invoice_xlsx, registry_xlsx
from billing.models import Invoice
from tests.billing.invoice_samples import issue, sample_invoice, volga_client

pytestmark = pytest.mark.django_db


def sheet_of(data):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_invoice_sheet_holds_the_exact_figures():
    invoice = issue(sample_invoice())
    sheet = sheet_of(invoice_xlsx(invoice))
    table = rows(sheet)

    assert sheet.title == "Счёт"
    assert table[0][0] == "Счёт на оплату № INV-2026-000001 от 01.11.2026"
    labels = {row[0]: row[1] for row in table if isinstance(row[0], str) and row[0].endswith(":")}
    assert labels["Покупатель:"] == (
        "ПАО «Волга Банк», ИНН 7701234560, КПП 770101001, 125009, г. Москва, ул. Тверская, д. 7"
    )
    assert labels["Период:"] == "октябрь 2026 г."
    header = table.index(next(row for row in table if row[0] == "№"))
    lines = table[header + 1 : header + 5]
    assert [(row[0], row[2], row[4], row[5], row[6], row[8]) for row in lines] == [
        (1, "volga-hotline", "2026-10", 812, 48630, "мин"),
        (2, "volga-hotline", "2026-10", 40, 3540, "мин"),
        (3, "volga-sales", "2026-09", 60, 6382, "мин"),
        (4, "volga-sales", "2026-10", 0, 0, "усл."),
    ]
    assert [Decimal(str(row[7])) for row in lines] == [
        Decimal("810.5"),
        Decimal("59"),
        Decimal("106.3667"),
        Decimal("1"),
    ]
    assert [Decimal(str(row[9])) for row in lines] == [
        Decimal("12.5"),
        Decimal("15"),
        Decimal("12.4975"),
        Decimal("500"),
    ]
    assert [money(row[10]) for row in lines] == [
        Decimal("10131.25"),
        Decimal("885.00"),
        Decimal("1329.32"),
        Decimal("500.00"),
    ]
    totals = {
        row[0]: money(row[10])
        for row in table
        if isinstance(row[0], str) and isinstance(row[10], float)
    }
    assert totals["Итого:"] == Decimal("12845.57")
    assert totals["НДС 20%:"] == Decimal("2569.11")
    assert totals["Всего к оплате:"] == Decimal("15414.68")
    assert sum(money(row[10]) for row in lines) == invoice.subtotal
    texts = [row[0] for row in table if isinstance(row[0], str)]
    assert "Пятнадцать тысяч четыреста четырнадцать рублей 68 копеек" in texts
    # Amounts are numbers with a money format, not text.
    amount_cell = sheet.cell(row=header + 2, column=11)
    assert isinstance(amount_cell.value, float)
    assert amount_cell.number_format == "#,##0.00"


def test_vat_included_is_labelled_so():
    sheet = sheet_of(invoice_xlsx(sample_invoice(vat_included=True)))
    totals = {
        row[0]: row[10]
        for row in rows(sheet)
        if isinstance(row[0], str) and isinstance(row[10], float)
    }
    assert money(totals["В том числе НДС 20%:"]) == Decimal("2140.93")
    assert money(totals["Всего к оплате:"]) == Decimal("12845.57")


def test_the_registry_lists_each_invoice_and_totals_all_but_void():
    volga = issue(sample_invoice(), number="INV-2026-000001")
    baltic = issue(
        sample_invoice(
            volga_client(code="baltic", legal_name="АО «Балтик Ритейл»", tax_id="3906123455"),
            vat_included=True,
            code="baltic",
        ),
        number="INV-2026-000002",
    )
    Invoice.objects.filter(pk=baltic.pk).update(
        status="void", voided_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    )
    draft = sample_invoice(volga_client(code="sib", legal_name="ООО «СибТелеком»"), code="sib")
    invoices = Invoice.objects.select_related("client").order_by("client__code")
    built_at = dt.datetime(2026, 11, 5, 12, 30, tzinfo=dt.UTC)

    table = rows(sheet_of(registry_xlsx(invoices, period=dt.date(2026, 10, 1), built_at=built_at)))

    assert table[0][0] == "Реестр счетов за октябрь 2026 г."
    assert table[1][0] == "Сформирован 05.11.2026 12:30 UTC"
    body = table[4:7]
    assert [row[:7] for row in body] == [
        ["INV-2026-000002", "baltic", "АО «Балтик Ритейл»", "3906123455", "2026-10",
         "аннулирован", "RUB"],
        ["(черновик)", "sib", "ООО «СибТелеком»", "7701234560", "2026-10", "черновик", "RUB"],
        ["INV-2026-000001", "volga-bank", "ПАО «Волга Банк»", "7701234560", "2026-10",
         "выставлен", "RUB"],
    ]  # fmt: skip
    assert [money(row[9]) for row in body] == [
        Decimal("12845.57"),
        Decimal("15414.68"),
        Decimal("15414.68"),
    ]
    assert body[1][10] == "draft-sib-2026-10.pdf"
    totals = table[7]
    assert totals[0] == "Итого (кроме аннулированных)"
    assert [money(value) for value in totals[7:10]] == [
        volga.subtotal + draft.subtotal,
        volga.vat + draft.vat,
        volga.total + draft.total,
    ]
    assert money(totals[9]) == Decimal("30829.36")
