"""The invoice PDF: rendered to an image and read back as text, Cyrillic from the embedded
font; the layout's figures (number, date, parties, lines, VAT wording, total in words)."""

import io
import re
from decimal import Decimal

import pypdfium2
import pytest
from pypdf import PdfReader

from billing.exports.pdf import invoice_pdf
from billing.exports.words import amount_in_words, plural_ru
from tests.billing.invoice_samples import issue, sample_invoice, volga_client
from tests.factories import InvoiceLineFactory

pytestmark = pytest.mark.django_db


def page_texts(data):
    """Text of every page, spaces normalised (amounts use no-break spaces)."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text().replace("\xa0", " ")) for page in reader.pages]


def rendered(data, page=0):
    document = pypdfium2.PdfDocument(data)
    try:
        return document[page].render(scale=1).to_pil().convert("L")
    finally:
        document.close()


@pytest.fixture
def issued():
    return issue(sample_invoice())


def test_the_issued_invoice_reads_as_a_russian_invoice(issued):
    (text,) = page_texts(invoice_pdf(issued))

    assert "Счёт на оплату № INV-2026-000001 от 01.11.2026" in text
    assert "ПАО «Волга Банк», ИНН 7701234560, КПП 770101001" in text
    assert "ООО «Контакт-Центр Демо», ИНН 7709876545, КПП 770901001" in text
    assert "Услуги контакт-центра за октябрь 2026 г." in text
    for figures in ("БИК 044525999", "30101810600000000999", "40702810600000012345"):
        assert figures.split()[-1] in text
    # Lines: minutes with 2 decimals, unit, rate, amount; the top-up is one service.
    assert "810,50 мин 12,50 10 131,25" in text
    assert "59,00 мин 15,00 885,00" in text
    assert "106,37 мин 12,4975 1 329,32" in text
    assert "1,00 усл. 500,00 500,00" in text
    assert "Итого: 12 845,57" in text
    assert "НДС 20%: 2 569,11" in text
    assert "В том числе" not in text
    assert "Всего к оплате: 15 414,68" in text
    assert "Всего наименований 4, на сумму 15 414,68 руб." in text
    assert "Пятнадцать тысяч четыреста четырнадцать рублей 68 копеек" in text
    assert "Руководитель" in text
    assert "Бухгалтер" in text


def test_vat_included_is_worded_in_t_ch(db):
    invoice = issue(sample_invoice(vat_included=True))
    (text,) = page_texts(invoice_pdf(invoice))
    assert "В том числе НДС 20%: 2 140,93" in text
    assert "Всего к оплате: 12 845,57" in text
    assert "Двенадцать тысяч восемьсот сорок пять рублей 57 копеек" in text


def test_no_vat_says_without_tax(db):
    invoice = sample_invoice()
    type(invoice).objects.filter(pk=invoice.pk).update(
        vat_rate=Decimal("0"), vat=Decimal("0.00"), total=invoice.subtotal
    )
    (text,) = page_texts(invoice_pdf(invoice))
    assert "Без налога (НДС): —" in text


def test_a_draft_has_no_number_and_a_watermark(db):
    text = page_texts(invoice_pdf(sample_invoice()))[0]
    assert "Счёт на оплату (черновик, без номера) от" in text
    assert "ЧЕРНОВИК" in text
    assert "INV-" not in text


def test_pdfium_reads_the_same_cyrillic(issued):
    document = pypdfium2.PdfDocument(invoice_pdf(issued))
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "Счёт на оплату № INV-2026-000001" in text
    assert "ПАО «Волга Банк»" in text


def test_it_renders_to_a_page_with_ink(issued):
    image = rendered(invoice_pdf(issued))
    assert image.size[0] in (595, 596)
    assert image.size[1] == 842
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert dark > 5_000  # text and rules, not an empty page
    assert histogram[255] > image.size[0] * image.size[1] * 0.6  # mostly white paper


def test_the_font_is_embedded_so_no_system_font_is_needed(issued):
    reader = PdfReader(io.BytesIO(invoice_pdf(issued)))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descendant["/FontDescriptor"]
    assert fonts, "no font in the PDF"
    assert all(fonts.values()), fonts
    assert any("DejaVuSans" in name for name in fonts)
    assert not any(name.endswith(("Helvetica", "Times-Roman")) for name in fonts)


def test_many_lines_flow_onto_more_pages_with_the_header_repeated(db):
    invoice = sample_invoice(volga_client())
    for position in range(4, 60):
        InvoiceLineFactory(
            invoice=invoice, position=position, project=invoice.lines.first().project
        )
    pages = page_texts(invoice_pdf(invoice))
    assert len(pages) >= 2
    with_lines = [page for page in pages if "Conversation minutes" in page]
    assert len(with_lines) >= 2
    assert all("Товары (работы, услуги)" in page for page in with_lines)
    assert "стр. 2" in pages[1]
    # The totals, the words and the signatures stay together on the last page.
    last = pages[-1]
    for text in ("Всего к оплате:", "Всего наименований 60", "Руководитель", "расшифровка"):
        assert text in last


def test_the_same_invoice_gives_the_same_bytes(issued):
    assert invoice_pdf(issued) == invoice_pdf(issued)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("12345.50", "Двенадцать тысяч триста сорок пять рублей 50 копеек"),
        ("1.01", "Один рубль 01 копейка"),
        ("2.02", "Два рубля 02 копейки"),
        ("11.11", "Одиннадцать рублей 11 копеек"),
        ("21.21", "Двадцать один рубль 21 копейка"),
        ("0.00", "Ноль рублей 00 копеек"),
        ("1000000.00", "Один миллион рублей 00 копеек"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_keeps_an_unknown_currency_code():
    assert amount_in_words(Decimal("100.05"), "KZT") == "Сто KZT 05"


@pytest.mark.parametrize(
    ("number", "form"),
    [(1, 0), (2, 1), (4, 1), (5, 2), (11, 2), (12, 2), (14, 2), (21, 0), (22, 1), (111, 2)],
)
def test_plural_ru(number, form):
    forms = ("рубль", "рубля", "рублей")
    assert plural_ru(number, forms) == forms[form]
