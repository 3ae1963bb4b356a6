"""The УПД exchange file (ФНС 5.03): valid against the official XSD and its Schematron rules,
its sums equal to the invoice's to the kopeck for VAT on top, included and none, one and
several lines; status by VAT; file name = ИдФайл; windows-1251."""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from billing.exports.upd import upd_filename, upd_xml
from billing.frozen import invoice_snapshot
from billing.models import Invoice, TariffBand
from contactcenter.errors import ConflictError
from tests.billing.fns_upd import schema, schematron_failures, schematron_rules
from tests.billing.invoice_samples import ISSUED_AT, issue, sample_invoice, volga_client
from tests.factories.billing import tariff

pytestmark = pytest.mark.django_db


def no_vat(invoice):
    Invoice.objects.filter(pk=invoice.pk).update(
        vat_rate=Decimal("0"), vat=Decimal("0.00"), total=invoice.subtotal
    )
    invoice.refresh_from_db()
    return invoice


def one_line(invoice):
    """Keep the first line only (10131.25), with totals to match."""
    invoice.lines.exclude(position=0).delete()
    rate = invoice.vat_rate
    subtotal = Decimal("10131.25")
    if invoice.vat_included:
        vat = (subtotal * rate / (1 + rate)).quantize(Decimal("0.01"))
        total = subtotal
    else:
        vat = (subtotal * rate).quantize(Decimal("0.01"))
        total = subtotal + vat
    Invoice.objects.filter(pk=invoice.pk).update(subtotal=subtotal, vat=vat, total=total)
    invoice.refresh_from_db()
    return invoice


# case -> (build, function, net, VAT, total, lines)
CASES = {
    "vat-on-top": (lambda: sample_invoice(), "СЧФДОП", "12845.57", "2569.11", "15414.68", 4),
    "vat-included": (
        lambda: sample_invoice(vat_included=True),
        "СЧФДОП",
        "10704.64",
        "2140.93",
        "12845.57",
        4,
    ),
    "no-vat": (lambda: no_vat(sample_invoice()), "ДОП", "12845.57", None, "12845.57", 4),
    "one-line-on-top": (
        lambda: one_line(sample_invoice()),
        "СЧФДОП",
        "10131.25",
        "2026.25",
        "12157.50",
        1,
    ),
    "one-line-included": (
        lambda: one_line(sample_invoice(vat_included=True)),
        "СЧФДОП",
        "8442.71",
        "1688.54",
        "10131.25",
        1,
    ),
    "one-line-no-vat": (
        lambda: one_line(no_vat(sample_invoice())),
        "ДОП",
        "10131.25",
        None,
        "10131.25",
        1,
    ),
}


def parsed(data):
    return ET.fromstring(data)  # noqa: S314 (our own generated file, not untrusted input)


@pytest.mark.parametrize("case", list(CASES))
def test_every_upd_validates_and_adds_up_to_the_invoice(case):
    build, function, net, vat, total, count = CASES[case]
    invoice = issue(build())
    data = upd_xml(invoice)
    name = upd_filename(invoice)

    # windows-1251, declared so, CRLF, no BOM; the official XSD accepts it.
    assert data.startswith(b'<?xml version="1.0" encoding="windows-1251"?>\r\n')
    assert "Универсальный передаточный документ".encode("cp1251") in data
    errors = [str(error.reason) for error in schema().iter_errors(io.BytesIO(data))]
    assert errors == []
    # Every Schematron rule of the schema (54) holds, the file name one included.
    assert len(schematron_rules()) == 54
    assert schematron_failures(data, name) == []
    assert schematron_failures(data, "renamed.xml") == [
        "Проверка имени файла на соответствие значению атрибута @ИдФайл: Файл"
    ]

    root = parsed(data)
    assert name == f"{root.get('ИдФайл')}.xml"
    document = root.find("Документ")
    assert document.get("Функция") == function
    assert root.get("ВерсФорм") == "5.03"
    assert document.get("КНД") == "1115131"
    if function == "СЧФДОП":  # status 1 names its document
        assert document.get("НаимДокОпр").startswith("Счет-фактура и документ об отгрузке")
        assert document.find("ТаблСчФакт") is not None
    else:
        assert document.get("НаимДокОпр").startswith("Документ об отгрузке")
    assert document.find("СвПродПер/СвПер").get("ДатаНачПер") == "01.10.2026"
    assert document.find("СвПродПер/СвПер").get("ДатаОконПер") == "31.10.2026"
    assert document.find("СвСчФакт/СвПрод/Адрес") is not None
    assert document.find("СвСчФакт/СвПокуп/Адрес") is not None

    totals = document.find("ТаблСчФакт/ВсегоОпл")
    assert totals.get("СтТовБезНДСВсего") == net
    assert totals.get("СтТовУчНалВсего") == total
    items = document.findall("ТаблСчФакт/СведТов")
    assert len(items) == count
    if vat is None:
        assert totals.find("СумНалВсего/БезНДС").text == "без НДС"
        assert invoice.vat == Decimal("0.00")
        assert {item.get("НалСт") for item in items} == {"без НДС"}
    else:
        assert totals.find("СумНалВсего/СумНал").text == vat == f"{invoice.vat}"
        assert {item.get("НалСт") for item in items} == {"20%"}
        # The lines' VAT adds up to the invoice's VAT to the kopeck, as do nets and grosses.
        assert sum(Decimal(i.find("СумНал/СумНал").text) for i in items) == Decimal(vat)
    assert sum(Decimal(i.get("СтТовБезНДС")) for i in items) == Decimal(net)
    assert sum(Decimal(i.get("СтТовУчНал")) for i in items) == Decimal(total)
    assert Decimal(net) + (Decimal(vat) if vat else 0) == Decimal(total) == invoice.total


