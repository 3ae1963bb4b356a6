"""The payment QR code of an invoice, by ГОСТ Р 56042-2014 ("unified format" of payment
requisites): ``ST00012|Name=...|PersonalAcc=...|...`` in UTF-8, drawn as vector squares.

The header ``ST0001`` + encoding flag: ``1`` windows-1251, ``2`` UTF-8, ``3`` КОИ8-Р; we
write UTF-8 (flag 2) as bytes, without an ECI marker, as bank apps read it. Field values
may not hold the separator ``|``; the standard bounds each field's length (Name 160,
PersonalAcc 20, BankName 45, BIC 9, CorrespAcc 20, Purpose 210).
"""

from typing import Any

import segno
from reportlab.platypus import Flowable

from billing.exports.common import Seller, invoice_date, ru_number, vat_caption
from billing.models import Invoice
from contactcenter.money import money
from contactcenter.periods import month_ru

HEADER = "ST00012"
FIELD_LIMITS = {
    "Name": 160,
    "PersonalAcc": 20,
    "BankName": 45,
    "BIC": 9,
    "CorrespAcc": 20,
    "Purpose": 210,
    "PayeeINN": 12,
    "KPP": 9,
}


def _clean(key: str, value: Any) -> str:
    """One field's value: no separator, single spaces, within the standard's length."""
    text = " ".join(str(value).replace("|", "/").split())
    limit = FIELD_LIMITS.get(key)
    return text[:limit] if limit else text


def payment_purpose(invoice: Invoice) -> str:
    """'Оплата по счёту № INV-2026-000001 от 01.11.2026 за услуги контакт-центра за октябрь
    2026 г. НДС 20%: 2 569,11' (the VAT, or 'Без налога (НДС)', as Russian payments say)."""
    vat = ru_number(invoice.vat, 2).replace("\u00a0", " ")
    tax = vat_caption(invoice) if not invoice.vat_rate else f"{vat_caption(invoice)}: {vat}"
    return (
        f"Оплата по счёту № {invoice.number} от {invoice_date(invoice):%d.%m.%Y} за услуги "
        f"контакт-центра за {month_ru(invoice.period)} {tax}"
    )


def payment_payload(invoice: Invoice, payee: Seller) -> str:
    """The ГОСТ Р 56042-2014 string: required fields first, then Sum (kopecks), Purpose,
    PayeeINN, KPP."""
    kopecks = int(money(invoice.total) * 100)
    fields = [
        ("Name", payee.name),
        ("PersonalAcc", payee.account),
        ("BankName", payee.bank),
        ("BIC", payee.bik),
        ("CorrespAcc", payee.correspondent_account or "0"),
        ("Sum", kopecks),
        ("Purpose", payment_purpose(invoice)),
        ("PayeeINN", payee.inn),
        ("KPP", payee.kpp),
    ]
    return "|".join([HEADER, *(f"{key}={_clean(key, value)}" for key, value in fields if value)])


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code of ``payload`` (UTF-8 bytes, error correction M) as rows of dark modules,
    with the 4-module quiet zone."""
    code = segno.make(payload, encoding="utf-8", error="m", micro=False, boost_error=False)
    return [[bool(cell) for cell in row] for row in code.matrix_iter(scale=1, border=4)]


class QrFlowable(Flowable):
    """The QR code drawn straight on the page as black squares (vector, so any renderer
    scans it sharply; no image, and no font for a reader to supply)."""

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        self.rows = qr_modules(payload)
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        module = self.size / len(self.rows)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        for y, row in enumerate(self.rows):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                top = self.size - (y + 1) * module
                canvas.rect(start * module, top, (x - start) * module, module, stroke=0, fill=1)
        canvas.restoreState()
