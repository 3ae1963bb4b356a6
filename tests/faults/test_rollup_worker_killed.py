"""A KPI rollup whose worker is SIGKILLed in the middle is redone, and its tables end exactly
as the rows say. The job is stopped inside day two's fill transaction (day one's window
already committed); then the worker dies:

- the whole worker (a lost host, ``kill -9``): the job, never acknowledged, is handed out
  again by Redis after the visibility timeout, and the restarted worker finishes it;
- only its pool process (the OOM killer): the worker puts the job back in the queue at once
  (``task_reject_on_worker_lost``) instead of acknowledging it as failed.
"""

import os
import signal
import time

import pytest

from calls import rollups
from calls.models import (
    OperatorInterval,
    OperatorProjectInterval,
    ProjectInterval,
    RollupInterval,
    RollupState,
)
from tests.faults.conftest import wait_for
from tests.faults.scenarios import RollupScenario, rollup_tables

pytestmark = pytest.mark.celery_worker

VISIBILITY_TIMEOUT = 3  # seconds, for these workers only (production: 3600)
WORKER_ENV = {"CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
# Where each rollup table keeps its interval start (epoch seconds) in ``rollup_tables()``.
START_POSITION = (1, 1, 2)


def in_window(tables, start, end):
    low, high = int(start.timestamp()), int(end.timestamp())
    return tuple(
        [row for row in rows if low <= row[position] < high]
        for rows, position in zip(tables, START_POSITION, strict=True)
    )


def pending_intervals():
    return RollupInterval.objects.exclude(state=RollupInterval.State.DONE).count()


def wipe_rollups():
    for model in (ProjectInterval, OperatorInterval, OperatorProjectInterval, RollupInterval,
                  RollupState):  # fmt: skip
        model.objects.all().delete()


class Stopped:
    """A rollup job sent to ``worker`` and stopped inside day two's fill transaction."""

    def __init__(self, celery_cluster, side, observer, **worker_options):
        self.broker, self.start_worker = celery_cluster
        self.observer = observer
        scenario = RollupScenario()
        scenario.store_first()
        rollups.rollup_kpis()  # the runs before: both days filled from the first calls
        assert rollup_tables() == scenario.expected(scenario.first)
        scenario.store_late()  # late calls on both days: the next run refills both
        self.expected = scenario.expected(scenario.first + scenario.late)
        self.before = scenario.expected(scenario.first)
        self.day_one, self.day_two = scenario.window(0), scenario.window(1)
        assert in_window(self.expected, *self.day_two) != in_window(self.before, *self.day_two)

        # Hold an operator row of day two's first refilled interval: the job stops inside
        # that window's fill, where it updates that row (the fill writes only the rows that
        # changed), its project and operator-project rows written (uncommitted).
        self.pause = side()
        self.pause.execute(
            "SELECT 1 FROM calls_operatorinterval WHERE interval_start = %s FOR UPDATE",
            [scenario.first_late_interval(1)],
        )
        self.worker = self.start_worker(env=WORKER_ENV, **worker_options)
        self.task_id = self.broker.send("calls.rollup_kpis")
        [(self.job_pid, query)] = wait_for(
            lambda: observer.blocked_by(self.pause.pid),
            what="the rollup to reach day two's fill",
            workers=[self.worker],
        )
        assert query.lstrip().startswith("UPDATE calls_operatorinterval")
        # Mid-way: day one committed with the late calls; day two 'started', and as it was.
        self.check_day_one_done_day_two_as_before()
        assert RollupInterval.objects.filter(state=RollupInterval.State.STARTED).exists()
        assert self.broker.unacked() == 1

    def check_day_one_done_day_two_as_before(self):
        tables = rollup_tables()
        assert in_window(tables, *self.day_one) == in_window(self.expected, *self.day_one)
        assert in_window(tables, *self.day_two) == in_window(self.before, *self.day_two)

    def release(self):
        """Let go of the row; PostgreSQL then ends the dead client's session (its fill
        transaction rolls back, the engine's advisory lock goes with it)."""
        self.pause.release()
        wait_for(
            lambda: not self.observer.alive(self.job_pid), what="the killed job's session to end"
        )
        self.check_day_one_done_day_two_as_before()

    def check_finished(self):
        assert pending_intervals() == 0
        assert rollup_tables() == self.expected
        # A clean run from nothing gives the very same rows.
        wipe_rollups()
        rollups.rollup_kpis()
        assert rollup_tables() == self.expected


def test_a_rollup_whose_worker_is_killed_is_redone_by_the_restarted_worker(
    celery_cluster, side, observer
):
    job = Stopped(celery_cluster, side, observer)

    job.worker.kill()
    killed_at = time.monotonic()
    job.release()
    # Not acknowledged, so not lost: held by Redis until the visibility timeout.
    assert (job.broker.queued(), job.broker.unacked()) == (0, 1)
    wait_for(
        lambda: time.monotonic() > killed_at + VISIBILITY_TIMEOUT + 0.2,
        what="the visibility timeout",
    )
    worker = job.start_worker(env=WORKER_ENV)
    job.broker.wait_done([job.task_id], workers=[worker])

    job.check_finished()


def test_a_rollup_whose_pool_process_is_killed_goes_back_to_the_queue(
    celery_cluster, side, observer
):
    job = Stopped(celery_cluster, side, observer, pool="prefork", concurrency=1)
    [pool_process] = job.worker.children()

    os.kill(pool_process, signal.SIGKILL)  # as the OOM killer would
    # The worker gives the job to a new pool process at once. The dead process's database
    # session still waits on the held row, holding the engine's lock, so this run steps
    # aside (the engine runs one at a time) and is acknowledged; acknowledged as *failed*
    # instead, the job would never run again.
    job.broker.wait_done([job.task_id], workers=[job.worker])
    assert "WorkerLostError" in job.worker.text()
    assert "another run holds the lock; skipped" in job.worker.text()
    job.release()
    # Beat's next tick (every minute) finds day two still pending and fills it.
    tick = job.broker.send("calls.rollup_kpis")
    job.broker.wait_done([tick], workers=[job.worker])

    job.check_finished()
