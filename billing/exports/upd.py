"""The УПД of an issued invoice as the ФНС exchange file, format 5.03 (приказ ФНС России
ЕД-7-26/970@, КНД 1115131, seller's title ``ON_NSCHFDOPPR``): status 1 (``СЧФДОП``, счёт-
фактура and transfer document) where VAT applies, 2 (``ДОП``) where it does not.

windows-1251, CRLF, the file named ``<ИдФайл>.xml``. ``ИдФайл`` follows the ФНС pattern
``ON_NSCHFDOPPR_<receiver id>_<sender id>_<YYYYMMDD>_<GUID>_0_0_0_0_0_00`` (the shape of the
hand-checked sample in ``shared/data/fns``); the participants' ЭДО ids come from the
snapshot's ``edo_id`` when a party has one, else ``2ZZ-<ИНН>-<КПП>`` as in that sample. The
GUID is derived from the invoice number, so the same invoice always gives the same file.
Sums: ``СтТовБезНДСВсего`` = the amount without VAT, ``СумНал`` = the invoice's VAT,
``СтТовУчНалВсего`` = its total, to the kopeck (lines split in ``closing.document_lines``).
"""

import uuid

# ElementTree builds the УПД here; nothing is parsed.
import xml.etree.ElementTree as ET  # nosec B405
import zoneinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.exports.closing import (
    buyer_of,
    check_documentable,
    contract_basis,
    document_lines,
    document_totals,
    period_bounds,
    seller_of,
)
from billing.exports.common import QUANTITY_PLACES, invoice_date, percent_label
from billing.models import Invoice
from contactcenter.errors import ConflictError
from contactcenter.money import money

PREFIX = "ON_NSCHFDOPPR"
FORMAT_VERSION = "5.03"
PROGRAM = "contactcenter billing 1.0"
KND = "1115131"
EDO_PREFIX = "2ZZ"  # the sample's operator code; a party's snapshot "edo_id" overrides it
GUID_NAMESPACE = uuid.UUID("1f0c7a52-6a4e-4d0c-9b1e-2f6c1d7e5a11")
FACT = (
    "Документ об отгрузке товаров (выполнении работ), передаче имущественных прав "
    "(документ об оказании услуг)"
)
DOCUMENT_NAMES = {
    "СЧФДОП": f"Счет-фактура и д{FACT[1:]}",
    "ДОП": FACT,
}
CURRENCIES = {
    "RUB": ("643", "Российский рубль"),
    "USD": ("840", "Доллар США"),
    "EUR": ("978", "Евро"),
}
# ОКЕИ: 355 minute, 876 conventional unit (a service).
UNITS = {"мин": ("355", "мин"), "усл.": ("876", "усл. ед")}
VAT_RATES = {"0%", "5%", "7%", "10%", "18%", "20%", "22%"}
NO_VAT = "без НДС"


def upd_function(invoice: Invoice) -> str:
    """'СЧФДОП' (status 1) where VAT applies, 'ДОП' (status 2) where it does not."""
    return "СЧФДОП" if invoice.vat_rate else "ДОП"


def _participant(details: dict[str, Any]) -> str:
    return (
        details.get("edo_id") or f"{EDO_PREFIX}-{details.get('inn', '')}-{details.get('kpp', '')}"
    )


def upd_file_id(invoice: Invoice) -> str:
    """``ИдФайл``, which is also the file name without '.xml'."""
    guid = uuid.uuid5(GUID_NAMESPACE, f"upd:{invoice.number}")
    return "_".join(
        [
            PREFIX,
            _participant(buyer_of(invoice)),
            _participant(seller_of(invoice)),
            f"{invoice_date(invoice):%Y%m%d}",
            str(guid),
            "0_0_0_0_0_00",
        ]
    )


def upd_filename(invoice: Invoice) -> str:
    return f"{upd_file_id(invoice)}.xml"


def _amount(value: Decimal) -> str:
    return f"{money(value):f}"


