"""The KPI dashboard in a real headless Chromium: a PM logs in through the admin's form,
opens the dashboard from the index and reads the numbers drawn, which must equal the API's
for the same PM, exactly; and the page fetches nothing from anywhere but our server."""

import datetime as dt
import json
import os
import urllib.request
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.factories import (
    AgentStateEventFactory,
    CallFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser]

UTC = dt.UTC
NSK = "Asia/Novosibirsk"
FIRST_DAY, LAST_DAY = dt.date(2026, 10, 5), dt.date(2026, 10, 6)
PASSWORD = "pm-secret-42"
SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT", "/tmp/dashboard.png")  # noqa: S108

# Calls per local hour: the hotline (Novosibirsk) by day, the sales line (Kaliningrad) in
# the evening, so the peak-hours chart shows two projects peaking at different hours.
HOTLINE_HOURS = {8: 3, 9: 6, 10: 9, 11: 8, 12: 6, 13: 7, 14: 5, 15: 4, 16: 3, 17: 2, 18: 1}
SALES_HOURS = {16: 2, 17: 4, 18: 8, 19: 7, 20: 6, 21: 3}
# (wait seconds, answered): within 20 s, late, short abandons (< 5 s) and long abandons.
PATTERN = [(10, True), (18, True), (26, True), (3, False), (4, True), (50, True), (35, False)]


def _expected_totals(hours):
    """The hotline's totals by hand, from the same rules that make its calls."""
    calls = [
        PATTERN[(hour + n) % len(PATTERN)] for hour, count in hours.items() for n in range(count)
    ]
    calls *= 2  # two days
    short = sum(1 for wait, answered in calls if not answered and wait < 5)
    return {
        "offered": len(calls),
        "answered": sum(1 for _, answered in calls if answered),
        "short_abandoned": short,
        "answered_within_threshold": sum(1 for w, answered in calls if answered and w <= 20),
        "wait_seconds_answered": sum(w for w, answered in calls if answered),
    }


EXPECTED_TOTALS = _expected_totals(HOTLINE_HOURS)


def _shifts(operators, day):
    """Three staggered 9-hour shifts over 00:00-21:00 UTC, a 30-minute break in each."""
    for index, operator in enumerate(operators):
        start = dt.datetime.combine(day, dt.time(), UTC) + dt.timedelta(hours=6 * index)
        for state, hours in (("ready", 0), ("break", 4), ("ready", 4.5), ("offline", 9)):
            AgentStateEventFactory(
                operator=operator, state=state, at=start + dt.timedelta(hours=hours)
            )


