"""Celery tasks of the calls app: thin wrappers that take ids and call a service."""

from celery import shared_task

from calls import alerts, rollups
from calls.contacts import contacts_link_calls
from calls.queue_log_import import queue_log_import_file
from projects.models import Project


@shared_task(
    name="calls.link_contacts",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,  # re-running is harmless: it only links what is still unlinked
)
def link_contacts(project_id):
    return contacts_link_calls(project_id=project_id)


@shared_task(name="calls.link_contacts_all_projects")
def link_contacts_all_projects():
    """Beat entry point: fan out one task per active project, by id."""
    for project_id in Project.objects.filter(is_active=True).values_list("id", flat=True):
        link_contacts.delay(project_id)


@shared_task(
    name="calls.import_queue_log",
    acks_late=True,  # one transaction and idempotent: a re-run stores only what is new
    soft_time_limit=1800,
    time_limit=1900,
)
def import_queue_log(path, queue_map=None, agent_map=None):
    """Import an Asterisk queue_log file readable by the worker; returns the summary."""
    return queue_log_import_file(path=path, queue_map=queue_map, agent_map=agent_map).as_dict()


@shared_task(
    name="calls.rollup_kpis",
    acks_late=True,  # idempotent: a re-run refills only what is pending, with the same rows
    soft_time_limit=240,
    time_limit=300,
)
def rollup_kpis():
    """Beat, every minute: mark the intervals with new data dirty and fill them."""
    return rollups.rollup_kpis().as_dict()


@shared_task(
    name="calls.kpi_alerts",
    soft_time_limit=120,
    time_limit=150,
)
def kpi_alerts():
    """Beat, every 5 minutes: store and e-mail the hours that missed a KPI target."""
    return alerts.kpi_alerts_check()
