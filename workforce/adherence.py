"""Schedule adherence of one operator over their shifts: pure arithmetic, no database.

Inputs are plain values (docs/adherence.md defines every term): the shifts with their
planned activities, and the operator's state timeline, a list of stretches ``(state,
reason, start, end)`` with ``state`` one of ``ready``, ``on_call``, ``wrap``, ``break``,
``offline``. ``workforce.adherence_report`` builds both from the database.

- A working stretch of a shift (outside every planned activity) is in adherence while the
  operator is ready, on a call or in wrap; a planned break or lunch while on break (any
  reason); a planned training or meeting while on break with that reason (``training``,
  ``meeting``).
- ``worked_seconds``: inside the shifts, any state but offline.
- Exceptions above the thresholds: ``late_login``, ``early_logout``, ``long_break``,
  ``unscheduled_break``, ``absent``.
"""

import datetime as dt
from dataclasses import dataclass, field

WORKING_STATES = frozenset({"ready", "on_call", "wrap"})
BREAK_KINDS = frozenset({"break", "lunch"})
OFFLINE = "offline"
BREAK = "break"


@dataclass(frozen=True)
class Activity:
    kind: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class PlannedShift:
    start: dt.datetime
    end: dt.datetime
    activities: tuple[Activity, ...] = ()


@dataclass(frozen=True)
class Stretch:
    """The operator in one state over ``[start, end)``."""

    state: str
    start: dt.datetime
    end: dt.datetime
    reason: str = ""


@dataclass(frozen=True)
class Thresholds:
    late_login: int = 120
    early_logout: int = 120
    long_break: int = 120
    unscheduled_break: int = 120


