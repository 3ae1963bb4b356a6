"""What every CDR reader yields: calls with their legs collapsed, and problems by line."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

# Formats a PBX (or a spreadsheet that re-saved its file) writes a naive time in.
NAIVE_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


@dataclass(frozen=True)
class Problem:
    """A line the reader could not use, and why (shown to the person importing)."""

    line: int
    message: str


@dataclass
class CdrCall:
    """One call as the PBX's rows tell it, before any mapping.

    ``answered_at`` and ``agent`` are the operator's answer only: a call the PBX itself
    answered (an IVR, voicemail, a recorded message) with no person on it has
    ``answered_at=None`` and ``pbx_answered=True``.
    """

    key: str
    line: int
    started_at: dt.datetime
    ended_at: dt.datetime
    answered_at: dt.datetime | None = None
    agent: str = ""
    queues: tuple[str, ...] = ()
    caller: str = ""
    disposition: str = ""
    pbx_answered: bool = False
    lines: list[int] = field(default_factory=list)

    @property
    def wait_seconds(self) -> int:
        """Seconds from the call's arrival to the operator's answer (or to its end)."""
        until = self.answered_at or self.ended_at
        return max(0, int((until - self.started_at).total_seconds()))

    @property
    def talk_seconds(self) -> int:
        if self.answered_at is None:
            return 0
        return max(0, int((self.ended_at - self.answered_at).total_seconds()))

    def payload(self) -> dict[str, Any]:
        """The call as JSON, to park it and store it once its mapping exists."""
        return {
            "key": self.key,
            "line": self.line,
            "lines": self.lines,
            "started_at": self.started_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "ended_at": self.ended_at.isoformat(),
            "agent": self.agent,
            "queues": list(self.queues),
            "caller": self.caller,
            "disposition": self.disposition,
            "pbx_answered": self.pbx_answered,
        }


@dataclass
class CdrRead:
    """A whole file read: its calls in file order, and the lines it could not use."""

    calls: list[CdrCall] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


def numbered_rows(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """``(line number of the record's first line, cells)``; blank lines skipped.

    A broken quote stops the file there (``csv.Error`` raised with the line number)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    previous_end = 0
    for cells in reader:
        first = previous_end + 1
        previous_end = reader.line_num
        if not cells or all(not cell.strip() for cell in cells):
            continue
        yield first, cells


def parse_naive(value: str, zone: ZoneInfo, formats: tuple[str, ...] = NAIVE_TIME_FORMATS):
    """A PBX's naive local time in ``zone``, as an aware instant; ``None`` when blank.

    Raises ``ValueError`` naming the value when no format fits. A time with an offset
    (ISO 8601) is taken as written."""
    value = value.strip()
    if not value:
        return None
    for fmt in formats:
        try:
            naive = dt.datetime.strptime(value, fmt)  # noqa: DTZ007  the zone is set below
        except ValueError:
            continue
        return naive.replace(tzinfo=zone)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("not a time: %(value)s") % {"value": value}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_seconds(value: str) -> int:
    value = value.strip()
    if not value:
        return 0
    seconds = int(float(value))
    if seconds < 0:
        raise ValueError(_("negative seconds: %(value)s") % {"value": value})
    return seconds
