"""Bank statement import: a statement's incoming payments matched to issued invoices and
recorded through billing.payments (docs/billing.md, "Bank statements").

A document is incoming when its recipient account is one of ours (the seller's settlement
account). It is matched by the invoice number in its purpose, checked against the payer's
ИНН (the client's ``tax_id``); without a number, by the payer's ИНН and an issued invoice
whose balance equals the amount. Each document lands in ``matched``, ``ambiguous``,
``unmatched``, ``already_imported`` (its natural key is stored: number, date, payer account,
amount) or ``skipped`` (not a payment to us), with the reason.
"""

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.bank_statement import BankDocument, Statement, StatementError, parse_statement
from billing.models import INVOICE_STATUS_WORDS, Invoice, Payment
from billing.payments import balance_due, payment_record
from contactcenter.errors import DomainError

INVOICE_NUMBER = re.compile(r"INV[\s-]*(\d{4})[\s-]*(\d{6})")


def our_accounts() -> set[str]:
    """Our settlement accounts: the seller's today and those on issued invoices."""
    frozen = Invoice.objects.filter(snapshot__isnull=False).values_list(
        "snapshot__seller__account", flat=True
    )
    return {account for account in [settings.SELLER_ACCOUNT, *frozen] if account}


def invoice_numbers(purpose: str) -> list[str]:
    """The invoice numbers a payment's purpose names, normalised (ё, №, case, spaces)."""
    text = " ".join(purpose.replace("ё", "е").replace("Ё", "Е").replace("№", " ").upper().split())
    found = [f"INV-{year}-{number}" for year, number in INVOICE_NUMBER.findall(text)]
    return list(dict.fromkeys(found))


def _describe(document: BankDocument) -> dict[str, Any]:
    return {
        "number": document.number,
        "date": document.date.isoformat(),
        "amount": str(document.amount),
        "payer_inn": document.payer_inn,
        "payer_name": document.payer_name,
        "payer_account": document.payer_account,
        "purpose": document.purpose,
    }


def _payer_inn(document: BankDocument) -> str:
    return "" if document.payer_inn in ("", "0") else document.payer_inn


def _by_number(document: BankDocument, number: str) -> tuple[str, Invoice | None, str]:
    invoice = Invoice.objects.select_related("client").filter(number=number).first()
    if invoice is None:
        return (
            "unmatched",
            None,
            _("The purpose names %(number)s, which does not exist.") % {"number": number},
        )
    inn = _payer_inn(document)
    if inn and invoice.client.tax_id != inn:
        return (
            "ambiguous",
            invoice,
            _(
                "The purpose names %(number)s of client %(client)s (ИНН %(tax_id)s), but the "
                "payer's ИНН is %(inn)s."
            )
            % {
                "number": number,
                "client": invoice.client.code,
                "tax_id": invoice.client.tax_id,
                "inn": inn,
            },
        )
    if invoice.status != Invoice.Status.ISSUED:
        words = {"number": number, "status": INVOICE_STATUS_WORDS[invoice.status]}
        return "ambiguous", invoice, _("%(number)s is %(status)s: it takes no payment.") % words
    if inn:
        reason = _("Invoice number %(number)s in the purpose, payer's ИНН agrees.")
    else:
        reason = _("Invoice number %(number)s in the purpose.")
    reason %= {"number": number}
    return "matched", invoice, reason


def _by_payer(document: BankDocument) -> tuple[str, Invoice | None, str]:
    inn = _payer_inn(document)
    if not inn:
        return "unmatched", None, _("No invoice number in the purpose and no payer's ИНН.")
    issued = list(
        Invoice.objects.select_related("client")
        .filter(client__tax_id=inn, status=Invoice.Status.ISSUED)
        .order_by("issued_at", "id")
    )
    if not issued:
        return (
            "unmatched",
            None,
            _(
                "No invoice number in the purpose, and no issued invoice of a client with "
                "ИНН %(inn)s."
            )
            % {"inn": inn},
        )
    exact = [invoice for invoice in issued if balance_due(invoice) == document.amount]
    if len(exact) == 1:
        return (
            "matched",
            exact[0],
            _("By the payer's ИНН %(inn)s and the amount (no number given).") % {"inn": inn},
        )
    numbers = ", ".join(invoice.number or "" for invoice in (exact or issued))
    return (
        "ambiguous",
        None,
        (
            _(
                "No invoice number in the purpose; issued invoices of ИНН %(inn)s: %(numbers)s, "
                "several with a balance of %(amount)s."
            )
            if exact
            else _(
                "No invoice number in the purpose; issued invoices of ИНН %(inn)s: %(numbers)s, "
                "none with a balance of %(amount)s."
            )
        )
        % {"inn": inn, "numbers": numbers, "amount": document.amount},
    )


