"""Import an Asterisk ``queue_log`` of a telephony source: calls through ``calls_ingest``,
operator states through ``agent_events_ingest``, unmapped calls parked whole.

``telephony.queue_log`` reads the lines (see its docstring); this module maps what it read
through the source's tables and stores it (docs/telephony-queue-log.md):

- **The source.** ``source`` is a ``TelephonySource`` of kind ``asterisk-queue-log``.
  Without one, the client is the one owning the projects the queue map names and the
  projects named like a queue of the file; its source ``<client code>-queue-log`` is
  created or reused. ``queue_map`` ``{queue: project code}`` and ``agent_map``
  ``{agent: operator code}`` (the command's flags) are written into its mapping tables.
- **Queue -> project**: the source's queue mapping, else a project of the source's client
  named like the queue. **Agent -> operator**: the source's agent mappings
  (``SourceMaps.operator_for``: as logged, then normalized), else an operator whose code is
  the agent's name lower-cased.
- **Parked, not dropped.** A call whose queue maps to no project, or which was answered by
  an agent that maps to no operator, is not stored at all: it is parked
  (``telephony.parking.park``) with the reason and the missing name, its payload
  ``{"rows": [row], "queue": queue, "agents": [agent]}``: ``row`` is the ``calls_ingest``
  row without ``project`` and ``operator`` (times as ISO 8601 strings), ``agents`` the
  answering agent as logged (empty when unanswered). Storing it later (the same file
  imported again after the mapping was added) marks the parked call stored.
- **Agent events**: the reader's state changes; a ``break`` reason is mapped to a
  ``BreakReason`` code (the reason itself when it is an active code, case-insensitive and
  slugified, else ``QUEUE_LOG_DEFAULT_BREAK_REASON``, else none). An agent mapping to no
  operator has its events skipped and reported.
- **History is history**: unless ``keep_open``, an operator still logged in at the end of
  the input is closed there (``offline``, reason ``end-of-log``, at the last line's
  instant). Importing a longer version of the same file replaces such closings inside its
  span and marks their intervals for the KPI rollup.
- **Idempotent.** Rows go through the ingestion services in batches of at most 10,000; an
  identical stored row is a duplicate. A row the ingestion refuses is reported as skipped
  with its message and the rest of its batch is stored. One transaction for everything.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from agents.ingest import agent_events_ingest
from agents.models import AgentStateEvent, BreakReason, Operator
from calls import rollups
from calls.ingest import calls_ingest
from calls.models import Call
from contactcenter.errors import DomainError
from projects.models import Project
from telephony.mapping import SourceMaps
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource
from telephony.parking import park
from telephony.queue_log import (
    BREAK,
    END_OF_LOG,
    NONE_VALUES,
    OFFLINE,
    PendingCall,
    QueueCall,
    QueueLog,
    QueueLogLine,
    QueueLogReader,
    agent_name,
    open_queue_log,
    parse_line,
    queue_log_files,
)

INGEST_BATCH_SIZE = 10_000  # the ingestion services' limit per call
EXTERNAL_ID_MAX_LENGTH = cast(int, Call._meta.get_field("external_id").max_length)
SUMMARY_DETAIL_LINES = 50

MALFORMED = "malformed"
ORPHAN = "orphan"
UNKNOWN_OPERATOR = "unknown operator"
REFUSED = "refused by ingestion"
EXPIRED = "expired"


def pending_expiry_default() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "QUEUE_LOG_PENDING_EXPIRY_SECONDS", 4 * 3600))


@dataclass(frozen=True)
class Skipped:
    """Something of the file that was not stored, and why."""

    line_no: int
    kind: str  # MALFORMED, ORPHAN, UNKNOWN_OPERATOR, REFUSED or EXPIRED
    what: str  # "line", "call" or "agent event"
    reason: str
    file: str = ""


@dataclass(frozen=True)
class Parked:
    """A call parked for a missing mapping."""

    line_no: int
    reason: str  # ParkedCall.Reason
    missing: str
    call_key: str
    file: str = ""


@dataclass
class QueueLogImportResult:
    source: str = ""
    calls_created: int = 0
    calls_duplicate: int = 0
    events_created: int = 0
    events_duplicate: int = 0
    closed_at_end: int = 0  # operators closed at the end of the input
    pending: list[PendingCall] = field(default_factory=list)
    parked: list[Parked] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def pending_calls(self) -> int:
        return len(self.pending)

    def skipped_count(self, kind=None, what=None) -> int:
        return sum(
            1
            for item in self.skipped
            if (kind is None or item.kind == kind) and (what is None or item.what == what)
        )

    def summary(self) -> list[str]:
        """Human-readable lines, as the management command prints them."""
        calls = gettext(
            "calls: %(created)s created, %(duplicates)s duplicates, "
            "%(pending)s still in progress (not imported)"
        )
        events = gettext("agent events: %(created)s created, %(duplicates)s duplicates")
        lines = [
            gettext("source: %(source)s") % {"source": self.source},
            calls
            % {
                "created": self.calls_created,
                "duplicates": self.calls_duplicate,
                "pending": self.pending_calls,
            },
            events % {"created": self.events_created, "duplicates": self.events_duplicate},
            gettext("operators closed at the end of the log: %(count)s")
            % {"count": self.closed_at_end},
        ]
        lines.extend(self._parked_lines())
        lines.extend(self._skipped_lines())
        return lines

    def _parked_lines(self) -> list[str]:
        if not self.parked:
            return [gettext("parked: nothing")]
        lines = [gettext("parked: %(counted)s") % {"counted": _counted("call", len(self.parked))}]
        grouped = Counter((item.reason, item.missing) for item in self.parked)
        labels = dict(ParkedCall.Reason.choices)
        for (reason, missing), count in sorted(grouped.items()):
            lines.append(f"  {labels[reason]} {missing!r}: {_counted('call', count)}")
        return lines

    def _skipped_lines(self) -> list[str]:
        if not self.skipped:
            return [gettext("skipped: nothing")]
        by_what = Counter(item.what for item in self.skipped)
        counted = ", ".join(_counted(what, count) for what, count in sorted(by_what.items()))
        lines = [gettext("skipped: %(counted)s") % {"counted": counted}]
        grouped = Counter(
            (item.what, item.reason) for item in self.skipped if item.kind == UNKNOWN_OPERATOR
        )
        for (what, reason), count in sorted(grouped.items()):
            lines.append(f"  {reason}: {_counted(what, count)}")
        detailed = [item for item in self.skipped if item.kind != UNKNOWN_OPERATOR]
        lines.extend(
            gettext("  %(where)s: %(reason)s") % {"where": _where(item), "reason": item.reason}
            for item in detailed[:SUMMARY_DETAIL_LINES]
        )
        if len(detailed) > SUMMARY_DETAIL_LINES:
            more = len(detailed) - SUMMARY_DETAIL_LINES
            lines.append(gettext("  ... and %(count)s more") % {"count": more})
        return lines

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for a Celery task's return value or a log line."""
        return {
            "source": self.source,
            "calls_created": self.calls_created,
            "calls_duplicate": self.calls_duplicate,
            "events_created": self.events_created,
            "events_duplicate": self.events_duplicate,
            "closed_at_end": self.closed_at_end,
            "pending_calls": [
                {"queue": c.queue, "uniqueid": c.uniqueid, "file": c.file, "line_no": c.line_no}
                for c in self.pending
            ],
            "parked": [asdict(item) for item in self.parked],
            "skipped": [asdict(item) for item in self.skipped],
        }


