"""The client portal in a real headless Chromium, in Russian: a client's accountant (who
reads all a viewer reads, and the money) logs in, reads the service of October against
the targets, marks an abandoned call as called back, and opens the invoices. Nothing is
fetched from anywhere but our server; screenshots go to /tmp."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from calls.models import Call
from portal.models import CallbackMark
from tests.factories.billing import clock, tariff
from tests.portal.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser]

SHOTS = os.environ.get("PORTAL_SCREENSHOTS", "/tmp")  # noqa: S108


@pytest.fixture
def known_data(transactional_db):
    world = build_world()
    Call.objects.update(received_at=F("offered_at") + dt.timedelta(minutes=1))
    call_command("rollup_kpis", verbosity=0)
    for project in (world["hotline"], world["sales"]):
        tariff(project, rate="1.0000")
    with clock("2026-11-05T12:00"):
        (draft,) = invoice_generate(period=dt.date(2026, 10, 1), client_code="alfa")
        world["invoice"] = invoice_issue(invoice=draft)
    assert world["invoice"].total == Decimal("8.34")
    return world


def _rows(page, table):
    return page.eval_on_selector_all(
        f'table[data-table="{table}"] tbody tr:not(.empty)',
        "rows => rows.map(r => [...r.querySelectorAll('td:not(.action)')]"
        ".map(c => c.textContent.trim()))",
    )


def test_a_client_walks_through_service_abandoned_calls_and_invoices(
    chromium, live_server, known_data
):
    requested, errors = [], []
    with chromium() as browser:
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(f"{live_server.url}/portal/service/?period=month&date=2026-10-15")
        assert "/portal/login/" in page.url
        assert page.inner_text("h1") == "Портал клиента"
        page.fill("#id_username", "alfa-accountant")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-submit")

        # Service of October against the targets, in Russian.
        assert page.url.endswith("/portal/service/?period=month&date=2026-10-15")
        assert "Уровень обслуживания против договора" in page.inner_text("h1")
        assert page.inner_text("#period-label") == "октябрь 2026"
        assert _rows(page, "service") == [
            ["Alfa hotline", "6", "4", "1", "60,0\xa0%", "80,0\xa0%", "не выполнено",
             "20,0\xa0%", "5,0\xa0%", "не выполнено", "15", "1"],
            ["Alfa sales", "2", "1", "1", "50,0\xa0%", "80,0\xa0%", "не выполнено",
             "50,0\xa0%", "5,0\xa0%", "не выполнено", "12", "1"],
        ]  # fmt: skip
        assert [row[1] for row in _rows(page, "missed-intervals")] == [
            "05.10.2026 10:00:00 MSK",
            "07.10.2026 15:00:00 MSK",
        ]
        page.screenshot(path=f"{SHOTS}/portal-service.png", full_page=True)

        # Abandoned calls: mark the hotline's caller as called back.
        page.click('nav a[data-nav="abandoned"]')
        page.fill("input[name=date_from]", "2026-10-01")
        page.fill("input[name=date_to]", "2026-10-31")
        with page.expect_navigation():
            page.click("#filters button[type=submit]")
        assert [row[2] for row in _rows(page, "abandoned")] == ["+79011112233", "+79015556677"]
        call = known_data["calls"]["abandoned"]
        with page.expect_navigation():
            page.click(f'button[data-call="{call.pk}"]')
        rows = _rows(page, "abandoned")
        assert rows[0][4].endswith("MSK")
        assert rows[1][4] == ""
        assert "date_from=2026-10-01" in page.url
        page.screenshot(path=f"{SHOTS}/portal-abandoned.png", full_page=True)

        # Invoices: the issued invoice, its documents, the balance.
        page.click('nav a[data-nav="invoices"]')
        assert page.inner_text("h1") == "Счета и оплаты"
        assert _rows(page, "invoices") == [
            ["INV-2026-000001", "2026-10", "Выставлен", "8,34", "0,00", "8,34", "2026-11-15"]
        ]
        assert page.inner_text("#owed") == "8,34 RUB"
        links = page.eval_on_selector_all("td.docs a", "links => links.map(a => a.dataset.file)")
        assert links == ["pdf", "xlsx", "act", "upd", "upd-pdf"]
        page.screenshot(path=f"{SHOTS}/portal-invoices.png", full_page=True)

        # A phone: the same page fits, the menu wraps.
        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{live_server.url}/portal/abandoned/?date_from=2026-10-01&date_to=2026-10-31")
        width = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(path=f"{SHOTS}/portal-phone.png", full_page=True)
        context.close()

    assert width <= 390
    assert not errors
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert CallbackMark.objects.get().call_id == call.pk
