"""Asterisk ``queue_log`` reader: calls and operator states out of the PBX's queue log.

No database: it turns lines into call segments and operator state changes;
``telephony.queue_log_import`` maps them to projects and operators and stores them. The
rules, event by event, are in docs/telephony-queue-log.md; in short:

Each line is ``epoch|uniqueid|queuename|agent|event|data1|data2|...`` (Asterisk writes
``NONE`` where a field does not apply, ``MANAGER`` or ``REALTIME`` as the uniqueid of member
changes). Files come as PBXs write them: a UTF-8 BOM, CRLF line ends, gzip (found by its
magic bytes) and rotated sets (``queue_log``, ``queue_log.1``, ``queue_log.2.gz``), read
oldest first (``queue_log_files``, ``open_queue_log``).

Calls (``ENTERQUEUE`` ... ``CONNECT`` ... a closing event):

- A call is the lines sharing a uniqueid in one queue, from ``ENTERQUEUE`` to its closing
  event: ``COMPLETEAGENT``, ``COMPLETECALLER``, ``TRANSFER``, ``BLINDTRANSFER``,
  ``ATTENDEDTRANSFER`` (answered) or ``ABANDON``, ``EXITWITHTIMEOUT``, ``EXITEMPTY``,
  ``EXITWITHKEY`` (unanswered). The same uniqueid entering again after closing starts a new
  segment (``segment`` 2, 3... counted per ``group_of(queue)``, pending ones included).
- The cross-queue attended transfer (Asterisk 18/20, quoted in asterisk/asterisk#759): the
  agent's consultation call enters the second queue under its own uniqueid, the first leg's
  ``ATTENDEDTRANSFER`` is logged under the *consultation's* uniqueid, and the second queue's
  ``CONNECT``/``COMPLETE*`` under the *caller's*. The reader closes the agent's answered call
  in the transfer's queue and links the two ids, so both legs are answered calls with their
  own waits and talk; the second leg keeps its ``ENTERQUEUE`` uniqueid, takes the first
  leg's caller and names it in ``linked_to``.
- Every line of a call event that has no open call (a ``CONNECT`` or ``RINGNOANSWER``
  without ``ENTERQUEUE``, a closing event of a rotated-away call) is an orphan, reported
  with its file and line. A call still open ``pending_expiry`` after its last line (by the
  log's own clock) expires: reported with the reason, never stored. What is still open at
  the end is pending (a later read of a grown file stores it).

Operator states (SPEC section 5): Asterisk keeps membership and pauses per queue; the
contract keeps one state per operator, so the reader keeps the queues each operator is a
member of and whether each is paused: ``offline`` (member of none and not logged in as an
agent), ``break`` (every queue paused; the latest non-blank pause reason), else ``ready``.
``ADDMEMBER`` (``PAUSED``), ``REMOVEMEMBER``, ``PAUSE``/``UNPAUSE`` (reason), ``PAUSEALL``/
``UNPAUSEALL``, ``AGENTLOGIN``/``AGENTLOGOFF`` drive it. One change per real change, at
most one per operator and instant. With ``close_open_states`` (history), an operator not
offline at the end is closed there: an ``offline`` change at the last line's instant with
the reason ``END_OF_LOG``.

Incremental use (a tailer): ``reader = QueueLogReader(...)``; ``reader.feed_line(text,
line_no, file=...)`` per line as it arrives; ``reader.drain()`` returns what is final so
far (closed calls, expired calls, issues, state changes of past seconds) and forgets it;
``reader.finish()`` ends the input and returns the rest. ``read_queue_log(lines)`` is the
whole-input shortcut.
"""

from __future__ import annotations

import datetime as dt
import glob
import gzip
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from calls.phones import phone_normalize

NONE_VALUES = frozenset({"", "NONE"})