def _calls(project, hours, operators):
    for day in (FIRST_DAY, LAST_DAY):
        local_midnight = dt.datetime.combine(day, dt.time(), ZoneInfo(project.timezone))
        for hour, count in hours.items():
            for n in range(count):
                offered = local_midnight + dt.timedelta(hours=hour, minutes=n * 6, seconds=n)
                wait, answered = PATTERN[(hour + n) % len(PATTERN)]
                wait_end = offered + dt.timedelta(seconds=wait)
                if not answered:
                    CallFactory(
                        project=project,
                        offered_at=offered,
                        operator=None,
                        answered_at=None,
                        ended_at=wait_end,
                        hold_seconds=0,
                        wrap_seconds=0,
                    )
                    continue
                CallFactory(
                    project=project,
                    offered_at=offered,
                    operator=operators[min(offered.astimezone(UTC).hour // 7, 2)],
                    answered_at=wait_end,
                    ended_at=wait_end + dt.timedelta(seconds=100 + 17 * n),
                    hold_seconds=10 * (n % 2),
                    wrap_seconds=15 + n,
                )


@pytest.fixture
def known_data(transactional_db):
    """Two projects of one PM in two time zones, a foreign project, three operators; rolled up."""
    pm = UserFactory(username="pm-browser", is_staff=True, password=PASSWORD)
    roles_setup()
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    hotline = ProjectFactory(
        code="nsk-hotline", name="Hotline Novosibirsk", timezone="Asia/Novosibirsk"
    )
    sales = ProjectFactory(
        code="kgd-sales", name="Sales Kaliningrad", timezone="Europe/Kaliningrad"
    )
    foreign = ProjectFactory(code="foreign-line", name="Foreign line", timezone="Europe/Moscow")
    for project in (hotline, sales):
        project.managers.add(pm)
    operators = [OperatorFactory(code=f"op-b{i}") for i in range(3)]
    for operator in operators:
        for project in (hotline, sales, foreign):
            CertificationFactory(operator=operator, project=project)
    for day in (FIRST_DAY, LAST_DAY):
        _shifts(operators, day)
    for project, hours in ((hotline, HOTLINE_HOURS), (sales, SALES_HOURS), (foreign, {12: 5})):
        _calls(project, hours, operators)
    call_command("rollup_kpis")
    return {"pm": pm, "token": TokenFactory(user=pm).key, "hotline": hotline}


def _api(live_server, token, path, **params):
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{live_server.url}/api/v1/{path}?{urlencode(params)}",
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our live server
        return json.loads(response.read())


def _drawn(page, chart, series):
    """(data-start, value) of every bar or point of one series, in drawing order."""
    pairs = page.eval_on_selector_all(
        f'[data-chart="{chart}"] :is(rect, circle)[data-series="{series}"]',
        "marks => marks.map(m => [m.dataset.start, m.dataset.value])",
    )
    return [(start, json.loads(value)) for start, value in pairs]


def _tiles(page, scope):
    pairs = page.eval_on_selector_all(
        f'[data-scope="{scope}"] [data-kpi]',
        "tiles => tiles.map(t => [t.dataset.kpi, t.dataset.value])",
    )
    return {kpi: json.loads(value) for kpi, value in pairs}


def test_the_dashboard_draws_the_apis_numbers(chromium, live_server, known_data):  # noqa: PLR0915  one browser journey
    hotline = known_data["hotline"]
    window = {  # the two local days of the hotline (Novosibirsk, UTC+7)
        "from": f"{FIRST_DAY.isoformat()}T00:00:00+07:00",
        "to": f"{(LAST_DAY + dt.timedelta(days=1)).isoformat()}T00:00:00+07:00",
    }
    token = known_data["token"]
    kpis = _api(live_server, token, f"projects/{hotline.code}/kpis/", **window, granularity="hour")
    pool = _api(live_server, token, "pool/occupancy/", **window, granularity="hour", tz=NSK)
    peaks = _api(live_server, token, "pool/peak-hours/", **window, tz=NSK)
    assert len(kpis["buckets"]) == 48  # two local days, hourly
    assert {k: kpis["totals"][k] for k in EXPECTED_TOTALS} == EXPECTED_TOTALS

    requested, errors = [], []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "pm-browser")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.click("#kpi-dashboard-link")
        assert page.url.startswith(f"{live_server.url}/admin/dashboard/")

        assert page.eval_on_selector_all(
            "select[name=project] option", "options => options.map(o => o.value)"
        ) == ["kgd-sales", "nsk-hotline"]
        page.select_option("select[name=project]", hotline.code)
        page.fill("input[name=date_from]", FIRST_DAY.isoformat())
        page.fill("input[name=date_to]", LAST_DAY.isoformat())
        page.select_option("select[name=granularity]", "hour")
        with page.expect_navigation():
            page.click("#kpi-controls input[type=submit]")
        assert "date_from=2026-10-05&date_to=2026-10-06" in page.url

        # Tiles: the totals, exactly.
        tiles = _tiles(page, "project")
        assert set(tiles) == {
            "service_level",
            "asa_seconds",
            "aht_seconds",
            "abandon_rate",
            "offered",
            "answered",
        }
        assert tiles == {kpi: kpis["totals"][kpi] for kpi in tiles}

        # Every bucket of every project chart, exactly, one mark per bucket.
        buckets = kpis["buckets"]
        for chart, series in [
            ("service_level", "service_level"),
            ("volume", "offered"),
            ("volume", "answered"),
            ("abandon_rate", "abandon_rate"),
            ("asa_seconds", "asa_seconds"),
        ]:
            assert _drawn(page, chart, series) == [(b["start"], b[series]) for b in buckets], chart
        assert page.locator('[data-chart="volume"] rect.kpi-bar').count() == 2 * len(buckets)
        target = page.get_attribute('[data-chart="service_level"] .kpi-target', "data-value")
        assert json.loads(target) == float(hotline.sl_target)

        # The pool: occupancy per hour and its totals, the peak hours per project.
        pool_tiles = _tiles(page, "pool")
        assert pool_tiles == {kpi: pool["totals"][kpi] for kpi in pool_tiles}
        for series in ("occupancy", "utilization"):
            assert _drawn(page, "pool_occupancy", series) == [
                (b["start"], b[series]) for b in pool["buckets"]
            ]
        # Peak hours: a line per project of this PM (not the foreign one), the pool's bars.
        hours = [str(hour) for hour in range(24)]
        assert _drawn(page, "peak_hours", "pool") == list(
            zip(hours, peaks["pool"]["hours"], strict=True)
        )
        assert [row["project"] for row in peaks["projects"]] == ["kgd-sales", "nsk-hotline"]
        for row in peaks["projects"]:
            assert _drawn(page, "peak_hours", row["project"]) == list(
                zip(hours, row["hours"], strict=True)
            )
        assert page.locator('[data-chart="peak_hours"] [data-series="foreign-line"]').count() == 0
        assert "Foreign line" not in page.content()
        # Each project peaks at its own local hour: the hotline by day, sales in the evening.
        peak = {row["project"]: row["peak_hour"] for row in peaks["projects"]}
        assert peak == {"nsk-hotline": 10, "kgd-sales": 18}

        # What a person reads: the formatted tiles and no empty-state message.
        assert page.inner_text(
            '[data-scope="project"] [data-kpi="offered"] .kpi-tile-value'
        ) == str(kpis["totals"]["offered"])
        assert page.locator("[data-empty]").count() == 0

        page.screenshot(path=SCREENSHOT, full_page=True)

    assert errors == []
    assert any(url.endswith("/static/dashboard/dashboard.css") for url in requested)
    outside = [url for url in requested if urlsplit(url).netloc != urlsplit(live_server.url).netloc]
    assert outside == [], "the dashboard fetched something outside our server"
