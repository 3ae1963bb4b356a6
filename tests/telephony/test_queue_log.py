"""Reading Asterisk's queue_log: calls, pending calls, operator states and bad lines, no database.

The sample (``data/queue_log_sample.txt``) is one morning of a PBX from 2026-10-05 06:00 UTC
(epoch 1791180000): queues ``volga-hotline`` and ``sales`` and an unmapped ``helpdesk-it``.
"""

import datetime as dt
from pathlib import Path

import pytest

from calls.phones import phone_normalize
from telephony.queue_log import (
    BREAK,
    END_OF_LOG,
    OFFLINE,
    READY,
    QueueLogReader,
    agent_name,
    default_operator_of,
    epoch_to_datetime,
    read_queue_log,
)

SAMPLE = Path(__file__).parent / "data" / "queue_log_sample.txt"
AGENT_MAP = {"1002": "op002", "Agent/1005": "op005"}
T0 = dt.datetime(2026, 10, 5, 6, 0, tzinfo=dt.UTC)  # epoch 1791180000


def operator_of(agent):
    """The import's rule without a database: the map (as logged, then by name), else the name."""
    return AGENT_MAP.get(agent) or AGENT_MAP.get(agent_name(agent)) or default_operator_of(agent)


def at(seconds):
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def log():
    with SAMPLE.open(encoding="utf-8") as lines:
        return read_queue_log(lines, operator_of=operator_of)


def by_disposition(log, disposition):
    return [call for call in log.calls if call.disposition == disposition]


def test_counts_calls_by_how_they_ended(log):
    assert len(log.calls) == 10
    assert sum(call.answered for call in log.calls) == 5
    assert len(by_disposition(log, "completecaller")) == 1
    assert len(by_disposition(log, "completeagent")) == 3
    assert len(by_disposition(log, "transfer")) == 1
    assert len(by_disposition(log, "abandon")) == 2
    assert len(by_disposition(log, "exitwithtimeout")) == 1
    assert len(by_disposition(log, "exitempty")) == 1
    assert len(by_disposition(log, "exitwithkey")) == 1
    assert not any(call.answered for call in log.calls if call.disposition.startswith(("ab", "ex")))


def test_answered_call_takes_its_instants_from_enterqueue_connect_and_complete(log):
    (call,) = [c for c in log.calls if c.uniqueid == "1791180100.41"]
    assert call.queue == "volga-hotline"
    assert call.line_no == 13
    assert call.offered_at == at(100)
    assert call.answered_at == at(112)  # CONNECT, not the RINGNOANSWER to SIP/1002 before it
    assert call.ended_at == at(292)
    assert call.agent == "PJSIP/op001"
    assert call.operator == "op001"
    assert call.caller == "+79161234567"
    assert call.disposition == "completecaller"


def test_abandoned_call_ends_at_the_abandon(log):
    (call,) = [c for c in log.calls if c.uniqueid == "1791180200.50"]
    assert (call.offered_at, call.answered_at, call.ended_at) == (at(200), None, at(203))
    assert call.operator is None
    assert call.caller == ""  # "anonymous": withheld


def test_a_call_sent_back_to_its_queue_is_two_segments_the_second_transferred(log):
    first, second = [c for c in log.calls if c.uniqueid == "1791180300.55"]
    assert (first.line_no, first.disposition) == (21, "exitwithtimeout")
    assert (first.offered_at, first.answered_at, first.ended_at) == (at(300), None, at(360))
    assert (second.line_no, second.disposition) == (24, "transfer")
    assert (second.offered_at, second.answered_at, second.ended_at) == (at(361), at(370), at(500))
    assert (second.agent, second.operator) == ("SIP/1002", "op002")  # through the agent map


def test_calls_without_an_end_are_pending(log):
    assert [(p.queue, p.uniqueid, p.line_no) for p in log.pending] == [
        ("volga-hotline", "1791183000.95", 57),  # in conversation with op001
        ("sales", "1791183100.99", 59),  # still waiting
    ]
    assert log.pending[0].answered_at == at(3006)
    assert log.pending[1].answered_at is None
    pending_ids = {p.uniqueid for p in log.pending}
    assert not pending_ids & {c.uniqueid for c in log.calls}


