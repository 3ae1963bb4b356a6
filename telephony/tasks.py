"""Celery tasks of the telephony app: thin wrappers that take names and call a service."""

from celery import shared_task

from telephony.queue_log_import import queue_log_import_files


@shared_task(
    name="telephony.import_queue_log",
    acks_late=True,  # one transaction and idempotent: a re-run stores only what is new
    soft_time_limit=1800,
    time_limit=1900,
)
def import_queue_log(paths, source=None, queue_map=None, agent_map=None, keep_open=False):
    """Import Asterisk queue_log files (or a glob) readable by the worker; the summary."""
    if isinstance(paths, str):
        paths = [paths]
    return queue_log_import_files(
        paths=paths, source=source, queue_map=queue_map, agent_map=agent_map, keep_open=keep_open
    ).as_dict()
