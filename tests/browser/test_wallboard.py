"""The live wallboard in a real headless Chromium against the ASGI application served by
uvicorn: a PM logs in, opens the wallboard from the admin index, and as call events are
POSTed through the API the tiles change without a reload; a TV link opens the same board
with no login. Nothing is fetched from outside our server."""

import datetime as dt
import json
import os
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group

from agents.models import Operator
from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.asgi_server import asgi_server, live_redis, redis_channel_layer  # noqa: F401
from tests.factories import (
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)
from wallboard import tv

pytestmark = [pytest.mark.browser]

PASSWORD = "pm-secret-42"
ACTIVE = Operator.Status.ACTIVE
SCREENSHOT = os.environ.get("WALLBOARD_SCREENSHOT", "/tmp/wallboard.png")  # noqa: S108
WAIT_MS = 10_000


@pytest.fixture
def board(transactional_db, live_redis, redis_channel_layer):  # noqa: F811
    pm = UserFactory(username="pm-live", is_staff=True, password=PASSWORD)
    roles_setup()
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    hotline = ProjectFactory(code="nsk-hotline", name="Hotline Novosibirsk")
    sales = ProjectFactory(code="kgd-sales", name="Sales Kaliningrad")
    foreign = ProjectFactory(code="foreign-line", name="Foreign line")
    for project in (hotline, sales):
        project.managers.add(pm)
    operators = [
        OperatorFactory(
            code=f"op-live-{n}", full_name=f"Operator {n}", status=Operator.Status.ACTIVE
        )
        for n in range(2)
    ]
    for operator in operators:
        CertificationFactory(operator=operator, project=hotline)
        CertificationFactory(operator=operator, project=foreign)
    with asgi_server() as url:
        yield {"url": url, "token": TokenFactory(user=pm).key, "hotline": hotline}


def _post_events(url, token, events):
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        f"{url}/api/v1/call-events/",
        data=json.dumps(events).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 201


def _event(event, external_id="c-1", operator=None, seconds=0):
    at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
    row = {"external_id": external_id, "project": "nsk-hotline", "event": event}
    row["at"] = at.isoformat()
    if operator:
        row["operator"] = operator
    return row


def _tile(page, field):
    return page.get_attribute(
        f'[data-project="nsk-hotline"] [data-field="{field}"]', "data-value", timeout=WAIT_MS
    )


def _wait_value(page, selector, value):
    page.wait_for_selector(f'{selector}[data-value="{value}"]', timeout=WAIT_MS)


def test_the_tiles_follow_the_events_without_a_reload(chromium, board, settings):
    settings.ALERT_WAITING_CALLS = 1  # two calls waiting open an alert, seen on the board
    settings.ALERT_LIVE_EVALUATE_SECONDS = 0
    url, token = board["url"], board["token"]
    alert = '#wallboard-alert-list li[data-project="nsk-hotline"][data-condition="waiting_calls"]'
    tile = '[data-project="nsk-hotline"]'
    requested, errors = [], []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/admin/")
        page.fill("#id_username", "pm-live")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.click("#wallboard-link")
        assert page.url == f"{url}/admin/wallboard/"
        page.wait_for_selector('.wallboard-status[data-status="live"]', timeout=WAIT_MS)
        page.wait_for_selector(tile, timeout=WAIT_MS)  # the hello has come
        assert page.eval_on_selector_all(
            ".wallboard-tile", "tiles => tiles.map(t => t.dataset.project)"
        ) == ["kgd-sales", "nsk-hotline"]
        _wait_value(page, f'{tile} [data-field="waiting"]', "0")
        assert page.get_attribute(tile, "data-level") == "none"  # no call yet today
        marker = page.evaluate("() => (window.__marker = 42)")  # gone if the page reloads

        # Two calls offered (one 30 s ago): waiting 2, the longest wait at least 30 s.
        _post_events(url, token, [_event("offered", "c-1", seconds=30), _event("offered", "c-2")])
        _wait_value(page, f'{tile} [data-field="waiting"]', "2")
        assert int(_tile(page, "longest_wait")) >= 30
        assert json.loads(_tile(page, "today")) == [2, 0, 0]
        assert json.loads(_tile(page, "forecast")) == [2, 0]  # offered 2, no forecast
        assert json.loads(_tile(page, "interval")) == [0, 0]  # required, on shift
        page.wait_for_selector(alert, timeout=WAIT_MS)
        assert page.text_content(alert).startswith("nsk-hotline · Calls waiting above the")

        # The first answered within the threshold by op-live-0, the second abandoned.
        _post_events(
            url,
            token,
            [_event("answered", "c-1", operator="op-live-0"), _event("abandoned", "c-2")],
        )
        _wait_value(page, f'{tile} [data-field="waiting"]', "0")
        _wait_value(page, f'{tile} [data-agents="on_call"]', "1")
        page.wait_for_selector(alert, state="detached", timeout=WAIT_MS)  # cleared
        assert json.loads(_tile(page, "today")) == [2, 1, 1]
        # Service level 0 of 2 answered within 20 s (c-1 waited 30 s): red against 80 %.
        assert page.get_attribute(tile, "data-level") == "red"
        page.wait_for_selector(
            '#wallboard-agent-rows tr[data-operator="op-live-0"][data-state="on_call"]',
            timeout=WAIT_MS,
        )
        assert page.evaluate("() => window.__marker") == marker  # no reload happened
        page.screenshot(path=SCREENSHOT, full_page=True)

        # The TV link: the same board, no login, in a fresh browser context.
        page.click("#wallboard-tv-button")
        link = page.input_value("#wallboard-tv-url")
        screen = browser.new_context().new_page()
        screen.goto(link)
        _wait_value(screen, f'{tile} [data-field="waiting"]', "0")
        assert screen.locator('[data-project="foreign-line"]').count() == 0

    assert errors == []
    assert any(u.endswith("/static/wallboard/wallboard.js") for u in requested)
    outside = [u for u in requested if urlsplit(u).netloc != urlsplit(url).netloc]
    assert outside == [], "the wallboard fetched something outside our server"
    assert tv.verify(link.rsplit("/wallboard/tv/", 1)[1].rstrip("/")) is not None
