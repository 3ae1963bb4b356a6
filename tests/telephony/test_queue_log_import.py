"""Importing Asterisk's queue_log into calls and agent state events, on the real database.

The sample is described in ``test_queue_log.py``; here it meets projects ``volga-hotline``
(named like its queue) and ``volga-sales`` (queue ``sales``, mapped), and operators op001,
op002 (agent ``SIP/1002``), op003 and op005 (``Agent/1005``). ``PJSIP/op004`` is no operator
here and queue ``helpdesk-it`` no project: their calls are parked, whole.
"""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agents.models import AgentStateEvent
from calls.models import Call
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource
from telephony.queue_log import END_OF_LOG
from telephony.queue_log_import import (
    MALFORMED,
    ORPHAN,
    REFUSED,
    UNKNOWN_OPERATOR,
    queue_log_import,
    queue_log_import_file,
)
from tests.factories import CallFactory, OperatorFactory, ProjectFactory

SAMPLE = Path(__file__).parent / "data" / "queue_log_sample.txt"
QUEUE_MAP = {"sales": "volga-sales"}
AGENT_MAP = {"1002": "op002", "Agent/1005": "op005"}
T0 = dt.datetime(2026, 10, 5, 6, 0, tzinfo=dt.UTC)  # epoch 1791180000

pytestmark = pytest.mark.django_db


def at(seconds):
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def setup():
    hotline = ProjectFactory(code="volga-hotline")
    sales = ProjectFactory(code="volga-sales", client=hotline.client)
    for code in ("op001", "op002", "op003", "op005"):
        OperatorFactory(code=code)
    return hotline, sales


def import_sample(**overrides):
    options = {"queue_map": QUEUE_MAP, "agent_map": AGENT_MAP} | overrides
    return queue_log_import_file(path=SAMPLE, **options)


def calls_table():
    return list(
        Call.objects.order_by("offered_at", "external_id").values_list(
            "project__code",
            "external_id",
            "direction",
            "caller",
            "operator__code",
            "offered_at",
            "answered_at",
            "ended_at",
            "wait_seconds",
            "connected_seconds",
            "hold_seconds",
            "wrap_seconds",
            "disposition",
        )
    )


def events_table():
    return list(
        AgentStateEvent.objects.order_by("at", "operator__code").values_list(
            "operator__code", "state", "at", "reason"
        )
    )


EXPECTED_CALLS = [
    # project, external_id, direction, caller, operator, offered, answered, ended,
    # wait s, connected s, hold s, wrap s, disposition
    ("volga-hotline", "1791180100.41", "inbound", "+79161234567", "op001",
     at(100), at(112), at(292), 12, 180, 0, 0, "completecaller"),
    ("volga-sales", "1791180130.45", "inbound", "+74951234567", "op003",
     at(130), at(135), at(395), 5, 260, 0, 0, "completeagent"),
    ("volga-hotline", "1791180200.50", "inbound", "", None,
     at(200), None, at(203), 3, 0, 0, 0, "abandon"),
    ("volga-hotline", "1791180300.55", "inbound", "+79031112233", None,
     at(300), None, at(360), 60, 0, 0, 0, "exitwithtimeout"),
    ("volga-hotline", "1791180300.55-2", "inbound", "+79031112233", "op002",
     at(361), at(370), at(500), 9, 130, 0, 0, "transfer"),
    ("volga-sales", "1791180800.61", "inbound", "+74957654321", None,
     at(800), None, at(802), 2, 0, 0, 0, "exitempty"),
    ("volga-hotline", "1791180900.64", "inbound", "+79165554433", None,
     at(900), None, at(915), 15, 0, 0, 0, "exitwithkey"),
    ("volga-sales", "1791181600.80", "inbound", "+79261112233", None,
     at(1600), None, at(1645), 45, 0, 0, 0, "abandon"),
]  # fmt: skip

