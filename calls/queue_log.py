"""Asterisk ``queue_log`` reader: calls and operator states out of the PBX's queue log.

Pure: no database, no Django. It turns lines into call segments and global operator state
changes; ``calls.queue_log_import`` maps them to projects and operators and stores them.

Each line is ``epoch|uniqueid|queuename|agent|event|data1|data2|...`` (Asterisk writes
``NONE`` where a field does not apply, ``MANAGER`` or ``REALTIME`` as the uniqueid of member
changes). The events read here, with their documented data fields:

- ``ENTERQUEUE`` (url|callerid|position) opens a call in a queue.
- ``CONNECT`` (holdtime|bridged channel uniqueid|ringtime): answered, by the line's agent.
- Closing an answered call: ``COMPLETEAGENT`` / ``COMPLETECALLER`` (holdtime|calltime|
  origposition), ``TRANSFER`` (extension|context|holdtime|calltime|origposition) and its
  Asterisk 12+ forms ``BLINDTRANSFER`` (same fields) and ``ATTENDEDTRANSFER``
  (method|target|holdtime|calltime|origposition).
- Closing an unanswered call: ``ABANDON`` / ``EXITWITHTIMEOUT`` / ``EXITEMPTY``
  (position|origposition|waittime), ``EXITWITHKEY`` (key|position|origposition|waittime).
- Membership and pauses: ``ADDMEMBER`` (data1 ``PAUSED`` when added paused),
  ``REMOVEMEMBER``, ``PAUSE`` / ``UNPAUSE`` (data1: reason), ``PAUSEALL`` / ``UNPAUSEALL``
  (queue ``NONE``, followed by one ``PAUSE``/``UNPAUSE`` per queue), ``AGENTLOGIN`` /
  ``AGENTLOGOFF`` (and the legacy ``AGENTCALLBACKLOGIN`` / ``AGENTCALLBACKLOGOFF``).

Every other event (``RINGNOANSWER``, ``RINGCANCELED``, ``CONFIGRELOAD``, ``QUEUESTART``,
``DID``, ``INFO``, custom ``QueueLog()`` lines...) is read and ignored; the data fields the
rules below do not need are never required, so a PBX version that adds or drops one is fine.

Calls:

- A call is the lines sharing a uniqueid in one queue, from ``ENTERQUEUE`` to its closing
  event. The same uniqueid entering the same queue again after closing (a caller sent back
  to the queue) starts a new segment.
- ``offered_at`` is the ``ENTERQUEUE`` instant, ``answered_at`` the ``CONNECT`` instant and
  the agent is ``CONNECT``'s, ``ended_at`` the closing event's instant (the event time is
  trusted over the logged calltime/waittime, which are whole seconds and redundant).
  ``disposition`` is the closing event's name, lower-cased.
- ``caller``: the ``ENTERQUEUE`` callerid as E.164 when it is a plausible number: 11 digits
  starting with 7 or 8 become ``+7`` and the last 10 digits; ``+`` and a valid E.164 number
  is kept; anything else (``anonymous``, ``unknown``, an internal extension) is blank, the
  contract's "withheld".
- A call with no closing event by the end of the input is still in progress: it is returned
  as pending, not as a call. A closing event without its ``ENTERQUEUE`` in the input (the log
  was rotated mid-call) is reported as an issue, as is a call whose ``ENTERQUEUE`` repeats
  before it closed (the PBX restarted and lost it).
- Epoch seconds become aware UTC datetimes.

Operator states (SPEC section 5): an agent string names an operator by ``operator_code()``
(``PJSIP/op001`` -> ``op001``, ``Local/1001@agents/n`` -> ``1001``, or through an explicit
agent map). Asterisk keeps membership and pauses per queue; the contract keeps one state per
operator, so the reader keeps, per operator, the queues they are a member of and whether each
is paused, and derives:

- ``offline``: a member of no queue and not logged in as an agent (``REMOVEMEMBER`` from
  their last queue, ``AGENTLOGOFF``);
- ``break``: every queue they are in is paused (``PAUSE``, ``PAUSEALL``, ``ADDMEMBER``
  ``PAUSED``); the reason is the latest non-blank pause reason since they last were ready;
- ``ready``: otherwise (``ADDMEMBER``, ``AGENTLOGIN``, ``UNPAUSE``). Paused in one queue but
  taking calls in another is ready: they are taking calls. A ``PAUSE``/``UNPAUSE`` also
  proves membership of its queue, which is how static members (``queues.conf``, never
  ``ADDMEMBER``-ed) appear.

A state change is emitted only when (state, reason) actually changes, and at most one per
operator per instant: Asterisk logs ``PAUSEALL`` and then one ``PAUSE`` per queue in the same
second, and the store holds one event per operator and instant, so the state at the end of
each second is what counts. The reader knows nothing from before its first line, so an
operator's first line always yields an event, an ``offline`` too (right when the log was
rotated while they were logged in, harmless when they already were offline).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from calls.phones import phone_normalize

NONE_VALUES = frozenset({"", "NONE"})

ANSWERED_CLOSING_EVENTS = frozenset(
    {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
)
UNANSWERED_CLOSING_EVENTS = frozenset({"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})
CLOSING_EVENTS = ANSWERED_CLOSING_EVENTS | UNANSWERED_CLOSING_EVENTS
CALL_EVENTS = CLOSING_EVENTS | {"ENTERQUEUE", "CONNECT"}

LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN"})
LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
MEMBER_EVENTS = (
    LOGIN_EVENTS
    | LOGOFF_EVENTS
    | {
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
    }
)

READY, BREAK, OFFLINE = "ready", "break", "offline"
REASON_MAX_LENGTH = 64  # AgentStateEvent.reason

_EPOCH_RE = re.compile(r"^[0-9]{9,11}(\.[0-9]{1,6})?$")


@dataclass(frozen=True)
class QueueLogLine:
    line_no: int
    at: dt.datetime
    uniqueid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def datum(self, index):
        """The data field at ``index`` (0 is data1), blank when absent."""
        return self.data[index].strip() if index < len(self.data) else ""


@dataclass(frozen=True)
class LineIssue:
    """A line, or a call, that cannot be read; the import reports it and goes on."""

    line_no: int
    reason: str
    text: str = ""


@dataclass(frozen=True)
class QueueCall:
    """One closed call segment in one queue."""

    queue: str
    uniqueid: str
    line_no: int  # of its ENTERQUEUE
    caller: str
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime
    agent: str | None  # CONNECT's agent field, as logged
    operator: str | None  # the operator code it names
    disposition: str

    @property
    def answered(self):
        return self.answered_at is not None


@dataclass(frozen=True)
class PendingCall:
    """A call still in the queue or in conversation at the end of the input."""

    queue: str
    uniqueid: str
    line_no: int
    offered_at: dt.datetime
    answered_at: dt.datetime | None


@dataclass(frozen=True)
class StateChange:
    operator: str
    state: str
    at: dt.datetime
    reason: str
    line_no: int  # the last line that set this state


@dataclass
class QueueLog:
    """Everything read from one input."""

    calls: list[QueueCall] = field(default_factory=list)
    pending: list[PendingCall] = field(default_factory=list)
    states: list[StateChange] = field(default_factory=list)
    issues: list[LineIssue] = field(default_factory=list)

    def states_of(self, operator):
        return [change for change in self.states if change.operator == operator]


# -- fields -------------------------------------------------------------------------------


def epoch_to_datetime(value):
    """``"1760000000"`` (or with a fraction) -> aware UTC datetime; ``ValueError`` otherwise."""
    value = value.strip()
    if not _EPOCH_RE.match(value):
        raise ValueError(f"not an epoch timestamp: {value!r}")
    try:
        seconds = Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards it
        raise ValueError(f"not an epoch timestamp: {value!r}") from exc
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    return dt.datetime.fromtimestamp(whole, tz=dt.UTC) + dt.timedelta(microseconds=micros)


def normalize_caller(callerid, region="RU"):
    """The caller id as E.164, or blank (withheld) when it is not a plausible number: the
    one rule of ``calls.phones.phone_normalize``."""
    return phone_normalize(callerid, region)


def agent_name(agent):
    """The agent's own name: technology and ``@context`` (and Local's ``/n``) stripped.

    ``SIP/1001`` -> ``1001``, ``PJSIP/op001`` -> ``op001``, ``Local/1001@agents/n`` ->
    ``1001``, ``Agent/1001`` -> ``1001``; a member name without ``/`` is kept as is.
    """
    name = agent.strip()
    if "/" in name:
        name = name.split("/", 1)[1]
    name = name.split("@", 1)[0]
    return name.split("/", 1)[0].strip()


def operator_code(agent, agent_map=None):
    """The operator code an agent string names, or ``None`` for ``NONE``/blank.

    ``agent_map`` is tried with the agent as logged, then with its ``agent_name()``; else the
    name itself, lower-cased because operator codes are lowercase.
    """
    if agent is None or agent.strip() in NONE_VALUES:
        return None
    agent = agent.strip()
    agent_map = agent_map or {}
    if agent in agent_map:
        return agent_map[agent]
    name = agent_name(agent)
    if name in agent_map:
        return agent_map[name]
    return name.lower() or None


# -- lines --------------------------------------------------------------------------------


def parse_line(text, line_no):  # noqa: PLR0911  one return per kind of line
    """One line -> ``QueueLogLine``, ``None`` for a blank line, or ``LineIssue``."""
    text = text.rstrip("\r\n")
    if not text.strip():
        return None
    parts = text.split("|")
    if len(parts) < 5:
        return LineIssue(line_no, "malformed line: fewer than 5 '|'-separated fields", text)
    try:
        at = epoch_to_datetime(parts[0])
    except ValueError:
        return LineIssue(line_no, f"malformed line: bad timestamp {parts[0]!r}", text)
    event = parts[4].strip().upper()
    if not event:
        return LineIssue(line_no, "malformed line: no event name", text)
    line = QueueLogLine(
        line_no=line_no,
        at=at,
        uniqueid=parts[1].strip(),
        queue=parts[2].strip(),
        agent=parts[3].strip(),
        event=event,
        data=tuple(parts[5:]),
    )
    if event in CALL_EVENTS and (line.uniqueid in NONE_VALUES or line.queue in NONE_VALUES):
        return LineIssue(line_no, f"malformed line: {event} without a call id or queue", text)
    if event in MEMBER_EVENTS and line.agent in NONE_VALUES:
        return LineIssue(line_no, f"malformed line: {event} without an agent", text)
    return line


def parse_lines(lines: Iterable[str]):
    """Yield a ``QueueLogLine`` or a ``LineIssue`` per non-blank line, numbered from 1."""
    for line_no, text in enumerate(lines, start=1):
        parsed = parse_line(text, line_no)
        if parsed is not None:
            yield parsed


# -- calls --------------------------------------------------------------------------------


@dataclass
class _OpenCall:
    enter: QueueLogLine
    connect: QueueLogLine | None = None


class _CallAssembler:
    def __init__(self, operator_of):
        self.operator_of = operator_of
        self.open: dict[tuple[str, str], _OpenCall] = {}
        self.calls: list[QueueCall] = []
        self.issues: list[LineIssue] = []

    def feed(self, line: QueueLogLine):
        key = (line.queue, line.uniqueid)
        if line.event == "ENTERQUEUE":
            if key in self.open:
                lost = self.open[key].enter
                self.issues.append(
                    LineIssue(
                        lost.line_no,
                        f"call {lost.uniqueid} in queue {lost.queue} entered the queue again "
                        f"on line {line.line_no} before it closed",
                    )
                )
            self.open[key] = _OpenCall(enter=line)
            return
        call = self.open.get(key)
        if call is None:
            if line.event in CLOSING_EVENTS:
                self.issues.append(
                    LineIssue(
                        line.line_no,
                        f"{line.event} of call {line.uniqueid} in queue {line.queue} "
                        "without its ENTERQUEUE (was the log rotated mid-call?)",
                    )
                )
            return
        if line.event == "CONNECT":
            if call.connect is None:
                call.connect = line
            return
        del self.open[key]  # a closing event
        self._close(call, line)

    def _close(self, call: _OpenCall, closing: QueueLogLine):
        enter, connect = call.enter, call.connect
        if closing.event in UNANSWERED_CLOSING_EVENTS and connect is not None:
            self.issues.append(
                LineIssue(
                    closing.line_no,
                    f"call {enter.uniqueid} in queue {enter.queue} was answered on line "
                    f"{connect.line_no} but closed by {closing.event}",
                )
            )
            return
        answered_at = connect.at if connect else None
        if closing.at < (answered_at or enter.at):
            self.issues.append(
                LineIssue(
                    closing.line_no,
                    f"call {enter.uniqueid} in queue {enter.queue} ends before it starts "
                    "(lines out of order)",
                )
            )
            return
        agent = connect.agent if connect and connect.agent not in NONE_VALUES else None
        self.calls.append(
            QueueCall(
                queue=enter.queue,
                uniqueid=enter.uniqueid,
                line_no=enter.line_no,
                caller=normalize_caller(enter.datum(1)),
                offered_at=enter.at,
                answered_at=answered_at,
                ended_at=closing.at,
                agent=agent,
                operator=self.operator_of(agent) if agent else None,
                disposition=closing.event.lower(),
            )
        )

    def pending(self):
        return [
            PendingCall(
                queue=call.enter.queue,
                uniqueid=call.enter.uniqueid,
                line_no=call.enter.line_no,
                offered_at=call.enter.at,
                answered_at=call.connect.at if call.connect else None,
            )
            for call in sorted(self.open.values(), key=lambda c: c.enter.line_no)
        ]


# -- operator states ----------------------------------------------------------------------


@dataclass
class _Presence:
    queues: dict[str, bool] = field(default_factory=dict)  # queue -> paused
    agent_logged_in: bool = False
    paused_all: bool = False  # PAUSEALL while logged in as an agent with no known queue
    reason: str = ""

    def state(self):
        if not self.queues and not self.agent_logged_in:
            return OFFLINE
        paused = all(self.queues.values()) if self.queues else self.paused_all
        return BREAK if paused else READY

    def apply(self, line: QueueLogLine):
        event, queue = line.event, line.queue
        reason = line.datum(0)
        if event == "ADDMEMBER":
            self.queues[queue] = reason.upper() == "PAUSED"
            reason = ""
        elif event == "REMOVEMEMBER":
            self.queues.pop(queue, None)
        elif event in LOGIN_EVENTS:
            self.agent_logged_in = True
        elif event in LOGOFF_EVENTS:
            self.agent_logged_in, self.paused_all = False, False
            self.queues.clear()
        elif event in {"PAUSE", "UNPAUSE"} and queue not in NONE_VALUES:
            self.queues[queue] = event == "PAUSE"
        else:  # PAUSEALL / UNPAUSEALL, or a PAUSE / UNPAUSE naming no queue
            paused = event in {"PAUSE", "PAUSEALL"}
            self.paused_all = paused
            for member_of in self.queues:
                self.queues[member_of] = paused
        if self.state() != BREAK:
            self.reason = ""
        elif event in {"PAUSE", "PAUSEALL"} and reason:
            self.reason = reason[:REASON_MAX_LENGTH]


class _StateTracker:
    def __init__(self, operator_of):
        self.operator_of = operator_of
        self.presence: dict[str, _Presence] = {}
        self.changes: dict[str, list[StateChange]] = {}  # per operator, in time order

    def feed(self, line: QueueLogLine):
        operator = self.operator_of(line.agent)
        if operator is None:  # pragma: no cover - parse_line refuses a member event with no agent
            return
        presence = self.presence.setdefault(operator, _Presence())
        presence.apply(line)
        changes = self.changes.setdefault(operator, [])
        if changes and changes[-1].at == line.at:
            # One event per operator and instant: the state at the end of the second counts.
            changes.pop()
        state, reason = presence.state(), presence.reason
        if changes and (changes[-1].state, changes[-1].reason) == (state, reason):
            return
        changes.append(StateChange(operator, state, line.at, reason, line.line_no))

    def all_changes(self):
        every = [change for changes in self.changes.values() for change in changes]
        return sorted(every, key=lambda change: (change.at, change.line_no))


# -- the whole input ----------------------------------------------------------------------


def read_queue_log(
    lines: Iterable[str],
    *,
    agent_map: Mapping[str, str] | None = None,
    operator_of: Callable[[str], str | None] | None = None,
) -> QueueLog:
    """Read a whole ``queue_log`` (any iterable of lines, in file order)."""
    if operator_of is None:

        def operator_of(agent):
            return operator_code(agent, agent_map)

    calls = _CallAssembler(operator_of)
    states = _StateTracker(operator_of)
    issues: list[LineIssue] = []
    for parsed in parse_lines(lines):
        if isinstance(parsed, LineIssue):
            issues.append(parsed)
        elif parsed.event in CALL_EVENTS:
            calls.feed(parsed)
        elif parsed.event in MEMBER_EVENTS:
            states.feed(parsed)
    return QueueLog(
        calls=sorted(calls.calls, key=lambda call: call.line_no),
        pending=calls.pending(),
        states=states.all_changes(),
        issues=sorted(issues + calls.issues, key=lambda issue: issue.line_no),
    )
