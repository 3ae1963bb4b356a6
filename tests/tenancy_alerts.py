"""Tenancy matrix entries for the alerts routes (alerts/ and alerts/{id}/acknowledge/).

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist, so
it imports them lazily. Alerts follow their project's scope: the PM (who manages A's
project) lists and acknowledges A's alerts; the integration reads its client's alerts and
acknowledges none (403, refused before any lookup).
"""

import datetime as dt

from alerts.models import Alert

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


def side_alert(world, side):
    """An open alert of the side's project (made once)."""
    alert, _ = Alert.objects.get_or_create(
        project=world[side].project,
        condition="service_level_today",
        cleared_at=None,
        defaults={"opened_at": T0, "last_seen_at": T0, "message": "Service level 50%"},
    )
    return alert


def entries():
    from tests import test_tenancy_matrix as m

    @m.dataclass(frozen=True)
    class AlertListRoute(m.ListRoute):
        def prepare(self, world, side):
            for tenant_side in (m.OURS, m.THEIRS):
                side_alert(world, tenant_side)
            return None, None

    return {
        ("alerts/", "GET"): AlertListRoute(
            key="project", key_of=lambda t: t.project.code, sees=m.EVERYONE_SEES_OURS
        ),
        ("alerts/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_alert(w, side).pk,
            key="id",
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: (200, 404)},
        ),
        ("alerts/{pk}/acknowledge/", "POST"): m.DetailRoute(
            target=lambda w, side: side_alert(w, side).pk,
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: 403},
            applied=lambda w, side, role, lookup: (
                Alert.objects.get(pk=lookup).acknowledged_by == w.users[role]
            ),
        ),
    }
