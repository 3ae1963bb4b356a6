"""Billed seconds in SQL (billing.invoicing.rated_calls_sql) call by call at every edge of a
tariff: the free seconds, the first increment, the next increments, the wrap cap (and none),
each basis. The SQL names the basis twice (a GREATEST instead of a CASE per step), so each
edge is checked against billing.rating and against the number a client reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from billing import rating
from billing.invoicing import coverage_for, rated_calls_sql, slices_for
from billing.models import Tariff
from tests.factories import ClientFactory, ProjectFactory
from tests.factories.billing import answered_call

pytestmark = pytest.mark.django_db

OFFERED = dt.datetime(2026, 10, 7, 9, 0, tzinfo=dt.UTC)
CONNECTED = [0, 1, 9, 10, 11, 29, 30, 31, 35, 36, 37, 59, 60, 61, 3599, 3600]
WRAPS = [0, 14, 15, 16, 100]


def free_10_then_30_then_6(project, **fields):
    """The tariff under test: 10 free seconds, a first increment of 30 s, then 6 s steps."""
    return Tariff.objects.create(
        project=project,
        valid_from=dt.date(2026, 1, 1),
        rate_per_minute=Decimal("1.5000"),
        free_seconds=10,
        first_increment_seconds=30,
        next_increment_seconds=6,
        **fields,
    )


def sql_billed(project):
    slices = slices_for(
        projects=[project],
        coverage=coverage_for(
            client_id=project.client_id,
            period=dt.date(2026, 10, 1),
            cut=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        ),
    )
    inner, params = rated_calls_sql(slices)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT call_id, billed FROM ({inner}) r", params)  # noqa: S608
        return dict(cursor.fetchall())


@pytest.mark.parametrize("basis", ["talk", "connected", "handle"])
@pytest.mark.parametrize("wrap_cap", [None, 0, 15])
def test_each_calls_billed_seconds_are_the_ratings(basis, wrap_cap):
    project = ProjectFactory(client=ClientFactory(), timezone="Europe/Moscow")
    tariff = free_10_then_30_then_6(project, billable=basis, wrap_cap_seconds=wrap_cap)
    expected = {}
    for index, (connected, wrap) in enumerate((c, w) for c in CONNECTED for w in WRAPS):
        hold = min(connected, 5)
        call = answered_call(
            project,
            OFFERED + dt.timedelta(minutes=index),
            connected=connected,
            hold=hold,
            wrap=wrap,
        )
        expected[call.id] = rating.call_billed_seconds(
            tariff, connected=connected, hold=hold, wrap=wrap
        )

    assert sql_billed(project) == expected


def test_the_edges_a_client_reads():
    """Free 10 s, then 30 s, then 6 s steps; handle time with the wrap capped at 15 s."""
    project = ProjectFactory(client=ClientFactory(), timezone="Asia/Vladivostok")
    free_10_then_30_then_6(project, billable="handle", wrap_cap_seconds=15)
    cases = {  # (connected, wrap): billed
        (0, 0): 0,
        (10, 0): 0,  # within the free seconds
        (11, 0): 30,  # past them: the whole first increment
        (30, 0): 30,
        (31, 0): 36,  # one second into the next increment
        (36, 0): 36,
        (37, 0): 42,
        (20, 100): 36,  # 20 + the wrap capped at 15 = 35: 30 + one step of 6
        (5, 5): 0,  # 10 in all: still free
        (3600, 15): 3618,  # 3615: 30 + 598 steps of 6
    }
    ids = {}
    for index, (connected, wrap) in enumerate(cases):
        call = answered_call(
            project, OFFERED + dt.timedelta(minutes=index), connected=connected, wrap=wrap
        )
        ids[call.id] = cases[connected, wrap]

    assert sql_billed(project) == ids