def test_callers_are_normalised_to_e164_or_withheld(log):
    callers = {c.uniqueid: c.caller for c in log.calls}
    assert callers["1791180130.45"] == "+74951234567"  # already E.164
    assert callers["1791180300.55"] == "+79031112233"  # 7XXXXXXXXXX
    assert callers["1791180900.64"] == "+79165554433"  # "8 (916) 555-44-33"
    assert callers["1791181000.70"] == ""  # an internal extension


@pytest.mark.parametrize(
    ("callerid", "expected"),
    [
        ("89161234567", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("+79161234567", "+79161234567"),
        ("+442071234567", "+442071234567"),
        ("9161234567", ""),  # ten digits: no country, not guessed
        ("59161234567", ""),  # eleven digits not starting with 7 or 8
        ("+0123456", ""),
        ("anonymous", ""),
        ("unknown", ""),
        ("", ""),
        ("1001", ""),
    ],
)
def test_callers_go_through_the_one_phone_rule(callerid, expected):
    assert phone_normalize(callerid) == expected


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        ("SIP/1001", "1001"),
        ("PJSIP/op001", "op001"),
        ("Local/1001@agents", "1001"),
        ("Local/1001@agents/n", "1001"),
        ("Agent/1005", "1005"),
        ("Ivan Petrov", "Ivan Petrov"),
    ],
)
def test_agent_name_strips_technology_and_context(agent, name):
    assert agent_name(agent) == name


def test_without_mappings_the_lower_cased_agent_name_is_the_operator_code():
    assert default_operator_of("PJSIP/OP001") == "op001"
    assert default_operator_of("NONE") is None
    assert default_operator_of("") is None


def test_operator_states_change_once_per_real_change(log):
    def states(operator):
        return [(c.state, c.at, c.reason) for c in log.states_of(operator)]

    # Added to two queues in the same second: one ready. PAUSEALL then a PAUSE per queue,
    # all in one second: one break with the reason.
    assert states("op001") == [
        (READY, at(10), ""),
        (BREAK, at(600), "lunch"),
        (READY, at(2400), ""),
        (OFFLINE, at(3100), END_OF_LOG),  # history: closed at the last line
    ]
    assert states("op002") == [(READY, at(12), ""), (OFFLINE, at(2600), "")]
    # op003 pauses in sales (still takes volga-hotline calls: ready), then in volga-hotline
    # too (break); leaving sales keeps them ready while still in volga-hotline.
    assert states("op003") == [
        (READY, at(15), ""),
        (BREAK, at(720), "training"),
        (READY, at(1500), ""),
        (OFFLINE, at(2500), ""),
    ]
    assert states("op004") == [(READY, at(20), ""), (OFFLINE, at(3100), END_OF_LOG)]
    assert states("op005") == [(READY, at(50), ""), (OFFLINE, at(2700), "")]  # AGENTLOGIN/OFF
    assert [c.at for c in log.states] == sorted(c.at for c in log.states)


def test_bad_lines_are_reported_with_their_numbers_and_reading_goes_on(log):
    assert [(issue.line_no, issue.reason) for issue in log.issues] == [
        (
            3,
            "COMPLETECALLER of call 1791179700.12 in queue volga-hotline without its "
            "ENTERQUEUE (was the log rotated mid-call, or the call expired?)",
        ),
        (47, "malformed line: fewer than 5 '|'-separated fields"),
        (49, "malformed line: bad timestamp '2026-10-05 06:35:00'"),
        (55, "malformed line: ENTERQUEUE without a call id or queue"),
    ]
    assert log.issues[1].text == "1791181800|1791181800.84|volga-hot"


def test_pause_all_without_known_queues_pauses_a_logged_in_agent():
    log = read_queue_log(
        [
            "1791180000|1.1|NONE|Agent/7|AGENTLOGIN|PJSIP/7-01",
            "1791180060|NONE|NONE|Agent/7|PAUSEALL|meeting",
            "1791180120|NONE|NONE|Agent/7|UNPAUSEALL|",
        ],
        close_open_states=False,
    )
    assert [(c.state, c.reason) for c in log.states_of("7")] == [
        (READY, ""),
        (BREAK, "meeting"),
        (READY, ""),
    ]


