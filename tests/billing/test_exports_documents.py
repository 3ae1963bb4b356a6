"""The closing documents and the payment QR, as a user gets them: the счёт PDF with its
ГОСТ Р 56042-2014 QR (rendered and decoded), the акт and the УПД's printed form (rendered to
PNG and read back), the export endpoint's formats, status refusals and the Excel dialect."""

import csv
import io
import re
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from billing.exports.act import invoice_act_pdf
from billing.exports.common import seller
from billing.exports.pdf import invoice_pdf
from billing.exports.qr import payment_payload
from billing.exports.upd import upd_filename
from billing.exports.upd_pdf import invoice_upd_pdf
from billing.models import Invoice
from tests.billing.invoice_samples import issue, sample_invoice

pytestmark = pytest.mark.django_db
URL = "/api/v1/invoices/"
PAYLOAD = (
    "ST00012|Name=ООО «Контакт-Центр Демо»|PersonalAcc=40702810600000012345"
    "|BankName=АО «Демо Банк», г. Москва|BIC=044525999|CorrespAcc=30101810600000000999"
    "|Sum=1541468|Purpose=Оплата по счёту № INV-2026-000001 от 01.11.2026 за услуги "
    "контакт-центра за октябрь 2026 г. НДС 20%: 2 569,11|PayeeINN=7709876545|KPP=770901001"
)


def text_of(data):
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text().replace("\xa0", " ") for page in reader.pages]
    return re.sub(r"\s+", " ", " ".join(pages))


def png_of(data, scale=3):
    """The first page as a PIL image, as a reader would see it."""
    document = pypdfium2.PdfDocument(data)
    try:
        return document[0].render(scale=scale).to_pil()
    finally:
        document.close()


@pytest.fixture
def issued():
    return issue(sample_invoice())


def test_the_invoice_pdf_carries_a_payment_qr_that_decodes_to_the_gost_payload(issued):
    assert payment_payload(issued, seller(issued)) == PAYLOAD
    image = png_of(invoice_pdf(issued))
    assert image.size == (1786, 2526)  # A4 at 3x
    codes = zxingcpp.read_barcodes(image)
    assert [(code.format.name, code.text) for code in codes] == [("QRCode", PAYLOAD)]
    text = text_of(invoice_pdf(issued))
    assert "Оплата по QR-коду" in text
    assert "Счёт на оплату № INV-2026-000001 от 01.11.2026" in text


def test_a_draft_and_a_void_invoice_have_no_qr(issued):
    draft = sample_invoice(issued.client, code="second", period=issued.period.replace(month=9))
    assert zxingcpp.read_barcodes(png_of(invoice_pdf(draft))) == []
    Invoice.objects.filter(pk=issued.pk).update(status="void", voided_at=issued.issued_at)
    issued.refresh_from_db()
    assert zxingcpp.read_barcodes(png_of(invoice_pdf(issued))) == []


def test_vat_included_and_no_vat_say_so_in_the_purpose(db):
    included = issue(sample_invoice(vat_included=True))
    assert payment_payload(included, seller(included)).split("|")[6:8] == [
        "Sum=1284557",
        "Purpose=Оплата по счёту № INV-2026-000001 от 01.11.2026 за услуги контакт-центра "
        "за октябрь 2026 г. В том числе НДС 20%: 2 140,93",
    ]


def test_the_act_reads_as_an_act_with_both_parties_and_sums(issued):
    data = invoice_act_pdf(issued)
    text = text_of(data)
    assert "Акт № INV-2026-000001 от 01.11.2026" in text
    assert "Исполнитель: ООО «Контакт-Центр Демо», ИНН 7709876545, КПП 770901001" in text
    assert "Заказчик: ПАО «Волга Банк», ИНН 7701234560, КПП 770101001" in text
    assert "Основание: Счёт на оплату № INV-2026-000001 от 01.11.2026" in text
    assert "Период: с 01.10.2026 по 31.10.2026" in text
    assert "810,50 мин 12,50 10 131,25" in text
    assert "1,00 усл. 500,00 500,00" in text
    assert "Итого: 12 845,57 НДС 20%: 2 569,11 Всего (с учётом НДС): 15 414,68" in text
    assert "Всего оказано услуг 4, на сумму 15 414,68 руб." in text
    assert "Пятнадцать тысяч четыреста четырнадцать рублей 68 копеек" in text
    assert "ИСПОЛНИТЕЛЬ" in text
    assert "ЗАКАЗЧИК" in text
    assert "Иванов И. И." in text
    image = png_of(data, scale=1)
    assert image.size == (596, 842)  # portrait A4 (595.28 pt, rounded up)
    darkest, lightest = image.convert("L").getextrema()
    assert (darkest, lightest) == (39, 255)  # the ink (#1F2933) on white paper


