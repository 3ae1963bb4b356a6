"""Beat firing a job twice (two beat processes, a restarted beat, a hand-run next to the
schedule) is harmless: two workers run the same periodic task at the same time, and the
result is the one run's, with no duplicate row, file or error.

The messages are sent by task name, as beat sends them. The two runs overlap for real: the
test holds a lock both runs need, waits until both wait for it (or one stepped aside), and
lets go.
"""

import datetime as dt
import zipfile
import zoneinfo

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from billing.archive import archive_dir, invoice_archive
from billing.invoicing import CLIENT_LOCK_NAMESPACE, invoice_generate, last_closed_period
from billing.models import Invoice, InvoiceCoverage, InvoiceLine
from calls import rollups
from calls.models import RollupInterval
from projects.models import Client
from tests.faults.conftest import wait_for
from tests.faults.scenarios import BillingScenario, RollupScenario, invoice_state, rollup_tables

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def two_workers(celery_cluster):
    broker, start_worker = celery_cluster
    workers = [start_worker(), start_worker()]
    return broker, workers, start_worker.media_root


def test_the_rollup_fired_twice_runs_once(two_workers, side, observer):
    broker, workers, _ = two_workers
    scenario = RollupScenario()
    scenario.store_first()
    rollups.rollup_kpis()
    scenario.store_late()

    # Hold the engine's state row: the first run waits there holding the engine's lock.
    hold = side()
    hold.execute("SELECT 1 FROM calls_rollupstate WHERE id = 1 FOR UPDATE")
    runs = [broker.send("calls.rollup_kpis"), broker.send("calls.rollup_kpis")]
    # One run waits for the row; the other found the engine busy and finished at once.
    logs = lambda: "".join(worker.text() for worker in workers)  # noqa: E731
    wait_for(
        lambda: (
            len(observer.blocked_by(hold.pid)) == 1
            and sum(f"[{run}] succeeded" in logs() for run in runs) == 1
        ),
        what="one run waiting and the other stepped aside",
        workers=workers,
    )
    assert "another run holds the lock; skipped" in logs()
    hold.release()
    broker.wait_done(runs, workers=workers)

    assert not RollupInterval.objects.exclude(state=RollupInterval.State.DONE).exists()
    assert rollup_tables() == scenario.expected(scenario.first + scenario.late)


def invoice_figures(scenario):
    return {
        code: ("draft", *figures)
        for code, figures in scenario.expected(scenario.first + scenario.late).items()
    }


def test_invoice_generation_fired_twice_gives_one_invoice_per_client(two_workers, side, observer):
    broker, workers, _ = two_workers
    # One zone for all, so every client's latest closed month is the same one.
    now = timezone.now()
    period = dt.date(now.year, now.month, 1)
    period = (period - dt.timedelta(days=1)).replace(day=1)
    scenario = BillingScenario(period=period, zone="Europe/Moscow")
    scenario.store(scenario.first + scenario.late)
    assert {last_closed_period(c, now=timezone.now()) for c in Client.objects.all()} == {period}

    # Both runs wait for the first client's lock, inside their transactions, then go.
    alpha = Client.objects.get(code="alpha")
    hold = side()
    hold.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CLIENT_LOCK_NAMESPACE, alpha.pk])
    runs = [
        broker.send("billing.generate_closed_months"),
        broker.send("billing.generate_closed_months"),
    ]
    wait_for(
        lambda: len(observer.blocked_by(hold.pid)) == 2,
        what="both runs waiting",
        workers=workers,
    )
    hold.release()
    broker.wait_done(runs, workers=workers)

    expected = invoice_figures(scenario)
    assert invoice_state(period) == expected
    assert Invoice.objects.count() == 3
    assert InvoiceLine.objects.count() == sum(len(figures[4]) for figures in expected.values())
    assert InvoiceCoverage.objects.count() == 3
    assert "ERROR" not in "".join(worker.log() for worker in workers)


def test_the_monthly_archive_fired_twice_builds_one_archive(two_workers, side, observer):
    broker, workers, media_root = two_workers
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.BILLING_NUMBERING_TIMEZONE))
    period = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    scenario = BillingScenario(period=period, zone="Europe/Moscow", first_per_client=10,
                               late_per_client=0)  # fmt: skip
    scenario.store(scenario.first)
    invoice_generate(period=period)

    # Both runs wait at their first read of the invoices, then build at the same time.
    hold = side()
    hold.execute("LOCK TABLE billing_invoice IN ACCESS EXCLUSIVE MODE")
    runs = [
        broker.send("billing.build_last_month_archive"),
        broker.send("billing.build_last_month_archive"),
    ]
    wait_for(
        lambda: len(observer.blocked_by(hold.pid)) == 2,
        what="both runs waiting",
        workers=workers,
    )
    hold.release()
    broker.wait_done(runs, workers=workers)

    with override_settings(MEDIA_ROOT=media_root):
        files = sorted(path.name for path in archive_dir().iterdir())
        [name] = files  # one archive, no half-written temporary file left behind
        assert name.startswith(f"invoices-{period:%Y-%m}-")
        assert name.endswith(".zip")
        # The same invoices give the same archive: asking again builds nothing new.
        assert invoice_archive(period=period).name == name
        with zipfile.ZipFile(archive_dir() / name) as archive:
            assert archive.testzip() is None
            members = archive.namelist()
    # The month's three invoices are drafts, and drafts stay out of the archive (issue 15):
    # the registry alone, listing none.
    assert Invoice.objects.filter(period=period, status=Invoice.Status.DRAFT).count() == 3
    assert members == [f"registry-{period:%Y-%m}.xlsx"]
    assert "ERROR" not in "".join(worker.log() for worker in workers)
