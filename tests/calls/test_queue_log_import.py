"""Importing Asterisk's queue_log into calls and agent state events, on the real database.

The sample is described in ``test_queue_log.py``; here it meets projects ``volga-hotline``
(named like its queue) and ``volga-sales`` (queue ``sales``, mapped), and operators op001,
op002 (agent ``SIP/1002``), op003 and op005 (``Agent/1005``). ``PJSIP/op004`` is no operator
here and queue ``helpdesk-it`` no project.
"""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agents.models import AgentStateEvent
from calls.models import Call
from calls.queue_log_import import (
    MALFORMED,
    REFUSED,
    UNKNOWN_OPERATOR,
    UNMAPPED_QUEUE,
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
]


def test_imports_calls_with_their_derived_seconds(setup):
    result = import_sample()

    assert (result.calls_created, result.calls_duplicate) == (8, 0)
    assert calls_table() == EXPECTED_CALLS


def test_imports_one_agent_event_per_state_change(setup):
    result = import_sample()

    assert (result.events_created, result.events_duplicate) == (11, 0)
    assert events_table() == EXPECTED_EVENTS


def test_reports_pending_calls_and_every_skipped_line(setup):
    result = import_sample()

    assert result.pending_calls == 2
    assert [(p.queue, p.uniqueid) for p in result.pending] == [
        ("volga-hotline", "1791183000.95"),
        ("sales", "1791183100.99"),
    ]
    assert [(s.line_no, s.kind, s.what) for s in result.skipped] == [
        (3, MALFORMED, "line"),
        (10, UNKNOWN_OPERATOR, "agent event"),
        (37, UNMAPPED_QUEUE, "call"),
        (40, UNKNOWN_OPERATOR, "call"),
        (47, MALFORMED, "line"),
        (49, MALFORMED, "line"),
        (55, MALFORMED, "line"),
    ]
    reasons = {s.line_no: s.reason for s in result.skipped}
    assert reasons[37] == "queue 'helpdesk-it' maps to no project"
    assert reasons[40] == "unknown operator 'op004' (agent PJSIP/op004)"
    assert reasons[10] == "unknown operator 'op004'"
    assert reasons[47] == "malformed line: fewer than 5 '|'-separated fields"
    json.dumps(result.as_dict())  # the task's return value is JSON


def test_reimporting_the_same_file_changes_nothing(setup):
    import_sample()
    calls_before = list(Call.objects.order_by("id").values())
    events_before = list(AgentStateEvent.objects.order_by("id").values())

    again = import_sample()

    assert (again.calls_created, again.calls_duplicate) == (0, 8)
    assert (again.events_created, again.events_duplicate) == (0, 11)
    assert list(Call.objects.order_by("id").values()) == calls_before
    assert list(AgentStateEvent.objects.order_by("id").values()) == events_before


def test_a_grown_file_adds_only_what_is_new(setup):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    queue_log_import(lines=lines, queue_map=QUEUE_MAP, agent_map=AGENT_MAP)
    later = [
        "1791183186|1791183000.95|volga-hotline|PJSIP/op001|COMPLETEAGENT|6|180|1\n",
        "1791183130|1791183100.99|sales|NONE|ABANDON|1|1|30\n",
        "1791183200|NONE|volga-hotline|PJSIP/op001|PAUSE|meeting\n",
        "1791183200|NONE|sales|PJSIP/op001|PAUSE|meeting\n",
    ]

    result = queue_log_import(lines=lines + later, queue_map=QUEUE_MAP, agent_map=AGENT_MAP)

    assert (result.calls_created, result.calls_duplicate, result.pending_calls) == (2, 8, 0)
    assert (result.events_created, result.events_duplicate) == (1, 11)
    finished = Call.objects.get(external_id="1791183000.95")
    assert (finished.operator.code, finished.wait_seconds, finished.connected_seconds) == (
        "op001",
        6,
        180,
    )
    assert Call.objects.get(external_id="1791183100.99").wait_seconds == 30
    assert events_table()[-1] == ("op001", "break", at(3200), "meeting")


def test_a_queue_maps_to_its_namesake_project_only_without_an_explicit_map(setup):
    result = import_sample(queue_map={})

    assert {code for code, *_ in calls_table()} == {"volga-hotline"}
    assert result.calls_created == 5
    unmapped = [s for s in result.skipped if s.kind == UNMAPPED_QUEUE]
    assert [(s.line_no, s.reason) for s in unmapped] == [
        (16, "queue 'sales' maps to no project"),
        (33, "queue 'sales' maps to no project"),
        (37, "queue 'helpdesk-it' maps to no project"),
        (45, "queue 'sales' maps to no project"),
    ]


def test_an_unknown_agent_skips_its_calls_and_events_and_imports_the_rest(setup):
    result = import_sample(agent_map={})  # SIP/1002 is "1002", Agent/1005 "1005": unknown

    assert result.calls_created == 7
    assert not Call.objects.filter(external_id="1791180300.55-2").exists()
    skipped = {(s.line_no, s.what, s.reason) for s in result.skipped if s.kind == UNKNOWN_OPERATOR}
    assert (24, "call", "unknown operator '1002' (agent SIP/1002)") in skipped
    assert (6, "agent event", "unknown operator '1002'") in skipped
    assert (11, "agent event", "unknown operator '1005'") in skipped
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
    assert "agent events: 11 created, 0 duplicates" in text
    assert "queue 'helpdesk-it' maps to no project: 1 call(s)" in text
    assert "unknown operator 'op004' (agent PJSIP/op004): 1 call(s)" in text
    assert "line 47: malformed line: fewer than 5 '|'-separated fields" in text
    assert Call.objects.count() == 8


def test_the_command_refuses_a_bad_map_and_a_missing_file(setup, tmp_path):
    with pytest.raises(CommandError, match="--map takes KEY=VALUE"):
        call_command("import_queue_log", str(SAMPLE), "--map", "sales")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_queue_log", str(tmp_path / "missing"))
    assert Call.objects.count() == 0
