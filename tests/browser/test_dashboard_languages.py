"""The KPI dashboard in Russian and in English, in a real headless Chromium: a PM switches
the language with the admin's switch, and both pages draw the same bars, at the same
places and heights, with the values the API returns; only the words differ."""

import datetime as dt
import json
import os
import re
from urllib.parse import urlencode

import pytest

from tests.browser.test_dashboard import (
    FIRST_DAY,
    LAST_DAY,
    NSK,
    PASSWORD,
    _api,
    known_data,  # noqa: F401 - the fixture: two projects of one PM, a month rolled up
)

pytestmark = [pytest.mark.browser]

SHOTS = os.environ.get("DASHBOARD_SCREENSHOT_DIR", "/tmp")  # noqa: S108
# Every bar and point of every chart, with where it is drawn.
MARKS_JS = """marks => marks.map(m => ({
    chart: m.closest('[data-chart]').dataset.chart,
    kind: m.tagName.toLowerCase(),
    series: m.dataset.series,
    start: m.dataset.start,
    value: JSON.parse(m.dataset.value),
    geometry: ['x', 'y', 'width', 'height', 'cx', 'cy', 'r'].map(a => m.getAttribute(a)),
}))"""
GEOMETRY = ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "viewBox", "d"]
NUMBERS = re.compile(r"^-?\d+(\.\d+)?( -?\d+(\.\d+)?)*$")  # "119.88", "0 0 900 260"
POINT = r"-?\d+(\.\d+)?,-?\d+(\.\d+)?"
# Segments "M1.5,2 L3,4.25", a gap between them: "M1,2 L3,4 M7,8 L9,10".
PATH = re.compile(rf"^M{POINT}( L{POINT})*( M{POINT}( L{POINT})*)*$")
# What a person reads, per language: the page's language, two tile titles, a heading.
WORDS = {
    "ru": {
        "lang": "ru",
        "service_level": "Уровень обслуживания",
        "offered": "Поступило",
        "pool": "Пул операторов",
    },
    "en": {
        "lang": "en",
        "service_level": "Service level",
        "offered": "Offered",
        "pool": "Operator pool",
    },
}


def _expected_bars(kpis, pool, peaks):
    """(chart, series, start, value) of every bar the API's numbers call for, in drawing order."""
    bars = [
        ("volume", series, b["start"], b[series])
        for series in ("offered", "answered")
        for b in kpis["buckets"]
    ]
    bars += [("pool_occupancy", "occupancy", b["start"], b["occupancy"]) for b in pool["buckets"]]
    bars += [
        ("peak_hours", "pool", str(hour), value)
        for hour, value in enumerate(peaks["pool"]["hours"])
    ]
    return bars


def _switch_language(page, code):
    """The admin header's form, as a person uses it; the page comes back in ``code``."""
    page.select_option("#language-switch-select", code)
    with page.expect_navigation():
        page.click("#language-switch button[type=submit]")


def _read_page(page):
    """The page's marks and words."""
    marks = page.eval_on_selector_all("[data-chart] :is(rect.kpi-bar, circle.kpi-point)", MARKS_JS)
    tile = '[data-scope="project"] [data-kpi="{}"] .kpi-tile-label'
    return {
        "marks": marks,
        "lang": page.get_attribute("html", "lang"),
        "service_level": page.text_content(tile.format("service_level")).strip(),
        "offered": page.text_content(tile.format("offered")).strip(),
        "pool": page.text_content("#kpi-pool .kpi-heading").strip(),
        "geometry": page.eval_on_selector_all(
            "svg.kpi-svg, svg.kpi-svg *",
            f"""nodes => nodes.flatMap(n => [...n.attributes]
                .filter(a => {json.dumps(GEOMETRY)}.includes(a.name))
                .map(a => [a.name, a.value]))""",
        ),
    }


def test_the_dashboard_draws_the_same_bars_in_russian_and_in_english(
    chromium,
    live_server,
    known_data,  # noqa: F811 - the fixture imported above
):
    hotline = known_data["hotline"]
    window = {
        "from": f"{FIRST_DAY.isoformat()}T00:00:00+07:00",
        "to": f"{(LAST_DAY + dt.timedelta(days=1)).isoformat()}T00:00:00+07:00",
    }
    token = known_data["token"]
    kpis = _api(live_server, token, f"projects/{hotline.code}/kpis/", **window, granularity="hour")
    pool = _api(live_server, token, "pool/occupancy/", **window, granularity="hour", tz=NSK)
    peaks = _api(live_server, token, "pool/peak-hours/", **window, tz=NSK)
    expected_bars = _expected_bars(kpis, pool, peaks)
    assert len(expected_bars) == 2 * 48 + 48 + 24
    query = urlencode(
        {
            "project": hotline.code,
            "date_from": FIRST_DAY.isoformat(),
            "date_to": LAST_DAY.isoformat(),
            "granularity": "hour",
        }
    )

    seen, errors = {}, []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "pm-browser")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/dashboard/?{query}")
        for code in ("ru", "en"):
            _switch_language(page, code)
            assert page.url == f"{live_server.url}/admin/dashboard/?{query}"
            seen[code] = _read_page(page)
            page.screenshot(path=f"{SHOTS}/dashboard-{code}.png", full_page=True)
        # The choice sticks: a new visit of the page is still in English.
        page.goto(f"{live_server.url}/admin/dashboard/?{query}")
        assert page.get_attribute("html", "lang") == "en"

    assert errors == []
    for code, words in WORDS.items():
        assert {key: seen[code][key] for key in words} == words, code
    ru, en = seen["ru"], seen["en"]
    # The same marks at the same places and heights, with the same values, in both.
    assert ru["marks"] == en["marks"]
    bars = [m for m in ru["marks"] if m["kind"] == "rect"]
    assert [(m["chart"], m["series"], m["start"], m["value"]) for m in bars] == expected_bars
    # A bar's height grows with its value: the tallest offered bar is the busiest hour's.
    offered = [m for m in bars if m["series"] == "offered"]
    tallest = max(offered, key=lambda m: float(m["geometry"][3]))
    assert tallest["value"] == max(b["offered"] for b in kpis["buckets"]) > 0
    assert all(float(m["geometry"][3]) == 0 for m in offered if m["value"] == 0)
    # The lines' points too: service level per interval is the API's, bucket by bucket.
    sl = [
        (m["start"], m["value"])
        for m in ru["marks"]
        if m["chart"] == "service_level" and m["kind"] == "circle"
    ]
    assert sl == [(b["start"], b["service_level"]) for b in kpis["buckets"]]
    # Every coordinate of the Russian page is the English page's, and none has a decimal
    # comma (x="119,88" would break the SVG).
    assert ru["geometry"] == en["geometry"]
    assert len(ru["geometry"]) > 4 * len(ru["marks"])
    garbled = [
        (name, value)
        for name, value in ru["geometry"]
        if not (PATH if name == "d" else NUMBERS).match(value)
    ]
    assert garbled == []
