"""queue_log as real PBXs write it: real files (data/README.md names their sources), BOM,
CRLF, gzip and rotated sets, the cross-queue attended transfer, orphans, expiry, pauses."""

import csv
import datetime as dt
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from agents.models import AgentStateEvent
from calls.models import Call
from telephony.queue_log import read_queue_log
from telephony.queue_log_import import EXPIRED, ORPHAN, queue_log_import, queue_log_import_file
from tests.factories import OperatorFactory, ProjectFactory

DATA = Path(__file__).parent / "data"
TRANSFER_759 = DATA / "asterisk_759_attended_transfer.txt"
VOIPREPORTS = DATA / "voipreports1_queue_log.csv"

pytestmark = pytest.mark.django_db


def epoch(seconds):
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


# -- the Asterisk 18/20 cross-queue attended transfer (asterisk/asterisk#759) ----------------


def test_the_reader_links_the_second_queue_leg_to_the_first():
    log = read_queue_log(TRANSFER_759.read_text().splitlines())

    first, second = log.calls
    assert (first.queue, first.uniqueid, first.disposition, first.agent) == (
        "1501",
        "1717397243.239826",
        "attendedtransfer",
        "PJSIP/7009",
    )
    assert (second.queue, second.uniqueid, second.disposition, second.agent) == (
        "1509",
        "1717397390.239830",  # its own ENTERQUEUE id; CONNECT is logged under the caller's
        "completeagent",
        "PJSIP/7051",
    )
    assert second.linked_to == "1717397243.239826"
    assert second.caller_raw == "9031396745"  # the caller, not the agent's consultation
    assert (log.issues, log.pending) == ([], [])


def test_the_cross_queue_attended_transfer_imports_as_two_answered_legs():
    first_project = ProjectFactory(code="support-1501")
    ProjectFactory(code="sales-1509", client=first_project.client)
    OperatorFactory(code="7009")
    OperatorFactory(code="7051")

    result = queue_log_import_file(
        path=TRANSFER_759, queue_map={"1501": "support-1501", "1509": "sales-1509"}
    )

    assert (result.calls_created, result.parked, result.skipped) == (2, [], [])
    legs = Call.objects.order_by("offered_at").values_list(
        "project__code",
        "external_id",
        "operator__code",
        "offered_at",
        "answered_at",
        "ended_at",
        "wait_seconds",
        "connected_seconds",
        "disposition",
    )
    assert list(legs) == [
        ("support-1501", "1717397243.239826", "7009", epoch(1717397259), epoch(1717397271),
         epoch(1717397391), 12, 120, "attendedtransfer"),
        ("sales-1509", "1717397390.239830", "7051", epoch(1717397390), epoch(1717397397),
         epoch(1717397570), 7, 173, "completeagent"),
    ]  # fmt: skip
    # The log's own holdtime|calltime fields say the same: 12|120 and 7|173.


# -- a real export: counts and KPIs against an independent count ------------------------------


def voipreports_rows():
    with VOIPREPORTS.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def as_queue_log_lines(rows):
    """The realtime table's columns back in the file's order: time|callid|queue|agent|event|..."""
    return [
        "|".join([r["date_time"], r["callid"], r["queue_name"], r["type"], r["event"],
                  r["param1"], r["param2"], r["param3"]])
        for r in rows
    ]  # fmt: skip


def independent_count(rows):
    """Per call: ENTERQUEUE, CONNECT and closing instants, straight from the CSV rows."""
    closing = {"COMPLETEAGENT", "COMPLETECALLER", "ABANDON", "EXITWITHTIMEOUT"}
    closing |= {"BLINDTRANSFER", "ATTENDEDTRANSFER"}
    calls = {}
    for row in rows:
        key, at = row["callid"], int(row["date_time"])
        if row["event"] == "ENTERQUEUE":
            calls[key] = {"enter": at}
        elif row["event"] == "CONNECT" and key in calls:
            calls[key].setdefault("connect", at)
        elif row["event"] in closing and key in calls:
            calls[key]["end"], calls[key]["how"] = at, row["event"].lower()
    closed = [call for call in calls.values() if "end" in call]
    answered = [call for call in closed if "connect" in call]
    return {
        "offered": len(closed),
        "pending": len(calls) - len(closed),
        "answered": len(answered),
        "by_disposition": Counter(call["how"] for call in closed),
        "wait": sum(call.get("connect", call["end"]) - call["enter"] for call in closed),
        "talk": sum(call["end"] - call["connect"] for call in answered),
    }


def test_a_real_queue_log_export_matches_an_independent_count():
    ProjectFactory(code="it-helpdesk")
    for code in ("1109", "1126", "1127", "1128", "1141", "1144"):
        OperatorFactory(code=code)
    rows = voipreports_rows()
    expected = independent_count(rows)

    result = queue_log_import(
        lines=as_queue_log_lines(rows), file_name=VOIPREPORTS.name, queue_map={"IT": "it-helpdesk"}
    )

    assert expected["offered"] == 104  # pinned: the file does not change
    assert (result.calls_created, result.pending_calls) == (104, expected["pending"])
    assert (result.parked, result.skipped) == ([], [])
    calls = Call.objects.all()
    assert calls.exclude(answered_at=None).count() == expected["answered"] == 91
    assert Counter(calls.values_list("disposition", flat=True)) == expected["by_disposition"]
    totals = calls.aggregate(wait=Sum("wait_seconds"), talk=Sum("connected_seconds"))
    assert totals == {"wait": expected["wait"], "talk": expected["talk"]}
    # Callback agents log in as Agent/1141 and join as Local/1141@callback-agent: one person.
    assert set(AgentStateEvent.objects.values_list("operator__code", flat=True)) == {
        "1109", "1126", "1127", "1128", "1141", "1144",
    }  # fmt: skip
    assert not AgentStateEvent.objects.filter(at__gt=epoch(int(rows[-1]["date_time"]))).exists()


