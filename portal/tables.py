"""A portal table: its columns and rows, built once and shown or exported as they are.

Every page builds its tables through one function and hands the same ``Table`` to the
HTML template, to ``csv_response`` and to ``xlsx_response``, so an export holds exactly the
rows and numbers the page shows. Cells are text as shown (numbers formatted in the active
language by ``contactcenter.l10n``) or whole numbers (``int``), which the XLSX keeps as
numbers and the CSV and the page write as digits.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils.text import slugify

from contactcenter.csv_safety import safe_csv_writer

Cell = str | int
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = ("csv", "xlsx")
MAX_SHEET_TITLE = 31  # Excel's limit on a sheet's name


@dataclass
class Table:
    """``name``: the table's id on its page and its file name; ``links``: per row, the
    page a row opens (drill-down), never exported."""

    name: str
    title: str
    columns: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)
    note: str = ""

    def add(self, row: Sequence[Cell], link: str | None = None) -> None:
        self.rows.append(list(row))
        self.links.append(link)

    def text_rows(self) -> list[tuple[list[str], str | None]]:
        """Each row as the page shows it, with its link."""
        return [
            ([cell_text(cell) for cell in row], link)
            for row, link in zip(self.rows, self.links, strict=True)
        ]


def cell_text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def _filename(table: Table, stem: str, suffix: str) -> str:
    return f"{slugify(stem) or 'portal'}-{table.name}.{suffix}"


def csv_response(table: Table, stem: str) -> HttpResponse:
    """The table as CSV (UTF-8, comma, the header row first), through the safe writer."""
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer)
    writer.writerow([str(column) for column in table.columns])
    writer.writerows([[cell_text(cell) for cell in row] for row in table.rows])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, stem, "csv")}"'
    return response


def xlsx_bytes(table: Table) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(str(table.title)[:MAX_SHEET_TITLE] or "portal")
    bold = workbook.add_format({"bold": True})
    for column, header in enumerate(table.columns):
        sheet.write_string(0, column, str(header), bold)
        sheet.set_column(column, column, max(12, min(40, len(str(header)) + 2)))
    for number, row in enumerate(table.rows, start=1):
        for column, cell in enumerate(row):
            if isinstance(cell, int):
                sheet.write_number(number, column, cell)
            else:
                sheet.write_string(number, column, cell_text(cell))
    workbook.close()
    return buffer.getvalue()


def xlsx_response(table: Table, stem: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, stem, "xlsx")}"'
    return response


def export_response(table: Table, export: str, stem: str) -> HttpResponse:
    return csv_response(table, stem) if export == "csv" else xlsx_response(table, stem)
