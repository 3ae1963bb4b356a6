"""What ``import_queue_log --follow`` makes of each batch of new ``queue_log`` lines.

The follower's one coupling to the queue_log reader (``telephony.queue_log.QueueLogReader``)
and to the import (``telephony.queue_log_import``: the source, its mappings through
``Resolver``, ``store_queue_log``): the calls and agent states of a batch are stored exactly
as the batch import stores them, unmapped calls parked through the source's tables.

A batch is read by a fresh reader over the lines the batch still needs from before (the
*carried* lines) followed by the new ones, so every rule of the reader (segments, the agent
state derived from per-queue memberships and pauses, one state per operator and second)
applies unchanged, and the state between batches is plain JSON (``Feed.state()``, saved in
``QueueLogCursor.state``). What is carried:

- the ``ENTERQUEUE`` and ``CONNECT`` lines of the calls still in progress;
- each operator's member lines that still make their presence: none before their last
  logoff, those since they last were not on a break and, before, the last line per queue,
  the last ``PAUSEALL``-like line and the last login (``_presence_lines`` says why that
  is the same presence); an operator left offline usually carries none;
- the open segments' external ids and the count of segments per (queue group, uniqueid), so
  a call sent back to the queue gets ``-2``, ``-3``... as the batch import names it;
- the source's code, when the follower found it from the queues of the log.

A call with no line for the import's pending expiry (``QUEUE_LOG_PENDING_EXPIRY_SECONDS``,
by the log's own clock: the PBX restarted and lost it) is reported (``expired``) and no
longer carried; its live events are closed by ``live.closing`` like any call whose record
never comes.

Each new line becomes, as it comes: a live call event (``ENTERQUEUE`` offered, ``CONNECT``
answered by the line's operator, an answered segment's closing ``ended``, an unanswered
one's ``abandoned``) through ``live.ingest.call_events_ingest`` (the live state and the
wallboard push follow its commit); the reader's new agent state changes and each closed
call through ``store_queue_log`` with ``keep_open`` (a followed log never closes its
operators). Live call events are sent only for lines of the last ``live.state.REPLAY``
hours: an old file followed from its start stores its calls and agent events, not two days
of live events nobody will see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils import timezone

from calls.phones import phone_normalize
from live.ingest import call_events_ingest
from live.models import CallEvent
from live.state import REPLAY
from telephony.models import TelephonySource
from telephony.queue_log import (
    ANSWERED_CLOSING_EVENTS,
    BREAK,
    CLOSING_EVENTS,
    LOGIN_EVENTS,
    LOGOFF_EVENTS,
    MEMBER_EVENTS,
    NONE_VALUES,
    OFFLINE,
    QueueLog,
    QueueLogLine,
    QueueLogReader,
    StateChange,
    parse_line,
)
from telephony.queue_log_import import (
    QueueLogImportResult,
    Resolver,
    add_mappings,
    ingest_in_batches,
    pending_expiry_default,
    resolve_source,
    store_queue_log,
)

LIVE_EXTERNAL_ID_MAX_LENGTH = cast(int, CallEvent._meta.get_field("external_id").max_length)
SEGMENT_MEMORY = dt.timedelta(days=1)  # how long a closed call's segment count is kept
_SEP = "\x1f"  # joins a key's parts in JSON object keys; never in a queue_log field


@dataclass
class FeedResult:
    """What one batch stored, as the import reports it, plus the live call events."""

    stored: QueueLogImportResult = field(default_factory=QueueLogImportResult)
    live_created: int = 0
    live_duplicate: int = 0

    def add(self, other: FeedResult) -> None:
        self.stored.source = other.stored.source
        self.stored.calls_created += other.stored.calls_created
        self.stored.calls_duplicate += other.stored.calls_duplicate
        self.stored.events_created += other.stored.events_created
        self.stored.events_duplicate += other.stored.events_duplicate
        self.stored.pending = other.stored.pending
        self.stored.parked.extend(other.stored.parked)
        self.stored.skipped.extend(other.stored.skipped)
        self.live_created += other.live_created
        self.live_duplicate += other.live_duplicate


@dataclass(frozen=True)
class _Input:
    seq: int  # over the whole follow, across files: the order of the reader's input
    line_no: int  # in its file, for reports
    text: str


class Feed:
    """The reader state between batches; ``state()`` / ``Feed(state=...)`` round-trip JSON.

    ``source`` (a ``TelephonySource``) names the mappings; without it the source is the
    one the queue map, else the first batch's queues, imply (``resolve_source``), and is
    kept in the state. ``queue_map`` and ``agent_map`` are added to its tables once.
    """

    def __init__(
        self,
        *,
        source: TelephonySource | None = None,
        queue_map: dict[str, str] | None = None,
        agent_map: dict[str, str] | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.queue_map = dict(queue_map or {})
        self.agent_map = dict(agent_map or {})
        state = state or {}
        self.source = source
        if source is None and state.get("source"):
            self.source = TelephonySource.objects.filter(code=state["source"]).first()
        self._mapped = False
        self.seq: int = state.get("seq", 0)
        self.carried = [_Input(*item) for item in state.get("carried", [])]
        # "queue<SEP>uniqueid" -> {"id": external id, "seq": its ENTERQUEUE, "answered": bool}
        self.open: dict[str, dict[str, Any]] = state.get("open", {})
        # "group<SEP>uniqueid" -> [segments so far, epoch of the last one]
        self.segments: dict[str, list[int]] = state.get("segments", {})
        # Operators last seen offline, their lines no longer carried: the reader, meeting
        # them again with no history, says "offline" once more; that is no change.
        self.offline: set[str] = set(state.get("offline", []))

    def state(self) -> dict[str, Any]:
        return {
            "source": self.source.code if self.source is not None else "",
            "seq": self.seq,
            "carried": [[item.seq, item.line_no, item.text] for item in self.carried],
            "open": self.open,
            "segments": self.segments,
            "offline": sorted(self.offline),
        }

    def _source(self, inputs: list[_Input]) -> TelephonySource:
        """The source, found (and the command's maps added to it) on the first batch."""
        if not self._mapped:
            self.source = resolve_source(
                self.source, queue_map=self.queue_map, queues=lambda: _queues(inputs)
            )
            add_mappings(self.source, queue_map=self.queue_map, agent_map=self.agent_map)
            self._mapped = True
        return cast(TelephonySource, self.source)

    def feed(self, lines: list[tuple[int, str]], *, now: dt.datetime | None = None) -> FeedResult:
        """Store what ``(line_no, text)`` lines (in file order, complete) say; the caller holds
        the transaction that also saves ``state()``."""
        now = timezone.now() if now is None else now
        new = [
            _Input(self.seq + index, line_no, text) for index, (line_no, text) in enumerate(lines)
        ]
        self.seq += len(new)
        inputs = self.carried + new
        first_new = len(self.carried) + 1  # reader positions (``seq``) count from 1
        source = self._source(inputs)
        resolver = Resolver(source)  # per batch: mappings added meanwhile apply
        reader = QueueLogReader(
            operator_of=resolver.operator_code,
            group_of=resolver.group_of,
            pending_expiry=pending_expiry_default() or None,
        )
        for item in inputs:
            reader.feed_line(item.text, item.line_no)
        log = reader.finish(close_open_states=False)
        parsed = {
            position: line
            for position, item in enumerate(inputs, start=1)
            if isinstance(line := parse_line(item.text, position), QueueLogLine)
        }

        ids_by_seq = {segment["seq"]: segment["id"] for segment in self.open.values()}
        live_rows = []
        for position in range(first_new, len(inputs) + 1):
            line = parsed.get(position)
            if line is None or line.event not in _CALL_LINE_EVENTS:
                continue
            row = self._live_event(line, inputs[position - 1].seq, resolver, ids_by_seq)
            if row is not None and line.at >= now - REPLAY:
                live_rows.append((line.line_no, "", row))

        calls = [  # numbered as the whole-file read numbers them
            dataclasses.replace(
                call, segment=_segment(ids_by_seq.get(inputs[call.seq - 1].seq), call.uniqueid)
            )
            for call in log.calls
        ]
        batch_log = QueueLog(
            calls=calls,
            pending=log.pending,
            expired=log.expired,
            states=self._new_states(log.states, first_new),
            issues=[issue for issue in log.issues if issue.seq >= first_new],
        )
        result = FeedResult()
        live_skipped: list = []
        result.live_created, result.live_duplicate = ingest_in_batches(
            call_events_ingest, live_rows, what="call event", skipped=live_skipped
        )
        result.stored = store_queue_log(batch_log, source=source, resolver=resolver)
        result.stored.skipped.extend(live_skipped)
        result.stored.skipped.sort(key=lambda item: item.line_no)
        self._carry(inputs, parsed, log, resolver.operator_code)
        return result

    def _live_event(self, line, seq, resolver: Resolver, ids_by_seq) -> dict[str, Any] | None:
        """The live call event of a call line, keeping the open segments' ids up to date."""
        key = f"{line.queue}{_SEP}{line.uniqueid}"
        project = resolver.project(line.queue)
        if line.event == "ENTERQUEUE":
            group = f"{resolver.group_of(line.queue)}{_SEP}{line.uniqueid}"
            counted = self.segments.setdefault(group, [0, 0])
            counted[0] += 1
            counted[1] = int(line.at.timestamp())
            external_id = line.uniqueid if counted[0] == 1 else f"{line.uniqueid}-{counted[0]}"
            self.open[key] = {"id": external_id, "seq": seq, "answered": False}
            ids_by_seq[seq] = external_id
            event, operator = CallEvent.Event.OFFERED, None
        else:
            segment = self.open.get(key)
            if segment is None:
                return None  # the reader reports a closing without its ENTERQUEUE
            external_id = segment["id"]
            if line.event == "CONNECT":
                if segment["answered"]:
                    return None  # a second CONNECT: the reader keeps the first
                segment["answered"] = True
                event = CallEvent.Event.ANSWERED
                operator = resolver.operator_code(line.agent)  # None: the queue still moves
            else:
                del self.open[key]
                answered = segment["answered"] or line.event in ANSWERED_CLOSING_EVENTS
                event = CallEvent.Event.ENDED if answered else CallEvent.Event.ABANDONED
                operator = None
        if project is None or len(external_id) > LIVE_EXTERNAL_ID_MAX_LENGTH:
            return None
        raw = line.datum(1) or line.datum(0)  # the reader's rule: url|callerid|position
        return {
            "project": project.code,
            "external_id": external_id,
            "event": event.value,
            "at": line.at,
            "operator": operator,
            "caller": phone_normalize(raw) if line.event == "ENTERQUEUE" else "",
        }

    def _new_states(self, states: list[StateChange], first_new: int) -> list[StateChange]:
        """The agent state changes the new lines made."""
        out, seen = [], set()
        for change in states:
            if change.seq < first_new:
                continue  # stored by an earlier batch
            first = change.operator not in seen
            seen.add(change.operator)
            if first and change.operator in self.offline and change.state == OFFLINE:
                continue  # still offline: no change
            out.append(change)
        return out

    def _carry(self, inputs, parsed, log: QueueLog, operator_of: Callable[[str], str | None]):
        """Keep the lines the next batch needs: open calls' lines, operators' presence.
        Expired calls (reported by the import) are forgotten."""
        for call in log.expired:
            self.open.pop(f"{call.queue}{_SEP}{call.uniqueid}", None)
        keep = _open_call_lines(parsed, {(call.queue, call.uniqueid) for call in log.pending})
        member_lines: dict[str, list[int]] = defaultdict(list)
        for position, line in sorted(parsed.items()):
            if line.event in MEMBER_EVENTS and (operator := operator_of(line.agent)):
                member_lines[operator].append(position)
        last_state: dict[str, str] = {}
        not_on_break: dict[str, int] = defaultdict(int)
        for change in log.states:
            if change.operator is None:
                continue
            last_state[change.operator] = change.state
            if change.state != BREAK:
                not_on_break[change.operator] = change.seq
        for operator, positions in member_lines.items():
            needed = _presence_lines(positions, parsed, not_on_break[operator])
            keep.update(needed)
            if last_state.get(operator) == OFFLINE and not needed:
                self.offline.add(operator)
            else:
                self.offline.discard(operator)
        self.carried = [inputs[position - 1] for position in sorted(keep)]
        self._forget_old_segments()

    def _forget_old_segments(self) -> None:
        if not self.segments:
            return
        newest = max(last for _count, last in self.segments.values())
        horizon = newest - int(SEGMENT_MEMORY.total_seconds())
        open_keys = defaultdict(set)
        for key, segment in self.open.items():
            open_keys[key.split(_SEP, 1)[1]].add(segment["id"])
        self.segments = {
            key: value
            for key, value in self.segments.items()
            if value[1] >= horizon or key.split(_SEP, 1)[1] in open_keys
        }


def _open_call_lines(parsed: dict[int, QueueLogLine], pending: set[tuple[str, str]]) -> set[int]:
    """The ``ENTERQUEUE`` and ``CONNECT`` lines of the calls still open (from their last
    ``ENTERQUEUE``: an earlier segment of the same id is closed)."""
    entered: dict[tuple[str, str], int] = {}
    for position, line in parsed.items():
        if line.event == "ENTERQUEUE" and (line.queue, line.uniqueid) in pending:
            entered[line.queue, line.uniqueid] = position
    return {
        position
        for position, line in parsed.items()
        if line.event in {"ENTERQUEUE", "CONNECT"}
        and (start := entered.get((line.queue, line.uniqueid))) is not None
        and position >= start
    }


def _presence_lines(positions: list[int], parsed: dict[int, QueueLogLine], settled: int):
    """The member lines of one operator that still make their presence (queues, pauses,
    agent login, pause reason) for the reader.

    Nothing up to their last ``AGENTLOGOFF``, itself included: it leaves a fresh presence.
    After that, every line after ``settled`` (the last line after which they were not on
    a break: the pause reason starts again from there) and, up to it, only what no later
    line up to it overrides: the last line per queue (``ADDMEMBER``, ``REMOVEMEMBER``,
    ``PAUSE``/``UNPAUSE`` of a queue set that queue alone; a last ``REMOVEMEMBER`` leaves
    the queue as absent as no line), the last ``PAUSEALL``-like line (it sets the queues
    then present, each overridden by its own later line, and the agent-wide pause), the
    last login. Replaying these gives the reader the presence that replaying every line
    gives, so a static member pausing all day carries a few lines, not the day.
    """
    logoffs = [position for position in positions if parsed[position].event in LOGOFF_EVENTS]
    if logoffs:
        positions = [position for position in positions if position > logoffs[-1]]
    after = [position for position in positions if position > settled]
    last_of: dict[tuple[str, str], int] = {}
    for position in positions:
        if position > settled:
            break
        line = parsed[position]
        if line.event in LOGIN_EVENTS:
            last_of["login", ""] = position
        elif line.event in {"ADDMEMBER", "REMOVEMEMBER"} or (
            line.event in {"PAUSE", "UNPAUSE"} and line.queue not in NONE_VALUES
        ):
            last_of["queue", line.queue] = position
        else:  # PAUSEALL / UNPAUSEALL, or a PAUSE / UNPAUSE naming no queue
            last_of["all", ""] = position
    before = [position for position in last_of.values() if parsed[position].event != "REMOVEMEMBER"]
    return sorted(before) + after


_CALL_LINE_EVENTS = CLOSING_EVENTS | {"ENTERQUEUE", "CONNECT"}


def _segment(external_id: str | None, uniqueid: str) -> int:
    """The segment number of a followed call's external id (``c1-2`` is 2)."""
    if not external_id or external_id == uniqueid:
        return 1
    return int(external_id[len(uniqueid) + 1 :])


def _queues(inputs: list[_Input]) -> set[str]:
    """The queues these lines name (to find the source's client when none is given)."""
    return {
        line.queue
        for position, item in enumerate(inputs, start=1)
        if isinstance(line := parse_line(item.text, position), QueueLogLine)
        and line.queue not in NONE_VALUES
    }
