"""Invoices built with factories for the export, API, admin and archive tests.

Lines can only be written on a draft (a database trigger), so an issued sample is made as a
draft with its lines, then moved to ``issued`` the way the trigger allows.
"""

import datetime as dt
from decimal import Decimal

from billing.frozen import invoice_snapshot
from billing.invoices import due_date_of
from billing.invoicing import invoice_generate
from billing.models import Invoice, InvoiceLine
from tests.factories import (
    ClientFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ProjectFactory,
    VatRateFactory,
)
from tests.factories.billing import answered_call, local_dt, tariff

ISSUED_AT = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)  # 10:00 in Moscow


def volga_client(**overrides):
    fields = {
        "code": "volga-bank",
        "legal_name": "ПАО «Волга Банк»",
        "tax_id": "7701234560",
        "kpp": "770101001",
        "address": "125009, г. Москва, ул. Тверская, д. 7",
        "timezone": "Europe/Moscow",
    }
    return ClientFactory(**{**fields, **overrides})


def sample_invoice(client=None, *, vat_included=False, period=dt.date(2026, 10, 1), code="volga"):
    """A draft with two usage lines (base and night band), a late line and a top-up.

    Lines: 10131.25 + 885.00 + 1329.32 + 500.00 = 12845.57. VAT 20%: on top 2569.11
    (total 15414.68); included 2140.93 (round(12845.57 * 0.2 / 1.2, 2)), total 12845.57.
    """
    client = client or volga_client()
    hotline = ProjectFactory(client=client, code=f"{code}-hotline", name="Горячая линия")
    sales = ProjectFactory(client=client, code=f"{code}-sales", name="Продажи")
    subtotal = Decimal("12845.57")
    vat = Decimal("2140.93") if vat_included else Decimal("2569.11")
    invoice = InvoiceFactory(
        client=client,
        period=period,
        vat_rate=Decimal("0.2000"),
        vat_included=vat_included,
        subtotal=subtotal,
        vat=vat,
        total=subtotal if vat_included else subtotal + vat,
    )
    previous = (period - dt.timedelta(days=1)).replace(day=1)
    rows = [
        (hotline, "", period, "Горячая линия: минуты разговора", 812, 48630, "12.5000", "10131.25"),
        (hotline, "ночь", period, "Горячая линия: минуты разговора, тариф «ночь»", 40, 3540,
         "15.0000", "885.00"),
        (sales, "", previous, "Продажи: минуты разговора (звонки, поступившие после "
         "выставления счёта)", 60, 6382, "12.4975", "1329.32"),
    ]  # fmt: skip
    for position, (project, band, service, text, calls, seconds, rate, amount) in enumerate(rows):
        InvoiceLineFactory(
            invoice=invoice,
            position=position,
            project=project,
            band=band,
            service_period=service,
            description=text,
            calls=calls,
            billed_seconds=seconds,
            rate_per_minute=Decimal(rate),
            amount=Decimal(amount),
        )
    InvoiceLineFactory(
        invoice=invoice,
        position=3,
        project=sales,
        kind=InvoiceLine.Kind.MINIMUM_TOPUP,
        service_period=period,
        description="Продажи: доплата до месячного минимума 5000.00 за октябрь 2026",
        calls=0,
        billed_seconds=0,
        rate_per_minute=Decimal("0"),
        amount=Decimal("500.00"),
    )
    return invoice


def issue(invoice, number="INV-2026-000001", at=ISSUED_AT):
    """Move a draft to issued as the billing service would (the trigger allows it), with
    the snapshot its documents read from then on."""
    Invoice.objects.filter(pk=invoice.pk).update(
        status="issued",
        number=number,
        issued_at=at,
        due_date=due_date_of(Invoice(client=invoice.client, issued_at=at)),
        snapshot=invoice_snapshot(invoice),
    )
    invoice.refresh_from_db()
    return invoice


def generated_invoice(client=None, *, code="volga", calls=25, period=dt.date(2026, 10, 1)):
    """An invoice made by the billing core from real calls: 30/6 increments at 12.50/min,
    a night band at 15.00 (Mon-Fri 22:00-08:00, Moscow), VAT 20% on top; durations chosen
    so that per-call amounts have fractions of a kopeck."""
    client = client or volga_client()
    if not client.vat_rates.exists():
        VatRateFactory(client=client, rate=Decimal("0.2000"))
    project = ProjectFactory(client=client, code=f"{code}-hotline", name="Горячая линия")
    tariff(
        project,
        rate="12.5000",
        scheme="30/6",
        bands=[("ночь", [0, 1, 2, 3, 4], "22:00", "08:00", "15.0000")],
    )
    for index in range(calls):
        day = 1 + index % 28
        hour = 23 if index % 5 == 0 else 10 + index % 8
        offered = local_dt(f"{period:%Y-%m}-{day:02d} {hour:02d}:{index % 60:02d}")
        answered_call(project, offered, connected=7 + index * 37 % 400)
    return invoice_generate(period=period, client_code=client.code)[0]
