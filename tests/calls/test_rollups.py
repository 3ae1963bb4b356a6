"""The rollup engine (calls.rollups): exact counters, handle and state spread over intervals,
late data, re-runs, crashed fills, and the task on a real Celery worker.

Every test runs on a fixed clock; the assertions are on the whole rollup tables.
"""

import datetime as dt
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections

from agents.models import AgentStateEvent
from calls import rollups
from calls.models import (
    Call,
    OperatorInterval,
    OperatorProjectInterval,
    ProjectInterval,
    RollupInterval,
    RollupState,
)
from calls.tasks import rollup_kpis as rollup_kpis_task
from tests.calls.test_link_contacts_task import celery_worker_process  # noqa: F401 (fixture)
from tests.factories import OperatorFactory, ProjectFactory

UTC = dt.UTC
DAY = dt.datetime(2026, 10, 5, tzinfo=UTC)


def at(hhmm, seconds=0.0, day=DAY):
    hours, minutes = map(int, hhmm.split(":"))
    return day + dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def call(project, offered, *, wait=None, talk=0, hold=0, wrap=0, operator=None, abandon=None,
         direction="inbound"):  # fmt: skip
    """An answered call (``wait`` seconds, then ``talk + hold``) or an abandoned one."""
    if abandon is not None:
        return Call.objects.create(
            project=project, external_id=f"c{Call.objects.count()}", offered_at=offered,
            ended_at=offered + dt.timedelta(seconds=abandon), direction=direction,
        )  # fmt: skip
    answered = offered + dt.timedelta(seconds=wait)
    return Call.objects.create(
        project=project,
        external_id=f"c{Call.objects.count()}",
        offered_at=offered,
        answered_at=answered,
        ended_at=answered + dt.timedelta(seconds=talk + hold),
        hold_seconds=hold,
        wrap_seconds=wrap,
        operator=operator,
        direction=direction,
    )


def event(operator, when, state):
    return AgentStateEvent.objects.create(operator=operator, at=when, state=state)


def run(now, **kwargs):
    with time_machine.travel(now, tick=False):
        return rollups.rollup_kpis(now=now, **kwargs)


def project_rows():
    return [
        {k: v for k, v in row.items() if k != "id"}
        for row in ProjectInterval.objects.order_by("project", "interval_start").values()
    ]


def operator_rows():
    return [
        (r.operator_id, f"{r.interval_start:%H:%M}", r.staffed_seconds, r.break_seconds,
         r.handle_seconds)
        for r in OperatorInterval.objects.order_by("operator", "interval_start")
    ]  # fmt: skip


def split_rows():
    return [
        (r.operator_id, r.project_id, f"{r.interval_start:%H:%M}", r.handle_seconds)
        for r in OperatorProjectInterval.objects.order_by("operator", "project", "interval_start")
    ]


def all_rows():
    return project_rows(), operator_rows(), split_rows()


def wipe_rollups():
    for model in (ProjectInterval, OperatorInterval, OperatorProjectInterval, RollupInterval):
        model.objects.all().delete()
    RollupState.objects.all().delete()


@pytest.fixture
def project(db):
    return ProjectFactory(code="hotline", sl_threshold_seconds=20, short_abandon_seconds=5)


@pytest.fixture
def operator(db):
    return OperatorFactory(code="anna")


# --- Counters (SPEC section 4) -------------------------------------------------------------


def test_project_counters_of_a_small_hand_written_day(project, operator):
    with time_machine.travel(at("08:00"), tick=False):
        call(project, at("09:01"), wait=10, talk=90, hold=10, wrap=20, operator=operator)
        # 20.3 s is 21 whole seconds: over the 20 s threshold.
        call(project, at("09:02"), wait=20.3, talk=60, wrap=5, operator=operator)
        call(project, at("09:03"), wait=20, talk=30, hold=5, operator=operator)  # exactly 20: met
        call(project, at("09:04"), abandon=3)  # short abandon (< 5 s), within the threshold
        call(project, at("09:05"), abandon=15)  # abandoned within the threshold
        call(project, at("09:06"), abandon=40)  # abandoned after the threshold
        call(project, at("09:07"), wait=1, talk=50, operator=operator, direction="outbound")
        call(project, at("09:14", 59.9), abandon=5)  # last instant of 09:00; 5 s: not short
        call(project, at("09:15"), wait=4, talk=100, operator=operator)  # the next interval

    result = run(at("10:00"))

    assert result.skipped is False
    interval = {"project_id": project.pk}
    assert project_rows() == [
        {
            **interval,
            "interval_start": at("09:00"),
            "offered": 7,
            "answered": 3,
            "abandoned": 4,
            "short_abandoned": 1,
            "answered_within_threshold": 2,
            "abandoned_within_threshold": 3,
            "wait_seconds_answered": 10 + 21 + 20,
            "talk_seconds": 90 + 60 + 30,
            "hold_seconds": 10 + 0 + 5,
            "wrap_seconds": 20 + 5 + 0,
            "reserve_inside_hours": 0,  # a full-service project
        },
        {
            **interval,
            "interval_start": at("09:15"),
            "offered": 1,
            "answered": 1,
            "abandoned": 0,
            "short_abandoned": 0,
            "answered_within_threshold": 1,
            "abandoned_within_threshold": 0,
            "wait_seconds_answered": 4,
            "talk_seconds": 100,
            "hold_seconds": 0,
            "wrap_seconds": 0,
            "reserve_inside_hours": 0,
        },
    ]
    # Every interval from the first call until the clock is filled and final.
    states = RollupInterval.objects.values_list("interval_start", "state", "filled_at")
    assert list(states) == [
        (at("09:00") + k * rollups.INTERVAL, "done", at("10:00")) for k in range(4)
    ]


