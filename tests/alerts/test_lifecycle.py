"""Alerts with a lifecycle: one open alert per project and condition while the condition
holds, cleared when it recovers, a new row when it comes back; e-mailed to the managers."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from alerts.engine import alerts_evaluate
from alerts.models import Alert, AlertDelivery
from alerts.tasks import alerts_evaluate as beat_task
from calls import rollups
from calls.models import Call
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


def tick(now, capture):
    """The beat at ``now``: the rollup, then the evaluation; deliveries run (eagerly)."""
    with time_machine.travel(now, tick=False), capture(execute=True):
        rollups.rollup_kpis(now=now)
        return alerts_evaluate(now=now)


def rows(project):
    return list(
        Alert.objects.filter(project=project)
        .order_by("opened_at", "condition")
        .values_list("condition", "opened_at", "cleared_at", "value", "threshold")
    )


@pytest.fixture
def project(db):
    project = ProjectFactory(code="hotline", sl_target=Decimal("0.800"))
    project.managers.add(UserFactory(username="maria", email="maria@example.com"))
    project.managers.add(UserFactory(username="no-mail", email=""))
    return project


def test_one_alert_per_condition_while_it_lasts_then_cleared_then_a_new_row(
    project, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(NINE, tick=False):
        calls(project, 6, start=NINE, wait=10)  # met
        calls(project, 4, start=NINE + dt.timedelta(minutes=20), wait=60, tag="slow")
        calls(project, 2, start=NINE + dt.timedelta(minutes=40), wait=30, answered=False, tag="a")
    h = dt.timedelta(hours=1)
    m = dt.timedelta(minutes=1)

    assert tick(NINE + 55 * m, capture) == {"opened": 1, "updated": 0, "cleared": 0}  # today
    assert tick(NINE + h + 5 * m, capture) == {"opened": 2, "updated": 1, "cleared": 0}
    assert tick(NINE + h + 10 * m, capture) == {"opened": 0, "updated": 3, "cleared": 0}
    # 10:00-11:00 UTC had no call: the hour alerts clear; the day is still at 50%.
    assert tick(NINE + 2 * h + m, capture) == {"opened": 0, "updated": 1, "cleared": 2}
    with time_machine.travel(NINE + 2 * h, tick=False):
        calls(project, 20, start=NINE + 2 * h, wait=5, tag="good")  # the day: 26/32 = 81%
    assert tick(NINE + 3 * h + 5 * m, capture) == {"opened": 0, "updated": 0, "cleared": 1}
    with time_machine.travel(NINE + 4 * h, tick=False):
        calls(project, 12, start=NINE + 4 * h, wait=90, tag="bad")  # the day: 26/44
    assert tick(NINE + 5 * h + 5 * m, capture) == {"opened": 2, "updated": 0, "cleared": 0}

    t, d = NINE, Decimal
    assert rows(project) == [
        ("service_level_today", t + 55 * m, t + 3 * h + 5 * m, d("0.50000"), d("0.80000")),
        ("hour_abandon_rate", t + h + 5 * m, t + 2 * h + m, d("0.16667"), d("0.05000")),
        ("hour_service_level", t + h + 5 * m, t + 2 * h + m, d("0.50000"), d("0.80000")),
        ("hour_service_level", t + 5 * h + 5 * m, None, d("0.00000"), d("0.80000")),
        ("service_level_today", t + 5 * h + 5 * m, None, d("0.59091"), d("0.80000")),
    ]  # fmt: skip
    assert Alert.objects.not_cleared().count() == 2
    # One e-mail per opening and per clearing, to the one manager with an address.
    assert AlertDelivery.objects.filter(status="sent", channel="email").count() == 8
    assert len(mail.outbox) == 8
    assert {tuple(email.to) for email in mail.outbox} == {("maria@example.com",)}
    first = mail.outbox[0]
    assert first.subject == "[alert opened] hotline: Service level today below target"
    assert "service level 50.0% today so far, target 80.0%, 12 calls offered" in first.body


def test_an_hour_not_filled_yet_keeps_the_alert_as_it_is(
    project, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(NINE, tick=False):
        calls(project, 10, start=NINE, wait=90)
    tick(NINE + dt.timedelta(minutes=50), capture)
    # The 09:45 interval was filled before it ended: the hour is not judged yet.
    with time_machine.travel(NINE + dt.timedelta(hours=1, minutes=1), tick=False):
        assert alerts_evaluate(codes=["hour_service_level"])["opened"] == 0
        assert beat_task()["opened"] == 0  # the beat row's task name: calls.kpi_alerts
    assert beat_task.name == "calls.kpi_alerts"
    assert tick(NINE + dt.timedelta(hours=1, minutes=2), capture)["opened"] == 1


def test_an_hour_with_few_calls_is_not_judged(project, django_capture_on_commit_callbacks):
    with time_machine.travel(NINE, tick=False):
        calls(project, 9, start=NINE, wait=90)  # 9 < KPI_ALERT_MIN_OFFERED
    counts = tick(NINE + dt.timedelta(hours=1, minutes=5), django_capture_on_commit_callbacks)
    assert counts == {"opened": 0, "updated": 0, "cleared": 0}
    assert not mail.outbox


def test_the_database_keeps_one_alert_open_per_project_and_condition(project):
    at = NINE
    fields = {"condition": "waiting_calls", "opened_at": at, "last_seen_at": at, "message": "x"}
    Alert.objects.create(project=project, **fields)
    Alert.objects.create(project=project, cleared_at=at, **{**fields})  # a cleared one: fine
    Alert.objects.create(project=None, **fields)  # pool-wide
    with pytest.raises(IntegrityError):
        Alert.objects.create(project=None, **fields)


def test_the_open_alert_of_another_project_is_not_touched(
    project, django_capture_on_commit_callbacks
):
    other = ProjectFactory(code="other", sl_target=Decimal("0.800"))
    with time_machine.travel(NINE, tick=False):
        calls(other, 10, start=NINE, wait=90, tag="o")
        calls(project, 10, start=NINE, wait=5)
    tick(NINE + dt.timedelta(minutes=55), django_capture_on_commit_callbacks)
    assert list(Alert.objects.values_list("project__code", "condition")) == [
        ("other", "service_level_today")
    ]
    with time_machine.travel(NINE + dt.timedelta(hours=1), tick=False):
        counts = alerts_evaluate(project_ids=[project.pk])
    assert counts == {"opened": 0, "updated": 0, "cleared": 0}
    assert Alert.objects.not_cleared().count() == 1
