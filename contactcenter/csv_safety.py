"""Spreadsheet-safe CSV: text cells that a spreadsheet would read as a formula are defused.

OWASP "CSV Injection": a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be run as a formula by Excel, LibreOffice or Google Sheets. Such a *text* cell is
prefixed with a single quote. Numbers we write (``int``, ``Decimal``, ``float``) are never
touched, so ``-12.50`` stays a number; only ``str`` cells are text. Every CSV export of the
project writes through ``safe_csv_writer`` (docs/exports.md, "Safe CSV").
"""

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """A text cell starting with a formula trigger gets a leading ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every row passes through ``neutralize_cell``."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralize_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(stream: Any, **options: Any) -> SafeCsvWriter:
    """The CSV writer every export uses (same options as ``csv.writer``)."""
    return SafeCsvWriter(stream, **options)
