"""Ingesting call records (SPEC section 3): validate, deduplicate, link the caller's contact.

``call_create`` takes one call. Batch ingestion (a list of up to 10,000, atomic, errors
keyed by row index) is meant to reuse ``call_errors`` per row and ``call_create``'s
duplicate rule, inside one transaction.
"""

import datetime as dt
import re

from django.db import IntegrityError, transaction

from calls.contacts import contact_get_or_create
from calls.models import E164_REGEX, Call
from contactcenter.errors import ConflictError, DomainError

_E164 = re.compile(E164_REGEX)
_ONE_SECOND = dt.timedelta(seconds=1)

# The fields a sender states; two records with equal values are the same call.
CALL_FIELDS = (
    "project",
    "external_id",
    "direction",
    "caller",
    "operator",
    "offered_at",
    "answered_at",
    "ended_at",
    "hold_seconds",
    "wrap_seconds",
    "disposition",
    "recording_url",
)
_DEFAULTS = {
    "direction": Call.Direction.INBOUND,
    "caller": "",
    "operator": None,
    "answered_at": None,
    "hold_seconds": 0,
    "wrap_seconds": 0,
    "disposition": "",
    "recording_url": "",
}


def whole_seconds(delta):
    """Whole seconds of ``delta``, a fractional second rounding up (as the database does)."""
    return -(-delta // _ONE_SECOND)


def call_errors(
    *,
    offered_at,
    ended_at,
    answered_at=None,
    hold_seconds=0,
    wrap_seconds=0,
    operator=None,
    caller="",
    **_,
):
    """The SPEC section 3 rules a call breaks, as ``{field: [messages]}`` (empty: valid)."""
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if caller and not _E164.fullmatch(caller):
        add("caller", "Not an E.164 number, such as +74951234567.")
    if hold_seconds < 0:
        add("hold_seconds", "Cannot be negative.")
    if wrap_seconds < 0:
        add("wrap_seconds", "Cannot be negative.")
    if answered_at is not None and answered_at < offered_at:
        add("answered_at", "Cannot be before offered_at.")
    start = answered_at or offered_at
    if ended_at < start:
        add("ended_at", f"Cannot be before {'answered_at' if answered_at else 'offered_at'}.")
    if answered_at is None:
        if operator is not None:
            add("operator", "An unanswered call has no operator.")
    elif "answered_at" not in errors and "ended_at" not in errors:
        connected = whole_seconds(ended_at - answered_at)
        if hold_seconds > connected:
            add(
                "hold_seconds",
                f"Cannot exceed the connected time ({connected} s from answered_at to ended_at).",
            )
    return errors


def _stored_value(call, name):
    # Compare related rows by id, so judging a duplicate costs no extra query.
    if name in ("project", "operator"):
        return getattr(call, f"{name}_id")
    return getattr(call, name)


def _sent_value(fields, name):
    value = fields[name]
    if name in ("project", "operator"):
        return value.pk if value is not None else None
    return value


def _differences(call, fields):
    return [name for name in CALL_FIELDS if _stored_value(call, name) != _sent_value(fields, name)]


def _conflict(call, differing):
    return ConflictError(
        "A call with this external_id is already stored with different data.",
        details={
            "external_id": [
                f"'{call.external_id}' is already stored for project '{call.project.code}' "
                f"with different {', '.join(differing)}."
            ]
        },
    )


@transaction.atomic
def call_create(**fields):
    """Store one call; return ``(call, created)``.

    Keyword arguments are the fields of ``CALL_FIELDS`` (``project`` and ``operator`` as
    objects); omitted optional ones take their defaults. A call whose project and
    ``external_id`` are already stored is a duplicate when every field is equal
    (``created`` is False, nothing changes) and a ``ConflictError`` otherwise. A new
    call is linked to its project's contact for the caller's number, created if missing.
    """
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected call fields: {sorted(unknown)}")
    fields = {**_DEFAULTS, **fields}
    errors = call_errors(**fields)
    if errors:
        raise DomainError("Invalid call.", details=errors)

    project, external_id = fields["project"], fields["external_id"]
    stored = Call.objects.filter(project=project, external_id=external_id).first()
    if stored is None:
        call = Call(**fields)
        call.contact = contact_get_or_create(project_id=project.pk, phone=fields["caller"])
        try:
            with transaction.atomic():
                call.save()
            return call, True
        except IntegrityError:
            # Another request stored the same external_id since we looked: judge against it.
            stored = Call.objects.filter(project=project, external_id=external_id).first()
            if stored is None:
                raise
    stored.project = project
    differing = _differences(stored, fields)
    if differing:
        raise _conflict(stored, differing)
    return stored, False
