"""What ``import_queue_log --follow`` makes of each batch of new ``queue_log`` lines.

The follower's one coupling to the queue_log reader (``read_queue_log``, ``parse_line``) and
to the import's mapping and storing code (``calls.queue_log_import``): when those move, only
the imports below change.

A batch is read by the reader itself, over the lines the batch still needs from before (the
*carried* lines) followed by the new ones, so every rule of the reader (segments, the agent
state derived from per-queue memberships and pauses, one state per operator and second)
applies unchanged. What is carried, in the cursor's ``state``:

- the ``ENTERQUEUE`` and ``CONNECT`` lines of the calls still in progress;
- each operator's member lines that still make their presence: none before their last
  logoff, those since they last were not on a break and, before, the last line per queue,
  the last ``PAUSEALL``-like line and the last login (``_presence_lines`` says why that
  is the same presence); an operator left offline usually carries none;
- the open segments' external ids and the count of segments per (project, uniqueid), so a
  call sent back to the queue gets ``-2``, ``-3``... as the batch import names it.

A call still open a day after it entered (by the log's own clock: the PBX restarted and
lost it) is reported (``expired``) and no longer carried; its live events are closed by
``live.closing`` like any call whose record never comes.

Each new line becomes, as it comes: a live call event (``ENTERQUEUE`` offered, ``CONNECT``
answered by the line's operator, an answered segment's closing ``ended``, an unanswered
one's ``abandoned``) through ``live.ingest.call_events_ingest`` (the live state and the
wallboard push follow its commit); the reader's new agent state changes through
``agents.ingest.agent_events_ingest``; each closed call through ``calls.ingest.calls_ingest``
with the batch import's mapping (queue -> project, agent -> operator, unmapped and unknown
reported and skipped, the import's rows). Live call events are sent only for lines of the
last ``live.state.REPLAY`` hours: an old file followed from its start stores its calls and
agent events, not two days of live events nobody will see.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils import timezone

from agents.ingest import agent_events_ingest
from agents.models import Operator
from calls.ingest import calls_ingest
from live.ingest import call_events_ingest
from live.models import CallEvent
from live.state import REPLAY
from telephony.queue_log import (
    ANSWERED_CLOSING_EVENTS,
    BREAK,
    CLOSING_EVENTS,
    LOGIN_EVENTS,
    LOGOFF_EVENTS,
    MEMBER_EVENTS,
    NONE_VALUES,
    OFFLINE,
    QueueLogLine,
    normalize_caller,
    operator_code,
    parse_line,
    read_queue_log,
)
from telephony.queue_log_import import (
    EXTERNAL_ID_MAX_LENGTH,
    MALFORMED,
    UNKNOWN_OPERATOR,
    UNMAPPED_QUEUE,
    QueueLogImportResult,
    Skipped,
    _call_row,
    _ingest_in_batches,
    _projects_of_queues,
)

LIVE_EXTERNAL_ID_MAX_LENGTH = cast(int, CallEvent._meta.get_field("external_id").max_length)
SEGMENT_MEMORY = dt.timedelta(days=1)  # how long a closed call's segment count is kept
OPEN_CALL_MEMORY = dt.timedelta(days=1)  # a call open this long was lost by the PBX
EXPIRED = "expired"  # a Skipped kind: a call whose end never came
_SEP = "\x1f"  # joins a key's parts in JSON object keys; never in a queue_log field


@dataclass
class FeedResult:
    """What one batch stored, as the import reports it, plus the live call events."""

    stored: QueueLogImportResult = field(default_factory=QueueLogImportResult)
    live_created: int = 0
    live_duplicate: int = 0

    def add(self, other: FeedResult) -> None:
        self.stored.calls_created += other.stored.calls_created
        self.stored.calls_duplicate += other.stored.calls_duplicate
        self.stored.events_created += other.stored.events_created
        self.stored.events_duplicate += other.stored.events_duplicate
        self.stored.pending = other.stored.pending
        self.stored.skipped.extend(other.stored.skipped)
        self.live_created += other.live_created
        self.live_duplicate += other.live_duplicate


@dataclass(frozen=True)
class _Input:
    seq: int  # over the whole follow, across files: the order of the reader's input
    line_no: int  # in its file, for reports
    text: str


class Feed:
    """The reader state between batches; ``state()`` / ``Feed(state=...)`` round-trip JSON."""

    def __init__(
        self,
        *,
        queue_map: dict[str, str] | None = None,
        agent_map: dict[str, str] | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.queue_map = dict(queue_map or {})
        self.agent_map = dict(agent_map or {})
        state = state or {}
        self.seq: int = state.get("seq", 0)
        self.carried = [_Input(*item) for item in state.get("carried", [])]
        # "queue<SEP>uniqueid" -> {"id": external id, "seq": its ENTERQUEUE, "answered": bool}
        self.open: dict[str, dict[str, Any]] = state.get("open", {})
        # "project<SEP>uniqueid" -> [segments so far, epoch of the last one]
        self.segments: dict[str, list[int]] = state.get("segments", {})
        # Operators last seen offline, their lines no longer carried: the reader, meeting
        # them again with no history, says "offline" once more; that is no change.
        self.offline: set[str] = set(state.get("offline", []))

    def state(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "carried": [[item.seq, item.line_no, item.text] for item in self.carried],
            "open": self.open,
            "segments": self.segments,
            "offline": sorted(self.offline),
        }

    def operator_of(self, agent: str) -> str | None:
        return operator_code(agent, self.agent_map)

    def feed(self, lines: list[tuple[int, str]], *, now: dt.datetime | None = None) -> FeedResult:
        """Store what ``(line_no, text)`` lines (in file order, complete) say; the caller holds
        the transaction that also saves ``state()``."""
        now = timezone.now() if now is None else now
        new = [
            _Input(self.seq + index, line_no, text) for index, (line_no, text) in enumerate(lines)
        ]
        self.seq += len(new)
        inputs = self.carried + new
        first_new = len(self.carried) + 1  # reader positions count from 1
        log = read_queue_log([item.text for item in inputs], operator_of=self.operator_of)
        parsed = {
            position: line
            for position, item in enumerate(inputs, start=1)
            if isinstance(line := parse_line(item.text, position), QueueLogLine)
        }
        queues = {line.queue for line in parsed.values() if line.event in _CALL_LINE_EVENTS}
        project_of_queue = _projects_of_queues(queues, self.queue_map)
        wanted = {self.operator_of(line.agent) for line in parsed.values()} - {None}
        known = set(Operator.objects.filter(code__in=wanted).values_list("code", flat=True))

        result = FeedResult()
        skipped = result.stored.skipped

        def file_line(position: int) -> int:
            return inputs[position - 1].line_no

        skipped.extend(
            Skipped(file_line(issue.line_no), MALFORMED, "line", issue.reason)
            for issue in log.issues
        )
        ids_by_seq = {segment["seq"]: segment["id"] for segment in self.open.values()}
        live_rows = []
        for position in range(first_new, len(inputs) + 1):
            line = parsed.get(position)
            if line is None or line.event not in _CALL_LINE_EVENTS:
                continue
            row = self._live_event(line, inputs[position - 1].seq, project_of_queue, ids_by_seq)
            if row is not None and line.at >= now - REPLAY:
                if row["operator"] not in known:
                    row["operator"] = None  # the call still moves the queue; see the docs
                live_rows.append((file_line(position), row))
        call_rows = _call_rows(
            log, inputs, ids_by_seq, project_of_queue, known=known, skipped=skipped
        )
        event_rows = _event_rows(
            log, inputs, first_new, offline=self.offline, known=known, skipped=skipped
        )

        result.live_created, result.live_duplicate = _ingest_in_batches(
            call_events_ingest, live_rows, what="call event", skipped=skipped
        )
        result.stored.events_created, result.stored.events_duplicate = _ingest_in_batches(
            functools.partial(agent_events_ingest, strict_reasons=False),
            event_rows,
            what="agent event",
            skipped=skipped,
        )
        result.stored.calls_created, result.stored.calls_duplicate = _ingest_in_batches(
            calls_ingest, call_rows, what="call", skipped=skipped
        )
        result.stored.pending = self._carry(inputs, parsed, log, skipped=skipped)
        skipped.sort(key=lambda item: item.line_no)
        return result

    def _live_event(self, line, seq, project_of_queue, ids_by_seq) -> dict[str, Any] | None:
        """The live call event of a call line, keeping the open segments' ids up to date."""
        key = f"{line.queue}{_SEP}{line.uniqueid}"
        project = project_of_queue.get(line.queue)
        if line.event == "ENTERQUEUE":
            counted = self.segments.setdefault(f"{project}{_SEP}{line.uniqueid}", [0, 0])
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
                event, operator = CallEvent.Event.ANSWERED, self.operator_of(line.agent)
            else:
                del self.open[key]
                answered = segment["answered"] or line.event in ANSWERED_CLOSING_EVENTS
                event = CallEvent.Event.ENDED if answered else CallEvent.Event.ABANDONED
                operator = None
        if project is None or len(external_id) > LIVE_EXTERNAL_ID_MAX_LENGTH:
            return None
        caller = normalize_caller(line.datum(1)) if line.event == "ENTERQUEUE" else ""
        return {
            "project": project,
            "external_id": external_id,
            "event": event.value,
            "at": line.at,
            "operator": operator,
            "caller": caller,
        }

    def _carry(self, inputs: list[_Input], parsed: dict[int, QueueLogLine], log, *, skipped):
        """Keep the lines the next batch needs: open calls' lines, operators' presence.
        Returns the calls still in progress; those open for longer than ``OPEN_CALL_MEMORY``
        (the PBX restarted and lost them) are reported and forgotten."""
        newest = max((line.at for line in parsed.values()), default=None)
        pending = {}
        in_progress = []
        for call in log.pending:
            if newest is not None and call.offered_at < newest - OPEN_CALL_MEMORY:
                self.open.pop(f"{call.queue}{_SEP}{call.uniqueid}", None)
                reason = (
                    f"call {call.uniqueid} in queue {call.queue} still open after "
                    f"{OPEN_CALL_MEMORY.total_seconds() / 3600:g} hours: no longer followed"
                )
                skipped.append(Skipped(inputs[call.line_no - 1].line_no, EXPIRED, "call", reason))
                continue
            pending[call.queue, call.uniqueid] = call.line_no
            in_progress.append(call)
        keep: set[int] = set()
        member_lines: dict[str, list[int]] = defaultdict(list)
        for position, line in sorted(parsed.items()):
            if line.event in {"ENTERQUEUE", "CONNECT"}:
                entered = pending.get((line.queue, line.uniqueid))
                if entered is not None and position >= entered:
                    keep.add(position)
            elif line.event in MEMBER_EVENTS and (operator := self.operator_of(line.agent)):
                member_lines[operator].append(position)
        last_state: dict[str, str] = {}
        not_on_break: dict[str, int] = defaultdict(int)
        for change in log.states:
            last_state[change.operator] = change.state
            if change.state != BREAK:
                not_on_break[change.operator] = change.line_no
        for operator, positions in member_lines.items():
            needed = _presence_lines(positions, parsed, not_on_break[operator])
            keep.update(needed)
            if last_state.get(operator) == OFFLINE and not needed:
                self.offline.add(operator)
            else:
                self.offline.discard(operator)
        self.carried = [inputs[position - 1] for position in sorted(keep)]
        self._forget_old_segments()
        return in_progress

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


