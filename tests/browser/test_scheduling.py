"""The scheduling page in a real headless Chromium, in Russian: a PM (not a superuser) logs
in, opens Scheduling from the admin index, builds a week for two projects from the
forecast, reads the coverage and the shortfall, moves a shift of the draft and publishes."""

import os

import pytest

from agents.models import Shift
from tests.workforce.schedule_world import WEEK, schedule_world
from workforce.models import ScheduleWeek

pytestmark = [pytest.mark.browser]

PASSWORD = "pm-secret-42"
SCREENSHOT = os.environ.get("SCHEDULING_SCREENSHOT", "/tmp/scheduling.png")  # noqa: S108


@pytest.fixture
def world(transactional_db):
    world = schedule_world()
    world["pm"].set_password(PASSWORD)
    world["pm"].save()
    return world


def test_a_pm_builds_edits_and_publishes_a_week(chromium, live_server, world):
    errors = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="ru-RU")
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "scheduler-pm")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.click("#scheduling-link")
        assert page.url == f"{live_server.url}/admin/scheduling/"

        page.check(f"input[name=projects][value='{world['alpha'].pk}']")
        page.check(f"input[name=projects][value='{world['beta'].pk}']")
        page.fill("input[name=week]", WEEK.isoformat())
        page.fill("input[name=shrinkage]", "0.3")
        page.click("#build-week")
        page.wait_for_selector("#roster")

        assert page.locator("svg.coverage-chart").count() == 2
        short = page.eval_on_selector_all(
            "#shortfall tr[data-project]",
            "rows => rows.map(r => [r.dataset.project, r.dataset.date, r.dataset.short])",
        )
        assert short == [["beta", "2026-11-07", "72"], ["beta", "2026-11-08", "72"]]
        assert page.locator("#roster .shift").count() == 24
        assert "Обед" in page.inner_text("#roster") or "обед" in page.inner_text("#roster")

        # Move beta-1's first shift to Saturday 09:00: Saturday's shortfall drops by 36.
        first = page.locator("#edit-shifts tr[data-shift]").filter(has_text="beta-1").first
        first.locator("select[name=day]").select_option("5")
        first.locator("input[name=start_time]").fill("09:00")
        first.locator("form.move-shift input[type=submit]").click()
        page.wait_for_selector("#roster")
        short = page.eval_on_selector_all(
            "#shortfall tr[data-project]",
            "rows => rows.map(r => [r.dataset.project, r.dataset.date, r.dataset.short])",
        )
        assert short[:2] == [["beta", "2026-11-02", "36"], ["beta", "2026-11-07", "36"]]

        page.click("#publish-week")
        page.wait_for_selector("#week-summary[data-status=published]")
        page.screenshot(path=SCREENSHOT, full_page=True)

    assert errors == []
    assert ScheduleWeek.objects.get().status == "published"
    assert Shift.objects.count() == 24
