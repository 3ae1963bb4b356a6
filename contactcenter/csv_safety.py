"""Spreadsheet-safe CSV: text cells that a spreadsheet would read as a formula are defused.

OWASP "CSV Injection": a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be run as a formula by Excel, LibreOffice or Google Sheets. Such a *text* cell is
prefixed with a single quote. Numbers we write (``int``, ``Decimal``, ``float``) are never
touched, so ``-12.50`` stays a number; only ``str`` cells are text. Every CSV export of the
project writes through ``safe_csv_writer`` (docs/exports.md, "Safe CSV").
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """A text cell starting with a formula trigger gets a leading ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


EXCEL_BOM = "\ufeff"
DIALECTS = ("rfc4180", "excel")


def comma_decimal(value: Any) -> Any:
    """A ``Decimal``/``float`` as text with a decimal comma ('-12,50'); anything else as is."""
    if isinstance(value, Decimal | float):
        text = f"{value:f}" if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",")
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every row passes through ``neutralize_cell`` (and, for a Russian
    Excel, writes numbers with a decimal comma after that: a number is never neutralized)."""

    def __init__(self, stream: Any, *, decimal_comma: bool = False, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)
        self._decimal_comma = decimal_comma

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [neutralize_cell(value) for value in row]
        if self._decimal_comma:
            cells = [comma_decimal(value) for value in cells]
        return self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(stream: Any, **options: Any) -> SafeCsvWriter:
    """The CSV writer every export uses (same options as ``csv.writer``)."""
    return SafeCsvWriter(stream, **options)


def dialect_csv_writer(stream: Any, dialect: str | None = None) -> SafeCsvWriter:
    """The writer of a dialect: ``rfc4180`` (default: comma, '.') or ``excel`` (a Russian
    Excel opens it by double click: ';' separator, decimal comma; the caller starts the
    file with ``EXCEL_BOM``, which tells Excel it is UTF-8)."""
    if dialect == "excel":
        return SafeCsvWriter(stream, delimiter=";", decimal_comma=True)
    return SafeCsvWriter(stream)
