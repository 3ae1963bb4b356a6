"""Push of the live state to the wallboards (Django Channels groups), after commit.

Groups and message, the contract of the WebSocket side:

- ``live.project.<project id>`` receives ``{"type": "live.update", "project": <code>,
  "state": <live.state.project_live(project)>}`` when the project's state moved;
- ``live.pool`` receives the same per-project messages, then one
  ``{"type": "live.update", "project": None, "state": <live.state.pool_live()>}``.

Everything a transaction stored is applied to Redis and pushed once it commits, in one go:
the events of one batch (or of several batches in one transaction) make one message per
project, never one per event. A Redis or channel layer failure is logged and costs only
the push (the events are stored; ``rebuild_live_state`` restores the state).
"""

import logging
from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from redis import RedisError

from agents.models import Certification
from contactcenter.live_groups import POOL_GROUP, project_group
from live import alert_conditions, keys, state
from projects.models import Project

__all__ = ["POOL_GROUP", "project_group", "publish_projects", "send_projects"]

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "live.update"


class _Pending:
    """What the current transaction stored: state updates to apply, projects to push."""

    def __init__(self) -> None:
        self.updates: list[Callable[[], None]] = []
        self.project_ids: set[int] = set()

    def flush(self) -> None:
        _flush(self)


def _pending() -> _Pending:
    """The current transaction's buffer; the first use registers its one on_commit flush.

    A buffer whose flush is no longer among the connection's on_commit callbacks (it ran,
    or its savepoint rolled back) is replaced. Outside a transaction, the caller flushes."""
    pending: _Pending | None = getattr(connection, "_live_pending", None)
    registered = pending is not None and any(
        entry[1] == pending.flush for entry in connection.run_on_commit
    )
    if pending is None or not registered:
        pending = _Pending()
        connection._live_pending = pending  # type: ignore[attr-defined]  # per connection
        if connection.in_atomic_block:
            transaction.on_commit(pending.flush)
    return pending


def _after(pending: _Pending) -> None:
    if not connection.in_atomic_block:
        _flush(pending)


def _flush(pending: _Pending) -> None:
    if getattr(connection, "_live_pending", None) is pending:
        connection._live_pending = None  # type: ignore[attr-defined]  # per connection
    try:
        for update in pending.updates:
            update()
    except (RedisError, OSError):
        logger.exception("Live state not updated; run manage.py rebuild_live_state")
        _forget_built()
    send_projects(pending.project_ids)
    alert_conditions.evaluate_after_update(pending.project_ids)


def _forget_built() -> None:
    try:
        keys.client().delete(keys.built())  # the next reader rebuilds from stored events
    except (RedisError, OSError):
        logger.warning("Live state's Redis unreachable")


def publish_projects(project_ids: Iterable[int]) -> None:
    """Push these projects' live state (and the pool's) once the transaction commits."""
    pending = _pending()
    pending.project_ids.update(project_ids)
    _after(pending)


def call_events_stored(rows: list[tuple]) -> None:
    """New call events ``(project_id, external_id, event, at, operator_id, caller)``."""
    pending = _pending()
    pending.updates.append(lambda: state.apply_call_events(rows))
    pending.project_ids.update(row[0] for row in rows)
    _after(pending)


def agent_events_stored(rows: list[tuple]) -> None:
    """New agent events ``(operator_id, at, state, reason)``: their operators' projects."""
    pending = _pending()
    pending.updates.append(lambda: state.apply_agent_events(rows))
    operator_ids = {row[0] for row in rows}
    pending.project_ids.update(
        Certification.objects.filter(operator_id__in=operator_ids).values_list(
            "project_id", flat=True
        )
    )
    _after(pending)


def send_projects(project_ids: Iterable[int]) -> int:
    """Send the live state of these projects, then the pool's; returns messages sent."""
    project_ids = set(project_ids)
    if not project_ids:
        return 0
    layer = get_channel_layer()
    if layer is None:
        return 0
    send = async_to_sync(layer.group_send)
    sent = 0
    try:
        for project in Project.objects.filter(pk__in=project_ids).order_by("pk"):
            message = {
                "type": MESSAGE_TYPE,
                "project": project.code,
                "state": state.project_live(project),
            }
            send(project_group(project.pk), message)
            send(POOL_GROUP, message)
            sent += 2
        send(POOL_GROUP, {"type": MESSAGE_TYPE, "project": None, "state": state.pool_live()})
    except (RedisError, OSError):
        logger.exception("Live state not pushed")
        return sent
    return sent + 1