def test_a_new_pause_reason_is_a_new_break_and_unknown_events_are_ignored():
    log = read_queue_log(
        [
            "1791180000|MANAGER|q1|SIP/op9|ADDMEMBER|",
            "1791180010|NONE|q1|SIP/op9|PAUSE|lunch",
            "1791180020|NONE|q1|SIP/op9|PAUSE|training",
            "1791180030|NONE|q1|SIP/op9|PAUSE|",  # no reason: still training
            "1791180040|NONE|q1|SIP/op9|SOMECUSTOMEVENT|x",
            "",
            "1791180050|MANAGER|q2|SIP/op9|ADDMEMBER|PAUSED",  # added paused: still a break
            "1791180060|MANAGER|q1|SIP/op9|REMOVEMEMBER|",
        ],
        close_open_states=False,
    )
    assert [(c.state, c.at, c.reason) for c in log.states_of("op9")] == [
        (READY, epoch_to_datetime("1791180000"), ""),
        (BREAK, epoch_to_datetime("1791180010"), "lunch"),
        (BREAK, epoch_to_datetime("1791180020"), "training"),
    ]
    assert log.issues == []


def test_a_change_undone_within_the_same_second_emits_nothing():
    log = read_queue_log(
        [
            "1791180000|MANAGER|q1|SIP/op9|ADDMEMBER|",
            "1791180050|NONE|q1|SIP/op9|PAUSE|oops",
            "1791180050|NONE|q1|SIP/op9|UNPAUSE|",
        ],
        close_open_states=False,
    )
    assert [(c.state, c.at) for c in log.states_of("op9")] == [
        (READY, epoch_to_datetime("1791180000"))
    ]


def test_a_call_whose_enterqueue_repeats_before_it_closed_is_reported():
    log = read_queue_log(
        [
            "1791180000|1.5|q1|NONE|ENTERQUEUE||89161234567|1",
            "1791180100|NONE|NONE|NONE|QUEUESTART|",
            "1791180200|1.5|q1|NONE|ENTERQUEUE||89161234567|1",
            "1791180210|1.5|q1|NONE|ABANDON|1|1|10",
        ]
    )
    assert [(c.line_no, c.offered_at) for c in log.calls] == [(3, epoch_to_datetime("1791180200"))]
    assert [issue.line_no for issue in log.issues] == [1]


def test_epoch_to_datetime_is_aware_utc_and_keeps_fractions():
    assert epoch_to_datetime("1791180000") == T0
    assert epoch_to_datetime("1791180000.25") == T0 + dt.timedelta(milliseconds=250)
    with pytest.raises(ValueError, match="epoch"):
        epoch_to_datetime("-5")


def test_a_tailer_feeding_lines_and_draining_gets_what_a_whole_read_gets():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    whole = read_queue_log(lines, operator_of=operator_of, close_open_states=False)
    reader = QueueLogReader(operator_of=operator_of)
    calls, states, issues = [], [], []
    for line_no, text in enumerate(lines, start=1):
        reader.feed_line(text, line_no, file="queue_log")
        if line_no % 5 == 0:  # a tailer stores what is final every few lines
            drained = reader.drain()
            calls += drained.calls
            states += drained.states
            issues += drained.issues
            assert all(change.at < drained.last_at for change in drained.states)
    rest = reader.finish(close_open_states=False)

    def key(call):
        return (call.external_id, call.offered_at, call.ended_at, call.operator)

    # Calls come as they close (a whole read lists them by their ENTERQUEUE line).
    assert sorted(map(key, calls + rest.calls)) == sorted(map(key, whole.calls))
    assert [(s.operator, s.state, s.at, s.reason) for s in states + rest.states] == [
        (s.operator, s.state, s.at, s.reason) for s in whole.states
    ]
    assert [i.line_no for i in issues + rest.issues] == [i.line_no for i in whole.issues]
    assert [p.uniqueid for p in rest.pending] == [p.uniqueid for p in whole.pending]
