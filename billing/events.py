"""What billing publishes (``contactcenter.events``): invoice.issued, invoice.paid and
payment.received, with the payloads docs/webhooks.md describes. Amounts are strings
(Decimal, never float)."""

from typing import Any

from billing.models import Invoice, Payment
from contactcenter.events import INVOICE_ISSUED, INVOICE_PAID, PAYMENT_RECEIVED, publish


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def invoice_data(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice": {
            "id": invoice.pk,
            "number": invoice.number,
            "client": invoice.client.code,
            "period": f"{invoice.period:%Y-%m}",
            "status": invoice.status,
            "currency": invoice.currency,
            "subtotal": str(invoice.subtotal),
            "vat": str(invoice.vat),
            "total": str(invoice.total),
            "issued_at": _iso(invoice.issued_at),
            "due_date": _iso(invoice.due_date),
            "paid_at": _iso(invoice.paid_at),
        }
    }


def invoice_issued(invoice: Invoice) -> None:
    publish(INVOICE_ISSUED, client_id=invoice.client_id, data=invoice_data(invoice))


def invoice_paid(invoice: Invoice) -> None:
    publish(INVOICE_PAID, client_id=invoice.client_id, data=invoice_data(invoice))


def payment_received(payment: Payment, *, balance_due: Any, credit: Any) -> None:
    invoice = payment.invoice
    publish(
        PAYMENT_RECEIVED,
        client_id=invoice.client_id,
        data={
            "payment": {
                "id": payment.pk,
                "invoice": invoice.number,
                "amount": str(payment.amount),
                "applied_amount": str(payment.applied_amount),
                "paid_on": payment.paid_on.isoformat(),
                "reference": payment.reference,
                "source": payment.source,
            },
            "invoice": {"id": invoice.pk, "number": invoice.number, "status": invoice.status,
                        "balance_due": str(balance_due)},
            "credit": str(credit),
        },
    )  # fmt: skip