def _where(item: Skipped) -> str:
    if item.file:
        return gettext("%(file)s line %(line)s") % {"file": item.file, "line": item.line_no}
    return gettext("line %(line)s") % {"line": item.line_no}


# -- entry points -------------------------------------------------------------------------


def queue_log_import_file(*, path, **options) -> QueueLogImportResult:
    """Import the file (or rotated set, or glob) at ``path``: the task-ready entry point."""
    paths = [path] if isinstance(path, str | Path) else list(path)
    return queue_log_import_files(paths=paths, **options)


def queue_log_import_files(*, paths: Iterable[str | Path], **options) -> QueueLogImportResult:
    """Import files given together or by glob, oldest first (``queue_log.2.gz``,
    ``queue_log.1``, ``queue_log``); ``OSError`` when one cannot be read."""
    files = queue_log_files(paths)
    for path in files:  # fail before anything is read when one is missing
        if not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path))
    feeds = [(path.name, functools.partial(open_queue_log, path)) for path in files]
    return _import(feeds, **options)


def queue_log_import(*, lines: Iterable[str], file_name: str = "", **options):
    """Import ``queue_log`` lines (in file order); see the module docstring for the rules."""
    kept = list(lines)
    return _import([(file_name, lambda: kept)], **options)


@transaction.atomic
def _import(
    feeds: Sequence[tuple[str, Callable[[], Iterable[str]]]],
    *,
    source: TelephonySource | str | None = None,
    queue_map: Mapping[str, str] | None = None,
    agent_map: Mapping[str, str] | None = None,
    keep_open: bool = False,
    pending_expiry: dt.timedelta | bool | None = True,
) -> QueueLogImportResult:
    queue_map, agent_map = dict(queue_map or {}), dict(agent_map or {})
    found = resolve_source(source, queue_map=queue_map, queues=lambda: _queues_of(feeds))
    add_mappings(found, queue_map=queue_map, agent_map=agent_map)
    resolver = Resolver(found)
    if pending_expiry is True:
        pending_expiry = pending_expiry_default()
    reader = QueueLogReader(
        operator_of=resolver.operator_code,
        group_of=resolver.group_of,
        pending_expiry=pending_expiry or None,
    )
    for file_name, lines in feeds:
        reader.feed(lines(), file=file_name)
    log = reader.finish(close_open_states=not keep_open)
    return store_queue_log(log, source=found, resolver=resolver, keep_open=keep_open)


