"""The reconciliation statement (акт сверки) of a client over a span of months: opening
balance, invoices issued (debit), payments received (credit), closing balance.

A positive balance is the client's debt to us; a negative one, money of the client we hold
(overpayments). Invoices count on their date of issue and payments on ``paid_on``, both in
the seller's calendar; void invoices count nowhere (they can have no payment).
"""

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncDate

from billing.frozen import next_month
from billing.invoices import numbering_timezone
from billing.models import Invoice, Payment

ZERO = Decimal("0.00")
COUNTED = (Invoice.Status.ISSUED, Invoice.Status.PAID)


@dataclasses.dataclass(frozen=True)
class Entry:
    date: dt.date
    document: str
    debit: Decimal
    credit: Decimal


@dataclasses.dataclass(frozen=True)
class Reconciliation:
    client: Any
    currency: str
    start: dt.date  # first day
    end: dt.date  # last day, inclusive
    opening: Decimal
    entries: tuple[Entry, ...]

    @property
    def debit(self) -> Decimal:
        return sum((entry.debit for entry in self.entries), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((entry.credit for entry in self.entries), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client.code,
            "currency": self.currency,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "opening_balance": str(self.opening),
            "entries": [
                {
                    "date": entry.date.isoformat(),
                    "document": entry.document,
                    "debit": str(entry.debit),
                    "credit": str(entry.credit),
                }
                for entry in self.entries
            ],
            "debit_total": str(self.debit),
            "credit_total": str(self.credit),
            "closing_balance": str(self.closing),
        }


def _invoices(client: Any) -> Any:
    return Invoice.objects.filter(client=client, status__in=COUNTED).annotate(
        issued_on=TruncDate("issued_at", tzinfo=numbering_timezone())
    )


def _payments(client: Any) -> Any:
    return Payment.objects.filter(invoice__client=client)


def reconciliation(*, client: Any, first_month: dt.date, last_month: dt.date) -> Reconciliation:
    """The statement of ``client`` from ``first_month`` to ``last_month`` (month labels)."""
    start, after = first_month, next_month(last_month)
    debit_before = _invoices(client).filter(issued_on__lt=start).aggregate(s=Sum("total"))["s"]
    credit_before = _payments(client).filter(paid_on__lt=start).aggregate(s=Sum("amount"))["s"]
    invoices = [
        Entry(row.issued_on, f"Счёт {row.number} от {row.issued_on:%d.%m.%Y}", row.total, ZERO)
        for row in _invoices(client).filter(issued_on__gte=start, issued_on__lt=after)
    ]
    payments = [
        Entry(
            row.paid_on,
            f"Оплата {row.reference or ''} по счёту {row.invoice.number}".replace("  ", " "),
            ZERO,
            row.amount,
        )
        for row in _payments(client)
        .filter(paid_on__gte=start, paid_on__lt=after)
        .select_related("invoice")
    ]
    entries = sorted(
        invoices + payments, key=lambda entry: (entry.date, entry.credit > 0, entry.document)
    )
    return Reconciliation(
        client=client,
        currency=client.currency,
        start=start,
        end=after - dt.timedelta(days=1),
        opening=(debit_before or ZERO) - (credit_before or ZERO),
        entries=tuple(entries),
    )
