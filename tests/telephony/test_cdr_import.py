"""CDR files as PBXs write them: read, mapped, parked or stored; counts and KPIs checked
against an independent count made here from the file itself."""

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call
from calls.rollups import rollup_kpis
from calls.selectors import project_kpis
from telephony.cdr_import import cdr_import
from telephony.models import AgentMapping, ParkedCall, TelephonySource
from telephony.replay import replay_parked
from tests.factories import ClientFactory, OperatorFactory, ProjectFactory

DATA = Path(__file__).parent / "data"
MOSCOW = ZoneInfo("Europe/Moscow")
AST21 = DATA / "asterisk_cc_master_21cols_cp1251.csv"
FS = DATA / "freeswitch_master_example.csv"


@pytest.fixture
def world(db):
    client = ClientFactory(code="acme")
    project = ProjectFactory(code="hotline", client=client, timezone="Europe/Moscow")
    operators = {code: OperatorFactory(code=code) for code in ("ivan", "olga", "paty")}
    source = TelephonySource.objects.create(
        client=client, code="acme-pbx", name="ACME PBX", kind="asterisk-cdr-csv"
    )
    return {"project": project, "source": source, "operators": operators}


def mapped(source, **names):
    for name, operator in names.items():
        AgentMapping.objects.create(source=source, name=name, operator=operator)


def independent_count(
    path, encoding, *, agent_column, answer_column, start_column, end_column, key_column
):
    """Calls, operator answers and waits straight from the file: one call per key; the
    earliest answer of a leg whose destination is a person (not Local, not empty)."""
    calls = {}
    with open(path, encoding=encoding, newline="") as handle:
        for cells in csv.reader(handle):
            key = cells[key_column]
            start = dt.datetime.fromisoformat(cells[start_column])
            end = dt.datetime.fromisoformat(cells[end_column])
            call = calls.setdefault(key, {"start": start, "end": end, "answers": []})
            call["start"], call["end"] = min(call["start"], start), max(call["end"], end)
            agent = cells[agent_column]
            if (
                cells[answer_column]
                and agent
                and not agent.startswith("Local/")
                and cells[14] == "ANSWERED"
            ):
                call["answers"].append(max(dt.datetime.fromisoformat(cells[answer_column]), start))
    return calls


def test_asterisk_master_csv_as_written_imports_and_kpis_match_the_file(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    mapped(source, **{"PJSIP/1001": ops["ivan"], "1002": ops["olga"], "1003": ops["paty"]})

    result = cdr_import(source=source, data=AST21.read_bytes(), fmt="asterisk-csv", project=project)

    assert (result.encoding, result.rows, result.calls) == ("cp1251", 11, 7)
    assert (result.created, result.duplicates, result.parked_total, result.problems) == (
        7,
        0,
        0,
        [],
    )
    expected = independent_count(
        AST21,
        "cp1251",
        agent_column=6,
        answer_column=10,
        start_column=9,
        end_column=11,
        key_column=19,
    )
    assert len(expected) == Call.objects.count() == 7
    answered = {k: v for k, v in expected.items() if v["answers"]}
    assert len(answered) == Call.objects.filter(answered_at__isnull=False).count() == 3
    for key, call in expected.items():
        stored = Call.objects.get(external_id=key)
        assert stored.offered_at == call["start"].replace(tzinfo=MOSCOW)
        assert stored.ended_at == call["end"].replace(tzinfo=MOSCOW)
        if call["answers"]:
            assert stored.answered_at == min(call["answers"]).replace(tzinfo=MOSCOW)
    transfer = Call.objects.get(external_id="1791190800.1")
    assert (transfer.operator.code, transfer.wait_seconds, transfer.talk_seconds) == (
        "ivan",
        40,
        260,
    )
    assert transfer.offered_at == dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)  # 12:00 MSK
    ring_group = Call.objects.get(external_id="1791194400.13")
    assert (ring_group.operator.code, ring_group.wait_seconds, ring_group.talk_seconds) == (
        "olga",
        30,
        180,
    )
    assert dict(Call.objects.values_list("external_id", "disposition")) == {
        "1791190800.1": "answered",
        "1791191400.5": "no-answer",
        "1791192000.7": "busy",
        "1791192600.9": "pbx-playback",
        "1791193200.10": "answered",
        "1791193800.12": "pbx-queue",
        "1791194400.13": "answered",
    }
    # The caller as E.164 (the Russian 8-prefix and the US number with its +).
    assert transfer.caller == "+74951234567"

    rollup_kpis(now=dt.datetime(2026, 10, 6, tzinfo=dt.UTC))
    totals = project_kpis(
        project=project,
        start=dt.datetime(2026, 10, 5, tzinfo=MOSCOW),
        end=dt.datetime(2026, 10, 6, tzinfo=MOSCOW),
        granularity="day",
    )["totals"]
    waits = sorted((min(c["answers"]) - c["start"]).seconds for c in answered.values())
    talks = sum((c["end"] - min(c["answers"])).seconds for c in answered.values())
    assert waits == [8, 30, 40]
    assert (totals["offered"], totals["answered"], totals["abandoned"]) == (7, 3, 4)
    assert totals["short_abandoned"] == 1  # the busy line, 3 s
    assert totals["answered_within_threshold"] == 1  # 8 s within 20 s
    assert totals["talk_seconds"] == talks == 260 + 240 + 180
    assert totals["aht_seconds"] == pytest.approx(talks / 3)
    assert totals["service_level"] == pytest.approx(1 / (7 - 1))


