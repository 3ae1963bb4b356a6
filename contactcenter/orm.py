"""Generic ORM helpers every app's services share: guarded field assignment, safe delete."""

from collections.abc import Collection, Mapping
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError

from contactcenter.errors import ConflictError


def assign_fields(
    instance: models.Model, fields: Mapping[str, Any], allowed: Collection[str]
) -> None:
    """Set ``fields`` on ``instance``; a name outside ``allowed`` is a programming error."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields for {type(instance).__name__}: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def delete_or_conflict(instance: models.Model, *, what: str) -> None:
    """Delete ``instance``; rows that still point to it make it a 409, not a 500."""
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise ConflictError(
            f"This {what} is still referenced by {', '.join(kinds)} and cannot be deleted.",
            details={"non_field_errors": [f"Referenced by {', '.join(kinds)}."]},
        ) from exc
