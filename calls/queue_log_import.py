"""Import an Asterisk ``queue_log``: its calls become call records, its members' pauses and
logins become agent state events, through the same batch ingestion as the REST API.

``calls.queue_log`` reads the file (pure, see its docstring for the event rules); this module
maps what it read to projects and operators and stores it:

- **Queue -> project.** An explicit map ``{queue: project code}`` wins; a queue named exactly
  like a project code maps to that project without being listed. A queue that maps to no
  existing project is skipped, each of its calls reported (``unmapped queue``).
- **Agent -> operator.** The agent string's own name, technology, ``@context`` and Local's
  ``/n`` stripped and lower-cased (``PJSIP/op001`` -> ``op001``, ``Local/1001@agents/n`` ->
  ``1001``); an explicit agent map is tried first with the agent as logged, then with that
  name (``{"SIP/1002": "op002"}`` or ``{"1002": "op002"}``). The contract makes an unknown
  operator invalid, so a call answered by one, and that agent's state events, are skipped
  and reported (``unknown operator``); the rest is imported.
- **Calls.** One row per closed call segment: ``external_id`` is the Asterisk uniqueid,
  ``direction`` inbound, ``hold_seconds`` and ``wrap_seconds`` 0 (the queue log knows
  neither: its "holdtime" is the wait in the queue, which the contract derives from the
  instants). When one uniqueid has several segments in queues of the same project (sent
  back to the queue after a timeout, overflow to a sibling queue), the first keeps the bare
  uniqueid and the next ones get ``-2``, ``-3``... in the order they entered, counted over
  every segment of the input, pending ones included, so re-reading a file that has grown
  names them the same. Calls still in progress are not imported; they are counted as
  pending and imported by a later run, once the file shows their end.
- **Agent events.** The reader's global state changes (one per real change of an operator's
  state, see ``calls.queue_log``).
- **Idempotent.** Rows go through ``calls.ingest.calls_ingest`` and
  ``agents.ingest.agent_events_ingest`` in batches of at most 10,000; an identical row
  already stored is counted as a duplicate, so importing the same file again, or a longer
  version of it, creates only what is new. A row the ingestion refuses (say, the same
  uniqueid stored with other data) is reported as skipped with the ingestion's message and
  the rest of its batch is stored.
- **Malformed lines** are reported with their line number and never stop the import.

The whole import is one transaction: a crash stores nothing, and running it again is safe.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import cast

from django.db import transaction
from django.utils.translation import gettext, ngettext

from agents.ingest import agent_events_ingest
from agents.models import Operator
from calls.ingest import calls_ingest
from calls.models import Call
from calls.queue_log import PendingCall, QueueCall, read_queue_log
from contactcenter.errors import DomainError
from projects.models import Project

INGEST_BATCH_SIZE = 10_000  # the ingestion services' limit per call
EXTERNAL_ID_MAX_LENGTH = cast(int, Call._meta.get_field("external_id").max_length)
SUMMARY_DETAIL_LINES = 50

MALFORMED = "malformed"
UNMAPPED_QUEUE = "unmapped queue"
UNKNOWN_OPERATOR = "unknown operator"
REFUSED = "refused by ingestion"


@dataclass(frozen=True)
class Skipped:
    """Something of the file that was not stored, and why."""

    line_no: int
    kind: str  # MALFORMED, UNMAPPED_QUEUE, UNKNOWN_OPERATOR or REFUSED
    what: str  # "line", "call" or "agent event"
    reason: str


@dataclass
class QueueLogImportResult:
    calls_created: int = 0
    calls_duplicate: int = 0
    events_created: int = 0
    events_duplicate: int = 0
    pending: list[PendingCall] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def pending_calls(self):
        return len(self.pending)

    def skipped_count(self, kind=None, what=None):
        return sum(
            1
            for item in self.skipped
            if (kind is None or item.kind == kind) and (what is None or item.what == what)
        )

    def summary(self):
        """Human-readable lines, as the management command prints them."""
        calls = gettext(
            "calls: %(created)s created, %(duplicates)s duplicates, "
            "%(pending)s still in progress (not imported)"
        )
        events = gettext("agent events: %(created)s created, %(duplicates)s duplicates")
        lines = [
            calls
            % {
                "created": self.calls_created,
                "duplicates": self.calls_duplicate,
                "pending": self.pending_calls,
            },
            events % {"created": self.events_created, "duplicates": self.events_duplicate},
        ]
        if not self.skipped:
            lines.append(gettext("skipped: nothing"))
            return lines
        by_what = Counter(item.what for item in self.skipped)
        counted = ", ".join(_counted(what, count) for what, count in sorted(by_what.items()))
        lines.append(gettext("skipped: %(counted)s") % {"counted": counted})
        grouped = Counter(
            (item.kind, item.what, item.reason)
            for item in self.skipped
            if item.kind in {UNMAPPED_QUEUE, UNKNOWN_OPERATOR}
        )
        for (_kind, what, reason), count in sorted(grouped.items()):
            lines.append(f"  {reason}: {_counted(what, count)}")
        detailed = [item for item in self.skipped if item.kind in {MALFORMED, REFUSED}]
        lines.extend(
            gettext("  line %(line)s: %(reason)s") % {"line": item.line_no, "reason": item.reason}
            for item in detailed[:SUMMARY_DETAIL_LINES]
        )
        if len(detailed) > SUMMARY_DETAIL_LINES:
            more = len(detailed) - SUMMARY_DETAIL_LINES
            lines.append(gettext("  ... and %(count)s more") % {"count": more})
        return lines

    def as_dict(self):
        """JSON-ready, for a Celery task's return value or a log line."""
        return {
            "calls_created": self.calls_created,
            "calls_duplicate": self.calls_duplicate,
            "events_created": self.events_created,
            "events_duplicate": self.events_duplicate,
            "pending_calls": [
                {"queue": call.queue, "uniqueid": call.uniqueid, "line_no": call.line_no}
                for call in self.pending
            ],
            "skipped": [asdict(item) for item in self.skipped],
        }