def test_the_file_name_follows_the_format_and_is_stable():
    invoice = issue(sample_invoice())
    name = upd_filename(invoice)
    assert re.fullmatch(
        r"ON_NSCHFDOPPR_2ZZ-7701234560-770101001_2ZZ-7709876545-770901001_20261101_"
        r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}_0_0_0_0_0_00\.xml",
        name,
    )
    assert upd_xml(invoice) == upd_xml(invoice)
    assert upd_filename(invoice) == name


def test_the_parties_and_the_lines_read_as_the_invoice():
    invoice = issue(sample_invoice())
    document = parsed(upd_xml(invoice)).find("Документ")
    seller = document.find("СвСчФакт/СвПрод/ИдСв/СвЮЛУч")
    assert (seller.get("НаимОрг"), seller.get("ИННЮЛ"), seller.get("КПП")) == (
        "ООО «Контакт-Центр Демо»", "7709876545", "770901001",
    )  # fmt: skip
    buyer = document.find("СвСчФакт/СвПокуп/ИдСв/СвЮЛУч")
    assert (buyer.get("НаимОрг"), buyer.get("ИННЮЛ")) == ("ПАО «Волга Банк»", "7701234560")
    account = document.find("СвСчФакт/СвПрод/БанкРекв")
    assert account.get("НомерСчета") == "40702810600000012345"
    assert document.find("СвСчФакт").get("НомерДок") == "INV-2026-000001"
    first, *_, topup = document.findall("ТаблСчФакт/СведТов")
    assert (first.get("ОКЕИ_Тов"), first.get("КолТов"), first.get("ЦенаТов")) == (
        "355", "810.50", "12.50",
    )  # fmt: skip
    assert (first.get("СтТовБезНДС"), first.find("СумНал/СумНал").text) == ("10131.25", "2026.25")
    assert (topup.get("ОКЕИ_Тов"), topup.get("КолТов"), topup.get("СтТовБезНДС")) == (
        "876", "1.00", "500.00",
    )  # fmt: skip
    signer = document.find("Подписант/ФИО")
    assert (signer.get("Фамилия"), signer.get("Имя"), signer.get("Отчество")) == (
        "Иванов", "И.", "И.",
    )  # fmt: skip
    basis = document.find("СвПродПер/СвПер/ОснПер")
    assert (basis.get("РеквНаимДок"), basis.get("РеквНомерДок")) == (
        "Счёт на оплату", "INV-2026-000001",
    )  # fmt: skip


def test_a_band_prints_its_display_name_and_new_snapshot_keys_are_read():
    invoice = sample_invoice()
    hotline = invoice.lines.get(position=1).project
    night = [("ночь", [0, 1, 2, 3, 4], "22:00", "08:00", "15.0000")]
    tariff(hotline, dt.date(2026, 1, 1), rate="12.5000", bands=night)
    TariffBand.objects.filter(name="ночь").update(display_name="Ночной")
    snapshot = invoice_snapshot(invoice)
    # Keys a newer snapshot carries (the client's contract): read with .get.
    snapshot["buyer"] |= {"contract_number": "КЦ-17", "contract_date": "2026-01-12"}
    Invoice.objects.filter(pk=invoice.pk).update(
        status="issued", number="INV-2026-000001", issued_at=ISSUED_AT, snapshot=snapshot
    )
    invoice.refresh_from_db()
    TariffBand.objects.filter(name="ночь").update(display_name="renamed later")

    document = parsed(upd_xml(invoice)).find("Документ")
    names = [item.get("НаимТов") for item in document.findall("ТаблСчФакт/СведТов")]
    assert names[1] == "Горячая линия: минуты разговора, тариф «Ночной»"
    basis = document.find("СвПродПер/СвПер/ОснПер")
    assert (basis.get("РеквНаимДок"), basis.get("РеквНомерДок"), basis.get("РеквДатаДок")) == (
        "Договор", "КЦ-17", "12.01.2026",
    )  # fmt: skip


def test_a_draft_has_no_upd():
    with pytest.raises(ConflictError) as refused:
        upd_xml(sample_invoice(volga_client(code="draft-client")))
    assert "draft" in refused.value.details["status"][0]
