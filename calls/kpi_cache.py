"""KPI answers kept between the rollups that change them (docs/kpis.md, "Cached answers").

The KPI endpoints read only the rollup tables, which change only when ``rollup_kpis`` fills
a window. Each fill bumps a counter per UTC day the window touches (after its commit); an
answer is cached under its query and the counters of the days its range covers, so the next
fill of any of those days makes a new key and the old answer is never read again (it
expires after ``KPI_CACHE_SECONDS``). A month of closed history is computed once per
change, today's buckets at most once per rollup run (every minute). ``KPI_CACHE_SECONDS=0``
turns it off (the test settings do, but for the tests of this module).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

PREFIX = "kpi:"
MAX_DAYS = 400  # a range longer than the endpoints allow (366 days) is not cached
T = TypeVar("T")


def _day_keys(start: dt.datetime, end: dt.datetime) -> list[str]:
    first = start.astimezone(dt.UTC).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()
    days = (last - first).days + 1
    if days > MAX_DAYS or days < 1:
        return []
    return [f"{PREFIX}day:{first + dt.timedelta(days=n):%Y%m%d}" for n in range(days)]


def bump(start: dt.datetime, end: dt.datetime) -> None:
    """The rollup tables changed in [start, end): every answer covering it is stale."""
    if _timeout() <= 0:
        return
    for key in _day_keys(start, end):
        try:
            cache.incr(key)
        except ValueError:  # no counter yet (or evicted): start one that no key has seen
            cache.set(key, dt.datetime.now(dt.UTC).timestamp(), None)


def cached(
    kind: str, parts: Hashable, start: dt.datetime, end: dt.datetime, compute: Callable[[], T]
) -> T:
    """``compute()``'s answer, cached under ``kind``, ``parts`` (everything else the answer
    depends on) and the generations of the days of [start, end)."""
    timeout = _timeout()
    days = _day_keys(start, end)
    if timeout <= 0 or not days:
        return compute()
    generations = cache.get_many(days)
    state = repr(
        (kind, parts, start.isoformat(), end.isoformat(), [generations.get(d) for d in days])
    )
    key = PREFIX + "answer:" + hashlib.sha256(state.encode()).hexdigest()
    answer: Any = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, timeout)
    return answer


def _timeout() -> int:
    return int(getattr(settings, "KPI_CACHE_SECONDS", 0))
