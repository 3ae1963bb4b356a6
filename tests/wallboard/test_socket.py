"""The wallboard's socket ``ws/live/``: a real WebSocket client against the ASGI
application served by uvicorn on loopback, on the real Redis channel layer. What each kind
of subscriber is sent on connect, what it hears after, and that no subscriber ever hears
of a project it may not see."""

import asyncio
import datetime as dt
import json
import urllib.request

import pytest
import websockets
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from agents.ingest import agent_events_ingest
from agents.models import Operator
from contactcenter.models import ApiToken
from live.state import pool_live, project_live
from projects.models import IntegrationAccount
from tests.asgi_server import asgi_server
from tests.factories import (
    CertificationFactory,
    ClientFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)
from wallboard import tv
from wallboard.subscription import TOKEN_SUBPROTOCOL

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 5  # seconds: a message that should come comes well within it
SILENCE = 0.5  # seconds: a message that must not come has had time to come

IDLE = {"ready": 0, "on_call": 0, "wrap": 0, "break": 0, "offline": 0}


def _state(waiting):
    """A state of the contract's shape (live.state), as live.push would send it."""
    return {
        "waiting": waiting,
        "longest_wait_seconds": 7 * waiting,
        "agents": {**IDLE, "ready": 3},
        "today": {
            "offered": 10,
            "answered": 8,
            "abandoned": 1,
            "service_level": 0.75,
            "asa_seconds": 12.5,
            "forecast_offered": 40,
        },
    }


def _update(project, waiting):
    return {"type": "live.update", "project": project.code, "state": _state(waiting)}


async def _send(group, message):
    """What live.push does after a change: one message to the project's (or pool's) group."""
    await get_channel_layer().group_send(group, message)


@pytest.fixture
def server():
    with asgi_server() as url:
        yield url.replace("http://", "ws://")


def _socket(server, *, token=None, query="", cookie=None, origin=None):
    """Open ``ws/live/`` as a client program would (an async context manager)."""
    headers = {}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    return websockets.connect(
        f"{server}/ws/live/{query}",
        additional_headers=headers,
        origin=origin,
        subprotocols=[TOKEN_SUBPROTOCOL, token] if token else None,
        open_timeout=TIMEOUT,
    )


async def _next(socket):
    return json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))


async def _silent(socket):
    """True when nothing comes within SILENCE."""
    try:
        message = await asyncio.wait_for(socket.recv(), SILENCE)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected message: {message}")


def _session_of(user):
    """A logged-in admin session's key, as the login form would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


@pytest.fixture
def world():
    """Client A with two projects, client B with one; A's integration, A's PM."""
    client_a, client_b = ClientFactory(code="client-a"), ClientFactory(code="client-b")
    a1 = ProjectFactory(code="a-hotline", name="A hotline", client=client_a)
    a2 = ProjectFactory(code="a-sales", name="A sales", client=client_a)
    b1 = ProjectFactory(code="b-hotline", name="B hotline", client=client_b)
    integration = IntegrationAccountFactory(user=UserFactory(username="a-crm"), client=client_a)
    pm = UserFactory(username="pm-a", is_staff=True)
    a1.managers.add(pm)
    return {
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "a_token": TokenFactory(user=integration.user).key,
        "pm": pm,
    }


def test_a_clients_integration_gets_its_projects_now_then_each_change(server, world):
    a1, a2, b1 = world["a1"], world["a2"], world["b1"]
    now_a1, now_a2 = project_live(a1), project_live(a2)

    async def scenario():
        async with _socket(server, token=world["a_token"]) as socket:
            assert socket.subprotocol == TOKEN_SUBPROTOCOL
            hello = await _next(socket)
            assert hello["type"] == "wallboard.hello"
            assert hello["pool"] is False  # an integration never hears the shared pool
            assert [p["code"] for p in hello["projects"]] == ["a-hotline", "a-sales"]
            assert hello["projects"][0]["sl_target"] == 0.8
            assert await _next(socket) == {"type": "alerts", "alerts": []}
            assert [await _next(socket), await _next(socket)] == [
                {"type": "live.update", "project": "a-hotline", "state": now_a1},
                {"type": "live.update", "project": "a-sales", "state": now_a2},
            ]
            intraday = await _next(socket)
            assert (intraday["type"], sorted(intraday["projects"])) == (
                "intraday",
                ["a-hotline", "a-sales"],
            )
            assert await _silent(socket)

            # A change of B's project, then of A's: only A's comes.
            await _send(f"live.project.{b1.pk}", _update(b1, 5))
            await _send(f"live.project.{a2.pk}", _update(a2, 2))
            assert await _next(socket) == _update(a2, 2)
            # A pool change, and a B message wrongly put in A's group: neither comes.
            await _send("live.pool", {"type": "live.update", "project": None, "state": _state(9)})
            await _send(f"live.project.{a1.pk}", _update(b1, 6))
            assert await _silent(socket)

    asyncio.run(scenario())


def _post(server, token, path, rows):
    """POST through the server's own HTTP (uvicorn), as an integration would."""
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        server.replace("ws://", "http://") + f"/api/v1/{path}",
        data=json.dumps(rows).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return response.status


