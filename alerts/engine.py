"""The alert lifecycle: judge the registered conditions, open, update and clear alerts.

One evaluation runs at a time (a transaction-scoped advisory lock). For each condition and
project: breached with no alert open opens one (and plans its deliveries); breached with
one open updates its value; not breached (or not judged) clears the open one (and plans
the "cleared" deliveries). A later breach opens a new row.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts import delivery
from alerts.conditions import Condition, Reading, conditions
from alerts.models import Alert, AlertDelivery
from alerts.push import alert_publish
from contactcenter.errors import ConflictError
from projects.models import Project

_LOCK = "alerts.evaluate"
_VALUE_PLACES = Decimal("0.00001")


def alerts_evaluate(
    *,
    now: dt.datetime | None = None,
    codes: Sequence[str] | None = None,
    project_ids: Sequence[int] | None = None,
    live_only: bool = False,
) -> dict[str, int]:
    """Judge the conditions (``codes``: only those) for the active projects (``project_ids``:
    only those, pool-wide readings then left alone); returns ``{"opened", "updated",
    "cleared"}`` counts. Deliveries are queued once the transaction commits."""
    now = now or timezone.now()
    active = Project.objects.filter(is_active=True).order_by("pk")
    if project_ids is not None:
        active = active.filter(pk__in=project_ids)
    projects = list(active)
    counts = {"opened": 0, "updated": 0, "cleared": 0}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK])
        for condition in conditions(codes, live_only=live_only):
            readings = condition.evaluate(projects, now)
            scope = None if project_ids is None else {p.pk for p in projects}
            _apply(condition, readings, scope=scope, now=now, counts=counts)
    return counts


def _apply(
    condition: Condition,
    readings: Mapping[int | None, Reading],
    *,
    scope: set[int] | None,
    now: dt.datetime,
    counts: dict[str, int],
) -> None:
    open_alerts = Alert.objects.not_cleared().filter(condition=condition.code)
    if scope is not None:
        open_alerts = open_alerts.filter(project_id__in=scope)
    by_project = {alert.project_id: alert for alert in open_alerts.select_for_update()}
    for project_id in sorted(set(readings) | set(by_project), key=lambda pk: pk or 0):
        if scope is not None and project_id not in scope:
            continue
        reading = readings.get(project_id)
        alert = by_project.get(project_id)
        if reading is not None and reading.breached is None:
            continue  # not judged yet: the state stays
        if reading is not None and reading.breached:
            if alert is None:
                _open(condition, project_id, reading, now)
                counts["opened"] += 1
            else:
                _update(alert, reading, now)
                counts["updated"] += 1
        elif alert is not None:
            alert.cleared_at = now
            alert.save(update_fields=["cleared_at"])
            delivery.deliveries_plan(alert, AlertDelivery.Event.CLEARED)
            alert_publish(alert, AlertDelivery.Event.CLEARED)
            counts["cleared"] += 1


def _decimal(value: Decimal | float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(_VALUE_PLACES)


def _message(condition: Condition, reading: Reading) -> str:
    """The alert's stored text: in the server's language, whoever's request judged it."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{condition.label}: {reading.detail}"


def _open(
    condition: Condition, project_id: int | None, reading: Reading, now: dt.datetime
) -> Alert:
    alert = Alert.objects.create(
        project_id=project_id,
        condition=condition.code,
        opened_at=now,
        last_seen_at=now,
        value=_decimal(reading.value),
        threshold=_decimal(reading.threshold),
        message=_message(condition, reading),
    )
    delivery.deliveries_plan(alert, AlertDelivery.Event.OPENED)
    alert_publish(alert, AlertDelivery.Event.OPENED)
    return alert


def _update(alert: Alert, reading: Reading, now: dt.datetime) -> None:
    Alert.objects.filter(pk=alert.pk).update(
        last_seen_at=now,
        value=_decimal(reading.value),
        threshold=_decimal(reading.threshold),
    )


def alerts_acknowledge(
    *, alerts: QuerySet, user: AbstractBaseUser, now: dt.datetime | None = None
) -> int:
    """Acknowledge the open alerts among ``alerts`` (the caller's scope); returns how many.
    Acknowledged ones keep their first acknowledgement; cleared ones are left alone."""
    return alerts.in_state(Alert.State.OPEN).update(  # type: ignore[attr-defined]  # AlertQuerySet
        acknowledged_at=now or timezone.now(), acknowledged_by=user
    )


def alert_acknowledge(
    *, alert: Alert, user: AbstractBaseUser, now: dt.datetime | None = None
) -> Alert:
    """Mark ``alert`` seen by ``user``; acknowledging twice keeps the first. A cleared alert
    cannot be acknowledged (``ConflictError``, 409)."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.cleared_at is not None:
            raise ConflictError(_("The alert has cleared already; nothing to acknowledge."))
        if alert.acknowledged_at is None:
            alert.acknowledged_at = now or timezone.now()
            alert.acknowledged_by = user  # type: ignore[assignment]  # the auth user model
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
