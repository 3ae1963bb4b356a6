"""``import_queue_log --follow`` on the real PostgreSQL and Redis: lines appended to a file
while the follower runs move the live state as they come; a restart resumes after the last
line stored without duplicates; a rotated log is finished, then the new one is read.

The follower runs in a thread of its own (its own database connection, hence committed
test data); the project ``hotline`` is named like its queue, operators ivan and olga are
certified on it and log as ``PJSIP/ivan`` and ``PJSIP/olga``.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connections

from agents.models import AgentStateEvent
from calls.models import Call
from live import keys, state
from live.models import CallEvent
from telephony.follow import follow
from telephony.models import AgentMapping, ParkedCall, QueueLogCursor, QueueMapping, TelephonySource
from tests.celery_worker import database_url
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

POLL = 0.02


def daytime_zone():
    """A zone where the last few minutes are today's (the live counters count today)."""
    for zone in ("Europe/Moscow", "Asia/Vladivostok", "America/New_York"):
        if 1 <= dt.datetime.now(ZoneInfo(zone)).hour <= 22:
            return zone
    raise AssertionError("unreachable: the three zones are 7 and 8 hours apart")


@pytest.fixture
def hotline():
    project = ProjectFactory(code="hotline", timezone=daytime_zone())
    for code in ("ivan", "olga"):
        CertificationFactory(operator=OperatorFactory(code=code), project=project)
    state.rebuild()
    return project


@pytest.fixture
def base():
    """The log's second 0: two minutes ago, so every line is in the past and today."""
    return int(time.time()) - 120


class Log:
    def __init__(self, path, base):
        self.path, self.base = path, base

    def line(self, second, uniqueid, agent, event, *data, queue="hotline"):
        return "|".join([str(self.base + second), uniqueid, queue, agent, event, *data])

    def write(self, *lines, path=None):
        with open(path or self.path, "a", encoding="utf-8") as log:
            log.writelines(f"{line}\n" for line in lines)

    def at(self, second):
        return dt.datetime.fromtimestamp(self.base + second, tz=dt.UTC)


@pytest.fixture
def log(tmp_path, base):
    return Log(tmp_path / "queue_log", base)


class Follower:
    """``follow`` in a thread until ``stop()``; its exception, if any, is raised there."""

    def __init__(self, path, **options):
        self.path, self.options = path, options
        self.event = threading.Event()
        self.error = None
        self.result = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.result = follow(self.path, poll_interval=POLL, stop=self.event, **self.options)
        except BaseException as error:  # noqa: BLE001  handed to the test thread
            self.error = error
        finally:
            connections.close_all()

    def stop(self):
        self.event.set()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive()
        if self.error is not None:
            raise self.error
        return self.result