def store_queue_log(
    log: QueueLog, *, source: TelephonySource, resolver: Resolver | None = None, keep_open=True
) -> QueueLogImportResult:
    """Store what a reader gave (a whole read, or one ``drain()`` of a tailer)."""
    resolver = resolver or Resolver(source)
    result = QueueLogImportResult(source=source.code, pending=log.pending)
    for issue in log.issues:
        kind = MALFORMED if issue.reason.startswith("malformed") else ORPHAN
        result.skipped.append(Skipped(issue.line_no, kind, "line", issue.reason, issue.file))
    result.skipped.extend(
        Skipped(call.line_no, EXPIRED, "call", call.reason, call.file) for call in log.expired
    )
    call_rows = _call_rows(log.calls, source=source, resolver=resolver, result=result)
    event_rows = _event_rows(log, resolver=resolver, result=result)
    if not keep_open and log.first_at is not None and log.last_at is not None:
        _drop_superseded_closings(log, event_rows)

    result.calls_created, result.calls_duplicate = ingest_in_batches(
        calls_ingest, call_rows, what="call", skipped=result.skipped
    )
    result.events_created, result.events_duplicate = ingest_in_batches(
        # Reasons are mapped to codes above; an offline's "end-of-log" is free text.
        functools.partial(agent_events_ingest, strict_reasons=False),
        event_rows,
        what="agent event",
        skipped=result.skipped,
    )
    stored_keys = [_call_key(row["external_id"], row["queue"]) for _l, _f, row in call_rows]
    ParkedCall.objects.filter(source=source, resolved_at=None, call_key__in=stored_keys).update(
        resolved_at=timezone.now()
    )
    result.skipped.sort(key=lambda item: (item.file, item.line_no))
    return result


# -- the source and its mappings ----------------------------------------------------------


def resolve_source(
    source: TelephonySource | str | None,
    *,
    queue_map: Mapping[str, str],
    queues: Callable[[], set[str]],
) -> TelephonySource:
    """The named source, or the client's queue_log source the maps and queues imply."""
    if isinstance(source, TelephonySource):
        found = source
    elif source:
        named = TelephonySource.objects.filter(code=source).first()
        if named is None:
            raise DomainError(
                gettext("Unknown telephony source %(code)s.") % {"code": source},
                details={"source": [gettext("No such source.")]},
            )
        found = named
    else:
        codes = set(queue_map.values()) or queues()
        clients = set(Project.objects.filter(code__in=codes).values_list("client_id", flat=True))
        if len(clients) != 1:
            raise DomainError(
                gettext(
                    "Name the telephony source (--source): the queues map to the projects "
                    "of %(count)s clients."
                )
                % {"count": len(clients)},
                details={"source": [gettext("Required here.")]},
            )
        project = Project.objects.select_related("client").filter(code__in=codes).first()
        client = cast(Project, project).client
        found, _created = TelephonySource.objects.get_or_create(
            code=f"{client.code}-queue-log"[:40],
            defaults={
                "client": client,
                "name": f"{client.code} queue_log",
                "kind": TelephonySource.Kind.ASTERISK_QUEUE_LOG,
            },
        )
    if found.kind != TelephonySource.Kind.ASTERISK_QUEUE_LOG:
        raise DomainError(
            gettext("Source %(code)s is not an Asterisk queue_log source.") % {"code": found.code},
            details={"source": [gettext("Wrong kind.")]},
        )
    return found


