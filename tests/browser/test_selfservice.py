"""An operator on a phone, in Russian: logs in at /me/, reads their schedule and asks for a
day off; the request waits for the manager. The pages fetch nothing from anywhere else."""

import datetime as dt
import os
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from agents.models import TimeOffRequest
from agents.shifts import center_zone
from projects.roles import OPERATORS, roles_setup
from tests.factories import (
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser]

PASSWORD = "operator-secret-42"
SCREENSHOT = os.environ.get("SELFSERVICE_SCREENSHOT", "/tmp/selfservice-time-off.png")  # noqa: S108
SCHEDULE_SCREENSHOT = "/tmp/selfservice-schedule.png"  # noqa: S108


@pytest.fixture
def anna(transactional_db):
    roles_setup()
    project = ProjectFactory(code="hotline", name="Горячая линия")
    user = UserFactory(username="anna", password=PASSWORD)
    user.groups.add(Group.objects.get(name=OPERATORS))
    operator = OperatorFactory(code="anna", full_name="Анна Иванова", user=user)
    CertificationFactory(operator=operator, project=project)
    today = timezone.now().astimezone(center_zone()).date()
    for days in (-2, 1, 2, 3):
        day = today + dt.timedelta(days=days)
        start = dt.datetime.combine(day, dt.time(9), center_zone())
        ShiftFactory(
            operator=operator,
            project=project,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=9),
        )
    return {"operator": operator, "day": today + dt.timedelta(days=6)}


def test_an_operator_asks_for_a_day_off_in_russian(chromium, live_server, anna):
    day = anna["day"]
    requested, errors = [], []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ru-RU")
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(f"{live_server.url}/me/")
        assert page.url.startswith(f"{live_server.url}/me/login/")
        assert page.inner_text("h2") == "Войдите, чтобы увидеть свой график"
        page.fill("#id_username", "anna")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        assert page.url == f"{live_server.url}/me/"
        assert page.inner_text("header .who") == "Анна Иванова · anna"
        cards = page.locator("main .card").all_inner_texts()
        assert len(cards) == 4
        page.screenshot(path=SCHEDULE_SCREENSHOT, full_page=True)
        assert all("09:00–18:00 MSK" in card and "Горячая линия" in card for card in cards), cards
        page.screenshot(path=SCHEDULE_SCREENSHOT, full_page=True)

        page.click("text=Отгулы")
        assert page.inner_text("main h2 >> nth=0") == "Попросить отгул"
        page.select_option("#id_kind", "vacation")
        page.fill("#id_first_day", day.isoformat())
        page.fill("#id_last_day", day.isoformat())
        page.fill("#id_note", "семейные обстоятельства")
        page.click("#time-off-form button[type=submit]")

        assert page.inner_text(".messages") == "Заявка отправлена: решение примет менеджер."
        request_card = page.inner_text(".card.request")
        assert "Ожидает решения" in request_card
        assert f"Отпуск: {day:%d.%m.%Y} – {day:%d.%m.%Y}" in request_card
        assert "семейные обстоятельства" in request_card
        page.screenshot(path=SCREENSHOT, full_page=True)

    assert errors == []
    outside = [url for url in requested if urlsplit(url).netloc != urlsplit(live_server.url).netloc]
    assert outside == []
    stored = TimeOffRequest.objects.get()
    assert (stored.operator, stored.kind, stored.starts_on, stored.ends_on, stored.status) == (
        anna["operator"],
        "vacation",
        day,
        day,
        "pending",
    )