EXPECTED_EVENTS = [
    ("op001", "ready", at(10), ""),
    ("op002", "ready", at(12), ""),
    ("op003", "ready", at(15), ""),
    ("op005", "ready", at(50), ""),
    ("op001", "break", at(600), "lunch"),
    ("op003", "break", at(720), "training"),
    ("op003", "ready", at(1500), ""),
    ("op001", "ready", at(2400), ""),
    ("op003", "offline", at(2500), ""),
    ("op002", "offline", at(2600), ""),
    ("op005", "offline", at(2700), ""),
    ("op001", "offline", at(3100), END_OF_LOG),  # history: closed at the last line
]


def test_imports_calls_with_their_derived_seconds(setup):
    result = import_sample()

    assert (result.calls_created, result.calls_duplicate) == (8, 0)
    assert calls_table() == EXPECTED_CALLS


def test_imports_one_agent_event_per_state_change(setup):
    result = import_sample()

    assert (result.events_created, result.events_duplicate) == (12, 0)
    assert events_table() == EXPECTED_EVENTS
    assert result.closed_at_end == 1  # op001 (op004 is no operator: skipped)


def test_the_source_is_the_clients_and_the_flags_become_its_mappings(setup):
    hotline, _sales = setup
    result = import_sample()

    source = TelephonySource.objects.get()
    assert (source.code, source.client, source.kind) == (
        f"{hotline.client.code}-queue-log",
        hotline.client,
        "asterisk-queue-log",
    )
    assert result.source == source.code
    assert list(QueueMapping.objects.values_list("queue", "project__code")) == [
        ("sales", "volga-sales")
    ]
    assert sorted(AgentMapping.objects.values_list("name", "operator__code")) == [
        ("1002", "op002"),
        ("Agent/1005", "op005"),
    ]
    # The next import needs no flags: the mappings are data now.
    again = queue_log_import_file(path=SAMPLE, source=source.code)
    assert (again.calls_created, again.calls_duplicate) == (0, 8)


def test_reports_pending_parked_and_every_skipped_line(setup):
    result = import_sample()

    assert result.pending_calls == 2
    assert [(p.queue, p.uniqueid) for p in result.pending] == [
        ("volga-hotline", "1791183000.95"),
        ("sales", "1791183100.99"),
    ]
    assert [(p.line_no, p.reason, p.missing) for p in result.parked] == [
        (37, "unmapped_queue", "helpdesk-it"),
        (40, "unknown_agent", "PJSIP/op004"),
    ]
    assert [(s.line_no, s.kind, s.what) for s in result.skipped] == [
        (3, ORPHAN, "line"),
        (10, UNKNOWN_OPERATOR, "agent event"),
        (47, MALFORMED, "line"),
        (49, MALFORMED, "line"),
        (55, MALFORMED, "line"),
        (59, UNKNOWN_OPERATOR, "agent event"),  # op004's closing at the end
    ]
    reasons = {s.line_no: s.reason for s in result.skipped}
    assert reasons[10] == "unknown operator for agent 'PJSIP/op004'"
    assert reasons[47] == "malformed line: fewer than 5 '|'-separated fields"
    json.dumps(result.as_dict())  # the task's return value is JSON


def test_an_unmapped_call_is_parked_whole_with_the_documented_payload(setup):
    import_sample()

    parked = {p.call_key: p for p in ParkedCall.objects.all()}
    assert sorted(parked) == ["helpdesk-it|1791181000.70", "volga-hotline|1791181200.75"]
    agent = parked["volga-hotline|1791181200.75"]
    assert (agent.reason, agent.missing, agent.line_no, agent.file_name) == (
        "unknown_agent",
        "PJSIP/op004",
        40,
        "queue_log_sample.txt",
    )
    assert agent.payload == {
        "rows": [
            {
                "external_id": "1791181200.75",
                "direction": "inbound",
                "caller": "+79269998877",
                "offered_at": "2026-10-05T06:20:00+00:00",
                "answered_at": "2026-10-05T06:20:07+00:00",
                "ended_at": "2026-10-05T06:21:40+00:00",
                "hold_seconds": 0,
                "wrap_seconds": 0,
                "disposition": "completeagent",
            }
        ],
        "queue": "volga-hotline",
        "agents": ["PJSIP/op004"],
    }
    assert not Call.objects.filter(external_id__in=["1791181000.70", "1791181200.75"]).exists()