def _reshaped(columns):
    """The 21-column file as Asterisk writes it with fewer optional columns on."""
    rows = list(csv.reader(io.StringIO(AST21.read_bytes().decode("cp1251"))))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in rows:
        writer.writerow(row[:16] + [row[16 + i] for i in columns])
    return out.getvalue().replace('""', '""').encode("cp1251")


@pytest.mark.parametrize(
    ("columns", "count"),
    [((), 16), ((0,), 17), ((0, 1), 18), ((2, 3, 4), 19), ((0, 2, 3, 4), 20)],
)
def test_optional_columns_on_or_off_give_the_same_calls(world, columns, count):
    source, project, ops = world["source"], world["project"], world["operators"]
    mapped(source, **{"1001": ops["ivan"], "1002": ops["olga"], "1003": ops["paty"]})
    data = _reshaped(columns)
    assert len(next(csv.reader(io.StringIO(data.decode("cp1251"))))) == count

    result = cdr_import(source=source, data=data, fmt="asterisk-csv", project=project)

    assert (result.calls, result.created, result.problems) == (7, 7, [])
    answered = Call.objects.filter(answered_at__isnull=False)
    assert sorted(answered.values_list("operator__code", "wait_seconds", "talk_seconds")) == [
        ("ivan", 40, 260),
        ("olga", 30, 180),
        ("paty", 8, 240),
    ]