# -- files as they come: BOM, CRLF, gzip, rotation -----------------------------------------

CALL = [
    "1791180000|5.1|hotline|NONE|ENTERQUEUE||89161234567|1",
    "1791180010|5.1|hotline|PJSIP/op001|CONNECT|10|5.2|9",
    "1791180100|5.1|hotline|PJSIP/op001|COMPLETECALLER|10|90|1",
]


@pytest.fixture
def hotline():
    OperatorFactory(code="op001")
    return ProjectFactory(code="hotline")


def one_call():
    return list(Call.objects.values_list("external_id", "wait_seconds", "connected_seconds"))


def test_a_bom_and_crlf_file_imports(hotline, tmp_path):
    path = tmp_path / "queue_log"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(CALL).encode() + b"\r\n")

    result = queue_log_import_file(path=path)

    assert (result.calls_created, result.skipped) == (1, [])
    assert one_call() == [("5.1", 10, 90)]


def test_a_gzip_file_is_found_by_its_bytes_not_its_name(hotline, tmp_path):
    path = tmp_path / "queue_log-20261005"  # logrotate's dateext: no .gz
    path.write_bytes(gzip.compress("\n".join(CALL).encode()))

    result = queue_log_import_file(path=path)

    assert (result.calls_created, result.skipped) == (1, [])


def test_a_rotated_set_is_read_oldest_first_from_a_glob(hotline, tmp_path):
    # One call across three files: entered in .2.gz, answered in .1, ended in the live file.
    (tmp_path / "queue_log.2.gz").write_bytes(gzip.compress((CALL[0] + "\n").encode()))
    (tmp_path / "queue_log.1").write_text(CALL[1] + "\n")
    (tmp_path / "queue_log").write_text(CALL[2] + "\n")
    out = io.StringIO()

    call_command("import_queue_log", str(tmp_path / "queue_log*"), stdout=out)

    assert one_call() == [("5.1", 10, 90)]
    assert "calls: 1 created, 0 duplicates" in out.getvalue()


# -- orphans, expiry, pauses -----------------------------------------------------------------


def test_every_orphan_line_is_reported_with_its_file_and_line(hotline):
    result = queue_log_import(
        file_name="queue_log",
        lines=[
            "1791180000|6.1|hotline|PJSIP/op001|CONNECT|3|6.2|2",  # no ENTERQUEUE
            "1791180005|6.1|hotline|PJSIP/op001|RINGNOANSWER|1000",
            "1791180050|6.1|hotline|PJSIP/op001|COMPLETEAGENT|3|50|1",
            *CALL,
        ],
    )

    orphans = [(s.file, s.line_no, s.reason) for s in result.skipped if s.kind == ORPHAN]
    assert [line for _file, line, _reason in orphans] == [1, 2, 3]
    assert orphans[0] == (
        "queue_log",
        1,
        "CONNECT of call 6.1 in queue hotline without its ENTERQUEUE (was the log rotated "
        "mid-call, or the call expired?)",
    )
    assert result.calls_created == 1


def test_a_call_left_pending_expires_with_a_reason(hotline, settings):
    settings.QUEUE_LOG_PENDING_EXPIRY_SECONDS = 3600
    lines = [
        "1791180000|7.1|hotline|NONE|ENTERQUEUE||89161234567|1",
        "1791183000|MANAGER|hotline|PJSIP/op001|ADDMEMBER|",
        "1791187300|MANAGER|hotline|PJSIP/op001|REMOVEMEMBER|",  # 2 h later by the log
    ]

    result = queue_log_import(lines=lines)

    assert result.pending_calls == 0
    (expired,) = [s for s in result.skipped if s.kind == EXPIRED]
    assert (expired.line_no, expired.what, expired.reason) == (
        1,
        "call",
        "no closing event within 3600 s of its last line (ENTERQUEUE on line 1)",
    )
    never = queue_log_import(lines=lines, pending_expiry=None)
    assert (never.pending_calls, never.skipped_count(EXPIRED)) == (1, 0)


def test_pause_reasons_become_break_reason_codes(hotline):
    result = queue_log_import(
        lines=[
            "1791180000|MANAGER|hotline|PJSIP/op001|ADDMEMBER|",
            "1791180060|NONE|hotline|PJSIP/op001|PAUSE|Lunch",  # a code, another case
            "1791180120|NONE|hotline|PJSIP/op001|UNPAUSE|",
            "1791180180|NONE|NONE|PJSIP/op001|PAUSEALL|Coffee with Bob",  # no code: default
            "1791180240|NONE|NONE|PJSIP/op001|UNPAUSEALL|",
            "1791180300|NONE|hotline|PJSIP/op001|PAUSE|Technical",
            "1791180360|1.1|NONE|PJSIP/op001|AGENTLOGOFF|PJSIP/op001|360",
        ],
    )

    assert list(AgentStateEvent.objects.order_by("at").values_list("state", "reason")) == [
        ("ready", ""),
        ("break", "lunch"),
        ("ready", ""),
        ("break", "break"),  # QUEUE_LOG_DEFAULT_BREAK_REASON
        ("ready", ""),
        ("break", "technical"),
        ("offline", ""),
    ]
    assert result.closed_at_end == 0  # logged off by the log itself
