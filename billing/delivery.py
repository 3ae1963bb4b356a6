"""E-mailing an issued invoice's documents to the client's ``billing_email``: one
``Delivery`` row per invoice and recipient, sent once, retried with backoff on failure
(docs/billing.md, "Delivery").

``attachments(invoice)`` is the one place that decides what the e-mail carries: today the
счёт as PDF; the акт and the УПД join it there when their exports exist.
"""

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.exports.common import invoice_date
from billing.exports.formats import FORMATS
from billing.models import INVOICE_STATUS_WORDS, Delivery, Invoice
from contactcenter.errors import ConflictError, DomainError

logger = logging.getLogger(__name__)

DELIVERABLE = (Invoice.Status.ISSUED, Invoice.Status.PAID)
MAX_RETRIES = 5
MAX_ERROR_LENGTH = 2000
# What a failed send raises: the SMTP server's refusals and the network's.
SEND_ERRORS = (smtplib.SMTPException, OSError)


class DeliveryFailedError(Exception):
    """At least one recipient's e-mail could not be sent (the task retries)."""


def attachments(invoice: Invoice) -> list[tuple[str, bytes, str]]:
    """The files e-mailed with an issued invoice, the счёт, the акт and the УПД (its XML for
    ЭДО and its printed form): (file name, content, MIME type). A document the buyer cannot
    have (a УПД needs a Russian ИНН and КПП) is left out, with a warning in the log."""
    files = []
    for name in ("pdf", "act", "upd", "upd-pdf"):
        export = FORMATS[name]
        try:
            files.append((export.filename(invoice), export.render(invoice), export.content_type))
        except DomainError as exc:
            logger.warning("Invoice %s is sent without its %s: %s", invoice, name, exc.message)
    return files


def recipients(invoice: Invoice) -> list[str]:
    """Who receives the invoice's documents: the client's billing e-mail, if any."""
    email = invoice.client.billing_email
    return [email] if email else []


def message(invoice: Invoice, recipient: str) -> EmailMessage:
    issued = invoice_date(invoice)
    subject = _("Invoice %(number)s of %(date)s") % {
        "number": invoice.number,
        "date": f"{issued:%d.%m.%Y}",
    }
    body = _(
        "Hello,\n\nplease find attached invoice %(number)s for %(period)s: %(total)s "
        "%(currency)s.\n\n%(seller)s"
    ) % {
        "number": invoice.number,
        "period": f"{invoice.period:%m.%Y}",
        "total": invoice.total,
        "currency": invoice.currency,
        "seller": (invoice.snapshot or {}).get("seller", {}).get("name", ""),
    }
    mail = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    for name, content, content_type in attachments(invoice):
        mail.attach(name, content, content_type.split(";")[0])
    return mail


def _send_one(invoice: Invoice, delivery_id: int) -> bool:
    """Send one pending delivery under its row lock; False if it failed."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status == Delivery.Status.SENT:
            return True  # a re-run, or a concurrent worker, sent it already
        delivery.attempts += 1
        try:
            message(invoice, delivery.recipient).send()
        except SEND_ERRORS as error:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            logger.warning("Delivery of %s to %s failed: %s", invoice, delivery.recipient, error)
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        delivery.save()
        return delivery.status == Delivery.Status.SENT


def send_pending(invoice_id: int) -> list[Delivery]:
    """Create the invoice's delivery rows and send those not sent yet; the rows after."""
    invoice = Invoice.objects.select_related("client").get(pk=invoice_id)
    if invoice.status not in DELIVERABLE:
        return []
    for recipient in recipients(invoice):
        Delivery.objects.get_or_create(invoice=invoice, recipient=recipient)
    pending = invoice.deliveries.exclude(status=Delivery.Status.SENT).order_by("id")
    failed = [row.pk for row in pending if not _send_one(invoice, row.pk)]
    if failed:
        raise DeliveryFailedError(f"{invoice}: {len(failed)} delivery(ies) failed")
    return list(invoice.deliveries.order_by("id"))


def retry_delay(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 1, 2, 4, 8, 16 minutes."""
    return 60 * 2**retries


@shared_task(name="billing.deliver_invoice", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver_invoice(self: Any, invoice_id: int) -> list[dict[str, Any]]:
    """Send the invoice's documents to each recipient not yet sent; retry failures."""
    try:
        rows = send_pending(invoice_id)
    except DeliveryFailedError as error:
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries)) from error
    return [{"recipient": row.recipient, "status": row.status} for row in rows]


def deliver_on_commit(invoice: Invoice) -> None:
    """Queue the e-mail of an issued invoice once the issuing transaction commits."""
    if getattr(settings, "BILLING_DELIVER_ON_ISSUE", True):
        transaction.on_commit(lambda: deliver_invoice.delay(invoice.pk))


def deliver_again(invoice: Invoice) -> list[Delivery]:
    """Resend on demand: every recipient's row back to pending, then queue the task."""
    if invoice.status not in DELIVERABLE:
        words = {"invoice": invoice, "status": INVOICE_STATUS_WORDS[invoice.status]}
        raise ConflictError(
            _("Only an issued or paid invoice is delivered; %(invoice)s is %(status)s.") % words,
            details={"status": [_("Invoice %(invoice)s is %(status)s.") % words]},
        )
    targets = recipients(invoice)
    if not targets:
        raise ConflictError(
            _("Client %(client)s has no billing e-mail.") % {"client": invoice.client.code},
            details={"billing_email": [_("Set the client's billing_email first.")]},
        )
    with transaction.atomic():
        for recipient in targets:
            Delivery.objects.update_or_create(
                invoice=invoice,
                recipient=recipient,
                defaults={"status": Delivery.Status.PENDING, "sent_at": None},
            )
        transaction.on_commit(lambda: deliver_invoice.delay(invoice.pk))
    return list(invoice.deliveries.order_by("id"))
