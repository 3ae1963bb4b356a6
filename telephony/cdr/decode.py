"""Bytes to text, leniently: what a PBX or a spreadsheet actually wrote, and which it was.

Tried in order: a BOM (UTF-8, UTF-16), strict UTF-8, Windows-1251 (what Russian Windows and
Excel save), then Latin-1, which never fails. The name of the choice is reported with the
import, so a wrong guess is visible rather than silent.
"""

from __future__ import annotations

import codecs

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
CP1251 = "cp1251"
LATIN1 = "latin-1"

_BOMS = (
    (codecs.BOM_UTF8, UTF8_BOM),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding used)``; never raises for any bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    for encoding in (UTF8, CP1251):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode(LATIN1), LATIN1