# --- Occupancy (SPEC section 5) ------------------------------------------------------------


def test_handle_time_is_spread_over_the_intervals_it_covers(project, operator):
    with time_machine.travel(at("08:00"), tick=False):
        # Answered 09:10, ended 09:40, 60 s of wrap-up: handle until 09:41.
        call(project, at("09:09", 30), wait=30, talk=30 * 60, wrap=60, operator=operator)

    run(at("12:00"))

    assert split_rows() == [
        (operator.pk, project.pk, "09:00", 300),
        (operator.pk, project.pk, "09:15", 900),
        (operator.pk, project.pk, "09:30", 660),
    ]
    assert operator_rows() == [
        (operator.pk, "09:00", 0, 0, 300),
        (operator.pk, "09:15", 0, 0, 900),
        (operator.pk, "09:30", 0, 0, 660),
    ]


def test_handle_of_two_projects_is_split_per_project(project, operator):
    other = ProjectFactory(code="sales")
    with time_machine.travel(at("08:00"), tick=False):
        call(project, at("09:00"), wait=0, talk=120, operator=operator)
        call(other, at("09:05"), wait=0, talk=100, wrap=20, operator=operator)

    run(at("12:00"))

    assert split_rows() == [
        (operator.pk, project.pk, "09:00", 120),
        (operator.pk, other.pk, "09:00", 120),
    ]
    assert operator_rows() == [(operator.pk, "09:00", 0, 0, 240)]


def test_staffed_and_break_time_from_events_crossing_intervals(operator):
    with time_machine.travel(at("08:00"), tick=False):
        event(operator, at("09:05"), "ready")
        event(operator, at("09:20"), "break")
        event(operator, at("09:35"), "ready")
        event(operator, at("09:50"), "offline")

    run(at("11:00"))

    assert operator_rows() == [
        (operator.pk, "09:00", 600, 0, 0),
        (operator.pk, "09:15", 300, 600, 0),
        (operator.pk, "09:30", 600, 300, 0),
        (operator.pk, "09:45", 300, 0, 0),
    ]


def test_a_state_still_open_lasts_until_the_clock_and_grows_run_by_run(operator):
    with time_machine.travel(at("08:00"), tick=False):
        event(operator, at("09:00"), "ready")

    run(at("09:07"))
    assert operator_rows() == [(operator.pk, "09:00", 420, 0, 0)]

    run(at("09:20"))
    assert operator_rows() == [(operator.pk, "09:00", 900, 0, 0), (operator.pk, "09:15", 300, 0, 0)]


# --- Late data, re-runs, crashes -----------------------------------------------------------


def test_a_late_call_makes_its_interval_dirty_and_the_refill_equals_a_fresh_fill(project, operator):
    with time_machine.travel(at("09:50"), tick=False):
        call(project, at("09:01"), wait=5, talk=60, operator=operator)
        event(operator, at("09:00"), "ready")
        event(operator, at("10:00"), "offline")
    run(at("10:30"))
    before = all_rows()

    with time_machine.travel(at("11:00"), tick=False):  # arrives after 09:00 was filled
        call(project, at("09:10"), wait=30, talk=600, operator=operator)
    result = run(at("11:01"))

    assert result.marked >= 2  # 09:00 (offered) and 09:15 (handle until 09:20:30)
    assert all_rows() != before
    assert project_rows()[0]["offered"] == 2
    incremental = all_rows()
    wipe_rollups()
    run(at("11:01"))
    assert all_rows() == incremental


def test_a_late_event_between_two_events_cuts_the_state_short(operator):
    with time_machine.travel(at("08:00"), tick=False):
        event(operator, at("09:00"), "ready")
        event(operator, at("10:00"), "offline")
    run(at("10:30"))
    assert [row[2] for row in operator_rows()] == [900, 900, 900, 900]

    with time_machine.travel(at("11:00"), tick=False):
        event(operator, at("09:30"), "break")
    run(at("11:01"))

    assert operator_rows() == [
        (operator.pk, "09:00", 900, 0, 0),
        (operator.pk, "09:15", 900, 0, 0),
        (operator.pk, "09:30", 0, 900, 0),
        (operator.pk, "09:45", 0, 900, 0),
    ]