def _number(value: Decimal, places: Decimal = QUANTITY_PLACES) -> str:
    """A quantity or price without trailing zeros past 2 places ('810.5' -> '810.50')."""
    text = f"{Decimal(value).quantize(places).normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _legal_entity(parent: ET.Element, details: dict[str, Any], field: str) -> None:
    inn, kpp = details.get("inn", ""), details.get("kpp", "")
    if len(inn) != 10 or len(kpp) != 9:
        raise ConflictError(
            _("An УПД needs a Russian legal entity: a 10-digit ИНН and a 9-character КПП."),
            details={
                field: [
                    _("ИНН '%(inn)s' and КПП '%(kpp)s' do not name a Russian company.")
                    % {"inn": inn, "kpp": kpp}
                ]
            },
        )
    identity = ET.SubElement(parent, "ИдСв")
    ET.SubElement(identity, "СвЮЛУч", НаимОрг=details["name"], ИННЮЛ=inn, КПП=kpp)
    address = ET.SubElement(parent, "Адрес")
    ET.SubElement(
        address, "АдрИнф", КодСтр="643", НаимСтран="Россия", АдрТекст=details.get("address") or "-"
    )


def _seller(parent: ET.Element, seller: dict[str, Any]) -> None:
    node = ET.SubElement(parent, "СвПрод")
    _legal_entity(node, seller, "seller")
    if seller.get("account"):
        bank = ET.SubElement(node, "БанкРекв", НомерСчета=seller["account"])
        attributes = {"НаимБанк": seller.get("bank", ""), "БИК": seller.get("bik", "")}
        if seller.get("correspondent_account"):
            attributes["КорСчет"] = seller["correspondent_account"]
        ET.SubElement(bank, "СвБанк", {k: v for k, v in attributes.items() if v})


def _invoice_block(document: ET.Element, invoice: Invoice, date: str) -> None:
    block = ET.SubElement(document, "СвСчФакт", НомерДок=invoice.number or "", ДатаДок=date)
    _seller(block, seller_of(invoice))
    ET.SubElement(
        block,
        "ДокПодтвОтгрНом",
        РеквНаимДок="Универсальный передаточный документ",
        РеквНомерДок=invoice.number or "",
        РеквДатаДок=date,
    )
    buyer = ET.SubElement(block, "СвПокуп")
    _legal_entity(buyer, buyer_of(invoice), "buyer")
    if invoice.currency not in CURRENCIES:
        raise ConflictError(
            _("No ОКВ code for %(currency)s.") % {"currency": invoice.currency},
            details={
                "currency": [
                    _("An УПД in %(currency)s is not supported.") % {"currency": invoice.currency}
                ]
            },
        )
    code, name = CURRENCIES[invoice.currency]
    ET.SubElement(block, "ДенИзм", КодОКВ=code, НаимОКВ=name)


def tax_rate_label(invoice: Invoice) -> str:
    if not invoice.vat_rate:
        return NO_VAT
    label = percent_label(invoice.vat_rate)
    if label not in VAT_RATES:
        raise ConflictError(
            _("VAT %(rate)s has no code in the УПД format.") % {"rate": label},
            details={
                "vat_rate": [
                    _("VAT rate %(rate)s is not one of the format's rates.") % {"rate": label}
                ]
            },
        )
    return label


def _tax(parent: ET.Element, tag: str, amount: Decimal | None) -> None:
    node = ET.SubElement(parent, tag)
    if amount is None:
        ET.SubElement(node, "БезНДС").text = NO_VAT
    else:
        ET.SubElement(node, "СумНал").text = _amount(amount)


