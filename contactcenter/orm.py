"""Generic ORM helpers every app's services share: guarded field assignment, safe delete, an
instant's ISO text made by PostgreSQL."""

from collections.abc import Collection, Mapping
from typing import Any

from django.db import models, transaction
from django.db.models import CharField, Func, ProtectedError

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


def utc_iso_sql(instant: str) -> str:
    """SQL for the text DRF's DateTimeField (and ``isoformat``) writes of the instant
    ``instant`` (SQL): ISO 8601 in UTC, six digits of microseconds only when they are not all
    zero, ``Z``; NULL stays NULL. The date part holds no ``.``, so the only ``.000000`` is the
    fraction."""
    return (
        f"replace(to_char({instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),"
        " '.000000', '') || 'Z'"
    )


class UtcIso(Func):
    """``utc_iso_sql`` as a query expression: an instant's text made by PostgreSQL, not
    parsed into a datetime only to be formatted again."""

    template = utc_iso_sql("%(expressions)s")
    output_field = CharField()