def queue_log_import_file(*, path, queue_map=None, agent_map=None):
    """Import the ``queue_log`` file at ``path``: the task-ready entry point."""
    # errors="replace": a pause reason in a legacy encoding must not abort the import.
    with open(path, encoding="utf-8", errors="replace") as lines:
        return queue_log_import(lines=lines, queue_map=queue_map, agent_map=agent_map)


@transaction.atomic
def queue_log_import(
    *,
    lines: Iterable[str],
    queue_map: Mapping[str, str] | None = None,
    agent_map: Mapping[str, str] | None = None,
):
    """Import ``queue_log`` lines (in file order); see the module docstring for the rules."""
    agent_map = dict(agent_map or {})
    log = read_queue_log(lines, agent_map=agent_map)
    result = QueueLogImportResult(pending=log.pending)
    result.skipped.extend(
        Skipped(issue.line_no, MALFORMED, "line", issue.reason) for issue in log.issues
    )

    project_of_queue = _projects_of_queues(
        {call.queue for call in log.calls} | {call.queue for call in log.pending},
        queue_map or {},
    )
    wanted = {call.operator for call in log.calls if call.operator}
    wanted |= {change.operator for change in log.states}
    known_operators = set(Operator.objects.filter(code__in=wanted).values_list("code", flat=True))

    call_rows = []
    external_ids = _external_ids(log, project_of_queue)
    for call in log.calls:
        project = project_of_queue.get(call.queue)
        if project is None:
            result.skipped.append(
                Skipped(
                    call.line_no,
                    UNMAPPED_QUEUE,
                    "call",
                    f"queue {call.queue!r} maps to no project",
                )
            )
            continue
        if call.operator is not None and call.operator not in known_operators:
            result.skipped.append(
                Skipped(
                    call.line_no,
                    UNKNOWN_OPERATOR,
                    "call",
                    f"unknown operator {call.operator!r} (agent {call.agent})",
                )
            )
            continue
        external_id = external_ids[(call.queue, call.uniqueid, call.line_no)]
        if len(external_id) > EXTERNAL_ID_MAX_LENGTH:
            result.skipped.append(
                Skipped(
                    call.line_no,
                    MALFORMED,
                    "call",
                    f"uniqueid {external_id!r} is longer than {EXTERNAL_ID_MAX_LENGTH} characters",
                )
            )
            continue
        call_rows.append((call.line_no, _call_row(call, project, external_id)))

    event_rows = []
    for change in log.states:
        if change.operator not in known_operators:
            result.skipped.append(
                Skipped(
                    change.line_no,
                    UNKNOWN_OPERATOR,
                    "agent event",
                    f"unknown operator {change.operator!r}",
                )
            )
            continue
        event_rows.append(
            (
                change.line_no,
                {
                    "operator": change.operator,
                    "state": change.state,
                    "at": change.at,
                    "reason": change.reason,
                },
            )
        )

    result.calls_created, result.calls_duplicate = _ingest_in_batches(
        calls_ingest, call_rows, what="call", skipped=result.skipped
    )
    result.events_created, result.events_duplicate = _ingest_in_batches(
        # Asterisk pause reasons are the telephony's free text, kept as they are.
        functools.partial(agent_events_ingest, strict_reasons=False),
        event_rows,
        what="agent event",
        skipped=result.skipped,
    )
    result.skipped.sort(key=lambda item: item.line_no)
    return result


