"""Reads of clients and projects, shaped for the API: related rows fetched up front."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from projects.models import Client, Project


def client_list(*, projects: QuerySet[Project]) -> QuerySet[Client]:
    """Clients with their VAT rates and, of their projects, only those in ``projects``.

    ``projects`` is the caller's visible set, so a project manager reading a client
    does not learn the codes of that client's other projects.
    """
    return Client.objects.prefetch_related(
        "vat_rates",
        Prefetch("projects", queryset=projects.only("id", "code", "client_id").order_by("code")),
    )


def project_list() -> QuerySet[Project]:
    """Projects with their client, opening windows and managers, three queries in all."""
    managers = get_user_model().objects.only("id", "username").order_by("username")
    return Project.objects.select_related("client").prefetch_related(
        "business_hours", Prefetch("managers", queryset=managers)
    )
