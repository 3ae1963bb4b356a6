"""Alerts to the wallboards: an opened or cleared alert goes to its project's group and the
pool's (a pool-wide alert to the pool's only) once its transaction commits, as
``{"type": "alert.opened"|"alert.cleared", <the alert as in the webhook body>}``."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from redis import RedisError

from alerts.delivery import alert_payload
from alerts.models import Alert
from contactcenter.live_groups import POOL_GROUP, project_group

logger = logging.getLogger(__name__)


def alert_message(alert: Alert, event: str) -> dict:
    """The wallboard's message for ``event`` (``opened``, ``cleared``) of ``alert``."""
    return {"type": f"alert.{event!s}", **alert_payload(alert, event)["alert"]}


def alert_publish(alert: Alert, event: str) -> None:
    """Send the alert's message to the wallboards after the transaction commits; a channel
    layer failure is logged (the alert stands, the next snapshot shows it)."""
    message = alert_message(alert, event)
    groups = [POOL_GROUP] if alert.project_id is None else [project_group(alert.project_id)]
    if alert.project_id is not None:
        groups.append(POOL_GROUP)
    transaction.on_commit(lambda: _send(groups, message))


def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    try:
        for group in groups:
            send(group, message)
    except (RedisError, OSError):
        logger.exception("Alert not pushed to the wallboards")
