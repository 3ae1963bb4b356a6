"""``import_queue_log --follow``: tail a growing ``queue_log`` and store it as it is written.

``Tail`` reads the complete new lines of a file (a last line without its newline waits)
and follows it through rotation: when the path names another file (a new inode: Asterisk's
``logger rotate``, logrotate's ``create``) it finishes the old file through the handle it
still holds, a last line without newline included, then reads the new one from its start;
when the file shrinks (logrotate's ``copytruncate``) it starts again from 0.

``follow`` loops: each batch of new lines goes to ``telephony.follow_feed.Feed`` (live call
events, agent states, finished calls) and, in the same transaction, the file's position
and the reader state are saved in ``QueueLogCursor``. A restart, or a crash, resumes after
the last line stored: the cursor names the inode and byte offset; if the path names
another file by then, the old one is looked up by its inode in the same folder
(``queue_log.1``) and finished first, when it is still there and not compressed.

The lines of the last second written wait one poll when more keep coming: Asterisk logs a
``PAUSEALL`` and its ``PAUSE`` per queue in one second, and the reader keeps one state per
operator and second, so a second is never split between two batches.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from django.db import close_old_connections, transaction
from django.utils.translation import gettext as _

from telephony.follow_feed import Feed, FeedResult
from telephony.models import ParkedCall, QueueLogCursor, TelephonySource
from telephony.queue_log_import import resolve_source

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20  # read at most this much per poll
MIN_POLL_INTERVAL, MAX_POLL_INTERVAL = 0.01, 3600.0  # seconds, the command's bounds
MAX_BATCH_LINES = 1000  # lines per stored batch (each makes at most 3 rows, far below 10,000)


class Stop(Protocol):
    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True)
class TailLine:
    inode: int
    line_no: int  # in its file, from 1
    end: int  # the byte offset right after the line
    text: str

    @property
    def second(self) -> str:
        """The line's epoch second as written (the reader's own check comes later)."""
        return self.text.split("|", 1)[0].split(".", 1)[0].strip()


class Tail:
    """The complete lines appended to ``path``, across rotations (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        inode: int | None = None,
        offset: int = 0,
        line_no: int = 0,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.path = Path(path)
        self.chunk_bytes = chunk_bytes
        self.file: BinaryIO | None = None
        self.inode: int | None = None
        self.offset = 0
        self.line_no = 0
        self._resume = (inode, offset, line_no)
        self._then_path = False  # draining a rotated file found at start, then the path

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def poll(self) -> list[TailLine]:  # noqa: PLR0911  one return per case of the file
        """The complete lines written since the last poll (at most ``chunk_bytes``)."""
        if self.file is None and not self._start():
            return []
        lines = self._read()
        if lines:
            return lines
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            if not self._then_path:
                return []  # renamed, not yet created again: the old file may still grow
            current = None
        if current is not None and current.st_ino == self.inode and not self._then_path:
            if current.st_size < self.offset:  # copytruncate: the same file, from 0
                logger.info("%s was truncated; reading it from its start", self.path)
                self.offset = self.line_no = 0
                return self._read()
            return []
        lines = self._read(final=True)  # the old file's rest, a last line without newline too
        if current is None:
            return lines  # wait for the path to exist again
        logger.info("%s was rotated; reading the new file from its start", self.path)
        self._open(self.path, offset=0, line_no=0)
        self._then_path = False
        return lines + self._read()

    def _start(self) -> bool:
        inode, offset, line_no = self._resume
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            return False
        if inode is None or current.st_ino == inode:
            if current.st_size < offset:
                offset = line_no = 0  # truncated while we were away
            self._open(self.path, offset=offset, line_no=line_no)
            return True
        rotated = _find_inode(self.path, inode)
        if rotated is not None and os.stat(rotated).st_size >= offset:
            logger.info("%s was rotated while stopped; finishing %s first", self.path, rotated)
            self._open(rotated, offset=offset, line_no=line_no)
            self._then_path = True
        else:
            logger.warning("%s was rotated while stopped and the old file is gone", self.path)
            self._open(self.path, offset=0, line_no=0)
        return True

    def _open(self, path: Path, *, offset: int, line_no: int) -> None:
        self.close()
        self.file = open(path, "rb")  # noqa: SIM115  held across polls, closed by close()
        self.inode = os.fstat(self.file.fileno()).st_ino
        self.offset, self.line_no = offset, line_no

    def _read(self, *, final: bool = False) -> list[TailLine]:
        if self.file is None or self.inode is None:  # pragma: no cover - _start opened it
            return []
        self.file.seek(self.offset)
        data = self.file.read(self.chunk_bytes)
        cut = data.rfind(b"\n") + 1
        if cut == 0 and (final or len(data) == self.chunk_bytes):
            cut = len(data)  # a file's unfinished last line, or a line longer than a chunk
        lines = []
        for raw in data[:cut].splitlines(keepends=True):
            self.offset += len(raw)
            self.line_no += 1
            text = raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
            if self.line_no == 1:
                text = text.removeprefix("\ufeff")
            lines.append(TailLine(self.inode, self.line_no, self.offset, text))
        return lines


def _find_inode(path: Path, inode: int) -> Path | None:
    """The file of ``path``'s folder with this inode (a rotated ``queue_log.1``), if any."""
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return None
    for entry in entries:
        if entry.name.startswith(path.name) and entry.inode() == inode and entry.is_file():
            return Path(entry.path)
    return None


def follow(
    path: str | os.PathLike[str],
    *,
    source: TelephonySource | str | None = None,
    queue_map: dict[str, str] | None = None,
    agent_map: dict[str, str] | None = None,
    poll_interval: float = 1.0,
    stop: Stop | None = None,
    on_batch: Callable[[FeedResult, QueueLogCursor], None] | None = None,
    max_batch_lines: int = MAX_BATCH_LINES,
) -> FeedResult:
    """Follow ``path`` until ``stop`` is set; returns what was stored in all.

    ``source`` (a ``TelephonySource`` or its code) names the mappings; without it, and
    without ``queue_map``, the first batch's queues name the client (``Feed``)."""
    stop = threading.Event() if stop is None else stop
    found = None
    if source is not None or queue_map:  # a wrong source fails now, not at the first line
        found = resolve_source(source, queue_map=queue_map or {}, queues=set)
    cursor, _created = QueueLogCursor.objects.get_or_create(
        source=found, path=os.path.abspath(path)
    )
    feed = Feed(source=found, queue_map=queue_map, agent_map=agent_map, state=cursor.state)
    tail = Tail(path, inode=cursor.inode, offset=cursor.offset, line_no=cursor.line_no)
    total = FeedResult()
    waiting: list[TailLine] = []
    try:
        while not stop.is_set():
            fresh = tail.poll()
            waiting.extend(fresh)
            ready = _settled(waiting) if fresh else waiting
            waiting = waiting[len(ready) :]
            for batch in _batches(ready, max_batch_lines):
                if stop.is_set():
                    return total  # the rest is read again after the restart
                close_old_connections()  # a long-lived process outlives its connection
                result = _store(feed, cursor, batch)
                total.add(result)
                if on_batch is not None:
                    on_batch(result, cursor)
            if not fresh:
                stop.wait(poll_interval)
    finally:
        tail.close()
    return total


def follow_until_signalled(path, *, stdout, stderr, **options) -> FeedResult:
    """``follow`` until SIGTERM or SIGINT (``import_queue_log --follow``), each stored batch
    written to ``stdout`` in one line and what it skipped to ``stderr``."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():  # signals reach only it
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda _signum, _frame: stop.set())

    def report(result: FeedResult, cursor: QueueLogCursor) -> None:
        text = _(
            "line %(line)s: %(live)s live call events, %(events)s agent events, "
            "%(calls)s calls stored, %(parked)s parked, %(skipped)s skipped"
        )
        stdout.write(
            text
            % {
                "line": cursor.line_no,
                "live": result.live_created,
                "events": result.stored.events_created,
                "calls": result.stored.calls_created,
                "parked": len(result.stored.parked),
                "skipped": len(result.stored.skipped),
            }
        )
        for parked in result.stored.parked:
            stderr.write(
                _("  line %(line)s: call parked (%(reason)s %(missing)s)")
                % {
                    "line": parked.line_no,
                    "reason": ParkedCall.Reason(parked.reason).label,
                    "missing": parked.missing,
                }
            )
        for item in result.stored.skipped:
            stderr.write(
                _("  line %(line)s: %(reason)s") % {"line": item.line_no, "reason": item.reason}
            )

    return follow(path, stop=stop, on_batch=report, **options)


def _settled(lines: list[TailLine]) -> list[TailLine]:
    """The lines but those of the last second written (they wait for the next poll)."""
    last = lines[-1]
    cut = len(lines)
    while cut and lines[cut - 1].second == last.second and lines[cut - 1].inode == last.inode:
        cut -= 1
    return lines[:cut]


def _batches(lines: list[TailLine], size: int) -> list[list[TailLine]]:
    """Runs of about ``size`` lines, each second (of one file) whole in one run."""
    batches: list[list[TailLine]] = []
    start = 0
    while start < len(lines):
        end = min(start + size, len(lines))
        while end < len(lines) and lines[end].second == lines[end - 1].second:
            end += 1
        batches.append(lines[start:end])
        start = end
    return batches


@transaction.atomic
def _store(feed: Feed, cursor: QueueLogCursor, batch: list[TailLine]) -> FeedResult:
    """One batch and the cursor after it, committed together (a crash stores neither)."""
    result = feed.feed([(line.line_no, line.text) for line in batch])
    last = batch[-1]
    cursor.inode, cursor.offset, cursor.line_no = last.inode, last.end, last.line_no
    cursor.state = feed.state()
    cursor.save(update_fields=["inode", "offset", "line_no", "state", "updated_at"])
    return result
