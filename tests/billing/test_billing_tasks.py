"""Billing jobs: the Celery tasks, the daily closed-month job, its beat entry and the
``generate_invoices`` command, all over the same service."""

import datetime as dt
import importlib
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from billing import tasks
from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate, last_closed_period
from billing.models import Invoice
from tests.factories import ClientFactory, ProjectFactory
from tests.factories.billing import answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def acme():
    client = ClientFactory(code="acme")
    project = ProjectFactory(code="acme-line", client=client)
    tariff(project, rate="1.0000")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=600)  # 10.00
    return client


def test_generate_invoices_task_takes_a_month_and_returns_a_summary(acme):
    with clock("2026-11-05T12:00"):
        result = tasks.generate_invoices("2026-10", client_code="acme")

    assert result == [
        {
            "client": "acme",
            "period": "2026-10",
            "status": "draft",
            "number": None,
            "total": "10.00",
            "currency": "RUB",
        }
    ]
    assert tasks.generate_invoices.name == "billing.generate_invoices"
    assert tasks.generate_invoices.time_limit == 1900


def test_the_command_prints_client_number_or_draft_and_total(acme):
    other = ClientFactory(code="beta")
    project = ProjectFactory(code="beta-line", client=other)
    tariff(project, rate="2.0000")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=60)
    with clock("2026-11-05T12:00"):
        invoice_issue(invoice=invoice_generate(period=dt.date(2026, 10, 1), client_code="beta")[0])
        out = StringIO()
        call_command("generate_invoices", "--period", "2026-10", stdout=out)

    assert out.getvalue().splitlines() == [
        "acme\tdraft\t10.00 RUB",
        "beta\tINV-2026-000001\t2.00 RUB",
        "2 invoice(s) for 2026-10.",
    ]


def test_the_command_with_one_client_and_its_refusals(acme):
    with clock("2026-11-05T12:00"):
        out = StringIO()
        call_command("generate_invoices", "--period", "2026-10", "--client", "acme", stdout=out)
        assert out.getvalue().splitlines()[-1] == "1 invoice(s) for 2026-10."
        with pytest.raises(CommandError, match="Unknown client"):
            call_command("generate_invoices", "--period", "2026-10", "--client", "nobody")
        with pytest.raises(CommandError, match="period"):
            call_command("generate_invoices", "--period", "2026-13")


@pytest.mark.parametrize(
    ("now", "zones", "period"),
    [
        ("2026-11-01T03:15", ["Europe/Moscow"], "2026-10"),  # 06:15 local: October closed
        ("2026-10-31T20:59", ["Europe/Moscow"], "2026-09"),  # 23:59 local: not yet
        ("2026-10-31T14:00", ["Asia/Vladivostok"], "2026-10"),  # 1 Nov 00:00 local
        ("2026-11-01T03:15", ["Europe/Moscow", "America/Los_Angeles"], "2026-09"),  # LA: 20:15
        ("2026-11-01T07:00", ["Europe/Moscow", "America/Los_Angeles"], "2026-10"),
    ],
)
def test_a_month_closes_when_it_has_ended_in_every_zone_of_the_client(now, zones, period):
    client = ClientFactory(timezone=zones[0])
    for zone in zones:
        ProjectFactory(client=client, timezone=zone)

    closed = last_closed_period(client, now=dt.datetime.fromisoformat(now).replace(tzinfo=UTC))

    assert f"{closed:%Y-%m}" == period


def test_the_daily_job_generates_closed_months_and_is_idempotent(acme):
    far_west = ClientFactory(code="west", timezone="America/Los_Angeles")
    project = ProjectFactory(code="west-line", client=far_west, timezone="America/Los_Angeles")
    tariff(project, rate="1.0000")
    answered_call(project, local_dt("2026-09-10 10:00", "America/Los_Angeles"), connected=60)
    answered_call(project, local_dt("2026-10-10 10:00", "America/Los_Angeles"), connected=120)

    with clock("2026-11-01T03:15"):
        first = tasks.generate_closed_months()
    with clock("2026-11-01T03:15"):
        again = tasks.generate_closed_months()

    assert [(row["client"], row["period"], row["total"]) for row in first] == [
        ("acme", "2026-10", "10.00"),
        ("west", "2026-09", "1.00"),  # October has not ended in Los Angeles yet
    ]
    assert again == first
    assert Invoice.objects.count() == 2
    with clock("2026-11-02T03:15"):
        next_day = tasks.generate_closed_months()
    assert [(row["client"], row["period"]) for row in next_day] == [
        ("acme", "2026-10"),
        ("west", "2026-10"),
    ]
    assert Invoice.objects.filter(client=far_west).count() == 2
    assert Invoice.objects.get(client=far_west, period=dt.date(2026, 10, 1)).total == Decimal(
        "2.00"
    )


def test_the_beat_entry_runs_the_closed_months_job_daily():
    migration = importlib.import_module("billing.migrations.0005_schedule_generate_closed_months")
    migration.create_schedule(apps, None)  # idempotent; a flushed test database lacks it
    migration.create_schedule(apps, None)

    task = PeriodicTask.objects.get(name=migration.NAME)
    assert task.task == "billing.generate_closed_months"
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("15", "3", "*")
    assert task.enabled
