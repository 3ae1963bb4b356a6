"""The CDR readers and the decoder as plain functions: no database."""

import codecs
from zoneinfo import ZoneInfo

from telephony.cdr.asterisk import read_asterisk_csv
from telephony.cdr.decode import decode
from telephony.cdr.freeswitch import read_freeswitch_csv

MOSCOW = ZoneInfo("Europe/Moscow")
LEG = (
    '"","89161112233","800","from-trunk","","PJSIP/trunk-00000001","PJSIP/1001-00000002",'
    '"Dial","PJSIP/1001","{start}","{answer}","2026-10-05 12:01:00",60,50,"ANSWERED",'
    '"DOCUMENTATION","1791190800.1"'
)


def test_decode_reports_its_choice():
    text = "Иванов"
    assert decode(codecs.BOM_UTF8 + text.encode()) == (text, "utf-8-sig")
    assert decode(text.encode()) == (text, "utf-8")
    assert decode(text.encode("cp1251")) == (text, "cp1251")
    assert decode(b"\x98") == ("\x98", "latin-1")  # the one byte cp1251 leaves undefined
    assert decode(codecs.BOM_UTF16_LE + "a".encode("utf-16-le"))[1] == "utf-16"


def test_a_17th_column_is_the_uniqueid_or_the_userfield_by_its_shape():
    line = LEG.format(start="2026-10-05 12:00:00", answer="2026-10-05 12:00:10")
    by_uniqueid = read_asterisk_csv(line + "\n", zone=MOSCOW)
    by_userfield = read_asterisk_csv(line.replace('"1791190800.1"', '"vip"') + "\n", zone=MOSCOW)
    assert by_uniqueid.calls[0].key == "1791190800.1"
    assert by_userfield.calls[0].key == "PJSIP/trunk-00000001"  # no uniqueid: the channel


def test_a_bad_line_leaves_its_whole_call_out_and_says_where():
    good = LEG.format(start="2026-10-05 12:00:00", answer="2026-10-05 12:00:10")
    bad = LEG.format(start="yesterday", answer="")
    read = read_asterisk_csv(f'{good}\n{bad}\n"only","three","cells"\n', zone=MOSCOW)
    assert read.calls == []
    assert [(p.line, p.message) for p in read.problems] == [
        (2, "not a time: yesterday"),
        (3, "3 columns; Asterisk cdr_csv writes 16 to 21."),
        (1, "Call 1791190800.1 left out whole: its line 2 cannot be read."),
    ]


def test_crlf_and_naive_times_in_the_zone():
    line = LEG.format(start="2026-10-05 12:00:00", answer="2026-10-05 12:00:10")
    call = read_asterisk_csv(line + "\r\n", zone=MOSCOW).calls[0]
    assert call.started_at.isoformat() == "2026-10-05T12:00:00+03:00"
    assert (call.agent, call.wait_seconds, call.talk_seconds) == ("PJSIP/1001-00000002", 10, 50)


def test_freeswitch_b_leg_joins_its_a_leg():
    a_leg = (
        '"","89161112233","1001","default","2026-10-05 14:00:00","2026-10-05 14:00:12",'
        '"2026-10-05 14:03:12","192","180","NORMAL_CLEARING","aaaa","bbbb","","PCMA","PCMA"'
    )
    b_leg = (
        '"Outbound Call","1001","89161112233","default","2026-10-05 14:00:02",'
        '"2026-10-05 14:00:12","2026-10-05 14:03:12","190","180","NORMAL_CLEARING","bbbb","",'
        '"","PCMA","PCMA"'
    )
    read = read_freeswitch_csv(f"{b_leg}\n{a_leg}\n", zone=MOSCOW)
    assert [(c.key, c.agent, c.wait_seconds, c.talk_seconds) for c in read.calls] == [
        ("aaaa", "1001", 12, 180)
    ]
