"""The live state's Redis connection and key names (one home for both)."""

import functools

import redis
from django.conf import settings


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)


def client() -> redis.Redis:
    """The live state's Redis (``LIVE_REDIS_URL``), one connection pool per URL."""
    return _client(settings.LIVE_REDIS_URL)


def prefix() -> str:
    return settings.LIVE_KEY_PREFIX


def built() -> str:
    """Set once the state was rebuilt from the stored events; absent after a flush."""
    return f"{prefix()}built"


def rebuilding() -> str:
    return f"{prefix()}rebuilding"


def call(project_id: int, external_id: str) -> str:
    return f"{prefix()}call:{project_id}:{external_id}"


def waiting(project_id: int) -> str:
    """Sorted set of the project's waiting calls: external_id scored by offered (µs)."""
    return f"{prefix()}waiting:{project_id}"


def day_prefix(project_id: int) -> str:
    """Hash of a local day's counters: ``day_prefix(id) + "2026-10-05"``."""
    return f"{prefix()}day:{project_id}:"


def operator_prefix() -> str:
    """Hash of an operator's state: ``operator_prefix() + str(id)``."""
    return f"{prefix()}op:"


def forecast(project_id: int, day: str) -> str:
    return f"{prefix()}forecast:{project_id}:{day}"
