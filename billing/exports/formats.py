"""The export formats by name, with their content types and file names."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from billing.exports.act import invoice_act_pdf
from billing.exports.closing import check_documentable
from billing.exports.common import file_stem
from billing.exports.detail_csv import invoice_detail_chunks
from billing.exports.detail_xlsx import invoice_detail_xlsx_chunks
from billing.exports.lines_csv import invoice_csv
from billing.exports.pdf import invoice_pdf
from billing.exports.upd import upd_filename, upd_xml
from billing.exports.upd_pdf import invoice_upd_pdf
from billing.exports.xlsx import invoice_xlsx
from contactcenter.streaming import served_chunks

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    suffix: str  # after the invoice's file stem
    render: Callable[[Any], Any]  # invoice -> bytes, or (streamed) invoice -> iterator of bytes
    streamed: bool = False
    documents: bool = False  # a closing document: issued or paid invoices only (409)
    dialects: bool = False  # a CSV: ?dialect=excel is offered
    name_of: object = None  # invoice -> file name, where the format prescribes one

    def filename(self, invoice):
        """'INV-2026-000001.pdf', 'draft-acme-2026-10-detail.csv', the УПД's ИдФайл.xml."""
        if self.name_of is not None:
            return self.name_of(invoice)
        return f"{file_stem(invoice)}{self.suffix}"


FORMATS = {
    export.name: export
    for export in (
        ExportFormat("pdf", "application/pdf", ".pdf", invoice_pdf),
        ExportFormat("xlsx", XLSX_TYPE, ".xlsx", invoice_xlsx),
        ExportFormat("csv", "text/csv; charset=utf-8", ".csv", invoice_csv, dialects=True),
        ExportFormat(
            "detail",
            "text/csv; charset=utf-8",
            "-detail.csv",
            invoice_detail_chunks,
            streamed=True,
            dialects=True,
        ),
        ExportFormat(
            "detail-xlsx", XLSX_TYPE, "-detail.xlsx", invoice_detail_xlsx_chunks, streamed=True
        ),
        ExportFormat("act", "application/pdf", "-act.pdf", invoice_act_pdf, documents=True),
        ExportFormat(
            "upd",
            "application/xml; charset=windows-1251",
            ".xml",
            upd_xml,
            documents=True,
            name_of=upd_filename,
        ),
        ExportFormat("upd-pdf", "application/pdf", "-upd.pdf", invoice_upd_pdf, documents=True),
    )
}
FORMAT_NAMES = tuple(FORMATS)
DIALECTS = ("rfc4180", "excel")


def export_response(invoice, name, dialect=None, *, request=None):
    """The Django response serving ``invoice`` as ``name`` (a download; detail streamed,
    chunk by chunk under WSGI and ASGI alike: ``contactcenter.streaming``).

    A closing document (act, УПД) of a draft or void invoice is a 409 naming its status;
    ``dialect="excel"`` gives a CSV for a Russian Excel (BOM, ';', decimal comma).
    """
    export = FORMATS[name]
    if export.documents:
        check_documentable(invoice)
    options = {"dialect": dialect} if export.dialects and dialect else {}
    disposition = f'attachment; filename="{export.filename(invoice)}"'
    content = export.render(invoice, **options)
    if export.streamed:
        response = StreamingHttpResponse(
            served_chunks(content, request), content_type=export.content_type
        )
    else:
        response = HttpResponse(content, content_type=export.content_type)
    response["Content-Disposition"] = disposition
    return response
