"""Contacts: the caller behind a number, per project, created on first sight."""

from django.db import transaction
from django.db.models import OuterRef, Subquery

from calls.models import Call, Contact


def contact_get_or_create(*, project_id, phone):
    """The project's contact for ``phone``; ``None`` for a withheld number."""
    if not phone:
        return None
    contact, _ = Contact.objects.get_or_create(project_id=project_id, phone=phone)
    return contact


@transaction.atomic
def contacts_link_calls(*, project_id):
    """Link the project's calls that have a caller but no contact; create missing contacts.

    Three statements whatever the number of calls; running it again changes nothing.
    Returns how many calls were linked.
    """
    unlinked = Call.objects.filter(project_id=project_id, contact__isnull=True).exclude(caller="")
    phones = unlinked.order_by().values_list("caller", flat=True).distinct()
    Contact.objects.bulk_create(
        [Contact(project_id=project_id, phone=phone) for phone in phones],
        ignore_conflicts=True,
    )
    contact_of_caller = Contact.objects.filter(project_id=project_id, phone=OuterRef("caller"))
    return unlinked.update(contact=Subquery(contact_of_caller.values("id")[:1]))