TRANSFER_EVENTS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
ANSWERED_CLOSING_EVENTS = TRANSFER_EVENTS | {"COMPLETEAGENT", "COMPLETECALLER"}
UNANSWERED_CLOSING_EVENTS = frozenset({"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})
CLOSING_EVENTS = ANSWERED_CLOSING_EVENTS | UNANSWERED_CLOSING_EVENTS
CALL_EVENTS = CLOSING_EVENTS | {"ENTERQUEUE", "CONNECT", "RINGNOANSWER"}

LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN"})
LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
MEMBER_EVENTS = LOGIN_EVENTS | LOGOFF_EVENTS | {
    "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
}  # fmt: skip

READY, BREAK, OFFLINE = "ready", "break", "offline"
END_OF_LOG = "end-of-log"  # the reason of the offline change that closes history
REASON_MAX_LENGTH = 64  # AgentStateEvent.reason
DEFAULT_PENDING_EXPIRY = dt.timedelta(hours=4)
_EXPIRY_SWEEP = dt.timedelta(seconds=60)  # how often (log time) open calls are checked
GZIP_MAGIC = b"\x1f\x8b"

_EPOCH_RE = re.compile(r"^[0-9]{9,11}(\.[0-9]{1,6})?$")
_ROTATED_RE = re.compile(r"\.([0-9]+)(\.gz)?$")
_TECH_RE = re.compile(r"^[A-Za-z0-9_]+/")


@dataclass(frozen=True)
class QueueLogLine:
    file: str
    line_no: int
    seq: int  # position in the whole input, over every file
    at: dt.datetime
    uniqueid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def datum(self, index: int) -> str:
        """The data field at ``index`` (0 is data1), blank when absent."""
        return self.data[index].strip() if index < len(self.data) else ""


@dataclass(frozen=True)
class LineIssue:
    """A line, or a call, that cannot be read; the import reports it and goes on."""

    line_no: int
    reason: str
    text: str = ""
    file: str = ""
    seq: int = 0


@dataclass(frozen=True)
class QueueCall:
    """One closed call segment in one queue."""

    queue: str
    uniqueid: str
    segment: int  # 1 for the first segment of this uniqueid in its queue group
    file: str
    line_no: int  # of its ENTERQUEUE
    seq: int
    caller: str  # E.164 or blank (withheld)
    caller_raw: str  # the callerid as logged
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime
    agent: str | None  # CONNECT's agent field, as logged
    operator: str | None  # the operator code it names, None when unmapped
    disposition: str
    linked_to: str = ""  # the first leg's uniqueid of a cross-queue attended transfer

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def external_id(self) -> str:
        return self.uniqueid if self.segment == 1 else f"{self.uniqueid}-{self.segment}"


@dataclass(frozen=True)
class PendingCall:
    """A call still in the queue or in conversation (``reason`` set when it expired)."""

    queue: str
    uniqueid: str
    segment: int
    file: str
    line_no: int
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    reason: str = ""


@dataclass(frozen=True)
class StateChange:
    operator: str | None  # None: the agent maps to no operator
    agent: str  # as logged on the line that set this state
    state: str
    at: dt.datetime
    reason: str
    file: str
    line_no: int  # the last line that set this state
    seq: int


@dataclass
class QueueLog:
    """What was read (everything, or since the last ``drain``)."""

    calls: list[QueueCall] = field(default_factory=list)
    pending: list[PendingCall] = field(default_factory=list)
    expired: list[PendingCall] = field(default_factory=list)
    states: list[StateChange] = field(default_factory=list)
    issues: list[LineIssue] = field(default_factory=list)
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None

    def states_of(self, operator: str) -> list[StateChange]:
        return [change for change in self.states if change.operator == operator]


# -- fields -------------------------------------------------------------------------------


def epoch_to_datetime(value: str) -> dt.datetime:
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


def agent_name(agent: str) -> str:
    """The agent's own name: technology and ``@context`` (and Local's ``/n``) stripped.

    ``SIP/1001`` -> ``1001``, ``PJSIP/op001`` -> ``op001``, ``Local/1001@agents/n`` ->
    ``1001``, ``Agent/1001`` -> ``1001``; a member name without ``/`` is kept as is.
    """
    name = _TECH_RE.sub("", agent.strip(), count=1)
    name = name.split("@", 1)[0]
    return name.split("/", 1)[0].strip()


def default_operator_of(agent: str) -> str | None:
    """Without mappings the agent's name, lower-cased, is the operator code."""
    if agent.strip() in NONE_VALUES:
        return None
    return agent_name(agent).lower() or None


# -- files --------------------------------------------------------------------------------


def open_queue_log(path: str | Path) -> Iterator[str]:
    """The lines of one file: gzip found by its magic bytes, a BOM dropped, CRLF or LF.

    Undecodable bytes become U+FFFD (a pause reason in a legacy encoding must not abort).
    """
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline=None) as lines:
        yield from lines


def _rotation(path: Path) -> int:
    """``queue_log`` is 0, ``queue_log.1`` 1, ``queue_log.2.gz`` 2: higher is older."""
    found = _ROTATED_RE.search(path.name)
    return int(found.group(1)) if found else 0


def queue_log_files(patterns: Iterable[str | Path]) -> list[Path]:
    """Paths and globs -> the files, oldest first (logrotate numbering, then name).

    A pattern matching nothing is kept as a path, so that opening it names the missing file.
    """
    paths: dict[Path, None] = {}
    for pattern in patterns:
        text = str(pattern)
        matched = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        for name in matched or [text]:
            paths.setdefault(Path(name), None)
    return sorted(paths, key=lambda path: (-_rotation(path), path.name))


# -- lines --------------------------------------------------------------------------------


def parse_line(  # noqa: PLR0911  one return per kind of line
    text: str, line_no: int, *, file: str = "", seq: int = 0
) -> QueueLogLine | LineIssue | None:
    """One line -> ``QueueLogLine``, ``None`` for a blank line, or ``LineIssue``."""
    text = text.lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        return None

    def issue(reason: str) -> LineIssue:
        return LineIssue(line_no, reason, text, file, seq)

    parts = text.split("|")
    if len(parts) < 5:
        return issue("malformed line: fewer than 5 '|'-separated fields")
    try:
        at = epoch_to_datetime(parts[0])
    except ValueError:
        return issue(f"malformed line: bad timestamp {parts[0]!r}")
    event = parts[4].strip().upper()
    if not event:
        return issue("malformed line: no event name")
    line = QueueLogLine(
        file=file,
        line_no=line_no,
        seq=seq,
        at=at,
        uniqueid=parts[1].strip(),
        queue=parts[2].strip(),
        agent=parts[3].strip(),
        event=event,
        data=tuple(parts[5:]),
    )
    if event in CALL_EVENTS and (line.uniqueid in NONE_VALUES or line.queue in NONE_VALUES):
        return issue(f"malformed line: {event} without a call id or queue")
    if event in MEMBER_EVENTS and line.agent in NONE_VALUES:
        return issue(f"malformed line: {event} without an agent")
    return line


# -- calls --------------------------------------------------------------------------------


@dataclass
class _OpenCall:
    enter: QueueLogLine
    segment: int
    last: QueueLogLine
    connect: QueueLogLine | None = None


class _CallAssembler:
    def __init__(self, operator_of, group_of, expiry: dt.timedelta | None):
        self.operator_of = operator_of
        self.group_of = group_of
        self.expiry = expiry
        self.open: dict[tuple[str, str], _OpenCall] = {}
        self.segments: dict[tuple[Hashable, str], int] = defaultdict(int)
        # Cross-queue attended transfers: the caller's uniqueid -> the consultation's ids,
        # and the consultation's uniqueid -> (the caller's uniqueid, the caller id as logged).
        self.consultations: dict[str, list[str]] = defaultdict(list)
        self.first_legs: dict[str, tuple[str, str]] = {}
        self.calls: list[QueueCall] = []
        self.expired: list[PendingCall] = []
        self.issues: list[LineIssue] = []
        self.swept_at: dt.datetime | None = None

    def feed(self, line: QueueLogLine) -> None:
        self._sweep(line.at)
        if line.event == "ENTERQUEUE":
            self._enter(line)
            return
        key = self._open_key(line)
        if key is None and line.event in TRANSFER_EVENTS:
            key = self._transferring(line)
        if key is None:
            self._issue(
                line,
                f"{line.event} of call {line.uniqueid} in queue {line.queue} without its "
                "ENTERQUEUE (was the log rotated mid-call, or the call expired?)",
            )
            return
        call = self.open[key]
        call.last = line
        if line.event == "CONNECT":
            if call.connect is None:
                call.connect = line
        elif line.event in CLOSING_EVENTS:
            del self.open[key]
            self._close(call, line)

    def _enter(self, line: QueueLogLine) -> None:
        key = (line.queue, line.uniqueid)
        if key in self.open:
            lost = self.open[key].enter
            self._issue(
                lost,
                f"call {lost.uniqueid} in queue {lost.queue} entered the queue again "
                f"on line {line.line_no} before it closed",
            )
        group = (self.group_of(line.queue), line.uniqueid)
        self.segments[group] += 1
        self.open[key] = _OpenCall(enter=line, segment=self.segments[group], last=line)

    def _open_key(self, line: QueueLogLine) -> tuple[str, str] | None:
        key = (line.queue, line.uniqueid)
        if key in self.open:
            return key
        for consultation in self.consultations.get(line.uniqueid, ()):
            if (line.queue, consultation) in self.open:
                return (line.queue, consultation)
        return None

    def _transferring(self, line: QueueLogLine) -> tuple[str, str] | None:
        """The answered call of the transferring agent in the line's queue, if exactly one:
        the first leg of a cross-queue attended transfer logged under the consultation's id."""
        found = [
            key
            for key, call in self.open.items()
            if key[0] == line.queue
            and call.connect is not None
            and call.connect.agent == line.agent
        ]
        if len(found) != 1:
            return None
        first = self.open[found[0]].enter
        self.consultations[first.uniqueid].append(line.uniqueid)
        self.first_legs[line.uniqueid] = (first.uniqueid, first.datum(1) or first.datum(0))
        return found[0]

    def _close(self, call: _OpenCall, closing: QueueLogLine) -> None:
        enter, connect = call.enter, call.connect
        if closing.event in UNANSWERED_CLOSING_EVENTS and connect is not None:
            self._issue(
                closing,
                f"call {enter.uniqueid} in queue {enter.queue} was answered on line "
                f"{connect.line_no} but closed by {closing.event}",
            )
            return
        answered_at = connect.at if connect else None
        if closing.at < (answered_at or enter.at):
            self._issue(
                closing,
                f"call {enter.uniqueid} in queue {enter.queue} ends before it starts "
                "(lines out of order)",
            )
            return
        agent = connect.agent if connect and connect.agent not in NONE_VALUES else None
        # ENTERQUEUE is url|callerid|position; exports of the realtime table drop the url.
        own_caller = enter.datum(1) or enter.datum(0)
        linked_to, caller_raw = self.first_legs.get(enter.uniqueid, ("", own_caller))
        self.calls.append(
            QueueCall(
                queue=enter.queue,
                uniqueid=enter.uniqueid,
                segment=call.segment,
                file=enter.file,
                line_no=enter.line_no,
                seq=enter.seq,
                caller=phone_normalize(caller_raw),
                caller_raw=caller_raw,
                offered_at=enter.at,
                answered_at=answered_at,
                ended_at=closing.at,
                agent=agent,
                operator=self.operator_of(agent) if agent else None,
                disposition=closing.event.lower(),
                linked_to=linked_to,
            )
        )

    def _issue(self, line: QueueLogLine, reason: str) -> None:
        self.issues.append(LineIssue(line.line_no, reason, "", line.file, line.seq))

    def _sweep(self, now: dt.datetime, *, force: bool = False) -> None:
        """Expire the calls whose last line is older than ``expiry`` by the log's clock."""
        if self.expiry is None:
            return
        if not force and self.swept_at is not None and now - self.swept_at < _EXPIRY_SWEEP:
            return
        self.swept_at = now
        seconds = int(self.expiry.total_seconds())
        for key, call in list(self.open.items()):
            if now - call.last.at > self.expiry:
                del self.open[key]
                reason = (
                    f"no closing event within {seconds} s of its last line "
                    f"({call.last.event} on line {call.last.line_no})"
                )
                self.expired.append(_pending(call, reason))

    def pending(self) -> list[PendingCall]:
        return [_pending(call) for call in sorted(self.open.values(), key=lambda c: c.enter.seq)]


def _pending(call: _OpenCall, reason: str = "") -> PendingCall:
    return PendingCall(
        queue=call.enter.queue,
        uniqueid=call.enter.uniqueid,
        segment=call.segment,
        file=call.enter.file,
        line_no=call.enter.line_no,
        offered_at=call.enter.at,
        answered_at=call.connect.at if call.connect else None,
        reason=reason,
    )


# -- operator states ----------------------------------------------------------------------


@dataclass
class _Presence:
    queues: dict[str, bool] = field(default_factory=dict)  # queue -> paused
    agent_logged_in: bool = False
    paused_all: bool = False  # PAUSEALL while logged in as an agent with no known queue
    reason: str = ""

    def state(self) -> str:
        if not self.queues and not self.agent_logged_in:
            return OFFLINE
        paused = all(self.queues.values()) if self.queues else self.paused_all
        return BREAK if paused else READY

    def apply(self, line: QueueLogLine) -> None:
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
        self.pending: dict[str, list[StateChange]] = defaultdict(list)  # not drained yet
        self.drained: dict[str, StateChange] = {}  # the last change handed out

    def key_of(self, agent: str) -> tuple[str, str | None]:
        operator = self.operator_of(agent)
        return (operator if operator is not None else f"?{agent_name(agent).lower()}"), operator

    def feed(self, line: QueueLogLine) -> None:
        key, operator = self.key_of(line.agent)
        presence = self.presence.setdefault(key, _Presence())
        presence.apply(line)
        self._emit(key, operator, line.agent, presence.state(), presence.reason, line)

    def _emit(self, key, operator, agent, state, reason, line: QueueLogLine) -> None:
        changes = self.pending[key]
        if changes and changes[-1].at == line.at:
            # One event per operator and instant: the state at the end of the second counts.
            changes.pop()
        last = changes[-1] if changes else self.drained.get(key)
        if last is not None and (last.state, last.reason) == (state, reason):
            return
        changes.append(
            StateChange(operator, agent, state, line.at, reason, line.file, line.line_no, line.seq)
        )

    def close(self, last: QueueLogLine) -> None:
        """History: every operator not offline at the end goes offline at the last line."""
        for key, presence in self.presence.items():
            if presence.state() == OFFLINE:
                continue
            changes = self.pending[key]
            previous = changes[-1] if changes else self.drained[key]
            operator = None if key.startswith("?") else key
            self._emit(key, operator, previous.agent, OFFLINE, END_OF_LOG, last)
            self.presence[key] = _Presence()

    def drain(self, before: dt.datetime | None) -> list[StateChange]:
        """The changes of instants before ``before`` (all when None), forgotten here."""
        out = []
        for key, changes in self.pending.items():
            keep = [c for c in changes if before is not None and c.at >= before]
            done = changes[: len(changes) - len(keep)]
            if done:
                self.drained[key] = done[-1]
                out.extend(done)
            self.pending[key] = keep
        return sorted(out, key=lambda change: change.seq)


# -- the reader ---------------------------------------------------------------------------


class QueueLogReader:
    """Lines in, calls and states out; see the module docstring.

    ``operator_of(agent)`` names the operator code of an agent string (None: unmapped);
    ``group_of(queue)`` groups queues whose segments of one uniqueid are numbered together
    (the import passes the project); ``pending_expiry`` (None: never) expires open calls.
    """

    def __init__(
        self,
        *,
        operator_of: Callable[[str], str | None] = default_operator_of,
        group_of: Callable[[str], Hashable] = lambda queue: queue,
        pending_expiry: dt.timedelta | None = DEFAULT_PENDING_EXPIRY,
    ):
        self._calls = _CallAssembler(operator_of, group_of, pending_expiry)
        self._states = _StateTracker(operator_of)
        self._issues: list[LineIssue] = []
        self._seq = 0
        self._last: QueueLogLine | None = None
        self.first_at: dt.datetime | None = None

    def feed(self, lines: Iterable[str], *, file: str = "") -> None:
        """Every line of one file (or chunk), numbered from 1."""
        for line_no, text in enumerate(lines, start=1):
            self.feed_line(text, line_no, file=file)

    def feed_line(self, text: str, line_no: int, *, file: str = "") -> None:
        self._seq += 1
        parsed = parse_line(text, line_no, file=file, seq=self._seq)
        if parsed is None:
            return
        if isinstance(parsed, LineIssue):
            self._issues.append(parsed)
            return
        if self.first_at is None:
            self.first_at = parsed.at
        if self._last is None or parsed.at >= self._last.at:
            self._last = parsed
        if parsed.event in CALL_EVENTS:
            self._calls.feed(parsed)
        elif parsed.event in MEMBER_EVENTS:
            self._states.feed(parsed)

    def drain(self) -> QueueLog:
        """What is final so far, forgotten here: a tailer stores it and reads on."""
        return self._take(self._states.drain(self._last.at if self._last else None))

    def finish(self, *, close_open_states: bool = True) -> QueueLog:
        """The end of the input: expire what is due, close history, return the rest."""
        if self._last is not None:
            self._calls._sweep(self._last.at, force=True)
            if close_open_states:
                self._states.close(self._last)
        return self._take(self._states.drain(None))

    def _take(self, states: list[StateChange]) -> QueueLog:
        calls = self._calls
        log = QueueLog(
            calls=sorted(calls.calls, key=lambda call: call.seq),
            pending=calls.pending(),
            expired=calls.expired,
            states=states,
            issues=sorted(self._issues + calls.issues, key=lambda issue: issue.seq),
            first_at=self.first_at,
            last_at=self._last.at if self._last else None,
        )
        calls.calls, calls.expired, calls.issues, self._issues = [], [], [], []
        return log


def read_queue_log(
    lines: Iterable[str],
    *,
    operator_of: Callable[[str], str | None] = default_operator_of,
    group_of: Callable[[str], Hashable] = lambda queue: queue,
    pending_expiry: dt.timedelta | None = DEFAULT_PENDING_EXPIRY,
    close_open_states: bool = True,
    file: str = "",
) -> QueueLog:
    """Read a whole ``queue_log`` (any iterable of lines, in file order)."""
    reader = QueueLogReader(
        operator_of=operator_of, group_of=group_of, pending_expiry=pending_expiry
    )
    reader.feed(lines, file=file)
    return reader.finish(close_open_states=close_open_states)
