"""Payments against issued invoices: the balance, partial and full payment, overpayment kept
as the client's credit (docs/billing.md, "Payments").

An invoice takes payments while it is issued. Each payment applies up to the invoice's
balance; the rest becomes a ``ClientCredit`` of the client. The payment that brings the
balance to zero makes the invoice ``paid``, with ``paid_at`` the start of that payment's date
in the seller's calendar (``BILLING_NUMBERING_TIMEZONE``), not the moment it was typed in.
"""

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import events
from billing.invoices import numbering_timezone
from billing.invoicing import lock_client
from billing.models import INVOICE_STATUS_WORDS, ClientCredit, Invoice, Payment
from contactcenter.errors import ConflictError, DomainError

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # Payment.amount: 14 digits, 2 decimals


@dataclasses.dataclass(frozen=True)
class PaymentResult:
    """A recorded payment, what it did to its invoice, and the credit it left."""

    payment: Payment
    invoice: Invoice
    paid_amount: Decimal
    balance_due: Decimal
    credit: Decimal

    @property
    def message(self) -> str:
        """What an accountant reads: paid, still due, or overpaid into credit."""
        invoice = self.invoice
        words = {
            "number": invoice.number,
            "credit": self.credit,
            "due": self.balance_due,
            "currency": invoice.currency,
            "client": invoice.client.code,
        }
        if self.credit:
            return (
                _(
                    "%(number)s paid; overpaid by %(credit)s %(currency)s, kept as credit of "
                    "client %(client)s."
                )
                % words
            )
        if self.balance_due:
            return _("%(number)s: %(due)s %(currency)s still due.") % words
        return _("%(number)s paid in full.") % words


def paid_amount(invoice: Invoice) -> Decimal:
    """The part of the invoice's total paid so far (credits excluded)."""
    total = invoice.payments.aggregate(paid=Sum("applied_amount"))["paid"]
    return total if total is not None else ZERO


def balance_due(invoice: Invoice) -> Decimal:
    """What the client still owes on ``invoice`` (0 for a draft or a void invoice)."""
    if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID):
        return ZERO
    return max(invoice.total - paid_amount(invoice), ZERO)


def credit_balance(client: Any) -> Decimal:
    """The client's money we hold: the sum of its credits."""
    total = ClientCredit.objects.filter(client=client).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def paid_at_of(paid_on: dt.date) -> dt.datetime:
    """The instant stored as ``Invoice.paid_at``: the start of the payment's date in the
    seller's calendar (the date an accountant reads back)."""
    return dt.datetime.combine(paid_on, dt.time(0), tzinfo=numbering_timezone())


def seller_today() -> dt.date:
    return timezone.now().astimezone(numbering_timezone()).date()


def _check_payable(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.ISSUED:
        words = {"invoice": invoice, "status": INVOICE_STATUS_WORDS[invoice.status]}
        raise ConflictError(
            _("Only an issued invoice takes payments; %(invoice)s is %(status)s.") % words,
            details={"status": [_("Invoice %(invoice)s is %(status)s.") % words]},
        )


def _check_amount(amount: Decimal, paid_on: dt.date) -> None:
    if not ZERO < amount <= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        text = _("Enter an amount in kopecks between 0.01 and %(max)s.") % {"max": MAX_AMOUNT}
        raise DomainError(_("Invalid input."), details={"amount": [text]})
    if paid_on > seller_today():
        raise DomainError(
            _("Invalid input."),
            details={"paid_on": [_("A payment cannot be dated in the future.")]},
        )


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_on: dt.date,
    reference: str = "",
    user: Any = None,
    bank: dict[str, Any] | None = None,
) -> PaymentResult:
    """Record ``amount`` received on ``paid_on`` against the issued ``invoice``; an amount
    beyond its balance becomes the client's credit. ``bank``: the statement document's
    ``bank_number``, ``bank_date``, ``payer_inn``, ``payer_account`` (source: statement)."""
    _check_amount(amount, paid_on)
    lock_client(invoice.client_id)
    invoice = Invoice.objects.select_for_update().select_related("client").get(pk=invoice.pk)
    _check_payable(invoice)
    due = balance_due(invoice)
    applied = min(amount, due)
    payment = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        applied_amount=applied,
        paid_on=paid_on,
        reference=reference,
        source=Payment.Source.BANK_STATEMENT if bank else Payment.Source.MANUAL,
        created_by=user if getattr(user, "pk", None) else None,
        **(bank or {}),
    )
    credit = amount - applied
    if credit:
        ClientCredit.objects.create(
            client=invoice.client,
            payment=payment,
            amount=credit,
            currency=invoice.currency,
            note=f"Overpayment of {invoice.number} on {paid_on:%d.%m.%Y}",
        )
    if applied == due:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = paid_at_of(paid_on)
        invoice.save(update_fields=["status", "paid_at"])
    events.payment_received(payment, balance_due=due - applied, credit=credit)
    if applied == due:
        events.invoice_paid(invoice)
    return PaymentResult(payment, invoice, invoice.total - due + applied, due - applied, credit)


@transaction.atomic
def invoice_pay(
    *,
    invoice: Invoice,
    amount: Decimal | None = None,
    paid_on: dt.date | None = None,
    user: Any = None,
) -> Invoice:
    """The old "mark paid": a payment of the whole balance (or ``amount``) today (or on
    ``paid_on``). An issued invoice with nothing due (a zero total) just becomes paid."""
    paid_on = paid_on or seller_today()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_transition_to_paid(locked)
    due = balance_due(locked)
    if amount is None and due == ZERO:
        locked.status = Invoice.Status.PAID
        locked.paid_at = paid_at_of(paid_on)
        locked.save(update_fields=["status", "paid_at"])
        events.invoice_paid(locked)
        return locked
    result = payment_record(
        invoice=locked, amount=due if amount is None else amount, paid_on=paid_on, user=user
    )
    return result.invoice


def _check_transition_to_paid(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.ISSUED:
        words = {"status": INVOICE_STATUS_WORDS[invoice.status], "invoice": invoice}
        raise DomainError(
            _("An invoice that is %(status)s cannot become %(target)s.")
            % {**words, "target": INVOICE_STATUS_WORDS["paid"]},
            details={
                "status": [
                    _(
                        "Invoice %(invoice)s is %(status)s; allowed: draft -> issued, "
                        "issued -> paid, issued -> void."
                    )
                    % words
                ]
            },
        )