def _projects_of_queues(queues, queue_map):
    """``{queue: project code}`` for the queues that map to an existing project."""
    wanted = {queue: queue_map.get(queue, queue) for queue in queues}
    existing = set(
        Project.objects.filter(code__in=set(wanted.values())).values_list("code", flat=True)
    )
    return {queue: code for queue, code in wanted.items() if code in existing}


def _external_ids(log, project_of_queue):
    """Each segment's external id: the uniqueid, suffixed from a project's second segment on."""
    segments = [(call.queue, call.uniqueid, call.line_no) for call in log.calls]
    segments += [(call.queue, call.uniqueid, call.line_no) for call in log.pending]
    seen = defaultdict(int)
    external_ids = {}
    for queue, uniqueid, line_no in sorted(segments, key=lambda segment: segment[2]):
        project = project_of_queue.get(queue)
        seen[(project, uniqueid)] += 1
        ordinal = seen[(project, uniqueid)]
        external_ids[(queue, uniqueid, line_no)] = (
            uniqueid if ordinal == 1 else f"{uniqueid}-{ordinal}"
        )
    return external_ids


def _call_row(call: QueueCall, project, external_id):
    return {
        "external_id": external_id,
        "project": project,
        "direction": Call.Direction.INBOUND.value,
        "caller": call.caller,
        "operator": call.operator,
        "offered_at": call.offered_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "hold_seconds": 0,
        "wrap_seconds": 0,
        "disposition": call.disposition,
    }


def _ingest_in_batches(ingest, numbered_rows, *, what, skipped):
    """Store ``(line_no, row)`` pairs in batches; returns ``(created, duplicates)``.

    The ingestion is all-or-nothing per batch and names the refused rows by index, so a
    refused row is reported as skipped and the batch is sent again without it.
    """
    created = duplicates = 0
    for start in range(0, len(numbered_rows), INGEST_BATCH_SIZE):
        batch = numbered_rows[start : start + INGEST_BATCH_SIZE]
        while batch:
            try:
                with transaction.atomic():  # a savepoint: a refused batch leaves no trace
                    outcome = ingest(rows=[row for _line_no, row in batch])
            except DomainError as error:
                refused = _refused_rows(error, len(batch))
                if not refused:
                    raise
                for index in sorted(refused, reverse=True):
                    line_no, _row = batch.pop(index)
                    skipped.append(Skipped(line_no, REFUSED, what, refused[index]))
                continue
            created += outcome.created
            duplicates += outcome.duplicates
            break
    return created, duplicates


def _refused_rows(error: DomainError, batch_size):
    """``{row index: message}`` from an ingestion error whose details are keyed by row."""
    refused = {}
    for key, message in (error.details or {}).items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            continue
        if 0 <= index < batch_size:
            refused[index] = _flatten(message)
    return refused


def _flatten(message):
    if isinstance(message, Mapping):
        return "; ".join(f"{name}: {_flatten(text)}" for name, text in message.items())
    if isinstance(message, list | tuple):
        return "; ".join(_flatten(text) for text in message)
    return str(message)


def _counted(what: str, count: int) -> str:
    """``2 call(s)``: a count of skipped things (calls, agent events, lines) for people."""
    if what == "call":
        text = ngettext("%(count)s call(s)", "%(count)s call(s)", count)
    elif what == "agent event":
        text = ngettext("%(count)s agent event(s)", "%(count)s agent event(s)", count)
    elif what == "line":
        text = ngettext("%(count)s line(s)", "%(count)s line(s)", count)
    else:
        return f"{count} {what}(s)"
    return text % {"count": count}