def match_document(document: BankDocument) -> tuple[str, Invoice | None, str]:
    """('matched' | 'ambiguous' | 'unmatched', the invoice if one was found, the reason)."""
    numbers = invoice_numbers(document.purpose)
    if len(numbers) > 1:
        return (
            "ambiguous",
            None,
            _("The purpose names several invoices: %(numbers)s.") % {"numbers": ", ".join(numbers)},
        )
    if numbers:
        return _by_number(document, numbers[0])
    return _by_payer(document)


def _already_imported(document: BankDocument) -> bool:
    return Payment.objects.filter(
        source=Payment.Source.BANK_STATEMENT,
        bank_number=document.number,
        bank_date=document.date,
        payer_account=document.payer_account,
        amount=document.amount,
    ).exists()


def _record(document: BankDocument, invoice: Invoice, reason: str, user: Any) -> dict[str, Any]:
    result = payment_record(
        invoice=invoice,
        amount=document.amount,
        paid_on=document.received_on or document.date,
        reference=f"п/п № {document.number} от {document.date:%d.%m.%Y}",
        user=user,
        bank={
            "bank_number": document.number,
            "bank_date": document.date,
            "payer_inn": document.payer_inn[:12],
            "payer_account": document.payer_account[:20],
        },
    )
    return {
        **_describe(document),
        "invoice": invoice.number,
        "applied": str(result.payment.applied_amount),
        "credit": str(result.credit),
        "paid_amount": str(result.paid_amount),
        "balance_due": str(result.balance_due),
        "status": result.invoice.status,
        "reason": reason,
        "message": result.message,
    }


def _incoming(statement: Statement) -> set[str]:
    ours = set(statement.accounts) & our_accounts()
    if not ours:
        raise StatementError(
            _(
                "The statement is of account(s) %(accounts)s, none of which is our settlement "
                "account."
            )
            % {"accounts": ", ".join(statement.accounts) or _("(none)")}
        )
    return ours


def _outcome(document: BankDocument, ours: set[str], user: Any) -> tuple[str, dict[str, Any]]:
    if document.recipient_account not in ours:
        return "skipped", {**_describe(document), "reason": _("Not a payment to our account.")}
    if _already_imported(document):
        return "already_imported", {**_describe(document), "reason": _("Imported before.")}
    kind, invoice, reason = match_document(document)
    if kind != "matched" or invoice is None:
        number = invoice.number if invoice else None
        return kind, {**_describe(document), "invoice": number, "reason": reason}
    try:
        return "matched", _record(document, invoice, reason, user)
    except IntegrityError:  # a concurrent import stored it first
        return "already_imported", {**_describe(document), "reason": _("Imported before.")}
    except DomainError as error:  # a payment it cannot take: say which rule refused it
        details = [text for texts in error.details.values() for text in texts]
        return "ambiguous", {
            **_describe(document),
            "invoice": invoice.number,
            "reason": " ".join(details) or error.message,
        }


def import_statement(*, data: bytes, dry_run: bool = False, user: Any = None) -> dict[str, Any]:
    """Parse, match and (unless ``dry_run``) record a statement's incoming payments. A dry
    run does the same work in a transaction it rolls back, so its preview is exact."""
    try:
        statement = parse_statement(data)
    except StatementError as error:
        raise DomainError(_("Invalid input."), details={"file": [str(error)]}) from error
    answer: dict[str, Any] = {
        "dry_run": dry_run,
        "version": statement.version,
        "encoding": statement.encoding_note,
        "accounts": list(statement.accounts),
        "documents": len(statement.documents),
        "matched": [],
        "ambiguous": [],
        "unmatched": [],
        "already_imported": [],
        "skipped": [],
    }
    with transaction.atomic():
        try:
            ours = _incoming(statement)
        except StatementError as error:
            raise DomainError(_("Invalid input."), details={"file": [str(error)]}) from error
        for document in statement.documents:
            kind, row = _outcome(document, ours, user)
            answer[kind].append(row)
        if dry_run:
            transaction.set_rollback(True)
    answer["total_matched"] = str(sum((Decimal(r["amount"]) for r in answer["matched"]), Decimal()))
    return answer