def test_an_unknown_agent_parks_the_whole_call_and_stores_nothing_of_it(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    mapped(source, **{"1001": ops["ivan"], "1002": ops["olga"]})  # 1003 unmapped

    result = cdr_import(
        source=source,
        data=AST21.read_bytes(),
        fmt="asterisk-csv",
        project=project,
        file_name="Master.csv",
    )

    assert (result.created, result.parked_total) == (6, 1)
    assert dict(result.parked) == {("unknown_agent", "PJSIP/1003-0000000b"): 1}
    assert not Call.objects.filter(external_id="1791193200.10").exists()
    parked = ParkedCall.objects.get()
    assert (parked.call_key, parked.reason, parked.file_name, parked.line_no) == (
        "1791193200.10",
        "unknown_agent",
        "Master.csv",
        7,
    )
    assert parked.payload["agents"] == ["PJSIP/1003-0000000b"]
    assert parked.payload["project"] == project.code

    # Once the mapping exists the replay stores it (the parked row's payload alone), and
    # a re-import of the file finds it stored.
    mapped(source, **{"1003": ops["paty"]})
    assert replay_parked(source.id).resolved == 1
    stored = Call.objects.get(external_id="1791193200.10")
    assert (stored.operator, stored.project) == (ops["paty"], project)
    assert ParkedCall.objects.get().resolved_at is not None
    again = cdr_import(source=source, data=AST21.read_bytes(), fmt="asterisk-csv", project=project)
    assert (again.created, again.duplicates, again.parked_total) == (0, 7, 0)


def test_a_call_with_no_project_mapping_parks_with_its_queue(world):
    source, ops = world["source"], world["operators"]
    mapped(source, **{"1001": ops["ivan"], "1002": ops["olga"], "1003": ops["paty"]})

    result = cdr_import(source=source, data=AST21.read_bytes(), fmt="asterisk-csv")

    assert result.created == 0
    assert dict(result.parked) == {
        ("unmapped_queue", "support"): 2,  # the two calls that went through Queue(support)
        ("unmapped_queue", "800"): 4,
        ("unmapped_queue", "801"): 1,
    }
    source.queue_mappings.create(queue="800", project=world["project"])
    source.queue_mappings.create(queue="support", project=world["project"])
    source.queue_mappings.create(queue="801", project=world["project"])
    assert replay_parked(source.id).resolved == 7
    assert Call.objects.filter(project=world["project"]).count() == 7


def test_dry_run_stores_nothing_and_counts_exactly(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    mapped(source, **{"1001": ops["ivan"], "1002": ops["olga"]})

    result = cdr_import(
        source=source, data=AST21.read_bytes(), fmt="asterisk-csv", project=project, dry_run=True
    )

    assert (result.created, result.parked_total, result.dry_run) == (6, 1, True)
    assert not Call.objects.exists()
    assert not ParkedCall.objects.exists()


def test_reimport_is_idempotent(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    mapped(source, **{"1001": ops["ivan"], "1002": ops["olga"], "1003": ops["paty"]})
    cdr_import(source=source, data=AST21.read_bytes(), fmt="asterisk-csv", project=project)
    again = cdr_import(source=source, data=AST21.read_bytes(), fmt="asterisk-csv", project=project)
    assert (again.created, again.duplicates) == (0, 7)
    assert Call.objects.count() == 7


def test_the_real_asterisk_master_csv_imports_with_no_reshaping(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    source.time_zone = "Asia/Irkutsk"
    source.save()
    mapped(source, **{"301": ops["ivan"], "SIP/stadionpbx": ops["olga"]})
    data = (DATA / "asterisk_stadion_master.csv").read_bytes()

    result = cdr_import(source=source, data=data, fmt="asterisk-csv", project=project)

    # Independent count: distinct linkedids (column 20), and those with a leg ANSWERED to a
    # non-Local destination channel.
    rows = list(csv.reader(io.StringIO(data.decode("cp1251"))))
    linked = {row[19] for row in rows}
    answered = {
        row[19]
        for row in rows
        if row[14] == "ANSWERED" and row[6] and not row[6].startswith("Local/")
    }
    assert (
        (result.encoding, result.rows, result.calls)
        == ("cp1251", 50, len(linked))
        == ("cp1251", 50, 18)
    )
    assert (result.created, result.parked_total, result.problems) == (18, 0, [])
    assert Call.objects.filter(answered_at__isnull=False).count() == len(answered) == 9
    assert Call.objects.filter(disposition="pbx-hangup").count() == 7
    first_answered = Call.objects.get(external_id="1706407446.50")
    assert (
        first_answered.operator.code,
        first_answered.wait_seconds,
        first_answered.talk_seconds,
    ) == ("ivan", 6, 17)
    assert first_answered.offered_at == dt.datetime(2024, 1, 27, 18, 4, 6, tzinfo=dt.UTC)


def test_freeswitch_example_template_imports_with_no_reshaping(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    mapped(source, **{"1001": ops["ivan"], "1002": ops["olga"]})

    result = cdr_import(source=source, data=FS.read_bytes(), fmt="freeswitch-csv", project=project)

    assert (result.encoding, result.rows, result.calls, result.created, result.problems) == (
        "utf-8",
        6,
        5,
        5,
        [],
    )
    assert sorted(
        Call.objects.filter(answered_at__isnull=False).values_list(
            "operator__code", "wait_seconds", "talk_seconds"
        )
    ) == [("ivan", 12, 180), ("olga", 5, 120)]
    assert (
        Call.objects.get(external_id="7b2d4e61-8a4e-11f1-9a04-4fa3c2d1e001").disposition
        == "pbx-answered"
    )
    assert (
        Call.objects.get(external_id="b17e2c94-8a50-11f1-9a07-4fa3c2d1e001").disposition
        == "user_busy"
    )

    rollup_kpis(now=dt.datetime(2026, 10, 6, tzinfo=dt.UTC))
    totals = project_kpis(
        project=project,
        start=dt.datetime(2026, 10, 5, tzinfo=MOSCOW),
        end=dt.datetime(2026, 10, 6, tzinfo=MOSCOW),
        granularity="day",
    )["totals"]
    assert (
        totals["offered"],
        totals["answered"],
        totals["abandoned"],
        totals["short_abandoned"],
    ) == (5, 2, 3, 1)
    assert totals["aht_seconds"] == pytest.approx((180 + 120) / 2)
    assert totals["service_level"] == pytest.approx(2 / (5 - 1))


def test_the_real_freeswitch_file_reports_its_repeated_uuid(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    source.time_zone = "Asia/Shanghai"
    source.save()
    mapped(source, **{"&": ops["ivan"], "1004": ops["olga"]})

    result = cdr_import(
        source=source,
        data=(DATA / "freeswitch_tools_master.csv").read_bytes(),
        fmt="freeswitch-csv",
        project=project,
    )

    assert (result.rows, result.calls, result.created) == (10, 8, 8)
    assert [p.line for p in result.problems] == [9, 10]
    # No line writes a bleg_uuid: every answered line counts as its destination's answer.
    assert Call.objects.filter(answered_at__isnull=False).count() == 7


def test_generic_csv_through_the_saved_column_mapping(world):
    source, project, ops = world["source"], world["project"], world["operators"]
    source.kind = "generic-csv"
    source.column_map = {
        "external_id": "ID",
        "offered_at": "Начало",
        "answered_at": "Ответ",
        "ended_at": "Конец",
        "caller": "Номер",
        "agent": "Оператор",
        "time_format": "%d.%m.%Y %H:%M:%S",
    }
    source.save()
    mapped(source, **{"Иван": ops["ivan"]})
    text = (
        "ID;Начало;Ответ;Конец;Номер;Оператор\n"
        "c1;05.10.2026 10:00:00;05.10.2026 10:00:15;05.10.2026 10:05:15;89161234567;Иван\n"
        "c2;05.10.2026 10:10:00;;05.10.2026 10:10:30;89161234568;\n"
        "c3;05.10.2026 10:20:00;05.10.2026 10:20:00;05.10.2026 10:21:00;89161234569;\n"
        "c4;bad;;05.10.2026 10:21:00;;\n"
    )
    result = cdr_import(
        source=source, data=text.encode("cp1251"), fmt="generic-csv", project=project
    )

    assert (result.encoding, result.calls, result.created) == ("cp1251", 3, 3)
    assert [(p.line, p.message) for p in result.problems] == [(5, "not a time: bad")]
    c1 = Call.objects.get(external_id="c1")
    assert (c1.operator, c1.wait_seconds, c1.talk_seconds) == (ops["ivan"], 15, 300)
    assert Call.objects.get(external_id="c3").disposition == "pbx-answered"


def test_the_command_makes_the_source_adds_the_mapping_and_reports(world, capsys):
    project = world["project"]
    out = io.StringIO()
    call_command(
        "import_cdr",
        str(AST21),
        "--format",
        "asterisk-csv",
        "--project",
        "hotline",
        "--timezone",
        "Europe/Moscow",
        "--agent-map",
        "PJSIP/1001=ivan",
        "--agent-map",
        "1002=olga",
        stdout=out,
    )
    source = TelephonySource.objects.get(code="acme-asterisk-cdr-csv")
    assert (source.kind, source.time_zone, source.client.code) == (
        "asterisk-cdr-csv",
        "Europe/Moscow",
        "acme",
    )
    assert set(source.agent_mappings.values_list("name", "operator__code")) == {
        ("PJSIP/1001", "ivan"),
        ("1002", "olga"),
    }
    text = out.getvalue()
    assert "Created: 6; duplicates: 0; parked: 1." in text
    assert "Decoded as cp1251; 11 lines, 7 calls." in text
    assert Call.objects.filter(project=project).count() == 6


def test_the_command_dry_run_leaves_nothing(world):
    out = io.StringIO()
    call_command(
        "import_cdr",
        str(AST21),
        "--format",
        "asterisk-csv",
        "--project",
        "hotline",
        "--agent-map",
        "1001=ivan",
        "--dry-run",
        stdout=out,
    )
    assert "Dry run: nothing was stored." in out.getvalue()
    assert not TelephonySource.objects.filter(code="acme-asterisk-cdr-csv").exists()
    assert not Call.objects.exists()
    assert not ParkedCall.objects.exists()


def test_a_name_as_operator_code_is_refused_with_the_reason(world):
    with pytest.raises(CommandError) as error:
        call_command(
            "import_cdr",
            str(AST21),
            "--format",
            "asterisk-csv",
            "--project",
            "hotline",
            "--agent-map",
            "1003=Paty Marin",
        )
    assert "'Paty Marin' cannot be an operator code: operator codes are slugs" in str(error.value)
    assert "Put the PBX's name on the left" in str(error.value)
    assert not Call.objects.exists()
