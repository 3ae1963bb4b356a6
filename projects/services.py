"""Writes on clients, their VAT rates and projects with their business hours.

Every function is one transaction with keyword-only arguments. Rule violations raise
``DomainError`` (400) or ``ConflictError`` (409) naming the field, so the API, the
admin, commands and tasks refuse the same things the same way.
"""

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from contactcenter.errors import DomainError
from contactcenter.orm import assign_fields, delete_or_conflict
from projects.models import BusinessHours, Client, ClientUser, Project, Seller, VatRate
from projects.roles import CLIENT_BILLING_FIELDS

# "From the beginning of time": the date a rate set through the ``vat_rate`` shortcut
# starts on. Any real billing period is later, so it applies until a dated rate follows.
BEGINNING_OF_TIME = dt.date(2000, 1, 1)
MIDNIGHT = dt.time(0, 0)

CLIENT_FIELDS = frozenset(
    {
        "code",
        "legal_name",
        "tax_id",
        "kpp",
        "address",
        "billing_email",
        "currency",
        "vat_included",
        "is_active",
        "ogrn",
        "seller",
        "contract_number",
        "contract_date",
        "payment_terms_days",
    }
)
SELLER_FIELDS = frozenset(
    {
        "code",
        "name",
        "inn",
        "kpp",
        "ogrn",
        "address",
        "bank",
        "bik",
        "correspondent_account",
        "account",
        "director",
        "chief_accountant",
    }
)
PROJECT_FIELDS = frozenset(
    {
        "code",
        "name",
        "client",
        "timezone",
        "service_mode",
        "sl_threshold_seconds",
        "sl_target",
        "short_abandon_seconds",
        "sl_formula",
        "abandon_rate_target",
        "asa_target_seconds",
        "is_active",
    }
)


# Clients


@transaction.atomic
def client_create(*, vat_rate: Decimal | None = None, **fields: Any) -> Client:
    """Create a client; ``vat_rate`` (a fraction) sets its rate from the beginning of time."""
    client = Client()
    assign_fields(client, fields, CLIENT_FIELDS)
    client.full_clean()
    client.save()
    if vat_rate is not None:
        client_vat_rate_set(client=client, rate=vat_rate)
    return client


@transaction.atomic
def client_update(*, client: Client, vat_rate: Decimal | None = None, **fields: Any) -> Client:
    assign_fields(client, fields, CLIENT_FIELDS)
    client.full_clean()
    client.save()
    if vat_rate is not None:
        client_vat_rate_set(client=client, rate=vat_rate)
    return client


def client_billing_changes(*, client, fields) -> list[str]:
    """Which billing fields (``roles.CLIENT_BILLING_FIELDS``) ``fields`` would change."""
    changed = []
    for name in CLIENT_BILLING_FIELDS:
        if name not in fields:
            continue
        if name == "vat_rate":
            stored = (
                VatRate.objects.filter(client=client, valid_from=BEGINNING_OF_TIME)
                .values_list("rate", flat=True)
                .first()
            )
            if stored is None or stored != fields[name]:
                changed.append(name)
        elif getattr(client, name) != fields[name]:
            changed.append(name)
    return changed


@transaction.atomic
def client_delete(*, client: Client) -> None:
    delete_or_conflict(client, what="client")


@transaction.atomic
def client_vat_rate_set(
    *, client: Client, rate: Decimal, valid_from: dt.date = BEGINNING_OF_TIME
) -> VatRate:
    """Set the VAT rate in force from ``valid_from``, replacing a rate of that same day."""
    vat_rate, _ = VatRate.objects.update_or_create(
        client=client, valid_from=valid_from, defaults={"rate": rate}
    )
    return vat_rate


# Sellers


@transaction.atomic
def seller_create(**fields) -> Seller:
    """Create one of our legal entities (its identifiers checked by ``Seller.clean``)."""
    seller = Seller()
    assign_fields(seller, fields, SELLER_FIELDS)
    seller.full_clean()
    seller.save()
    return seller


