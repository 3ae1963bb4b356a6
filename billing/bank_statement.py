"""Parser of 1CClientBankExchange bank statements (formats 1.02 and 1.03): the header, the
account sections and every document, amounts as Decimal (/work/shared/data/bank/FORMAT.md).

Pure: bytes in, a ``Statement`` out, or a ``StatementError`` saying what is wrong. The
encoding is the one the ``Кодировка`` line names (``Windows``: windows-1251, ``DOS``:
cp866), unless the file is valid UTF-8 (someone re-saved it), which is then used and said.
"""

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

SIGNATURE = "1CClientBankExchange"
VERSIONS = ("1.02", "1.03")
MAX_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 10000
DECLARED = {"windows": "windows-1251", "dos": "cp866"}
AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


class StatementError(ValueError):
    """The file is not a statement this parser reads; the message says why."""


@dataclasses.dataclass(frozen=True)
class BankDocument:
    """One bank document (payment order) of a statement, with the keys matching needs."""

    kind: str
    number: str
    date: dt.date
    amount: Decimal
    payer_account: str
    payer_inn: str
    payer_kpp: str
    payer_name: str
    recipient_account: str
    recipient_inn: str
    received_on: dt.date | None
    purpose: str
    line: int  # where the document starts in the file (1-based)


@dataclasses.dataclass(frozen=True)
class Statement:
    version: str
    encoding: str  # the codec used to read it
    encoding_note: str  # how it was chosen
    accounts: tuple[str, ...]  # the statement's own accounts (РасчСчет of the header)
    start: dt.date | None
    end: dt.date | None
    documents: tuple[BankDocument, ...]


def declared_encoding(data: bytes) -> str:
    """The ``Кодировка`` value as written (its key read in any of the three codecs)."""
    head = data[:4096]
    for codec in ("windows-1251", "utf-8", "cp866"):
        key = "Кодировка=".encode(codec)
        if key in head:
            value = head.split(key, 1)[1].splitlines()[0] if head.split(key, 1)[1] else b""
            return value.decode("ascii", errors="replace").strip()
    return ""


def detect_encoding(data: bytes) -> tuple[str, str]:
    """(codec, how it was chosen) for a statement's bytes."""
    declared = declared_encoding(data)
    if data.startswith(b"\xef\xbb\xbf") or (not data.isascii() and _is_utf8(data)):
        return "utf-8", f"UTF-8 (the file declares '{declared or 'nothing'}')"
    codec = DECLARED.get(declared.lower())
    if codec:
        return codec, f"{codec} (Кодировка={declared})"
    return "windows-1251", "windows-1251 (no known Кодировка line; the format's default)"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_date(value: str, key: str, line: int) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%d.%m.%Y").date()  # noqa: DTZ007  a calendar date, no instant
    except ValueError:
        raise StatementError(
            _("Line %(line)s: %(key)s=%(value)s is not a date ДД.ММ.ГГГГ.")
            % {"line": line, "key": key, "value": repr(value)}
        ) from None


def parse_amount(value: str, line: int) -> Decimal:
    text = value.strip()
    if not AMOUNT.match(text):
        raise StatementError(
            _("Line %(line)s: Сумма=%(value)s is not an amount such as 122000.00.")
            % {"line": line, "value": repr(value)}
        )
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise StatementError(
            _("Line %(line)s: Сумма=%(value)s is not an amount.")
            % {"line": line, "value": repr(value)}
        ) from None


def _lines(data: bytes) -> tuple[list[str], str, str]:
    if len(data) > MAX_BYTES:
        raise StatementError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    codec, note = detect_encoding(data)
    text = data.decode(codec, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != SIGNATURE:
        raise StatementError(
            _("Not a bank statement: the first line must be '%(signature)s'.")
            % {"signature": SIGNATURE}
        )
    return lines, codec, note


def _document(kind: str, fields: dict[str, str], line: int) -> BankDocument:
    for key in ("Номер", "Дата", "Сумма"):
        if not fields.get(key, "").strip():
            raise StatementError(
                _("Line %(line)s: the document has no %(key)s.") % {"line": line, "key": key}
            )
    purpose = fields.get("НазначениеПлатежа", "").strip() or " ".join(
        fields.get(f"НазначениеПлатежа{i}", "").strip() for i in range(1, 7)
    )
    received = fields.get("ДатаПоступило", "").strip()
    return BankDocument(
        kind=kind,
        number=fields["Номер"].strip()[:30],
        date=parse_date(fields["Дата"], "Дата", line),
        amount=parse_amount(fields["Сумма"], line),
        payer_account=(
            fields.get("ПлательщикСчет") or fields.get("ПлательщикРасчСчет", "")
        ).strip(),
        payer_inn=fields.get("ПлательщикИНН", "").strip(),
        payer_kpp=fields.get("ПлательщикКПП", "").strip(),
        payer_name=(fields.get("Плательщик1") or fields.get("Плательщик", "")).strip(),
        recipient_account=(
            fields.get("ПолучательСчет") or fields.get("ПолучательРасчСчет", "")
        ).strip(),
        recipient_inn=fields.get("ПолучательИНН", "").strip(),
        received_on=parse_date(received, "ДатаПоступило", line) if received else None,
        purpose=purpose.strip(),
        line=line,
    )


def parse_statement(data: bytes) -> Statement:
    """Read a 1CClientBankExchange file; unknown keys are ignored, as the format asks."""
    lines, codec, note = _lines(data)
    header: dict[str, str] = {}
    accounts: list[str] = []
    documents: list[BankDocument] = []
    current: dict[str, str] | None = None
    kind, start_line, in_account = "", 0, False
    for number, raw in enumerate(lines[1:], start=2):
        key, _sep, value = raw.strip().partition("=")
        if key == "КонецФайла":
            break
        if key == "СекцияДокумент":
            current, kind, start_line = {}, value.strip(), number
        elif key == "КонецДокумента" and current is not None:
            documents.append(_document(kind, current, start_line))
            current = None
            if len(documents) > MAX_DOCUMENTS:
                raise StatementError(
                    _("More than %(count)s documents in one file.") % {"count": MAX_DOCUMENTS}
                )
        elif key in ("СекцияРасчСчет", "КонецРасчСчет"):
            in_account = key == "СекцияРасчСчет"
        elif current is not None:
            current.setdefault(key, value)
        elif not in_account and key == "РасчСчет":
            accounts.append(value.strip())
        elif not in_account:
            header.setdefault(key, value.strip())
    if current is not None:
        raise StatementError(
            _("Line %(line)s: the document has no КонецДокумента.") % {"line": start_line}
        )
    version = header.get("ВерсияФормата", "")
    if version not in VERSIONS:
        raise StatementError(
            _("ВерсияФормата=%(version)s: only %(first)s and %(second)s are read.")
            % {"version": repr(version), "first": VERSIONS[0], "second": VERSIONS[1]}
        )
    return Statement(
        version=version,
        encoding=codec,
        encoding_note=note,
        accounts=tuple(accounts),
        start=parse_date(header["ДатаНачала"], "ДатаНачала", 0)
        if header.get("ДатаНачала")
        else None,
        end=parse_date(header["ДатаКонца"], "ДатаКонца", 0) if header.get("ДатаКонца") else None,
        documents=tuple(documents),
    )
