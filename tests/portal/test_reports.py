"""The monthly service report: a PDF per client built by the beat task once the month is
over, found (not built again) on later days, listed and downloaded in the portal."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from portal import tasks
from portal.models import ServiceReport
from portal.reports import report_tables
from tests.factories.billing import clock
from tests.portal.world import build_world, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    call_command("rollup_kpis", verbosity=0)
    return world


def test_the_task_builds_last_months_report_of_every_client_once(world):
    with clock("2026-11-01T03:00"):
        assert tasks.build_service_reports() == 2
        first = {r.client.code: r.file.name for r in ServiceReport.objects.all()}
        assert tasks.build_service_reports() == 2  # found, not built again

    assert {r.client.code: r.file.name for r in ServiceReport.objects.all()} == first
    report = ServiceReport.objects.get(client=world["alfa"])
    assert str(report.period) == "2026-10-01"
    assert report.file.read().startswith(b"%PDF")


def test_the_report_holds_the_service_pages_numbers_in_russian(world):
    tables = report_tables(world["alfa"], dt.date(2026, 10, 1))

    service, peaks, qa = tables
    assert service.rows[0][:7] == [
        "Alfa hotline",
        6,
        4,
        1,
        "60,0\xa0%",
        "80,0\xa0%",
        "не выполнено",
    ]
    assert peaks.rows == [
        ["Alfa hotline", 6, "10:00–11:00", 4],
        ["Alfa sales", 2, "12:00–13:00", 1],
    ]
    assert qa.rows == []


def test_the_portal_lists_and_serves_the_reports(client, world):
    tasks.build_service_reports("2026-10")
    logged_in(client, "alfa-viewer")

    page = client.get("/portal/reports/")
    own = ServiceReport.objects.get(client=world["alfa"])
    theirs = ServiceReport.objects.get(client=world["beta"])

    assert page.status_code == 200
    assert f"/portal/reports/{own.pk}/download/" in page.content.decode()
    assert f"/portal/reports/{theirs.pk}/download/" not in page.content.decode()
    download = client.get(f"/portal/reports/{own.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(f"/portal/reports/{theirs.pk}/download/").status_code == 404


def test_the_beat_entry_is_made_by_the_migration():
    """(Made again here: a transactional test's flush takes the migrations' rows.)"""
    migration = importlib.import_module("portal.migrations.0002_schedule_service_reports")
    migration.create_schedule(django_apps, None)
    migration.create_schedule(django_apps, None)  # idempotent

    entry = PeriodicTask.objects.get(name=migration.NAME)
    assert entry.task == "portal.build_service_reports"
    assert (entry.crontab.hour, entry.crontab.minute) == ("5", "30")