@transaction.atomic
def seller_update(*, seller: Seller, **fields) -> Seller:
    assign_fields(seller, fields, SELLER_FIELDS)
    seller.full_clean()
    seller.save()
    return seller


@transaction.atomic
def seller_delete(*, seller: Seller) -> None:
    delete_or_conflict(seller, what="seller")


# Projects


def _business_hours_errors(windows):
    """``{index: {field: [messages]}}`` for windows that end before they open or overlap
    another on the same weekday (keyed like DRF's errors of a nested list)."""
    errors = {}
    by_weekday = {}
    for index, window in enumerate(windows):
        opens, closes = window["opens"], window["closes"]
        if closes != MIDNIGHT and closes <= opens:
            errors[index] = {
                "closes": [f"Must be after opens ({opens:%H:%M}); use 24:00 for midnight."]
            }
            continue
        by_weekday.setdefault(window["weekday"], []).append((index, opens, closes))
    for weekday, day_windows in sorted(by_weekday.items()):
        day_windows.sort(key=lambda item: item[1])
        for (index_a, _, closes_a), (index_b, opens_b, _) in itertools.pairwise(day_windows):
            if closes_a == MIDNIGHT or opens_b < closes_a:
                name = BusinessHours.Weekday(weekday).label
                errors[index_b] = {"opens": [f"Overlaps item {index_a} on {name}."]}
    return errors


def _business_hours_replace(*, project, windows):
    errors = _business_hours_errors(windows)
    if errors:
        raise DomainError("Invalid business hours.", details={"business_hours": errors})
    project.business_hours.all().delete()
    BusinessHours.objects.bulk_create(
        BusinessHours(
            project=project,
            weekday=window["weekday"],
            opens=window["opens"],
            closes=window["closes"],
        )
        for window in windows
    )


@transaction.atomic
def project_create(
    *,
    business_hours: Iterable[Mapping[str, Any]] = (),
    managers: Iterable[Any] = (),
    **fields: Any,
) -> Project:
    """Create a project with its opening windows (none: around the clock) and managers."""
    project = Project()
    assign_fields(project, fields, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    _business_hours_replace(project=project, windows=list(business_hours))
    if managers:
        project.managers.add(*managers)
    return project


@transaction.atomic
def project_update(
    *, project: Project, business_hours: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> Project:
    """Update a project; ``business_hours``, when given, replaces the stored windows."""
    assign_fields(project, fields, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    if business_hours is not None:
        _business_hours_replace(project=project, windows=list(business_hours))
    return project


@transaction.atomic
def project_delete(*, project: Project) -> None:
    delete_or_conflict(project, what="project")


@transaction.atomic
def client_user_create(
    *, username: str, client_code: str, role: str = "viewer", password: str
) -> ClientUser:
    """A new portal user of the client ``client_code``: not staff, bound by ``role``.

    Refuses, naming the field: an unknown client, an unknown role, a username taken, a
    password the validators refuse (docs/portal.md)."""
    errors: dict[str, list[str]] = {}
    client = Client.objects.filter(code=client_code).first()
    if client is None:
        errors["client"] = [gettext("No client with code '%(code)s'.") % {"code": client_code}]
    if role not in ClientUser.Role.values:
        errors["role"] = [
            gettext("Unknown role '%(role)s'; one of %(roles)s.")
            % {"role": role, "roles": ", ".join(ClientUser.Role.values)}
        ]
    User = get_user_model()
    if not username or len(username) > 150:
        errors["username"] = [gettext("A username of 1 to 150 characters is required.")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [gettext("The username '%(name)s' is taken.") % {"name": username}]
    if not errors:
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors or client is None:
        raise DomainError(gettext("The client user was not created."), details=errors)
    user = User.objects.create_user(username=username, password=password)
    return ClientUser.objects.create(user=user, client=client, role=role)
