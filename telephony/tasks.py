"""Celery tasks of the telephony app: the replay of a source's parked calls."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.db import transaction

from telephony import replay


@shared_task(name="telephony.replay_parked", soft_time_limit=600, time_limit=660)
def replay_parked(source_id: int) -> dict[str, int]:
    """Store the parked calls of the source that its mappings now resolve."""
    return asdict(replay.replay_parked(source_id))


def schedule_replay(source_id: int) -> None:
    """Queue the replay once the mapping just written is committed (and visible to it)."""
    transaction.on_commit(lambda: replay_parked.delay(source_id))
