"""Invoice generation whose worker is SIGKILLed in the middle - one client's draft rebuilt and
committed, the next one's inside its transaction with its old lines already deleted - is
handed out again by Redis once the visibility timeout passes, and the restarted worker
leaves exactly one draft per client, with totals to the kopeck as the calls say.
"""

import datetime as dt
import time

import pytest

from billing.invoicing import invoice_generate
from billing.models import Invoice, InvoiceCoverage, InvoiceLine
from tests.faults.conftest import wait_for
from tests.faults.scenarios import BillingScenario, invoice_state

pytestmark = pytest.mark.celery_worker

VISIBILITY_TIMEOUT = 3  # seconds, for these workers only (production: 3600)
PERIOD = dt.date(2026, 9, 1)


def drafts(expected):
    return {code: ("draft", *figures) for code, figures in expected.items()}


def test_invoice_generation_killed_mid_client_is_redone_once_to_the_kopeck(
    celery_cluster, side, observer
):
    broker, start_worker = celery_cluster
    scenario = BillingScenario(period=PERIOD)
    scenario.store(scenario.first)
    invoice_generate(period=PERIOD)  # yesterday's run: a draft per client
    assert invoice_state(PERIOD) == drafts(scenario.expected(scenario.first))
    scenario.store(scenario.late)  # late calls: today's run changes every draft
    before = drafts(scenario.expected(scenario.first))
    after = drafts(scenario.expected(scenario.first + scenario.late))
    assert all(after[code] != before[code] for code in after)

    # Hold a coverage row of bravo's draft: the job stops inside bravo's transaction, after
    # deleting its old lines, at the DELETE of its coverage.
    bravo = Invoice.objects.get(client__code="bravo", period=PERIOD)
    pause = side()
    pause.execute(
        "SELECT 1 FROM billing_invoicecoverage WHERE invoice_id = %s FOR UPDATE", [bravo.pk]
    )
    worker = start_worker(env={"CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
    job = broker.send("billing.generate_invoices", f"{PERIOD:%Y-%m}")

    [(job_pid, query)] = wait_for(
        lambda: observer.blocked_by(pause.pid),
        what="the job to reach bravo's coverage",
        workers=[worker],
    )
    assert "billing_invoicecoverage" in query
    assert query.lstrip().startswith("DELETE")
    # Mid-way: alpha rebuilt and committed; bravo and charlie as they were.
    assert invoice_state(PERIOD) == {**before, "alpha": after["alpha"]}

    worker.kill()
    killed_at = time.monotonic()
    pause.release()
    wait_for(lambda: not observer.alive(job_pid), what="the killed job's session to end")
    # Bravo's transaction rolled back whole: its old draft and lines are intact.
    assert invoice_state(PERIOD) == {**before, "alpha": after["alpha"]}
    assert (broker.queued(), broker.unacked()) == (0, 1)  # not acknowledged, so not lost

    wait_for(
        lambda: time.monotonic() > killed_at + VISIBILITY_TIMEOUT + 0.2,
        what="the visibility timeout",
    )
    worker = start_worker(env={"CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
    broker.wait_done([job], workers=[worker])

    assert invoice_state(PERIOD) == after
    # No duplicates anywhere: one invoice per client, only the lines and coverage it shows.
    assert Invoice.objects.count() == 3
    assert InvoiceLine.objects.count() == sum(len(figures[4]) for figures in after.values())
    assert InvoiceCoverage.objects.count() == 3

    # A clean generation from nothing gives the same invoices.
    Invoice.objects.all().delete()
    invoice_generate(period=PERIOD)
    assert invoice_state(PERIOD) == after
