"""The live state's alert conditions, registered into the alert engine's registry by name
(docs/alerts.md): calls waiting now and the longest wait now, per project. After a live
update, the live conditions of the projects it moved are judged at once, at most every
``ALERT_LIVE_EVALUATE_SECONDS`` per project; the beat judges everything anyway."""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from redis import RedisError

from alerts.conditions import Reading, register
from alerts.engine import alerts_evaluate
from live import keys, state
from projects.models import Project

logger = logging.getLogger(__name__)

# KEYS: the project's "last judged" key. ARGV: now (µs), the interval (µs). 1 when due (and
# then recorded), else 0. The clock is the update's, not Redis's.
_DUE = """
local last = tonumber(redis.call('GET', KEYS[1]))
local now, every = tonumber(ARGV[1]), tonumber(ARGV[2])
if last and now - last < every and now >= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', 86400)
return 1
"""


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


@register("waiting_calls", _("Calls waiting above the threshold"), live=True)
def waiting_calls(projects: Sequence[Project], now: dt.datetime) -> Mapping[int, Reading]:
    limit = _limit("ALERT_WAITING_CALLS", 5)
    queues = state.queues_now([p.pk for p in projects], now)
    return {
        project_id: Reading(
            breached=waiting > limit,
            value=waiting,
            threshold=limit,
            detail=f"{waiting} calls waiting, threshold {limit}",
        )
        for project_id, (waiting, _longest) in queues.items()
    }


@register("longest_wait", _("Longest wait above the threshold"), live=True)
def longest_wait(projects: Sequence[Project], now: dt.datetime) -> Mapping[int, Reading]:
    limit = _limit("ALERT_LONGEST_WAIT_SECONDS", 120)
    queues = state.queues_now([p.pk for p in projects], now)
    return {
        project_id: Reading(
            breached=longest > limit,
            value=longest,
            threshold=limit,
            detail=f"a caller has waited {longest} s, threshold {limit} s",
        )
        for project_id, (_waiting, longest) in queues.items()
    }


def evaluate_after_update(project_ids: Iterable[int], now: dt.datetime | None = None) -> dict:
    """Judge the live conditions of the projects a live update moved, each at most once per
    ``ALERT_LIVE_EVALUATE_SECONDS`` (15); a failure is logged, the update stands."""
    now = now or timezone.now()
    every = _limit("ALERT_LIVE_EVALUATE_SECONDS", 15)
    try:
        redis, now_us = keys.client(), state.micros(now)
        due = [
            project_id
            for project_id in sorted(set(project_ids))
            if redis.eval(_DUE, 1, keys.alerts_evaluated(project_id), now_us, every * 1_000_000)
        ]
        if not due:
            return {"opened": 0, "updated": 0, "cleared": 0}
        return alerts_evaluate(now=now, project_ids=due, live_only=True)
    except (RedisError, OSError, DatabaseError):
        logger.exception("Alerts not evaluated after a live update (the beat will)")
        return {"opened": 0, "updated": 0, "cleared": 0}
