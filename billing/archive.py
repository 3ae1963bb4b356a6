"""The monthly archive of invoices: one ZIP per period with every invoice's PDF, XLSX and
call-by-call detail CSV, and the registry sheet of the month.

Archives live under ``MEDIA_ROOT/invoice-archives/``, named by the period and a fingerprint
of what they hold (the invoices, their states, totals and lines, the buyers' and the
seller's details). Asking again for the same set of invoices serves the stored file; any
change (a draft rebuilt, an invoice paid or voided) gives another fingerprint, so a fresh
archive is built and nobody downloads a stale one. A caller who sees some clients only (a
PM, an integration) asks with their scoped queryset and gets an archive of those alone.
"""

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils import timezone

from billing.exports.act import invoice_act_pdf
from billing.exports.closing import DOCUMENT_STATUSES
from billing.exports.common import buyer, file_stem, seller
from billing.exports.detail_csv import invoice_detail_chunks
from billing.exports.pdf import invoice_pdf
from billing.exports.upd import upd_filename, upd_xml
from billing.exports.upd_pdf import invoice_upd_pdf
from billing.exports.xlsx import invoice_xlsx, registry_xlsx
from billing.models import Invoice
from contactcenter.errors import DomainError
from contactcenter.periods import month_label

logger = logging.getLogger(__name__)

ARCHIVE_DIR = "invoice-archives"
# Bump when the archive's layout or any export changes, so stored archives are rebuilt.
ARCHIVE_LAYOUT = 3


def archive_dir():
    return Path(settings.MEDIA_ROOT) / ARCHIVE_DIR


def archive_download_name(period):
    """The file name a user downloads: 'invoices-2026-10.zip'."""
    return f"invoices-{month_label(period)}.zip"


def archive_invoices(*, period, invoices=None):
    """The invoices of ``period``, from ``invoices`` (a scoped queryset) or all of them;
    drafts are not in the archive (nothing is owed on a draft)."""
    queryset = Invoice.objects.all() if invoices is None else invoices
    return (
        queryset.filter(period=period)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("client")
        .order_by("client__code", "id")
        .annotate(
            line_count=Count("lines"),
            line_seconds=Sum("lines__billed_seconds"),
            line_amount=Sum("lines__amount"),
            last_line=Max("lines__id"),
        )
    )


def _fingerprint(invoices):
    state = [
        [
            invoice.pk,
            invoice.number,
            invoice.status,
            str(invoice.subtotal),
            str(invoice.vat),
            str(invoice.total),
            str(invoice.vat_rate),
            invoice.vat_included,
            *(
                value.isoformat() if value else None
                for value in (
                    invoice.generated_at,
                    invoice.issued_at,
                    invoice.paid_at,
                    invoice.voided_at,
                )
            ),
            # Parties as the documents show them: the snapshot once issued (a client's
            # later edit neither changes nor rebuilds an issued invoice's files).
            dataclasses.astuple(buyer(invoice)),
            dataclasses.astuple(seller(invoice)),
            invoice.line_count,
            invoice.line_seconds,
            str(invoice.line_amount),
            invoice.last_line,
        ]
        for invoice in invoices
    ]
    text = json.dumps([ARCHIVE_LAYOUT, state], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def invoice_archive(*, period, invoices=None):
    """The path of the period's archive (of ``invoices`` when given), built if missing."""
    selected = list(archive_invoices(period=period, invoices=invoices))
    directory = archive_dir()
    path = directory / f"invoices-{month_label(period)}-{_fingerprint(selected)}.zip"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".building-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as file:
            _write_archive(file, period=period, invoices=selected)
        os.replace(temporary, path)  # atomic: readers see the whole archive or none
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    logger.info("Built %s (%d invoices)", path.name, len(selected))
    return path


def archive_members(invoice):
    """The file names one invoice contributes to an archive: PDF, XLSX, detail CSV; then,
    issued or paid, its act, УПД (XML, under its ИдФайл name) and the УПД's printed form."""
    stem = file_stem(invoice)
    return [f"{stem}.pdf", f"{stem}.xlsx", f"{stem}-detail.csv", *_document_members(invoice)]


def _document_members(invoice):
    if invoice.status not in DOCUMENT_STATUSES or not invoice.snapshot:
        return []
    stem = file_stem(invoice)
    return [f"{stem}-act.pdf", upd_filename(invoice), f"{stem}-upd.pdf"]


def registry_name(period):
    return f"registry-{month_label(period)}.xlsx"


def _write_documents(zf, invoice, names):
    """The act, the УПД and its printed form; an invoice whose УПД cannot be made (a buyer
    without a Russian ИНН/КПП) gets a note saying why instead of failing the month."""
    act_name, upd_name, upd_pdf_name = names
    zf.writestr(act_name, invoice_act_pdf(invoice), compress_type=zipfile.ZIP_STORED)
    try:
        xml, printed = upd_xml(invoice), invoice_upd_pdf(invoice)
    except DomainError as exc:
        logger.warning("No УПД for %s in the archive: %s", invoice, exc.message)
        zf.writestr(f"{file_stem(invoice)}-upd-ERROR.txt", exc.message)
        return
    zf.writestr(upd_name, xml)
    zf.writestr(upd_pdf_name, printed, compress_type=zipfile.ZIP_STORED)


def _write_archive(file, *, period, invoices):
    built_at = timezone.now().astimezone(dt.UTC)
    # PDF and XLSX are compressed already: stored as they are; the CSVs shrink ~5x.
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(
            registry_name(period),
            registry_xlsx(invoices, period=period, built_at=built_at),
            compress_type=zipfile.ZIP_STORED,
        )
        for invoice in invoices:
            pdf_name, xlsx_name, detail_name, *documents = archive_members(invoice)
            zf.writestr(pdf_name, invoice_pdf(invoice), compress_type=zipfile.ZIP_STORED)
            zf.writestr(xlsx_name, invoice_xlsx(invoice), compress_type=zipfile.ZIP_STORED)
            if documents:
                _write_documents(zf, invoice, documents)
            try:
                chunks = invoice_detail_chunks(invoice)
            except DomainError as exc:
                # One invoice whose calls no longer rate to its lines must not cost the
                # month's archive; the note says which and why.
                logger.error("No detail for %s in the archive: %s", invoice, exc.message)  # noqa: TRY400  an expected refusal: no traceback
                zf.writestr(f"{file_stem(invoice)}-detail-ERROR.txt", exc.message)
                continue
            with zf.open(detail_name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
