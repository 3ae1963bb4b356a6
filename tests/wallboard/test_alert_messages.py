"""Alerts on the wallboard's socket (real uvicorn, real Redis channel layer): the open
alerts of the subscriber's projects on connect (never another client's, pool-wide ones only
for who hears the pool), then each alert the engine opens or clears, pushed after commit."""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from alerts.models import Alert
from tests.factories import IntegrationAccountFactory, TokenFactory, UserFactory
from tests.wallboard.test_socket import (  # noqa: F401 - the fixtures
    _next,
    _post,
    _session_of,
    _silent,
    _socket,
    server,
    world,
)

pytestmark = pytest.mark.django_db(transaction=True)

OPENED = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def _alert(project, condition, *, cleared=False):
    return Alert.objects.create(
        project=project,
        condition=condition,
        opened_at=OPENED,
        last_seen_at=OPENED,
        cleared_at=OPENED + dt.timedelta(minutes=5) if cleared else None,
        value=Decimal(7),
        threshold=Decimal(5),
        message="Calls waiting above the threshold: 7 calls waiting, threshold 5",
    )


def _expected(alert, project_code):
    return {
        "id": alert.pk,
        "project": project_code,
        "condition": alert.condition,
        "label": {
            "waiting_calls": "Calls waiting above the threshold",
            "out_of_adherence": "Operators out of adherence",
        }[alert.condition],
        "state": "open",
        "opened_at": "2026-12-05T09:00:00+00:00",
        "cleared_at": None,
        "value": "7.00000",
        "threshold": "5.00000",
        "message": alert.message,
    }


def test_the_snapshot_holds_the_subscribers_open_alerts_only(
    server,  # noqa: F811
    world,  # noqa: F811
):
    a1, b1 = world["a1"], world["b1"]
    mine = _alert(a1, "waiting_calls")
    _alert(a1, "longest_wait", cleared=True)  # cleared: not shown
    _alert(b1, "waiting_calls")  # another client's
    pool = _alert(None, "out_of_adherence")  # pool-wide
    cookie = _session_of(world["pm"])  # a1's manager, who hears the pool

    async def scenario():
        async with _socket(server, token=world["a_token"]) as socket:
            await _next(socket)  # hello
            assert await _next(socket) == {
                "type": "alerts",
                "alerts": [_expected(mine, "a-hotline")],
            }
        async with _socket(server, cookie=cookie, origin="http://localhost:8000") as socket:
            await _next(socket)  # hello
            alerts = (await _next(socket))["alerts"]
            assert [(a["id"], a["project"]) for a in alerts] == [
                (mine.pk, "a-hotline"),
                (pool.pk, None),
            ]

    asyncio.run(scenario())


def test_an_alert_opened_and_cleared_by_live_events_reaches_its_subscribers(
    server,  # noqa: F811
    world,  # noqa: F811
    settings,
):
    """One call waiting on a-hotline with ALERT_WAITING_CALLS 0 opens ``waiting_calls``
    right after the live update; the abandon clears it. A's integration hears both, B's
    integration neither."""
    settings.ALERT_WAITING_CALLS = 0
    settings.ALERT_LIVE_EVALUATE_SECONDS = 0
    pm_token = TokenFactory(user=world["pm"]).key
    b_account = IntegrationAccountFactory(
        user=UserFactory(username="b-crm"), client=world["b1"].client
    )
    b_token = TokenFactory(user=b_account.user).key

    def event(kind):
        at = dt.datetime.now(dt.UTC).isoformat()
        return [{"external_id": "al-1", "project": "a-hotline", "event": kind, "at": at}]

    async def post(kind):
        assert await asyncio.to_thread(_post, server, pm_token, "call-events/", event(kind)) == 201

    async def until(socket, kind):
        while (message := await _next(socket))["type"] != kind:
            assert not message["type"].startswith("alert.")
        return message

    async def scenario():
        async with (
            _socket(server, token=world["a_token"]) as a_socket,
            _socket(server, token=b_token) as b_socket,
        ):
            await until(a_socket, "intraday")
            await until(b_socket, "intraday")
            await post("offered")
            opened = await until(a_socket, "alert.opened")
            alert = await asyncio.to_thread(Alert.objects.get, condition="waiting_calls")
            assert opened == {
                "type": "alert.opened",
                "id": alert.pk,
                "project": "a-hotline",
                "condition": "waiting_calls",
                "label": "Calls waiting above the threshold",
                "state": "open",
                "opened_at": alert.opened_at.isoformat(),
                "cleared_at": None,
                "value": "1.00000",
                "threshold": "0.00000",
                "message": "Calls waiting above the threshold: 1 calls waiting, threshold 0",
            }
            await post("abandoned")
            cleared = await until(a_socket, "alert.cleared")
            await asyncio.to_thread(alert.refresh_from_db)
            assert (cleared["id"], cleared["state"]) == (alert.pk, "cleared")
            assert cleared["cleared_at"] == alert.cleared_at.isoformat()
            assert await _silent(b_socket)

    asyncio.run(scenario())
