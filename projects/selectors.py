"""Reads of clients and projects, shaped for the API: related rows fetched up front."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from contactcenter.errors import DomainError
from projects.models import Client, Project, Seller


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


def client_seller(client: Client) -> Seller:
    """The seller that bills ``client``: the one it names, else the only one there is.

    No seller at all, or several and the client names none: a ``DomainError`` naming
    ``seller`` (invoices cannot be made without knowing who sells).
    """
    if client.seller is not None:
        return client.seller
    codes = list(Seller.objects.order_by("code").values_list("code", flat=True)[:6])
    if len(codes) == 1:
        return Seller.objects.get(code=codes[0])
    if codes:
        text = (
            f"Client '{client.code}' names no seller and several exist "
            f"({', '.join(codes[:5])}{', ...' if len(codes) > 5 else ''}): set its seller."
        )
    else:
        text = "No seller exists: create our legal entity (sellers/) first."
    raise DomainError(text, details={"seller": [text]})
