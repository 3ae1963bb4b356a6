"""Celery tasks of the telephony app: thin wrappers that take names or ids and call a
service (the queue_log import; the replay of a source's parked calls)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.db import transaction

from telephony import replay


@shared_task(
    name="telephony.import_queue_log",
    acks_late=True,  # one transaction and idempotent: a re-run stores only what is new
    soft_time_limit=1800,
    time_limit=1900,
)
def import_queue_log(paths, source=None, queue_map=None, agent_map=None, keep_open=False):
    """Import Asterisk queue_log files (or a glob) readable by the worker; the summary."""
    # Imported here: the import writes mappings through telephony.services, which queues
    # the replay below.
    from telephony.queue_log_import import queue_log_import_files

    if isinstance(paths, str):
        paths = [paths]
    return queue_log_import_files(
        paths=paths, source=source, queue_map=queue_map, agent_map=agent_map, keep_open=keep_open
    ).as_dict()


@shared_task(name="telephony.replay_parked", soft_time_limit=600, time_limit=660)
def replay_parked(source_id: int) -> dict[str, int]:
    """Store the parked calls of the source that its mappings now resolve."""
    return asdict(replay.replay_parked(source_id))


def schedule_replay(source_id: int) -> None:
    """Queue the replay once the mapping just written is committed (and visible to it)."""
    transaction.on_commit(lambda: replay_parked.delay(source_id))