def test_the_act_of_a_vat_included_invoice_shows_the_net_amount(db):
    text = text_of(invoice_act_pdf(issue(sample_invoice(vat_included=True))))
    assert "В том числе НДС 20%: 2 140,93 Сумма без НДС: 10 704,64" in text
    assert "Всего (с учётом НДС): 12 845,57" in text


def test_the_printed_upd_has_the_standard_layout(issued):
    data = invoice_upd_pdf(issued)
    text = text_of(data)
    assert "Универсальный передаточный документ" in text
    assert "Статус: 1" in text
    assert "Счет-фактура № INV-2026-000001 от 01.11.2026" in text
    assert "Продавец: ООО «Контакт-Центр Демо»" in text
    assert "ИНН/КПП продавца: 7709876545/770901001" in text
    assert "Покупатель: ПАО «Волга Банк»" in text
    assert "Валюта: наименование, код: Российский рубль, 643" in text
    assert "А 1 1а 1б 2 2а 3 4 5 6 7 8 9 10 10а 11" in text
    assert "355 мин 810,50 12,50 10 131,25" in text
    assert "Всего к оплате (9) 12 845,57 X 2 569,11 15 414,68" in text
    assert "Иванов И. И." in text
    assert "Петрова А. С." in text
    image = png_of(data, scale=1)
    assert image.size == (842, 596)  # landscape A4


def test_without_vat_the_printed_upd_is_status_2(db):
    invoice = sample_invoice()
    Invoice.objects.filter(pk=invoice.pk).update(
        vat_rate=Decimal("0"), vat=Decimal("0.00"), total=invoice.subtotal
    )
    text = text_of(invoice_upd_pdf(issue(invoice)))
    assert "Статус: 2" in text
    assert "Всего к оплате (9) 12 845,57 X без НДС 12 845,57" in text


# --- The export endpoint ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "filename"),
    [
        ("act", "application/pdf", "INV-2026-000001-act.pdf"),
        ("upd-pdf", "application/pdf", "INV-2026-000001-upd.pdf"),
        ("upd", "application/xml; charset=windows-1251", None),
    ],
)
def test_the_closing_documents_download(issued, admin_api, name, content_type, filename):
    response = admin_api.get(f"{URL}{issued.pk}/export/", {"format": name})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    filename = filename or upd_filename(issued)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if name == "upd":
        assert filename.startswith("ON_NSCHFDOPPR_2ZZ-7701234560-770101001_")
        assert response.content.startswith(b'<?xml version="1.0" encoding="windows-1251"?>')


@pytest.mark.parametrize("name", ["act", "upd", "upd-pdf"])
def test_a_draft_has_no_closing_documents(admin_api, name):
    draft = sample_invoice()
    response = admin_api.get(f"{URL}{draft.pk}/export/", {"format": name})
    assert response.status_code == 409
    assert response.json()["errors"]["status"] == [
        "The invoice is draft; issue it first (acts and УПД need an issued or paid invoice)."
    ]


def test_the_excel_dialect_opens_in_a_russian_excel(issued, admin_api):
    response = admin_api.get(f"{URL}{issued.pk}/export/", {"format": "csv", "dialect": "excel"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["invoice", "client", "period"]
    assert rows[1][12:15] == ["810,5000", "12,5000", "10131,25"]
    assert rows[-1][9] == "total"
    assert rows[-1][14] == "15414,68"
    plain = admin_api.get(f"{URL}{issued.pk}/export/", {"format": "csv"}).content
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert b",10131.25," in plain


def test_a_dialect_belongs_to_the_csv_formats_only(issued, admin_api):
    response = admin_api.get(f"{URL}{issued.pk}/export/", {"format": "pdf", "dialect": "excel"})
    assert response.status_code == 400
    assert "dialect" in response.json()["errors"]
    response = admin_api.get(f"{URL}{issued.pk}/export/", {"format": "csv", "dialect": "tsv"})
    assert response.status_code == 400
    assert "dialect" in response.json()["errors"]
