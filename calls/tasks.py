"""Celery tasks of the calls app: thin wrappers that take ids and call a service."""

from celery import shared_task

from calls import erasure, rollups
from calls.contacts import contacts_link_calls
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
    name="calls.rollup_kpis",
    acks_late=True,  # idempotent: a re-run refills only what is pending, with the same rows
    soft_time_limit=240,
    time_limit=300,
)
def rollup_kpis():
    """Beat, every minute: mark the intervals with new data dirty and fill them."""
    return rollups.rollup_kpis().as_dict()


# "calls.kpi_alerts" (the beat row of calls/0006) is now the alert evaluation:
# alerts.tasks.alerts_evaluate.


@shared_task(
    name="calls.erase_old_callers",
    acks_late=True,  # idempotent: erased calls are not selected again
    soft_time_limit=3000,
    time_limit=3300,
)
def erase_old_callers():
    """Beat, daily: pseudonymize the callers of calls older than CALLER_RETENTION_MONTHS
    (nothing while the setting is 0 or unset)."""
    months = erasure.retention_months()
    if not months:
        return {"skipped": "CALLER_RETENTION_MONTHS is not set"}
    result, cutoff = erasure.callers_erase_older_than(months=months)
    return {**result.as_dict(), "cutoff": cutoff.isoformat()}
