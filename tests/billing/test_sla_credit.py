"""SLA credits on a month written out: two projects miss their service level, one by up to
5 points (5% of its usage), one beyond (10%); the credit lines name the measured value, the
totals and the VAT are exact to the kopeck, and the issued invoice's documents carry them
(the УПД still valid against the official XSD)."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pypdfium2
import pytest

from billing.exports.lines_csv import invoice_csv
from billing.exports.pdf import invoice_pdf
from billing.exports.upd import upd_filename, upd_xml
from billing.exports.xlsx import invoice_xlsx
from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from billing.models import SlaCreditTier, SlaTerm
from billing.sla import sla_credit_amount, sla_shortfall, sla_tier
from tests.billing.fns_upd import schema, schematron_failures
from tests.billing.invoice_samples import volga_client
from tests.factories import ProjectFactory, VatRateFactory
from tests.factories.billing import abandoned_call, answered_call, clock, local_dt, tariff

OCTOBER = dt.date(2026, 10, 1)
NBSP = "\xa0"


def sla_term(project, *, target="80", metric="service_level", threshold=20):
    term = SlaTerm.objects.create(
        project=project,
        valid_from=dt.date(2026, 1, 1),
        metric=metric,
        target_percent=Decimal(target),
        threshold_seconds=threshold,
    )
    SlaCreditTier.objects.create(term=term, shortfall_up_to_points=Decimal("5"),
                                 credit_percent=Decimal("5"))  # fmt: skip
    SlaCreditTier.objects.create(term=term, shortfall_up_to_points=None,
                                 credit_percent=Decimal("10"))  # fmt: skip
    return term


def october_calls(project, *, within, late, abandoned, connected, late_wait):
    """``within`` calls answered after 5 s, ``late`` after ``late_wait`` s, ``abandoned``
    after 40 s; the answered ones last ``connected`` s (billed per second)."""
    minute = 0
    for count, wait in ((within, 5), (late, late_wait)):
        for _index in range(count):
            minute += 1
            offered = local_dt(f"2026-10-{1 + minute % 28:02d} 10:{minute % 60:02d}")
            answered_call(project, offered, connected=connected, answer_after=wait)
    for _index in range(abandoned):
        minute += 1
        abandoned_call(project, local_dt(f"2026-10-{1 + minute % 28:02d} 11:{minute % 60:02d}"))


@pytest.mark.django_db
def test_a_month_under_its_service_level_earns_the_credits_of_its_schedule():
    client = volga_client()
    VatRateFactory(client=client, valid_from=dt.date(2000, 1, 1), rate=Decimal("0.2000"))
    hotline = ProjectFactory(client=client, code="hotline", name="Горячая линия",
                             timezone="Europe/Moscow", sl_threshold_seconds=30)  # fmt: skip
    sales = ProjectFactory(client=client, code="sales", name="Продажи", timezone="Europe/Moscow")
    support = ProjectFactory(client=client, code="support", name="Поддержка",
                             timezone="Europe/Moscow")  # fmt: skip
    for project in (hotline, sales, support):
        tariff(project, rate="12.5000", scheme="1/1")
    # Горячая линия: 7 of 11 offered within the term's 20 s (the project's own threshold
    # is 30 s; the contract's wins): 63.6363...% -> 63.64%, 16.36 points short: 10%.
    # 10 answered calls of 137 s: 1370 s * 12.50 / 60 = 285.4166... -> 285.42.
    october_calls(hotline, within=7, late=3, abandoned=1, connected=137, late_wait=25)
    sla_term(hotline)
    # Продажи: 10 of 13 within 20 s: 76.923...% -> 76.92%, 3.08 points short: 5%.
    # 13 calls of 211 s: 2743 s * 12.50 / 60 = 571.458333... -> 571.46.
    october_calls(sales, within=10, late=3, abandoned=0, connected=211, late_wait=21)
    sla_term(sales, threshold=None)  # blank: the project's 20 s
    # Поддержка: 4 of 4 within 20 s, target met: no credit. 4 calls of 60 s: 50.00.
    october_calls(support, within=4, late=0, abandoned=0, connected=60, late_wait=0)
    sla_term(support)

    with clock("2026-11-05T12:00"):
        [invoice] = invoice_generate(period=OCTOBER, client_code=client.code)
    lines = [
        (line.project.code, line.kind, line.calls, line.billed_seconds, str(line.amount),
         line.description)
        for line in invoice.lines.select_related("project").order_by("position")
    ]  # fmt: skip
    assert lines == [
        ("hotline", "usage", 10, 1370, "285.42",
         "Горячая линия: минуты разговора, октябрь 2026"),
        ("hotline", "sla_credit", 0, 0, "-28.54",
         "Скидка по SLA, Горячая линия, октябрь 2026: уровень обслуживания 63,64% при цели "
         f"80% (−10% от 285,42{NBSP}₽)"),
        ("sales", "usage", 13, 2743, "571.46", "Продажи: минуты разговора, октябрь 2026"),
        ("sales", "sla_credit", 0, 0, "-28.57",
         "Скидка по SLA, Продажи, октябрь 2026: уровень обслуживания 76,92% при цели 80% "
         f"(−5% от 571,46{NBSP}₽)"),
        ("support", "usage", 4, 240, "50.00", "Поддержка: минуты разговора, октябрь 2026"),
    ]  # fmt: skip
    # 285.42 - 28.54 + 571.46 - 28.57 + 50.00 = 849.77; VAT 20% on top: 169.954 -> 169.95.
    assert (invoice.subtotal, invoice.vat, invoice.total) == (
        Decimal("849.77"), Decimal("169.95"), Decimal("1019.72"),
    )  # fmt: skip

    with clock("2026-11-06T09:00"):
        issued = invoice_issue(invoice=invoice)
    assert issued.snapshot["sla"][0] == {
        "project": "hotline",
        "id": hotline.sla_terms.get().id,
        "valid_from": "2026-01-01",
        "metric": "service_level",
        "target_percent": "80.00",
        "threshold_seconds": 20,
        "tiers": [
            {"shortfall_up_to_points": "5.00", "credit_percent": "5.00"},
            {"shortfall_up_to_points": None, "credit_percent": "10.00"},
        ],
    }

    # The documents: CSV lines, the workbook, the PDF and the УПД carry the credits.
    text = invoice_csv(issued).decode("utf-8-sig")
    assert "sla_credit" in text
    assert "-28.54" in text
    assert "-28.57" in text
    sheet = openpyxl.load_workbook(io.BytesIO(invoice_xlsx(issued))).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "скидка по SLA" in cells
    assert -28.54 in cells
    assert -28.57 in cells
    pdf = pypdfium2.PdfDocument(invoice_pdf(issued))
    page_text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "63,64%" in page_text.replace("\r", "").replace("\n", " ")
    data = upd_xml(issued)
    assert [str(error.reason) for error in schema().iter_errors(io.BytesIO(data))] == []
    assert schematron_failures(data, upd_filename(issued)) == []
    assert "уровень обслуживания 76,92%".encode("cp1251") in data


@pytest.mark.django_db
def test_an_abandon_rate_over_its_target_earns_a_credit():
    client = volga_client()
    project = ProjectFactory(client=client, code="hotline", name="Горячая линия",
                             timezone="Europe/Moscow")  # fmt: skip
    tariff(project, rate="12.5000", scheme="1/1")
    # 9 answered, 2 abandoned after 40 s: 2 / 11 = 18.18% abandoned, target at most 15%.
    october_calls(project, within=9, late=0, abandoned=2, connected=100, late_wait=0)
    sla_term(project, metric="abandon_rate", target="15", threshold=None)
    with clock("2026-11-05T12:00"):
        [invoice] = invoice_generate(period=OCTOBER, client_code=client.code)
    credit = invoice.lines.get(kind="sla_credit")
    # 900 s * 12.50 / 60 = 187.50; 3.18 points over: 5% -> 9.375 -> 9.38.
    assert (str(credit.amount), credit.description) == (
        "-9.38",
        "Скидка по SLA, Горячая линия, октябрь 2026: доля потерянных вызовов 18,18% при цели "
        f"не более 15% (−5% от 187,50{NBSP}₽)",
    )


def test_the_schedule_arithmetic():
    class Tier:
        def __init__(self, bound, credit):
            self.shortfall_up_to_points = None if bound is None else Decimal(bound)
            self.credit_percent = Decimal(credit)

    tiers = [Tier(None, "10"), Tier("5", "5"), Tier("2", "2")]
    assert sla_shortfall(metric="service_level", target=Decimal(80), measured=None) == 0
    assert sla_shortfall(metric="service_level", target=Decimal(80), measured=Decimal("81")) == 0
    assert sla_shortfall(
        metric="abandon_rate", target=Decimal(5), measured=Decimal("7.5")
    ) == Decimal("2.5")
    assert sla_tier(tiers, Decimal(0)) is None
    assert sla_tier(tiers, Decimal("2.00")).credit_percent == 2
    assert sla_tier(tiers, Decimal("2.01")).credit_percent == 5
    assert sla_tier(tiers, Decimal("5.01")).credit_percent == 10
    assert sla_tier(tiers[1:], Decimal("50")).credit_percent == 5  # no 'beyond': capped
    assert sla_credit_amount(Decimal("12345.67"), Decimal(5)) == Decimal("-617.28")