def test_a_late_offline_cuts_the_open_state_short_but_marks_nothing_after_it(operator):
    with time_machine.travel(at("09:00"), tick=False):
        event(operator, at("09:00"), "ready")
    run(at("09:00"))
    run(at("10:00"))  # 09:00..09:45 filled with the operator ready
    assert [row[2] for row in operator_rows()] == [900, 900, 900, 900]

    with time_machine.travel(at("11:00"), tick=False):
        event(operator, at("09:20"), "offline")
    result = run(at("11:01"))

    assert operator_rows() == [(operator.pk, "09:00", 900, 0, 0), (operator.pk, "09:15", 300, 0, 0)]
    # 09:15..10:45 counted the ready state as open: refilled; the interval that began at
    # 11:00 is new. Nothing else: an offline accrues nothing after its instant.
    assert result.marked == 8


def test_an_offline_received_with_its_history_marks_only_its_own_interval(operator):
    run(at("12:00"))
    with time_machine.travel(at("12:00"), tick=False):
        event(operator, at("09:00"), "ready")
        event(operator, at("09:20"), "offline")

    result = run(at("12:00"))

    assert (result.marked, result.filled) == (2, 2)  # 09:00 and 09:15, not up to 12:00


def test_a_rerun_and_a_forced_refill_give_identical_rows(project, operator):
    with time_machine.travel(at("08:00"), tick=False):
        call(project, at("09:01"), wait=5, talk=1000, wrap=30, operator=operator)
        call(project, at("09:20"), abandon=12)
        event(operator, at("09:00"), "ready")
        event(operator, at("09:40"), "offline")
    run(at("10:00"))
    first = all_rows()

    again = run(at("10:05"))
    assert again.filled == 1  # only 10:00, which began since the last run
    assert all_rows() == first

    forced = run(at("10:06"), start=at("08:00"), end=at("10:00"))
    assert forced.filled >= 4
    assert all_rows() == first


def test_a_crashed_fill_left_started_is_redone(project, operator):
    with time_machine.travel(at("08:00"), tick=False):
        call(project, at("09:01"), wait=5, talk=100, operator=operator)
    run(at("10:00"))
    good = all_rows()

    # A fill that died half-way: the interval left "started", its rows wrong.
    RollupInterval.objects.filter(interval_start=at("09:00")).update(state="started")
    ProjectInterval.objects.filter(interval_start=at("09:00")).update(offered=99, answered=0)
    OperatorInterval.objects.all().delete()

    result = run(at("10:01"))

    assert result.filled >= 1
    assert all_rows() == good
    assert not RollupInterval.objects.exclude(state="done").exists()


def test_a_second_run_while_another_holds_the_lock_does_nothing(project, operator):
    with time_machine.travel(at("08:00"), tick=False):
        call(project, at("09:01"), wait=5, talk=100, operator=operator)
    other = connections.create_connection("default")  # another session: another worker
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [rollups.LOCK_KEY])
        assert run(at("10:00")).skipped is True
        assert not ProjectInterval.objects.exists()
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [rollups.LOCK_KEY])
        other.close()
    assert run(at("10:00")).filled == 4


def test_the_command_runs_the_same_code_and_forces_a_window(project, operator, capsys):
    with time_machine.travel(at("08:00"), tick=False):
        call(project, at("09:01"), wait=5, talk=100, operator=operator)
    with time_machine.travel(at("10:00"), tick=False):
        call_command("rollup_kpis")
        first = all_rows()
        call_command("rollup_kpis", "--from", "2026-10-05T09:00:00Z", "--to", "2026-10-05T09:30Z")
    out = capsys.readouterr().out
    assert "filled 4 in 1 window(s)" in out
    assert "filled 2 in 1 window(s)" in out
    assert all_rows() == first


# --- The task on a real worker -------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_task_fills_the_rollups_on_a_real_worker(celery_worker_process):  # noqa: F811
    project = ProjectFactory(code="worker-line")
    operator = OperatorFactory(code="worker-op")
    # The worker runs on the real clock; these calls are in its past.
    call(project, at("09:01"), wait=5, talk=100, operator=operator)
    call(project, at("09:02"), abandon=30)

    rollup_kpis_task.delay()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ProjectInterval.objects.filter(project=project).exists():
            break
        assert celery_worker_process.poll() is None, "the worker died"
        time.sleep(0.2)
    connection.close()
    row = ProjectInterval.objects.get(project=project)
    assert (row.interval_start, row.offered, row.answered, row.abandoned) == (at("09:00"), 2, 1, 1)
    assert OperatorInterval.objects.get(operator=operator).handle_seconds == 100