def add_mappings(source, *, queue_map: Mapping[str, str], agent_map: Mapping[str, str]):
    """Write the command's ``QUEUE=PROJECT`` and ``AGENT=OPERATOR`` pairs into the tables."""
    projects = {
        p.code: p for p in Project.objects.filter(client=source.client, code__in=queue_map.values())
    }
    operators = {o.code: o for o in Operator.objects.filter(code__in=agent_map.values())}
    unknown = sorted(set(queue_map.values()) - set(projects))
    if unknown:
        raise DomainError(
            gettext("No project %(codes)s of the source's client.") % {"codes": ", ".join(unknown)},
            details={"queue_map": [gettext("Unknown project.")]},
        )
    unknown = sorted(set(agent_map.values()) - set(operators))
    if unknown:
        raise DomainError(
            gettext("No operator %(codes)s.") % {"codes": ", ".join(unknown)},
            details={"agent_map": [gettext("Unknown operator.")]},
        )
    for queue, code in queue_map.items():
        QueueMapping.objects.update_or_create(
            source=source, queue=queue, defaults={"project": projects[code]}
        )
    for agent, code in agent_map.items():
        AgentMapping.objects.update_or_create(
            source=source,
            kind=AgentMapping.Kind.AGENT,
            name=agent,
            defaults={"operator": operators[code]},
        )


def _queues_of(feeds) -> set[str]:
    """The queues the input names (a cheap first pass to find the client)."""
    queues = set()
    for _file_name, lines in feeds:
        for line_no, text in enumerate(lines(), start=1):
            parsed = parse_line(text, line_no)
            if isinstance(parsed, QueueLogLine) and parsed.queue not in NONE_VALUES:
                queues.add(parsed.queue)
    return queues


class Resolver:
    """Queue -> project and agent -> operator for one source, cached per name."""

    def __init__(self, source: TelephonySource):
        self.source = source
        self.maps = SourceMaps.load(source)
        self._projects: dict[str, Project | None] = {}
        self._operators: dict[str, str | None] = {}

    def project(self, queue: str) -> Project | None:
        if queue not in self._projects:
            self._projects[queue] = (
                self.maps.project_for(queue)
                or Project.objects.filter(client=self.source.client_id, code=queue).first()
            )
        return self._projects[queue]

    def group_of(self, queue: str) -> Hashable:
        project = self.project(queue)
        return project.pk if project else f"queue:{queue}"

    def operator_code(self, agent: str) -> str | None:
        if agent not in self._operators:
            mapped = self.maps.operator_for(agent)
            if mapped is not None:
                self._operators[agent] = mapped.code
            else:
                code = agent_name(agent).lower()
                self._operators[agent] = (
                    code if code and Operator.objects.filter(code=code).exists() else None
                )
        return self._operators[agent]


# -- rows ---------------------------------------------------------------------------------


def _call_key(external_id: str, queue: str) -> str:
    return f"{queue}|{external_id}"[:255]


def _call_rows(calls: list[QueueCall], *, source, resolver: Resolver, result):
    """``(line_no, file, row)`` per storable call; the others parked or skipped."""
    rows = []
    for call in calls:
        external_id = call.external_id
        if len(external_id) > EXTERNAL_ID_MAX_LENGTH:
            result.skipped.append(
                Skipped(
                    call.line_no,
                    MALFORMED,
                    "call",
                    f"uniqueid {external_id!r} is longer than {EXTERNAL_ID_MAX_LENGTH} characters",
                    call.file,
                )
            )
            continue
        project = resolver.project(call.queue)
        row = _call_row(call, external_id)
        if project is None or (call.agent and call.operator is None):
            _park(call, row, source=source, unmapped_queue=project is None, result=result)
            continue
        row |= {"project": project.code, "operator": call.operator}
        rows.append((call.line_no, call.file, row))
    return rows


