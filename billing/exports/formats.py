"""The export formats by name, with their content types and file names."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from billing.exports.common import file_stem
from billing.exports.detail_csv import invoice_detail_chunks
from billing.exports.lines_csv import invoice_csv
from billing.exports.pdf import invoice_pdf
from billing.exports.xlsx import invoice_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    suffix: str  # after the invoice's file stem
    render: Callable[[Any], Any]  # invoice -> bytes, or (streamed) invoice -> iterator of bytes
    streamed: bool = False

    def filename(self, invoice):
        """'INV-2026-000001.pdf', 'draft-acme-2026-10-detail.csv'."""
        return f"{file_stem(invoice)}{self.suffix}"


FORMATS = {
    export.name: export
    for export in (
        ExportFormat("pdf", "application/pdf", ".pdf", invoice_pdf),
        ExportFormat("xlsx", XLSX_TYPE, ".xlsx", invoice_xlsx),
        ExportFormat("csv", "text/csv; charset=utf-8", ".csv", invoice_csv),
        ExportFormat(
            "detail", "text/csv; charset=utf-8", "-detail.csv", invoice_detail_chunks, True
        ),
    )
}
FORMAT_NAMES = tuple(FORMATS)


def export_response(invoice, name):
    """The Django response serving ``invoice`` as ``name`` (a download; detail streamed)."""
    export = FORMATS[name]
    disposition = f'attachment; filename="{export.filename(invoice)}"'
    if export.streamed:
        response = StreamingHttpResponse(export.render(invoice), content_type=export.content_type)
    else:
        response = HttpResponse(export.render(invoice), content_type=export.content_type)
    response["Content-Disposition"] = disposition
    return response
