"""The wallboard's WebSocket: ``ws/live/``. On connect, the current state of every project
the subscriber may see (and of the pool, for who sees it whole); then every change that
``live.push`` sends to those groups, forwarded as it comes (docs/wallboard.md).

Messages to the client, all JSON objects with a ``type``:
``wallboard.hello`` (the projects and their targets, the pool or not), ``live.update``
(``project``, ``state``), ``pool.update`` (``state``), ``operators`` (``operators``),
``alerts`` (the open alerts, on connect), ``alert.*`` (the alert as sent) and ``intraday``
(each project's current interval, on connect and every ``WALLBOARD_INTRADAY_SECONDS``).
The socket is read-only: what a client sends is ignored.
"""

import asyncio
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from wallboard import snapshot
from wallboard.subscription import Subscription, resolve

# Close codes (4000-4999 are the application's): the subscriber may see nothing here.
REFUSED = 4403
# The agent grid is re-read at most this often per socket, however fast the pool changes.
OPERATORS_EVERY_SECONDS = 1.0


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One wallboard subscriber: joins the groups of what it may see, forwards their news."""

    subscription: Subscription | None = None
    groups_joined: tuple[str, ...] = ()
    _operators_pending: asyncio.Task | None = None
    _intraday_loop: asyncio.Task | None = None

    @classmethod
    async def encode_json(cls, content) -> str:
        """Instants (an operator's ``since``) as ISO 8601, like the API."""
        return json.dumps(content, cls=DjangoJSONEncoder)

    async def connect(self) -> None:
        self.subscription = await database_sync_to_async(resolve)(self.scope)
        if self.subscription is None:
            await self.close(code=REFUSED)
            return
        self.groups_joined = snapshot.groups(self.subscription)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(subprotocol=self.subscription.subprotocol)
        for message in await database_sync_to_async(snapshot.initial)(self.subscription):
            await self.send_json(message)
        if self.subscription.projects:
            self._intraday_loop = asyncio.ensure_future(self._send_intraday())

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        for task in (self._operators_pending, self._intraday_loop):
            if task is not None:
                task.cancel()

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Read-only: what a client sends is not even decoded."""

    # --- Group messages (live.push) --------------------------------------------------------

    async def live_update(self, event: dict) -> None:
        """A project's new state, or the pool's (``project`` empty): forwarded when heard."""
        message = snapshot.forwardable(self.subscription, event)
        if message is None:
            return
        await self.send_json(message)
        if message["type"] == "pool.update":
            self._schedule_operators()

    async def live_pool(self, event: dict) -> None:
        await self.live_update({**event, "project": None})

    async def alert_opened(self, event: dict) -> None:
        await self._forward_alert(event)

    async def alert_acknowledged(self, event: dict) -> None:
        await self._forward_alert(event)

    async def alert_cleared(self, event: dict) -> None:
        await self._forward_alert(event)

    async def _forward_alert(self, event: dict) -> None:
        message = snapshot.forwardable_alert(self.subscription, event)
        if message is not None:
            await self.send_json(message)

    def _schedule_operators(self) -> None:
        """Send the agent grid once within OPERATORS_EVERY_SECONDS of a pool change."""
        if self._operators_pending is None or self._operators_pending.done():
            self._operators_pending = asyncio.ensure_future(self._send_operators())

    async def _send_operators(self) -> None:
        await asyncio.sleep(OPERATORS_EVERY_SECONDS)
        await self.send_json(await database_sync_to_async(snapshot.operators)())

    async def _send_intraday(self) -> None:
        """Each project's current intraday interval, every ``WALLBOARD_INTRADAY_SECONDS``."""
        every = getattr(settings, "WALLBOARD_INTRADAY_SECONDS", 60)
        while True:
            await asyncio.sleep(every)
            await self.send_json(await database_sync_to_async(snapshot.intraday)(self.subscription))
