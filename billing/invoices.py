"""Invoice lifecycle (SPEC section 7): draft -> issued -> paid, or issued -> void (payments,
which make an invoice paid, live in billing.payments).

The number ``INV-YYYY-NNNNNN`` is given at issue, gapless per year of issue: the year's
``InvoiceNumberSequence`` row is locked (``SELECT ... FOR UPDATE``) for the rest of the
issuing transaction, so concurrent issuers queue on it and a rolled-back issue gives its
number back with the rollback. The database refuses any other change of an issued invoice
(billing/migrations/0004_issued_invoice_guard.py); these services say why first.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import events
from billing.delivery import deliver_on_commit
from billing.frozen import invoice_months, invoice_snapshot
from billing.invoicing import (
    calls_after,
    check_period_ended,
    invoice_generate_client,
    lock_client,
)
from billing.models import INVOICE_STATUS_WORDS, Invoice, InvoiceCoverage
from contactcenter.errors import ConflictError, DomainError

ALLOWED = {
    Invoice.Status.DRAFT: {Invoice.Status.ISSUED},
    Invoice.Status.ISSUED: {Invoice.Status.PAID, Invoice.Status.VOID},
}


def numbering_timezone():
    """The seller's calendar decides the year of issue (one sequence for all clients)."""
    return zoneinfo.ZoneInfo(getattr(settings, "BILLING_NUMBERING_TIMEZONE", "Europe/Moscow"))


def _locked(invoice):
    """The invoice row, locked, as stored now (the caller's copy may be stale)."""
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _check_transition(invoice, target):
    if target not in ALLOWED.get(invoice.status, set()):
        words = {"status": INVOICE_STATUS_WORDS[invoice.status], "invoice": invoice}
        raise DomainError(
            _("An invoice that is %(status)s cannot become %(target)s.")
            % {**words, "target": INVOICE_STATUS_WORDS[target]},
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


def _next_number(year):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_invoicenumbersequence (year, last_number) VALUES (%s, 0)"
            " ON CONFLICT (year) DO NOTHING",
            [year],
        )
        cursor.execute(
            "SELECT last_number FROM billing_invoicenumbersequence WHERE year = %s FOR UPDATE",
            [year],
        )
        number = cursor.fetchone()[0] + 1
        cursor.execute(
            "UPDATE billing_invoicenumbersequence SET last_number = %s WHERE year = %s",
            [number, year],
        )
    return f"INV-{year}-{number:06d}"


def _check_not_billed_elsewhere(invoice):
    """A draft built before another invoice of the client was issued may bill the same late
    calls: its coverage windows must not overlap any issued or paid invoice's."""
    for window in invoice.coverage.all():
        others = InvoiceCoverage.objects.filter(
            invoice__client_id=invoice.client_id,
            invoice__status__in=[Invoice.Status.ISSUED, Invoice.Status.PAID],
            service_period=window.service_period,
        ).exclude(invoice=invoice)
        for other in others.select_related("invoice"):
            starts_before_end = other.received_from is None or other.received_from < (
                window.received_before
            )
            ends_after_start = (
                window.received_from is None or other.received_before > window.received_from
            )
            if starts_before_end and ends_after_start:
                text = _("Calls of %(period)s it bills are already on %(invoice)s.") % {
                    "period": f"{window.service_period:%Y-%m}",
                    "invoice": other.invoice,
                }
                raise ConflictError(
                    _("The draft is out of date: generate it again before issuing."),
                    details={"status": [text]},
                )


def _rebuilt_if_calls_arrived(invoice: Invoice) -> Invoice:
    """The draft, built again (same row) if calls of the months it bills arrived after
    its watermark: an issued invoice bills every call received before the issue."""
    if invoice.calls_received_before is None:  # never generated (made by hand): as it is
        return invoice
    months = sorted(invoice_months(invoice))
    cut = invoice.calls_received_before
    if not calls_after(client_id=invoice.client_id, months=months, cut=cut):
        return invoice
    if invoice_generate_client(client=invoice.client, period=invoice.period) is None:
        raise ConflictError(
            _("The draft has nothing left to bill."),
            details={
                "status": [
                    _("Invoice %(invoice)s bills no call now: generate it again.")
                    % {"invoice": invoice}
                ]
            },
        )
    return _locked(invoice)


def due_date_of(invoice: Invoice) -> dt.date:
    """The issue date (the client's calendar) plus the client's payment terms in days."""
    client = invoice.client
    issued_at = invoice.issued_at or timezone.now()
    issued = issued_at.astimezone(zoneinfo.ZoneInfo(client.timezone)).date()
    return issued + dt.timedelta(days=client.payment_terms_days)


@transaction.atomic
def invoice_issue(*, invoice: Invoice) -> Invoice:
    """Give the draft its number and freeze it, with a snapshot of both parties, its VAT
    and its tariffs as rated (billing.frozen). A draft that calls have reached since it was
    built is built again first; the database refuses totals that do not add up
    (billing/migrations/0011_invoice_terms.py)."""
    lock_client(invoice.client_id)
    invoice = _locked(invoice)
    _check_transition(invoice, Invoice.Status.ISSUED)
    check_period_ended([invoice.client], invoice.period, status=409)  # a draft made before
    invoice = _rebuilt_if_calls_arrived(invoice)
    _check_not_billed_elsewhere(invoice)
    issued_at = timezone.now()
    invoice.number = _next_number(issued_at.astimezone(numbering_timezone()).year)
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = issued_at
    invoice.due_date = due_date_of(invoice)
    invoice.snapshot = invoice_snapshot(invoice)  # what its documents show, forever
    _save_issued(invoice)
    deliver_on_commit(invoice)  # e-mail its documents once the issue is committed
    events.invoice_issued(invoice)  # webhooks, once committed
    return invoice


def _save_issued(invoice: Invoice) -> None:
    """Store the issue; the database refuses totals that do not add up (a 409 saying so)."""
    try:
        with transaction.atomic():
            invoice.save(update_fields=["number", "status", "issued_at", "due_date", "snapshot"])
    except IntegrityError as error:
        if "cannot be issued" not in str(error):
            raise
        text = str(error).split("\n")[0].removeprefix("billing: ")
        raise ConflictError(
            _("The invoice's amounts do not add up: generate it again."),
            details={"total": [text]},
        ) from error


@transaction.atomic
def invoice_void(*, invoice: Invoice) -> Invoice:
    """Cancel an issued invoice; it keeps its number and its calls become billable again
    (a replacement for the period can be generated)."""
    invoice = _locked(invoice)
    _check_transition(invoice, Invoice.Status.VOID)
    if invoice.payments.exists():
        raise ConflictError(
            _("%(invoice)s has payments, so it cannot be voided.") % {"invoice": invoice},
            details={
                "status": [
                    _("Invoice %(invoice)s has payments recorded against it.")
                    % {"invoice": invoice}
                ]
            },
        )
    invoice.status = Invoice.Status.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at"])
    return invoice
