"""Asterisk ``cdr_csv`` (``Master.csv``) exactly as Asterisk writes it.

No header. Every line starts with the 16 standard columns (``cdr/cdr_csv.c``,
``build_csv_record``): accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
lastdata, start, answer, end, duration, billsec, disposition, amaflags. ``cdr.conf [csv]``
adds, in this order: ``uniqueid`` (``loguniqueid=yes``), ``userfield``
(``loguserfield=yes``), then ``peeraccount, linkedid, sequence`` (``newcdrcolumns=yes``):
16 to 21 columns, told apart per line by their count (17 and 20: a uniqueid-shaped value
is the uniqueid, else the userfield). Times are naive local times of the PBX
(``usegmtime=yes``: UTC), written ``YYYY-MM-DD HH:MM:SS``; a missing answer is empty.

**Legs collapse into one call** per ``linkedid`` (``uniqueid`` without it, the caller's
``channel`` without both); the ``;2`` half of a Local channel joins the call whose leg
dialled its ``;1`` half. The call starts at its first leg's start and ends at its last
leg's end. **The operator's answer** is the earliest leg that ANSWERED with an answer time
and a destination channel that is not a Local channel: its ``dstchannel``
(``PJSIP/1001-0000002a``) names the agent, its ``answer`` (or its start, when the caller
was answered before the leg began) is the answer. **A PBX-only
answer** (a leg ANSWERED with no destination channel: Playback, BackGround, Read,
VoiceMail, an IVR's Hangup, a Queue left with no member) is not an operator's answer: the
call is stored unanswered with the disposition ``pbx-<lastapp>``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from telephony.cdr.common import CdrCall, CdrRead, Problem, numbered_rows, parse_naive

BASE_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
# The optional tails by column count; 17 and 20 are settled by the value's shape.
LAYOUTS = {
    16: (),
    17: ("uniqueid",),
    18: ("uniqueid", "userfield"),
    19: NEW_COLUMNS,
    20: ("uniqueid", *NEW_COLUMNS),
    21: ("uniqueid", "userfield", *NEW_COLUMNS),
}
# 1706369600.6, and with systemname set, mainserverdss-1706420300.0.
_UNIQUEID = re.compile(r"^(?:[\w.-]+-)?\d+\.\d+$")
_LOCAL = re.compile(r"^Local/(?P<base>[^;]+);(?P<half>[12])$", re.IGNORECASE)
MAX_KEY_LENGTH = 64


@dataclass
class Leg:
    line: int
    cells: dict[str, str]
    start: dt.datetime
    answer: dt.datetime | None
    end: dt.datetime | None

    @property
    def answered(self) -> bool:
        return self.cells["disposition"].upper() == "ANSWERED" and self.answer is not None


def _columns(cells: list[str]) -> tuple[str, ...] | None:
    tail = LAYOUTS.get(len(cells))
    if tail is None:
        return None
    if len(cells) in (17, 20) and not _UNIQUEID.match(cells[16].strip()):
        tail = ("userfield", *tail[1:])
    return BASE_COLUMNS + tail


def read_asterisk_csv(text: str, *, zone: ZoneInfo) -> CdrRead:
    """Read a ``Master.csv``; its naive times are in ``zone``."""
    result = CdrRead()
    legs: dict[str, list[Leg]] = {}
    broken: dict[str, int] = {}
    local_owner: dict[str, str] = {}
    pending_local: list[tuple[str, Leg]] = []
    for line, cells in numbered_rows(text):
        result.rows += 1
        columns = _columns(cells)
        if columns is None:
            result.problems.append(
                Problem(
                    line,
                    _("%(count)d columns; Asterisk cdr_csv writes 16 to 21.")
                    % {"count": len(cells)},
                )
            )
            continue
        row = {name: value.strip() for name, value in zip(columns, cells, strict=True)}
        key = row.get("linkedid") or row.get("uniqueid") or row["channel"]
        try:
            start, answer, end = (
                parse_naive(row[name], zone) for name in ("start", "answer", "end")
            )
        except ValueError as error:
            result.problems.append(Problem(line, str(error)))
            broken.setdefault(key, line)
            continue
        if start is None:
            result.problems.append(Problem(line, _("no start time")))
            broken.setdefault(key, line)
            continue
        leg = Leg(line, row, start, answer, end)
        dialled = _LOCAL.match(row["dstchannel"])
        if dialled and dialled["half"] == "1":
            local_owner.setdefault(dialled["base"].lower(), key)
        own = _LOCAL.match(row["channel"])
        if own and own["half"] == "2" and "linkedid" not in row:
            pending_local.append((own["base"].lower(), leg))
            continue
        legs.setdefault(key, []).append(leg)
    for base, leg in pending_local:
        owner = local_owner.get(base, leg.cells.get("uniqueid") or leg.cells["channel"])
        legs.setdefault(owner, []).append(leg)
    for key, call_legs in legs.items():
        if key in broken:
            result.problems.append(
                Problem(
                    min(leg.line for leg in call_legs),
                    _("Call %(key)s left out whole: its line %(line)d cannot be read.")
                    % {"key": key, "line": broken[key]},
                )
            )
            continue
        if len(key) > MAX_KEY_LENGTH:
            result.problems.append(
                Problem(
                    call_legs[0].line,
                    _("Call id longer than 64 characters: %(key)s.") % {"key": key},
                )
            )
            continue
        result.calls.append(_collapse(key, call_legs))
    result.calls.sort(key=lambda call: call.line)
    return result


def _collapse(key: str, legs: list[Leg]) -> CdrCall:
    """One call from its legs (the rule in the module docstring)."""
    legs = sorted(legs, key=lambda leg: (leg.start, leg.line))
    first = next((leg for leg in legs if not _LOCAL.match(leg.cells["channel"])), legs[0])
    ends = [leg.end or leg.start for leg in legs]
    call = CdrCall(
        key=key,
        line=min(leg.line for leg in legs),
        started_at=min(leg.start for leg in legs),
        ended_at=max(ends),
        caller=first.cells["src"],
        queues=_queues(legs, first),
        lines=sorted(leg.line for leg in legs),
    )
    agent_legs = [
        leg
        for leg in legs
        if leg.answered and leg.cells["dstchannel"] and not _LOCAL.match(leg.cells["dstchannel"])
    ]
    if agent_legs:
        answering = min(agent_legs, key=lambda leg: (leg.answer or leg.start, leg.line))
        answer = answering.answer or answering.start
        call.agent = answering.cells["dstchannel"]
        # Asterisk writes party A's answer: a caller answered earlier (an IVR, Queue) shows
        # that time, so the agent's answer is never before the leg's own start.
        call.answered_at = min(max(answer, answering.start), call.ended_at)
        call.disposition = "answered"
        return call
    pbx = next((leg for leg in legs if leg.answered), None)
    if pbx is not None:
        call.pbx_answered = True
        call.disposition = f"pbx-{pbx.cells['lastapp'].lower() or 'answer'}"[:64]
        return call
    dispositions = {leg.cells["disposition"].upper() for leg in legs}
    for name in ("BUSY", "NO ANSWER", "CONGESTION", "FAILED"):
        if name in dispositions:
            call.disposition = name.lower().replace(" ", "-")
            break
    return call


def _queues(legs: list[Leg], first: Leg) -> tuple[str, ...]:
    """Queue names to map, most specific first: Queue()'s queue, then dst, then dcontext."""
    names = [
        leg.cells["lastdata"].split(",", 1)[0].strip()
        for leg in legs
        if leg.cells["lastapp"].lower() == "queue"
    ]
    names += [first.cells["dst"], first.cells["dcontext"]]
    return tuple(dict.fromkeys(name for name in names if name))