@dataclass
class Adherence:
    scheduled_seconds: int = 0
    in_adherence_seconds: int = 0
    worked_seconds: int = 0
    exceptions: list[dict] = field(default_factory=list)

    @property
    def adherence(self) -> float | None:
        return _ratio(self.in_adherence_seconds, self.scheduled_seconds)

    @property
    def conformance(self) -> float | None:
        return _ratio(self.worked_seconds, self.scheduled_seconds)

    def as_dict(self) -> dict:
        return {
            "scheduled_seconds": self.scheduled_seconds,
            "in_adherence_seconds": self.in_adherence_seconds,
            "adherence": self.adherence,
            "worked_seconds": self.worked_seconds,
            "conformance": self.conformance,
            "exceptions": self.exceptions,
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def _overlap(a_start, a_end, b_start, b_end) -> int:
    return _seconds(max(a_start, b_start), min(a_end, b_end))


def _exception(kind: str, start: dt.datetime, end: dt.datetime) -> dict:
    return {"kind": kind, "start": start, "end": end, "seconds": _seconds(start, end)}


def _planned_at(shift: PlannedShift, start: dt.datetime, end: dt.datetime) -> list:
    """Split ``[start, end)`` by the shift's activities: (activity or None, start, end)."""
    pieces: list[tuple[Activity | None, dt.datetime, dt.datetime]] = []
    cursor = start
    for activity in sorted(shift.activities, key=lambda a: a.start):
        a_start, a_end = max(activity.start, start), min(activity.end, end)
        if a_start >= a_end:
            continue
        if cursor < a_start:
            pieces.append((None, cursor, a_start))
        pieces.append((activity, a_start, a_end))
        cursor = a_end
    if cursor < end:
        pieces.append((None, cursor, end))
    return pieces


def in_adherence(activity: Activity | None, stretch: Stretch) -> bool:
    """Whether ``stretch``'s state matches what the shift plans (None: working)."""
    if activity is None:
        return stretch.state in WORKING_STATES
    if activity.kind in BREAK_KINDS:
        return stretch.state == BREAK
    return stretch.state == BREAK and stretch.reason.strip().lower() == activity.kind


def _clip(timeline: list[Stretch], start: dt.datetime, end: dt.datetime) -> list[Stretch]:
    """The timeline inside ``[start, end)``; time it does not cover is offline."""
    clipped, cursor = [], start
    for stretch in sorted(timeline, key=lambda s: s.start):
        s_start, s_end = max(stretch.start, cursor), min(stretch.end, end)
        if s_start >= s_end:
            continue
        if cursor < s_start:
            clipped.append(Stretch(OFFLINE, cursor, s_start))
        clipped.append(Stretch(stretch.state, s_start, s_end, stretch.reason))
        cursor = s_end
    if cursor < end:
        clipped.append(Stretch(OFFLINE, cursor, end))
    return clipped


def _break_runs(stretches: list[Stretch]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Maximal runs of consecutive break stretches."""
    runs: list[tuple[dt.datetime, dt.datetime]] = []
    for stretch in stretches:
        if stretch.state != BREAK:
            continue
        if runs and runs[-1][1] == stretch.start:
            runs[-1] = (runs[-1][0], stretch.end)
        else:
            runs.append((stretch.start, stretch.end))
    return runs


def _break_exceptions(shift, stretches, thresholds) -> list[dict]:
    """A break run overlapping a planned activity is long by its parts outside the
    activities it overlaps; one overlapping none is unscheduled."""
    found = []
    for run_start, run_end in _break_runs(stretches):
        planned = [a for a in shift.activities if _overlap(a.start, a.end, run_start, run_end)]
        if not planned:
            if _seconds(run_start, run_end) > thresholds.unscheduled_break:
                found.append(_exception("unscheduled_break", run_start, run_end))
            continue
        first = min(a.start for a in planned)
        last = max(a.end for a in planned)
        for start, end in ((run_start, min(run_end, first)), (max(run_start, last), run_end)):
            if _seconds(start, end) > thresholds.long_break:
                found.append(_exception("long_break", start, end))
    return found


def _login_exceptions(shift, stretches, thresholds) -> list[dict]:
    logged = [s for s in stretches if s.state != OFFLINE]
    if not logged:
        return [_exception("absent", shift.start, shift.end)]
    found = []
    first_in, last_out = logged[0].start, logged[-1].end
    if _seconds(shift.start, first_in) > thresholds.late_login:
        found.append(_exception("late_login", shift.start, first_in))
    if _seconds(last_out, shift.end) > thresholds.early_logout:
        found.append(_exception("early_logout", last_out, shift.end))
    return found


def shift_adherence(
    shift: PlannedShift, timeline: list[Stretch], thresholds: Thresholds | None = None
) -> Adherence:
    """Adherence, conformance and exceptions of one shift against the state timeline."""
    thresholds = thresholds or Thresholds()
    stretches = _clip(timeline, shift.start, shift.end)
    result = Adherence(scheduled_seconds=_seconds(shift.start, shift.end))
    for stretch in stretches:
        if stretch.state != OFFLINE:
            result.worked_seconds += _seconds(stretch.start, stretch.end)
        for activity, start, end in _planned_at(shift, stretch.start, stretch.end):
            if in_adherence(activity, stretch):
                result.in_adherence_seconds += _seconds(start, end)
    result.exceptions = sorted(
        _login_exceptions(shift, stretches, thresholds)
        + _break_exceptions(shift, stretches, thresholds),
        key=lambda e: (e["start"], e["kind"]),
    )
    return result


def day_adherence(
    shifts: list[PlannedShift], timeline: list[Stretch], thresholds: Thresholds | None = None
) -> Adherence:
    """The sum over an operator's shifts of a day (their exceptions in time order)."""
    total = Adherence()
    for shift in sorted(shifts, key=lambda s: s.start):
        one = shift_adherence(shift, timeline, thresholds)
        total.scheduled_seconds += one.scheduled_seconds
        total.in_adherence_seconds += one.in_adherence_seconds
        total.worked_seconds += one.worked_seconds
        total.exceptions.extend(one.exceptions)
    return total


def timeline_from_events(
    events: list[tuple[dt.datetime, str, str]],
    calls: list[tuple[dt.datetime, dt.datetime]],
    *,
    end: dt.datetime,
) -> list[Stretch]:
    """Stretches from state events ``(at, state, reason)`` (each lasts until the next, the
    last until ``end``) with the answered calls ``(answered_at, ended_at)`` laid over
    them as ``on_call``, whatever the state says (a call proves the operator is there)."""
    base = []
    ordered = sorted(events)
    for index, (at, state, reason) in enumerate(ordered):
        until = ordered[index + 1][0] if index + 1 < len(ordered) else end
        if at < until:
            base.append(Stretch(state, at, until, reason or ""))
    for call_start, call_end in sorted(calls):
        call_end = min(call_end, end)
        if call_start >= call_end:
            continue
        base = _overlay(base, Stretch("on_call", call_start, call_end))
    return base


def _overlay(timeline: list[Stretch], top: Stretch) -> list[Stretch]:
    result = []
    for stretch in timeline:
        if stretch.end <= top.start or stretch.start >= top.end:
            result.append(stretch)
            continue
        if stretch.start < top.start:
            result.append(Stretch(stretch.state, stretch.start, top.start, stretch.reason))
        if stretch.end > top.end:
            result.append(Stretch(stretch.state, top.end, stretch.end, stretch.reason))
    result.append(top)
    return sorted(result, key=lambda s: s.start)


def out_of_adherence_now(shift: PlannedShift, timeline: list[Stretch], now: dt.datetime) -> int:
    """Seconds the operator has been out of adherence without a break up to ``now`` (0 when
    in adherence at ``now``, or ``now`` outside the shift): the current stretch, not a total."""
    if not shift.start < now <= shift.end:
        return 0
    seconds = 0
    for stretch in reversed(_clip(timeline, shift.start, now)):
        for activity, start, end in reversed(_planned_at(shift, stretch.start, stretch.end)):
            if in_adherence(activity, stretch):
                return seconds
            seconds += _seconds(start, end)
    return seconds