def test_adding_the_mapping_and_importing_again_stores_the_parked_call(setup):
    import_sample()
    op004 = OperatorFactory(code="op-four")

    result = import_sample(agent_map=AGENT_MAP | {"PJSIP/op004": "op-four"})

    assert result.calls_created == 1
    assert Call.objects.get(external_id="1791181200.75").operator == op004
    stored = ParkedCall.objects.get(call_key="volga-hotline|1791181200.75")
    assert stored.resolved_at is not None
    assert ParkedCall.objects.filter(resolved_at=None).count() == 1  # helpdesk-it waits


def test_reimporting_the_same_file_changes_nothing(setup):
    import_sample()
    calls_before = list(Call.objects.order_by("id").values())
    events_before = list(AgentStateEvent.objects.order_by("id").values())

    again = import_sample()

    assert (again.calls_created, again.calls_duplicate) == (0, 8)
    assert (again.events_created, again.events_duplicate) == (0, 12)
    assert list(Call.objects.order_by("id").values()) == calls_before
    assert list(AgentStateEvent.objects.order_by("id").values()) == events_before
    assert ParkedCall.objects.count() == 2  # parked again: updated, not doubled


def test_a_grown_file_adds_only_what_is_new_and_moves_the_closing(setup):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    queue_log_import(lines=lines, queue_map=QUEUE_MAP, agent_map=AGENT_MAP)
    later = [
        "1791183186|1791183000.95|volga-hotline|PJSIP/op001|COMPLETEAGENT|6|180|1\n",
        "1791183130|1791183100.99|sales|NONE|ABANDON|1|1|30\n",
        "1791183200|NONE|volga-hotline|PJSIP/op001|PAUSE|meeting\n",
        "1791183200|NONE|sales|PJSIP/op001|PAUSE|meeting\n",
        "1791183300|NONE|NONE|NONE|QUEUESTART|\n",
    ]

    result = queue_log_import(lines=lines + later, queue_map=QUEUE_MAP, agent_map=AGENT_MAP)

    assert (result.calls_created, result.calls_duplicate, result.pending_calls) == (2, 8, 0)
    assert (result.events_created, result.events_duplicate) == (2, 11)
    finished = Call.objects.get(external_id="1791183000.95")
    assert (finished.operator.code, finished.wait_seconds, finished.connected_seconds) == (
        "op001",
        6,
        180,
    )
    assert Call.objects.get(external_id="1791183100.99").wait_seconds == 30
    # The closing at the old end (3100) is gone: op001 was still working then.
    assert events_table()[-2:] == [
        ("op001", "break", at(3200), "meeting"),
        ("op001", "offline", at(3300), END_OF_LOG),
    ]


def test_keep_open_leaves_the_last_states_open(setup):
    result = import_sample(keep_open=True)

    assert result.closed_at_end == 0
    assert events_table() == EXPECTED_EVENTS[:-1]


def test_a_queue_maps_to_its_namesake_project_only_without_an_explicit_map(setup):
    result = import_sample(queue_map={})

    assert {code for code, *_ in calls_table()} == {"volga-hotline"}
    assert result.calls_created == 5
    assert [(p.line_no, p.reason, p.missing) for p in result.parked] == [
        (16, "unmapped_queue", "sales"),
        (33, "unmapped_queue", "sales"),
        (37, "unmapped_queue", "helpdesk-it"),
        (40, "unknown_agent", "PJSIP/op004"),
        (45, "unmapped_queue", "sales"),
    ]


