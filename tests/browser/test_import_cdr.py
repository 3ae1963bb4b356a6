"""The "Import CDR" admin page in a real browser, in Russian: upload Master.csv as a dry
run, read the summary (screenshot in /tmp/import_cdr.png)."""

import os
from pathlib import Path

import pytest

from telephony.models import AgentMapping, TelephonySource
from tests.factories import ClientFactory, OperatorFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.browser

MASTER = (
    Path(__file__).parent.parent / "telephony" / "data" / "asterisk_cc_master_21cols_cp1251.csv"
)
PASSWORD = "root-secret-42"
WAIT_MS = 15_000
SCREENSHOT = os.environ.get("IMPORT_CDR_SCREENSHOT", "/tmp/import_cdr.png")  # noqa: S108


def test_a_dry_run_upload_shows_the_summary_in_russian(chromium, live_server):
    acme = ClientFactory(code="acme")
    hotline = ProjectFactory(code="hotline", client=acme)
    source = TelephonySource.objects.create(
        client=acme, code="acme-pbx", name="АТС ACME", kind="asterisk-cdr-csv"
    )
    AgentMapping.objects.create(source=source, name="1001", operator=OperatorFactory(code="ivan"))
    AgentMapping.objects.create(source=source, name="1002", operator=OperatorFactory(code="olga"))
    source.queue_mappings.create(queue="800", project=hotline)
    UserFactory(username="root", is_staff=True, is_superuser=True, password=PASSWORD)
    url = f"{live_server.url}/admin/telephony/import-cdr/?source={source.pk}"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 1100}, locale="ru-RU")
        page.goto(url)
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#import-cdr-form", timeout=WAIT_MS)
        assert page.input_value("#id_format") == "asterisk-csv"
        assert page.is_checked("#id_dry_run")
        page.set_input_files("#id_file", str(MASTER))
        page.click("#import-cdr-form input[type=submit]")
        page.wait_for_selector("#import-cdr-summary", timeout=WAIT_MS)
        page.screenshot(path=SCREENSHOT, full_page=True)
        cells = page.eval_on_selector_all(
            "#import-cdr-summary td", "cells => cells.map(c => [c.dataset.field, c.textContent])"
        )
        heading = page.text_content("#content h1")
        body = page.text_content("#content")
    assert dict(cells) == {
        "encoding": "cp1251",
        "rows": "11",
        "calls": "7",
        "created": "6",
        "duplicates": "0",
        "parked": "1",
    }
    assert heading == "Импорт CDR"
    assert "Пробный запуск: ничего не сохранено" in body
    assert "PJSIP/1003-0000000b" in body
