"""``telephony.follow_feed.Feed`` fed a log second by second, its state through JSON between
batches (a restart each time), stores exactly what the batch import of the whole file
stores; the lines it carries stay few however long operators keep pausing."""

import datetime as dt
import json
import random
import time

import pytest

from agents.models import AgentStateEvent
from calls.models import Call
from live.models import CallEvent
from telephony.follow_feed import Feed
from telephony.queue_log_import import queue_log_import
from tests.factories import ClientFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

QUEUES = ("hotline", "sales")
AGENTS = ("PJSIP/op1", "PJSIP/op2", "SIP/op3", "Local/op4@agents/n")


def random_log(seed, base, seconds=900):
    """Member changes of four agents in two queues, and calls, in file order."""
    rng = random.Random(seed)
    lines, open_calls, number = [], {}, 0
    for second in range(0, seconds, 2):
        stamp = base + second
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            agent, queue = rng.choice(AGENTS), rng.choice(QUEUES)
            kind = rng.choice(
                ("ADDMEMBER", "REMOVEMEMBER", "PAUSE", "PAUSE", "UNPAUSE", "UNPAUSE",
                 "PAUSEALL", "UNPAUSEALL", "AGENTLOGIN", "AGENTLOGOFF")
            )  # fmt: skip
            if kind in {"PAUSEALL", "UNPAUSEALL", "AGENTLOGIN", "AGENTLOGOFF"}:
                lines.append(f"{stamp}|NONE|NONE|{agent}|{kind}|")
            else:
                reason = rng.choice(("", "Lunch", "Training")) if kind == "PAUSE" else ""
                lines.append(f"{stamp}|MANAGER|{queue}|{agent}|{kind}|{reason}")
        if rng.random() < 0.4:
            number += 1
            uniqueid = f"17{number % 7}.{number % 5}"  # ids come back: segments -2, -3...
            queue = rng.choice(QUEUES)
            if (queue, uniqueid) not in open_calls:
                open_calls[queue, uniqueid] = False
                lines.append(f"{stamp}|{uniqueid}|{queue}|NONE|ENTERQUEUE||8916000{number:04d}|1")
        for (queue, uniqueid), answered in list(open_calls.items()):
            roll = rng.random()
            if not answered and roll < 0.2:
                open_calls[queue, uniqueid] = rng.choice(AGENTS)
                agent = open_calls[queue, uniqueid]
                lines.append(f"{stamp}|{uniqueid}|{queue}|{agent}|CONNECT|3|x|1")
            elif answered and roll < 0.15:
                del open_calls[queue, uniqueid]
                lines.append(f"{stamp}|{uniqueid}|{queue}|{answered}|COMPLETECALLER|3|20|1")
            elif not answered and roll > 0.93:
                del open_calls[queue, uniqueid]
                lines.append(f"{stamp}|{uniqueid}|{queue}|NONE|ABANDON|1|1|9")
    return lines


def by_second(lines):
    """Batches as the follower makes them: each second whole in one batch."""
    batches, current, second = [], [], None
    for line_no, text in enumerate(lines, start=1):
        stamp = text.split("|", 1)[0]
        if current and stamp != second and random.Random(line_no).random() < 0.5:
            batches.append(current)
            current = []
        current.append((line_no, text))
        second = stamp
    return [*batches, current] if current else batches


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_by_batch_stores_what_the_whole_file_import_stores(seed):
    client = ClientFactory()
    for code in QUEUES:
        ProjectFactory(code=code, client=client)
    for code in ("op1", "op2", "op3", "op4"):
        OperatorFactory(code=code)
    lines = random_log(seed, base=int(time.time()) - 3600)
    state, carried = {}, []
    for batch in by_second(lines):
        feed = Feed(state=json.loads(json.dumps(state)))
        result = feed.feed(batch)
        assert [item.kind for item in result.stored.skipped] == []
        state = feed.state()
        carried.append(len(state["carried"]))

    whole = queue_log_import(lines=lines, keep_open=True)  # a followed log is never closed
    assert whole.skipped == []
    assert (whole.calls_created, whole.events_created) == (0, 0)  # all stored already
    assert whole.calls_duplicate == Call.objects.count() > 20
    assert whole.events_duplicate == AgentStateEvent.objects.count() > 100
    # Every closed call has its offered event and its end; the open ones only what came.
    assert CallEvent.objects.filter(event="offered").count() == Call.objects.count() + len(
        whole.pending
    )
    # Four agents in two queues: at most 2 + 1 + 1 presence lines each before their last
    # ready, the lines of their break since, and the open calls' lines; never the growing
    # day (a 4,487-line hour of this log peaks at 60 too).
    assert max(carried) <= 60
    assert len(lines) > 900


def test_a_static_member_pausing_all_day_carries_two_lines():
    ProjectFactory(code="hotline")
    OperatorFactory(code="ivan")
    base = int(time.time()) - 3600
    feed = Feed()
    feed.feed([(1, f"{base}|MANAGER|hotline|PJSIP/ivan|ADDMEMBER|")])
    for cycle in range(1, 61):
        stamp = base + cycle * 10
        feed.feed(
            [
                (cycle * 4 - 2, f"{stamp}|NONE|NONE|PJSIP/ivan|PAUSEALL|Lunch"),
                (cycle * 4 - 1, f"{stamp}|NONE|hotline|PJSIP/ivan|PAUSE|Lunch"),
            ]
        )
        feed.feed(
            [
                (cycle * 4, f"{stamp + 5}|NONE|NONE|PJSIP/ivan|UNPAUSEALL|"),
                (cycle * 4 + 1, f"{stamp + 5}|NONE|hotline|PJSIP/ivan|UNPAUSE|"),
            ]
        )
    assert [line_no for _seq, line_no, _text in feed.state()["carried"]] == [240, 241]
    assert AgentStateEvent.objects.count() == 121
    last = AgentStateEvent.objects.order_by("at").last()
    assert (last.state, last.at) == ("ready", dt.datetime.fromtimestamp(base + 605, tz=dt.UTC))


def test_a_call_the_pbx_lost_expires_as_the_import_expires_it(settings):
    settings.QUEUE_LOG_PENDING_EXPIRY_SECONDS = 4 * 3600
    ProjectFactory(code="hotline")
    base = int(time.time()) - 2 * 86400
    feed = Feed()
    feed.feed([(1, f"{base}|lost.1|hotline|NONE|ENTERQUEUE||+74951234567|1")])
    assert [line_no for _seq, line_no, _text in feed.state()["carried"]] == [1]
    result = feed.feed([(2, f"{base + 4 * 3600}|c2|hotline|NONE|ENTERQUEUE||+74951234568|1")])
    assert [line_no for _seq, line_no, _text in feed.state()["carried"]] == [1, 2]  # not yet
    result = feed.feed([(3, f"{base + 4 * 3600 + 1}|c3|hotline|NONE|ENTERQUEUE||+7495123|1")])
    assert [line_no for _seq, line_no, _text in feed.state()["carried"]] == [2, 3]
    assert list(feed.state()["open"]) == ["hotline\x1fc2", "hotline\x1fc3"]
    assert [(item.line_no, item.kind, item.reason) for item in result.stored.skipped] == [
        (1, "expired", "no closing event within 14400 s of its last line (ENTERQUEUE on line 1)")
    ]
    assert [call.uniqueid for call in result.stored.pending] == ["c2", "c3"]