def test_a_call_posted_to_the_api_moves_the_subscribers_tile(server, world):
    """offered -> answered -> ended through POST call-events/: each POST's update arrives
    with waiting, the longest wait and the operators exactly as the call stands."""
    a1 = world["a1"]
    operator = OperatorFactory(code="op-ws", status=Operator.Status.ACTIVE)
    CertificationFactory(operator=operator, project=a1)
    pm_token = TokenFactory(user=world["pm"]).key
    now = dt.datetime.now(dt.UTC)
    agent_events_ingest(rows=[{"operator": "op-ws", "at": now.isoformat(), "state": "ready"}])

    def event(kind, seconds_ago=0.0):
        at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds_ago)
        row = {"external_id": "ws-1", "project": "a-hotline", "event": kind, "at": at.isoformat()}
        return row | ({"operator": "op-ws"} if kind in ("answered", "ended") else {})

    async def post(kind, seconds_ago=0.0):
        status = await asyncio.to_thread(
            _post, server, pm_token, "call-events/", [event(kind, seconds_ago)]
        )
        assert status == 201

    async def scenario():
        async with _socket(server, token=world["a_token"]) as socket:
            await _next(socket)  # hello
            await _next(socket)  # the open alerts
            first = {m["project"]: m["state"] for m in [await _next(socket), await _next(socket)]}
            await _next(socket)  # intraday
            assert first["a-hotline"]["waiting"] == 0
            assert first["a-hotline"]["agents"] == {**IDLE, "ready": 1}

            await post("offered", seconds_ago=5)
            offered = await _next(socket)
            assert (offered["project"], offered["state"]["waiting"]) == ("a-hotline", 1)
            assert 5 <= offered["state"]["longest_wait_seconds"] <= 7
            assert offered["state"]["agents"] == {**IDLE, "ready": 1}
            assert offered["state"]["today"]["offered"] == 1

            await post("answered")
            answered = (await _next(socket))["state"]
            assert (answered["waiting"], answered["longest_wait_seconds"]) == (0, 0)
            assert answered["agents"] == {**IDLE, "on_call": 1}
            assert (answered["today"]["answered"], answered["today"]["abandoned"]) == (1, 0)

            await post("ended")
            ended = (await _next(socket))["state"]
            assert (ended["waiting"], ended["agents"]) == (0, {**IDLE, "ready": 1})
            assert await _silent(socket)  # one message per POST, nothing for B

    asyncio.run(scenario())