def _park(call: QueueCall, row, *, source, unmapped_queue: bool, result) -> None:
    if unmapped_queue:
        reason, missing = ParkedCall.Reason.UNMAPPED_QUEUE, call.queue
    else:
        reason, missing = ParkedCall.Reason.UNKNOWN_AGENT, cast(str, call.agent)
    key = _call_key(row["external_id"], call.queue)
    payload_row = {
        name: value.isoformat() if isinstance(value, dt.datetime) else value
        for name, value in row.items()
        if name != "queue"
    }
    park(
        source,
        call_key=key,
        reason=reason,
        missing=missing[:128],
        payload={
            "rows": [payload_row],
            "queue": call.queue,
            "agents": [call.agent] if call.agent else [],
        },
        file_name=call.file[:255],
        line_no=call.line_no,
    )
    result.parked.append(Parked(call.line_no, reason, missing, key, call.file))


def _call_row(call: QueueCall, external_id: str) -> dict[str, Any]:
    """The ``calls_ingest`` row without project and operator (``queue`` is dropped later)."""
    return {
        "external_id": external_id,
        "queue": call.queue,
        "direction": Call.Direction.INBOUND.value,
        "caller": call.caller,
        "offered_at": call.offered_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "hold_seconds": 0,
        "wrap_seconds": 0,
        "disposition": call.disposition,
    }


def _event_rows(log: QueueLog, *, resolver: Resolver, result):
    reasons = _break_reason_codes()
    rows = []
    for change in log.states:
        if change.operator is None:
            result.skipped.append(
                Skipped(
                    change.line_no,
                    UNKNOWN_OPERATOR,
                    "agent event",
                    f"unknown operator for agent {change.agent!r}",
                    change.file,
                )
            )
            continue
        if change.state == OFFLINE and change.reason == END_OF_LOG:
            result.closed_at_end += 1
        reason = break_reason(change.reason, reasons) if change.state == BREAK else change.reason
        row = {"operator": change.operator, "state": change.state, "at": change.at}
        rows.append((change.line_no, change.file, row | {"reason": reason}))
    return rows


def _break_reason_codes() -> frozenset[str]:
    return frozenset(BreakReason.objects.filter(is_active=True).values_list("code", flat=True))


def break_reason(raw: str, codes: frozenset[str]) -> str:
    """A PBX pause reason as a ``BreakReason`` code: itself (case-insensitive, slugified)
    when it is one, else ``QUEUE_LOG_DEFAULT_BREAK_REASON`` when active, else none."""
    for candidate in (raw.strip().lower(), slugify(raw)):
        if candidate in codes:
            return candidate
    default = getattr(settings, "QUEUE_LOG_DEFAULT_BREAK_REASON", "break")
    return default if default in codes else ""


def _drop_superseded_closings(log: QueueLog, event_rows) -> None:
    """A longer read of the same log: its closings stored earlier inside this span are no
    longer the end; delete them and mark their intervals for the rollup."""
    operators = {row["operator"] for _l, _f, row in event_rows}
    stale = AgentStateEvent.objects.filter(
        operator__code__in=operators,
        state=OFFLINE,
        reason=END_OF_LOG,
        at__gte=log.first_at,
        at__lt=log.last_at,
    )
    first = stale.order_by("at").values_list("at", flat=True).first()
    if first is not None:
        stale.delete()
        rollups.mark_dirty(start=first, end=cast(dt.datetime, log.last_at))


def ingest_in_batches(ingest, numbered_rows, *, what, skipped):
    """Store ``(line_no, file, row)`` triples in batches; returns ``(created, duplicates)``.

    The ingestion is all-or-nothing per batch and names the refused rows by index, so a
    refused row is reported as skipped and the batch is sent again without it.
    """
    created = duplicates = 0
    for start in range(0, len(numbered_rows), INGEST_BATCH_SIZE):
        batch = numbered_rows[start : start + INGEST_BATCH_SIZE]
        while batch:
            try:
                with transaction.atomic():  # a savepoint: a refused batch leaves no trace
                    outcome = ingest(rows=[_without_queue(row) for _l, _f, row in batch])
            except DomainError as error:
                refused = _refused_rows(error, len(batch))
                if not refused:
                    raise
                for index in sorted(refused, reverse=True):
                    line_no, file_name, _row = batch.pop(index)
                    skipped.append(Skipped(line_no, REFUSED, what, refused[index], file_name))
                continue
            created += outcome.created
            duplicates += outcome.duplicates
            break
    return created, duplicates


def _without_queue(row):
    return {name: value for name, value in row.items() if name != "queue"}


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
