"""Celery tasks of the calls app: thin wrappers that take ids and call a service."""

from celery import shared_task

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