def _call_rows(log, inputs, ids_by_seq, project_of_queue, *, known, skipped):
    """``(line_no, row)`` of the closed calls, mapped as the batch import maps them."""
    rows = []
    for call in log.calls:
        project = project_of_queue.get(call.queue)
        line_no = inputs[call.line_no - 1].line_no
        external_id = ids_by_seq.get(inputs[call.line_no - 1].seq, call.uniqueid)
        if project is None:
            reason = f"queue {call.queue!r} maps to no project"
            skipped.append(Skipped(line_no, UNMAPPED_QUEUE, "call", reason))
        elif call.operator is not None and call.operator not in known:
            reason = f"unknown operator {call.operator!r} (agent {call.agent})"
            skipped.append(Skipped(line_no, UNKNOWN_OPERATOR, "call", reason))
        elif len(external_id) > EXTERNAL_ID_MAX_LENGTH:
            reason = f"uniqueid {external_id!r} is longer than {EXTERNAL_ID_MAX_LENGTH} characters"
            skipped.append(Skipped(line_no, MALFORMED, "call", reason))
        else:
            rows.append((line_no, _call_row(call, project, external_id)))
    return rows


def _event_rows(log, inputs, first_new, *, offline, known, skipped):
    """``(line_no, row)`` of the agent state changes the new lines made."""
    rows = []
    seen = set()
    for change in log.states:
        if change.line_no < first_new:
            continue  # stored by an earlier batch
        first, _ = change.operator not in seen, seen.add(change.operator)
        if first and change.operator in offline and change.state == OFFLINE:
            continue  # still offline: no change
        line_no = inputs[change.line_no - 1].line_no
        if change.operator not in known:
            reason = f"unknown operator {change.operator!r}"
            skipped.append(Skipped(line_no, UNKNOWN_OPERATOR, "agent event", reason))
            continue
        row = {"operator": change.operator, "state": change.state, "at": change.at}
        rows.append((line_no, row | {"reason": change.reason}))
    return rows


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