def test_an_unknown_agent_parks_its_calls_and_skips_its_events(setup):
    result = import_sample(agent_map={})  # SIP/1002 is "1002", Agent/1005 "1005": unknown

    assert result.calls_created == 7
    assert not Call.objects.filter(external_id="1791180300.55-2").exists()
    assert (24, "unknown_agent", "SIP/1002") in {
        (p.line_no, p.reason, p.missing) for p in result.parked
    }
    skipped = {(s.line_no, s.what, s.reason) for s in result.skipped if s.kind == UNKNOWN_OPERATOR}
    assert (6, "agent event", "unknown operator for agent 'SIP/1002'") in skipped
    assert (11, "agent event", "unknown operator for agent 'Agent/1005'") in skipped
    assert {code for code, *_ in events_table()} == {"op001", "op003"}


def test_a_row_the_ingestion_refuses_is_reported_and_the_rest_stored(setup):
    hotline, _sales = setup
    CallFactory(project=hotline, external_id="1791180200.50")  # another call, same id

    result = import_sample()

    assert result.calls_created == 7
    (refused,) = [s for s in result.skipped if s.kind == REFUSED]
    assert (refused.line_no, refused.what) == (18, "call")
    assert refused.reason.startswith("external_id: '1791180200.50' is already stored")
    assert Call.objects.get(external_id="1791180200.50").disposition == ""  # untouched


def test_the_command_prints_the_summary(setup):
    out = io.StringIO()

    call_command(
        "import_queue_log",
        str(SAMPLE),
        "--map",
        "sales=volga-sales",
        "--agent-map",
        "1002=op002",
        "--agent-map",
        "Agent/1005=op005",
        stdout=out,
    )

    text = out.getvalue()
    assert "calls: 8 created, 0 duplicates, 2 still in progress (not imported)" in text
    assert "agent events: 12 created, 0 duplicates" in text
    assert "operators closed at the end of the log: 1" in text
    assert "parked: 2 call(s)" in text
    assert "Unmapped queue 'helpdesk-it': 1 call(s)" in text
    assert "Unknown agent 'PJSIP/op004': 1 call(s)" in text
    assert "queue_log_sample.txt line 47: malformed line: fewer than 5 '|'-separated fields" in text
    assert Call.objects.count() == 8


def test_the_command_refuses_bad_flags_and_a_missing_file(setup, tmp_path):
    with pytest.raises(CommandError, match="--map takes KEY=VALUE"):
        call_command("import_queue_log", str(SAMPLE), "--map", "sales")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_queue_log", str(tmp_path / "missing"), "--map", "s=volga-sales")
    with pytest.raises(CommandError, match="No operator nobody"):
        call_command("import_queue_log", str(SAMPLE), "--agent-map", "SIP/9=nobody")
    with pytest.raises(CommandError, match="Unknown telephony source"):
        call_command("import_queue_log", str(SAMPLE), "--source", "nope")
    with pytest.raises(CommandError, match="--pending-expiry takes"):
        call_command("import_queue_log", str(SAMPLE), "--pending-expiry", "-1")
    assert Call.objects.count() == 0


def test_the_task_imports_and_returns_the_summary(setup):
    from telephony.tasks import import_queue_log

    summary = import_queue_log.run(str(SAMPLE), queue_map=QUEUE_MAP, agent_map=AGENT_MAP)

    assert (summary["calls_created"], summary["events_created"]) == (8, 12)
    assert [p["line_no"] for p in summary["parked"]] == [37, 40]


def test_a_source_of_another_kind_is_refused(setup):
    hotline, _sales = setup
    TelephonySource.objects.create(
        client=hotline.client, code="cdr", name="CDR", kind=TelephonySource.Kind.ASTERISK_CDR_CSV
    )

    with pytest.raises(CommandError, match="is not an Asterisk queue_log source"):
        call_command("import_queue_log", str(SAMPLE), "--source", "cdr")
    assert Call.objects.count() == 0