def test_a_subscriber_of_client_a_never_hears_client_b(server, world):
    """Two subscribers side by side, one per client; each change goes to its own only."""
    a1, b1 = world["a1"], world["b1"]
    b_account = IntegrationAccountFactory(user=UserFactory(username="b-crm"), client=b1.client)
    b_token = TokenFactory(user=b_account.user).key

    async def drain(socket, count):
        return [(await _next(socket))["type"] for _ in range(count)]

    async def scenario():
        async with (
            _socket(server, token=world["a_token"]) as a_socket,
            _socket(server, token=b_token) as b_socket,
        ):
            assert await drain(a_socket, 5) == [
                "wallboard.hello",
                "alerts",
                "live.update",
                "live.update",
                "intraday",
            ]
            assert await drain(b_socket, 4) == [
                "wallboard.hello",
                "alerts",
                "live.update",
                "intraday",
            ]
            await _send(f"live.project.{b1.pk}", _update(b1, 4))
            await _send(f"live.project.{a1.pk}", _update(a1, 1))
            assert await _next(a_socket) == _update(a1, 1)
            assert await _next(b_socket) == _update(b1, 4)
            assert await _silent(a_socket)
            assert await _silent(b_socket)

    asyncio.run(scenario())


def test_a_managers_session_hears_its_projects_and_the_pool(server, world):
    a1 = world["a1"]
    cookie = _session_of(world["pm"])
    now_a1, now_pool = project_live(a1), pool_live()

    async def scenario():
        async with _socket(server, cookie=cookie, origin="http://localhost:8000") as socket:
            assert socket.subprotocol is None
            hello = await _next(socket)
            assert ([p["code"] for p in hello["projects"]], hello["pool"]) == (["a-hotline"], True)
            assert (await _next(socket))["type"] == "alerts"
            assert await _next(socket) == {
                "type": "live.update",
                "project": "a-hotline",
                "state": now_a1,
            }
            assert (await _next(socket))["type"] == "intraday"
            assert await _next(socket) == {"type": "pool.update", "state": now_pool}
            assert (await _next(socket))["type"] == "operators"
            await _send("live.pool", {"type": "live.update", "project": None, "state": _state(3)})
            assert await _next(socket) == {"type": "pool.update", "state": _state(3)}

    asyncio.run(scenario())


def test_a_tv_link_opens_its_projects_only_until_it_expires(server, world):
    a2, b1 = world["a2"], world["b1"]
    token = tv.sign([a2.pk, b1.pk], days=1)

    async def scenario():
        async with _socket(server, query=f"?tv={token}") as socket:
            hello = await _next(socket)
            assert ([p["code"] for p in hello["projects"]], hello["pool"]) == (
                ["a-sales", "b-hotline"],
                False,
            )

    asyncio.run(scenario())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, seconds=1)
    assert tv.verify(token) is not None
    assert tv.verify(token, now=later) is None
    assert tv.verify(token[:-2] + "xx") is None


@pytest.mark.parametrize(
    "how",
    [
        "anonymous",
        "wrong token",
        "forged tv",
        "telephony",
        "foreign origin",
        "revoked token",
        "session of a user no longer active",
    ],
)
def test_refused_sockets(server, world, how, settings):
    """Each is refused at the handshake: HTTP 403, no message ever sent."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    kwargs = {}
    if how == "wrong token":
        kwargs = {"token": "cc_not-a-key"}
    elif how == "forged tv":
        kwargs = {"query": "?tv=" + tv.sign([world["a1"].pk]).replace(":", ":x", 1)}
    elif how == "telephony":
        account = IntegrationAccountFactory(
            user=UserFactory(username="pbx"), client=None, kind=IntegrationAccount.Kind.TELEPHONY
        )
        kwargs = {"token": TokenFactory(user=account.user).key}
    elif how == "foreign origin":
        kwargs = {"cookie": _session_of(world["pm"]), "origin": "http://evil.example"}
    elif how == "session of a user no longer active":
        world["pm"].is_active = False
        world["pm"].save()
        kwargs = {"cookie": _session_of(world["pm"]), "origin": "http://localhost"}
    elif how == "revoked token":
        token = TokenFactory(user=world["pm"])
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=dt.datetime.now(dt.UTC))
        kwargs = {"token": token.key}

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with _socket(server, **kwargs):
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(scenario())