def wait_until(check, timeout=20):
    """``check()``'s first true value, polled; fails with its last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        time.sleep(POLL)


def operator_states(project):
    return {row["operator"]: (row["state"], row["reason"]) for row in state.operators_live(project)}


def calls_table():
    return list(
        Call.objects.order_by("external_id").values_list(
            "external_id", "caller", "operator__code", "offered_at", "answered_at", "ended_at",
            "disposition",
        )
    )  # fmt: skip


def test_appended_lines_move_the_live_state_as_they_come(hotline, log):
    log.write(
        log.line(0, "MANAGER", "PJSIP/ivan", "ADDMEMBER", ""),
        log.line(0, "MANAGER", "PJSIP/olga", "ADDMEMBER", ""),
    )
    follower = Follower(log.path)
    try:
        wait_until(
            lambda: operator_states(hotline) == {"ivan": ("ready", ""), "olga": ("ready", "")}
        )

        log.write(log.line(10, "c1", "NONE", "ENTERQUEUE", "", "89161234567", "1"))
        live = wait_until(lambda: (live := state.project_live(hotline))["waiting"] == 1 and live)
        assert live["agents"] == {"ready": 2, "on_call": 0, "wrap": 0, "break": 0, "offline": 0}

        log.write(log.line(20, "c1", "PJSIP/ivan", "CONNECT", "10", "c1.2", "3"))
        live = wait_until(lambda: (live := state.project_live(hotline))["waiting"] == 0 and live)
        assert live["agents"] == {"ready": 1, "on_call": 1, "wrap": 0, "break": 0, "offline": 0}
        assert state.operators_live(hotline)[0]["call"]["external_id"] == "c1"

        log.write(log.line(25, "NONE", "PJSIP/olga", "PAUSE", "Lunch"))
        # The pause reason as a break reason code, as the batch import maps it.
        wait_until(lambda: operator_states(hotline)["olga"] == ("break", "lunch"))

        log.write(log.line(80, "c1", "PJSIP/ivan", "COMPLETECALLER", "10", "60", "1"))
        wait_until(lambda: Call.objects.exists())
        wait_until(lambda: operator_states(hotline)["ivan"] == ("ready", ""))
    finally:
        total = follower.stop()

    live = state.project_live(hotline)
    assert (live["today"]["offered"], live["today"]["answered"], live["today"]["abandoned"]) == (
        1,
        1,
        0,
    )
    assert live["today"]["asa_seconds"] == 10.0
    assert calls_table() == [
        ("c1", "+79161234567", "ivan", log.at(10), log.at(20), log.at(80), "completecaller")
    ]
    assert sorted(CallEvent.objects.values_list("event", "at", "operator__code")) == [
        ("answered", log.at(20), "ivan"),
        ("ended", log.at(80), None),
        ("offered", log.at(10), None),
    ]
    assert list(
        AgentStateEvent.objects.order_by("at", "operator__code").values_list(
            "operator__code", "state", "reason", "at"
        )
    ) == [
        ("ivan", "ready", "", log.at(0)),
        ("olga", "ready", "", log.at(0)),
        ("olga", "break", "lunch", log.at(25)),
    ]
    assert (total.live_created, total.stored.events_created, total.stored.calls_created) == (
        3,
        3,
        1,
    )
    assert total.stored.skipped == []


def test_a_restart_resumes_after_the_last_line_stored_without_duplicates(hotline, log):
    log.write(
        log.line(0, "MANAGER", "PJSIP/ivan", "ADDMEMBER", ""),
        log.line(10, "c1", "NONE", "ENTERQUEUE", "", "+74951234567", "1"),
        log.line(15, "c1", "PJSIP/ivan", "CONNECT", "5", "c1.2", "2"),
        log.line(40, "c1", "PJSIP/ivan", "COMPLETEAGENT", "5", "25", "1"),
        log.line(50, "c2", "NONE", "ENTERQUEUE", "", "anonymous", "1"),
    )
    follower = Follower(log.path)
    try:
        wait_until(lambda: state.project_live(hotline)["waiting"] == 1)
    finally:
        first = follower.stop()
    assert (first.live_created, first.stored.events_created, first.stored.calls_created) == (
        4,
        1,
        1,
    )
    cursor = QueueLogCursor.objects.get()
    assert (cursor.path, cursor.offset, cursor.line_no) == (
        str(log.path),
        log.path.stat().st_size,
        5,
    )
    assert cursor.state["open"] == {"hotline\x1fc2": {"id": "c2", "seq": 4, "answered": False}}

    # Written while the follower was down: c2 (offered before the restart) ends, c3 comes
    # and goes, ivan pauses, and c1 comes back to the queue (its second segment).
    log.write(
        log.line(60, "c2", "PJSIP/ivan", "CONNECT", "10", "c2.2", "2"),
        log.line(90, "c2", "PJSIP/ivan", "COMPLETECALLER", "10", "30", "1"),
        log.line(91, "NONE", "PJSIP/ivan", "PAUSE", "Break"),
        log.line(95, "c3", "NONE", "ENTERQUEUE", "", "84951112233", "1"),
        log.line(99, "c3", "NONE", "ABANDON", "1", "1", "4"),
        log.line(100, "c1", "NONE", "ENTERQUEUE", "", "+74951234567", "1"),
    )
    follower = Follower(log.path)
    try:
        wait_until(lambda: Call.objects.count() == 3)
        # The batch's last live event (c1 back in the queue) makes the day's fourth offer:
        # "waiting" is 1 from the first run already, so it alone would stop the follower
        # between storing the calls and feeding their events.
        wait_until(lambda: state.project_live(hotline)["today"]["offered"] == 4)
        wait_until(lambda: state.project_live(hotline)["waiting"] == 1)
    finally:
        second = follower.stop()
    assert (second.live_created, second.stored.events_created, second.stored.calls_created) == (
        5,
        1,
        2,
    )
    assert second.stored.calls_duplicate == second.live_duplicate == 0
    assert calls_table() == [
        ("c1", "+74951234567", "ivan", log.at(10), log.at(15), log.at(40), "completeagent"),
        ("c2", "", "ivan", log.at(50), log.at(60), log.at(90), "completecaller"),
        ("c3", "+74951112233", None, log.at(95), None, log.at(99), "abandon"),
    ]
    assert sorted(CallEvent.objects.values_list("external_id", "event")) == [
        ("c1", "answered"),
        ("c1", "ended"),
        ("c1", "offered"),
        ("c1-2", "offered"),
        ("c2", "answered"),
        ("c2", "ended"),
        ("c2", "offered"),
        ("c3", "abandoned"),
        ("c3", "offered"),
    ]
    assert list(AgentStateEvent.objects.order_by("at").values_list("state", "reason", "at")) == [
        ("ready", "", log.at(0)),
        ("break", "break", log.at(91)),
    ]
    assert operator_states(hotline)["ivan"] == ("break", "break")

    # Idempotent anyway: the whole file again from a blank cursor stores nothing new.
    QueueLogCursor.objects.update(inode=None, offset=0, line_no=0, state={})
    follower = Follower(log.path)
    try:
        wait_until(lambda: QueueLogCursor.objects.get().line_no == 11)
    finally:
        again = follower.stop()
    assert (again.live_created, again.stored.events_created, again.stored.calls_created) == (
        0,
        0,
        0,
    )
    assert (again.live_duplicate, again.stored.events_duplicate, again.stored.calls_duplicate) == (
        9,
        2,
        3,
    )
    assert (Call.objects.count(), CallEvent.objects.count(), AgentStateEvent.objects.count()) == (
        3,
        9,
        2,
    )


def test_a_rotated_log_is_finished_then_the_new_one_is_read(hotline, log, tmp_path):
    log.write(
        log.line(0, "MANAGER", "PJSIP/ivan", "ADDMEMBER", ""),
        log.line(10, "c1", "NONE", "ENTERQUEUE", "", "+74951234567", "1"),
    )
    rotated = tmp_path / "queue_log.1"
    follower = Follower(log.path)
    try:
        wait_until(lambda: state.project_live(hotline)["waiting"] == 1)
        os.rename(log.path, rotated)
        # Asterisk writes on to the renamed file until it reopens its log.
        log.write(log.line(12, "c1", "PJSIP/ivan", "CONNECT", "2", "c1.2", "2"), path=rotated)
        log.write(
            log.line(30, "c1", "PJSIP/ivan", "COMPLETECALLER", "2", "18", "1"),
            log.line(31, "c2", "NONE", "ENTERQUEUE", "", "+74951234568", "1"),
            log.line(40, "c2", "NONE", "EXITWITHTIMEOUT", "1", "1", "9"),
        )
        wait_until(lambda: Call.objects.count() == 2)
    finally:
        follower.stop()
    cursor = QueueLogCursor.objects.get()
    assert (cursor.inode, cursor.offset, cursor.line_no) == (
        log.path.stat().st_ino,
        log.path.stat().st_size,
        3,
    )

    # Rotated again while the follower is down, a call in progress across the two files.
    log.write(log.line(50, "c3", "NONE", "ENTERQUEUE", "", "+74951234569", "1"))
    os.rename(log.path, rotated)
    log.write(
        log.line(55, "c3", "PJSIP/ivan", "CONNECT", "5", "c3.2", "2"),
        log.line(70, "c3", "PJSIP/ivan", "COMPLETEAGENT", "5", "15", "1"),
    )
    follower = Follower(log.path)
    try:
        wait_until(lambda: Call.objects.count() == 3)
    finally:
        follower.stop()
    assert calls_table() == [
        ("c1", "+74951234567", "ivan", log.at(10), log.at(12), log.at(30), "completecaller"),
        ("c2", "+74951234568", None, log.at(31), None, log.at(40), "exitwithtimeout"),
        ("c3", "+74951234569", "ivan", log.at(50), log.at(55), log.at(70), "completeagent"),
    ]
    assert CallEvent.objects.count() == 8
    live = state.project_live(hotline)
    assert (live["waiting"], live["today"]["offered"], live["today"]["abandoned"]) == (0, 3, 1)


def test_the_command_follows_until_sigterm(hotline, log):
    log.write(
        log.line(0, "MANAGER", "PJSIP/ivan", "ADDMEMBER", ""),
        log.line(10, "c1", "NONE", "ENTERQUEUE", "", "+74951234567", "1"),
        log.line(20, "c1", "NONE", "ABANDON", "1", "1", "10"),
        log.line(21, "c2", "NONE", "ENTERQUEUE", "", "+74951234568", "1"),
        log.line(22, "c2", "PJSIP/nobody", "CONNECT", "1", "c2.2", "1"),
        log.line(30, "c2", "PJSIP/nobody", "COMPLETEAGENT", "1", "8", "1"),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
        "DATABASE_URL": database_url(),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "manage.py", "import_queue_log", str(log.path), "--follow"]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--poll-interval", "0.05"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: QueueLogCursor.objects.filter(line_no=6).exists(), timeout=60)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        # The child's live state lives under the prefix its own settings named.
        redis = keys.client()
        child_keys = list(
            redis.scan_iter(match=f"test:{connections['default'].settings_dict['NAME']}:*")
        )
        if child_keys:
            redis.unlink(*child_keys)
    assert process.returncode == 0, err
    # The last second waits one poll: two batches.
    assert out.splitlines() == [
        "line 5: 4 live call events, 1 agent events, 1 calls stored, 0 parked, 0 skipped",
        "line 6: 1 live call events, 0 agent events, 0 calls stored, 1 parked, 0 skipped",
    ]
    # Answered by an agent of no operator: parked whole through the source's tables.
    assert "  line 4: call parked (Unknown agent PJSIP/nobody)" in err.splitlines()
    parked = ParkedCall.objects.get()
    assert (parked.source.code, parked.reason, parked.missing, parked.call_key) == (
        f"{hotline.client.code}-queue-log",
        "unknown_agent",
        "PJSIP/nobody",
        "hotline|c2",
    )
    assert calls_table() == [("c1", "+74951234567", None, log.at(10), None, log.at(20), "abandon")]


def test_a_named_source_maps_queues_and_agents_through_its_tables(hotline, log):
    source = TelephonySource.objects.create(
        client=hotline.client, code="pbx", name="PBX", kind=TelephonySource.Kind.ASTERISK_QUEUE_LOG
    )
    QueueMapping.objects.create(source=source, queue="q-main", project=hotline)
    log.write(
        log.line(0, "MANAGER", "Paty Marin", "ADDMEMBER", "", queue="q-main"),
        log.line(10, "c1", "NONE", "ENTERQUEUE", "", "89161234567", "1", queue="q-main"),
        log.line(12, "c1", "Paty Marin", "CONNECT", "2", "c1.2", "2", queue="q-main"),
        log.line(30, "c1", "Paty Marin", "COMPLETECALLER", "2", "18", "1", queue="q-main"),
        log.line(31, "c2", "NONE", "ENTERQUEUE", "", "+74951234568", "1", queue="other"),
        log.line(40, "c2", "NONE", "ABANDON", "1", "1", "9", queue="other"),
        log.line(41, "c3", "NONE", "ENTERQUEUE", "", "+74951234569", "1", queue="q-main"),
    )
    follower = Follower(log.path, source="pbx", agent_map={"Paty Marin": "olga"})
    try:
        wait_until(lambda: state.project_live(hotline)["waiting"] == 1)
    finally:
        total = follower.stop()
    assert sorted(AgentMapping.objects.values_list("source__code", "name", "operator__code")) == [
        ("pbx", "Paty Marin", "olga")
    ]
    assert calls_table() == [
        ("c1", "+79161234567", "olga", log.at(10), log.at(12), log.at(30), "completecaller")
    ]
    assert [(item.reason, item.missing, item.call_key) for item in total.stored.parked] == [
        ("unmapped_queue", "other", "other|c2")
    ]
    assert list(ParkedCall.objects.values_list("source__code", "call_key")) == [("pbx", "other|c2")]
    assert list(AgentStateEvent.objects.values_list("operator__code", "state")) == [
        ("olga", "ready")
    ]
    assert QueueLogCursor.objects.get().source == source
