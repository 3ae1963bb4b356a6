"""KPI alerts (calls.alerts): an hour that missed a target is stored once and e-mailed to
the project's managers; hours with few calls or not yet final are not judged."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from calls import rollups
from calls.alerts import kpi_alerts_check
from calls.models import Call, KpiAlert
from calls.tasks import kpi_alerts
from tests.factories import ProjectFactory, UserFactory

UTC = dt.UTC
NINE = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def calls(project, n, *, start, wait, answered=True, tag="c"):
    for i in range(n):
        offered = start + dt.timedelta(minutes=i)
        answered_at = offered + dt.timedelta(seconds=wait) if answered else None
        Call.objects.create(
            project=project,
            external_id=f"{tag}{i}",
            offered_at=offered,
            answered_at=answered_at,
            ended_at=(answered_at or offered + dt.timedelta(seconds=wait))
            + dt.timedelta(seconds=60),
        )


def fill_and_check(now):
    with time_machine.travel(now, tick=False):
        rollups.rollup_kpis(now=now)
        return kpi_alerts_check(now=now)


@pytest.fixture
def project(db):
    project = ProjectFactory(code="hotline", sl_target=Decimal("0.800"))
    project.managers.add(UserFactory(username="maria", email="maria@example.com"))
    project.managers.add(UserFactory(username="no-mail", email=""))
    return project


def test_a_missed_hour_is_stored_once_and_emailed_to_the_managers(project):
    with time_machine.travel(NINE, tick=False):
        calls(project, 6, start=NINE, wait=10)  # met
        calls(project, 4, start=NINE + dt.timedelta(minutes=20), wait=60, tag="slow")
        calls(project, 2, start=NINE + dt.timedelta(minutes=40), wait=30, answered=False, tag="a")

    first = fill_and_check(NINE + dt.timedelta(hours=2))
    again = fill_and_check(NINE + dt.timedelta(hours=2, minutes=5))

    assert first == {"created": 2, "emailed": 1}
    assert again == {"created": 0, "emailed": 0}
    alerts = list(KpiAlert.objects.order_by("kind").values_list(
        "project__code", "interval_start", "kind", "value", "target", "offered"))  # fmt: skip
    assert alerts == [
        ("hotline", NINE, "abandon_rate", Decimal("0.16667"), Decimal("0.050"), 12),
        ("hotline", NINE, "service_level", Decimal("0.50000"), Decimal("0.800"), 12),
    ]
    (email,) = mail.outbox
    assert email.to == ["maria@example.com"]
    assert email.subject == "[KPI] hotline: 2 hour(s) off target"
    assert "2026-10-05 12:00 (Europe/Moscow), 12 calls offered: abandon rate 16.7%" in email.body
    assert "service level 50.0% below the target 80.0%" in email.body


def test_an_hour_on_target_or_with_few_calls_raises_nothing(project):
    with time_machine.travel(NINE, tick=False):
        calls(project, 10, start=NINE, wait=5)  # all within 20 s
        calls(project, 9, start=NINE + dt.timedelta(hours=1), wait=90, tag="few")  # 9 < 10

    assert fill_and_check(NINE + dt.timedelta(hours=3)) == {"created": 0, "emailed": 0}
    assert not mail.outbox


def test_an_hour_not_over_yet_is_judged_later(project):
    with time_machine.travel(NINE, tick=False):
        calls(project, 10, start=NINE, wait=90)

    assert fill_and_check(NINE + dt.timedelta(minutes=50))["created"] == 0
    with time_machine.travel(NINE + dt.timedelta(hours=1, minutes=1), tick=False):
        assert kpi_alerts()["created"] == 0  # the 09:45 interval was filled before it ended
    assert fill_and_check(NINE + dt.timedelta(hours=1, minutes=2))["created"] == 1
    assert len(mail.outbox) == 1