def _table(document: ET.Element, invoice: Invoice) -> None:
    table = ET.SubElement(document, "ТаблСчФакт")
    rate = tax_rate_label(invoice)
    for line in document_lines(invoice):
        unit_code, unit_name = UNITS[line.unit]
        attributes = {"НомСтр": str(line.number), "НаимТов": line.description[:1000]}
        if line.price_net > 0:  # the format wants a price above 0 wherever a quantity is
            attributes |= {
                "ОКЕИ_Тов": unit_code,
                "НаимЕдИзм": unit_name,
                "КолТов": _number(line.quantity),
                "ЦенаТов": _number(line.price_net),
            }
        attributes |= {
            "СтТовБезНДС": _amount(line.net),
            "НалСт": rate,
            "СтТовУчНал": _amount(line.gross),
        }
        item = ET.SubElement(table, "СведТов", attributes)
        ET.SubElement(item, "ДопСведТов", ПрТовРаб="3")  # 3: a service
        ET.SubElement(ET.SubElement(item, "Акциз"), "БезАкциз").text = "без акциза"
        _tax(item, "СумНал", line.vat if invoice.vat_rate else None)
    net, vat, total = document_totals(invoice)
    totals = ET.SubElement(
        table, "ВсегоОпл", СтТовБезНДСВсего=_amount(net), СтТовУчНалВсего=_amount(total)
    )
    _tax(totals, "СумНалВсего", vat if invoice.vat_rate else None)


def _transfer(document: ET.Element, invoice: Invoice, date: str) -> None:
    first, last = period_bounds(invoice.period)
    transfer = ET.SubElement(ET.SubElement(document, "СвПродПер"), "СвПер",
        СодОпер="Услуги оказаны в полном объеме", ВидОпер="Оказание услуг", ДатаПер=date,
        ДатаНачПер=f"{first:%d.%m.%Y}", ДатаОконПер=f"{last:%d.%m.%Y}")  # fmt: skip
    name, number, signed = contract_basis(invoice, buyer_of(invoice))
    ET.SubElement(transfer, "ОснПер", РеквНаимДок=name, РеквНомерДок=number,
                  РеквДатаДок=f"{signed:%d.%m.%Y}")  # fmt: skip


def _signer(document: ET.Element, seller: dict[str, Any]) -> None:
    parts = (seller.get("director") or seller.get("name", "")).split()
    signer = ET.SubElement(document, "Подписант", Должн="Генеральный директор", СпосПодтПолном="1")
    names = {"Фамилия": parts[0] if parts else "-", "Имя": parts[1] if len(parts) > 1 else "-"}
    if len(parts) > 2:
        names["Отчество"] = " ".join(parts[2:])
    ET.SubElement(signer, "ФИО", names)


def upd_tree(invoice: Invoice) -> ET.Element:
    """The ``Файл`` element of the invoice's УПД."""
    check_documentable(invoice)
    seller = seller_of(invoice)
    function = upd_function(invoice)
    issued = (invoice.issued_at or timezone.now()).astimezone(
        zoneinfo.ZoneInfo(settings.BILLING_NUMBERING_TIMEZONE)
    )
    date = f"{invoice_date(invoice):%d.%m.%Y}"
    root = ET.Element(
        "Файл", ИдФайл=upd_file_id(invoice), ВерсФорм=FORMAT_VERSION, ВерсПрог=PROGRAM
    )
    document = ET.SubElement(
        root,
        "Документ",
        КНД=KND,
        Функция=function,
        ПоФактХЖ=FACT,
        НаимДокОпр=DOCUMENT_NAMES[function],
        ДатаИнфПр=f"{issued:%d.%m.%Y}",
        ВремИнфПр=f"{issued:%H.%M.%S}",
        НаимЭконСубСост=f"{seller.get('name', '')}, ИНН {seller.get('inn', '')}"[:1000],
    )
    _invoice_block(document, invoice, date)
    _table(document, invoice)
    _transfer(document, invoice, date)
    _signer(document, seller)
    return root


def upd_xml(invoice: Invoice) -> bytes:
    """The exchange file's bytes: windows-1251 (characters outside it as character
    references), CRLF line endings, no BOM."""
    root = upd_tree(invoice)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode").replace("\n", "\r\n")
    prolog = '<?xml version="1.0" encoding="windows-1251"?>\r\n'
    return (prolog + body).encode("cp1251", errors="xmlcharrefreplace")
