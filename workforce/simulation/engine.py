"""The simulation: a heap-based discrete-event loop over one pool of operators.

Deterministic: every random draw comes from one ``numpy`` Generator seeded by the
scenario, drawn per project in the scenario's order *before* the loop (so pooled and
dedicated runs of a scenario see exactly the same callers), and ties in the event heap are
broken by a sequence number. No wall clock, no set iteration.

Why not SimPy: a SimPy process per call costs a generator, a few events and their
callbacks; measured on this machine (docs/simulation.md) it is several times slower than
this loop, which keeps only operator events (shift, break, end of wrap-up) in a heap,
merges the arrivals in from a sorted array, and handles abandonment lazily: a waiting call
whose deadline (offered + patience) has passed is dropped when an operator looks at the
queue, which gives exactly the same calls as scheduling an abandonment event, because
nothing else in the model depends on who is still waiting.

Time is float seconds after the window's start (``start`` 00:00 UTC). Arrivals come only
inside the window ``[start, start + days)``; shifts are clipped to it.
"""

import dataclasses
import datetime as dt
import heapq
import math
import zoneinfo
from collections import deque

import numpy as np

UTC = dt.UTC
INTERVAL_SECONDS = 900

# Operator events, in the order they are handled at the same instant.
_FINISH, _SHIFT_START, _BREAK_START, _BREAK_END, _SHIFT_END = range(5)
_OFFLINE, _FREE, _BUSY, _BREAK = range(4)


@dataclasses.dataclass
class SimulationResult:
    scenario: object
    window_start: dt.datetime
    project: np.ndarray  # per call: index in scenario.projects
    offered: np.ndarray  # seconds after window_start
    answered: np.ndarray  # NaN: abandoned
    ended: np.ndarray
    operator: np.ndarray  # index in operator_codes, -1: none
    caller: np.ndarray  # index in the project's pool of callers
    wrap: np.ndarray  # wrap-up seconds of answered calls, 0 otherwise
    operator_codes: list
    operator_projects: list  # the projects each operator served in this run (indexes)
    events: list  # (operator index, seconds, state, reason) in order of time per operator
    shifts: list  # (operator index, start seconds, end seconds)

    @property
    def calls(self):
        return len(self.offered)


def simulate(scenario):
    """Run the scenario; return a ``SimulationResult``."""
    rng = np.random.default_rng(scenario.seed)
    window_start = dt.datetime.combine(scenario.start, dt.time(), UTC)
    horizon = scenario.days * 86_400.0
    project, offered, service, patience, caller = _arrivals(scenario, rng, window_start)
    codes, served, schedules = _operators(scenario, window_start, horizon)
    project_index = {spec.code: index for index, spec in enumerate(scenario.projects)}
    served = [tuple(project_index[code] for code in codes_) for codes_ in served]
    if scenario.routing == "dedicated":
        served = [projects[:1] for projects in served]
    deadline = offered + np.minimum(patience, float(scenario.queue_timeout_seconds))
    wraps = [float(spec.wrap_seconds) for spec in scenario.projects]
    answered, ended, operator, events = _run(
        project=project.tolist(),
        offered=offered.tolist(),
        service=service.tolist(),
        deadline=deadline.tolist(),
        wraps=wraps,
        served=served,
        schedules=schedules,
        projects=len(scenario.projects),
    )
    answered = np.array(answered)
    operator = np.array(operator, dtype=np.int64)
    wrap = np.where(operator >= 0, np.array(wraps)[project] if len(project) else 0.0, 0.0)
    shifts = [(op, start, end) for op, plan in enumerate(schedules) for start, end, _ in plan]
    return SimulationResult(
        scenario=scenario,
        window_start=window_start,
        project=project,
        offered=offered,
        answered=answered,
        ended=np.array(ended),
        operator=operator,
        caller=caller,
        wrap=wrap,
        operator_codes=codes,
        operator_projects=served,
        events=events,
        shifts=shifts,
    )


# --- Inputs ----------------------------------------------------------------------------------


def _arrivals(scenario, rng, window_start):
    """Calls of every project, sorted by offered time: a Poisson process per UTC hour whose
    rate is the profile's at the project's local hour (times weekend_factor on local
    Saturdays and Sundays). N ~ Poisson(rate) uniform instants in the hour is the same
    process as exponential inter-arrival times at that rate, drawn in one vector call."""
    hours = scenario.days * 24
    starts = [window_start + dt.timedelta(hours=h) for h in range(hours)]
    parts = []
    for index, spec in enumerate(scenario.projects):
        tz = zoneinfo.ZoneInfo(spec.timezone)
        rates = np.empty(hours)
        for h, instant in enumerate(starts):
            local = instant.astimezone(tz)
            factor = spec.weekend_factor if local.weekday() >= 5 else 1.0
            rates[h] = spec.calls_per_hour[local.hour] * factor
        counts = rng.poisson(rates)
        n = int(counts.sum())
        times = np.repeat(np.arange(hours) * 3600.0, counts) + rng.random(n) * 3600.0
        times.sort()
        if spec.aht_distribution == "lognormal":
            # mean = exp(mu + sigma^2 / 2): mu chosen so the mean is aht_seconds.
            sigma = spec.aht_sigma
            service = rng.lognormal(math.log(spec.aht_seconds) - sigma * sigma / 2, sigma, n)
        else:
            service = rng.exponential(spec.aht_seconds, n)
        if spec.patience_seconds is None:
            patience = np.full(n, np.inf)
        else:
            patience = rng.exponential(spec.patience_seconds, n)
        callers = rng.integers(0, spec.callers, n)
        parts.append((np.full(n, index, dtype=np.int64), times, service, patience, callers))
    project, offered, service, patience, caller = (
        np.concatenate([part[k] for part in parts]) for k in range(5)
    )
    order = np.lexsort((project, offered))  # by time; equal times (never in practice) by project
    return project[order], offered[order], service[order], patience[order], caller[order]


def _operators(scenario, window_start, horizon):
    """``(codes, project codes served, schedules)``; a schedule is a list of
    ``(start, end, breaks)`` in seconds, shifts touching end to end merged into one."""
    absent = {}
    for absence in scenario.absences:
        day, last = absence.dates(scenario.start)
        while day <= last:
            absent.setdefault(absence.operator, set()).add(day)
            day += dt.timedelta(days=1)
    codes, served, schedules = [], [], []
    member = {}
    for spec in scenario.operators:
        group = spec.group
        # Breaks of a group's members are staggered by half an hour (-30, 0, +30, +60 min
        # around the middle of the shift), so a whole team never leaves the queue at once.
        k = member[id(group)] = member.get(id(group), -1) + 1
        stagger = ((k % 4) - 1) * 1800.0
        tz = zoneinfo.ZoneInfo(group.shift_timezone)
        length = (group.shift_end - group.shift_start) % 1440 or 1440
        plan = []
        for offset in range(-1, scenario.days + 1):
            day = scenario.start + dt.timedelta(days=offset)
            if day.weekday() in group.days_off or day in absent.get(spec.code, ()):
                continue
            local = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(
                minutes=group.shift_start
            )
            begin = (local.astimezone(UTC) - window_start).total_seconds()
            end = begin + length * 60.0
            breaks = []
            if group.break_minutes:
                middle = begin + (length - group.break_minutes) * 30.0 + stagger
                middle -= middle % 300  # on a 5-minute mark
                breaks.append((middle, middle + group.break_minutes * 60.0))
            begin, end = max(begin, 0.0), min(end, horizon)
            if end <= begin:
                continue
            breaks = [(b, e) for b, e in breaks if begin < b and e < end]
            if plan and plan[-1][1] >= begin:  # touching (or a DST hour overlapping): merge
                last = plan.pop()
                plan.append((last[0], max(last[1], end), last[2] + breaks))
            else:
                plan.append((begin, end, breaks))
        codes.append(spec.code)
        served.append(spec.projects)
        schedules.append(plan)
    return codes, served, schedules


# --- The loop --------------------------------------------------------------------------------


def _run(*, project, offered, service, deadline, wraps, served, schedules, projects):  # noqa: C901, PLR0915  the hot loop: closures over local lists
    """The event loop over plain lists (faster than numpy scalars in a Python loop)."""
    n = len(offered)
    answered = [math.nan] * n
    ended = list(deadline)  # an abandoned call ends at its deadline; answered ones overwritten
    operator = [-1] * n
    events = [[] for _ in schedules]
    heap, seq = _operator_heap(schedules)
    push, pop = heapq.heappush, heapq.heappop
    state = [_OFFLINE] * len(schedules)
    pending = [0] * len(schedules)  # after the current call: 1 break, 2 offline
    free = [{} for _ in range(projects)]  # insertion order = longest idle first
    queues = [deque() for _ in range(projects)]
    inf = math.inf

    def take(op, c, t):
        nonlocal seq
        answered[c] = t
        end = t + service[c]
        ended[c] = end
        operator[c] = op
        state[op] = _BUSY
        seq += 1
        push(heap, (end + wraps[project[c]], seq, _FINISH, op))

    def available(op, t):
        """The operator is ready at t: the longest-waiting call of its projects, or idle."""
        best, best_at = None, inf
        for p in served[op]:
            queue = queues[p]
            while queue and deadline[queue[0]] <= t:
                queue.popleft()  # abandoned at its deadline (ended already says so)
            if queue and offered[queue[0]] < best_at:
                best, best_at = p, offered[queue[0]]
        if best is not None:
            take(op, queues[best].popleft(), t)
        else:
            state[op] = _FREE
            for p in served[op]:
                free[p][op] = None

    def leave(op):
        for p in served[op]:
            del free[p][op]

    def operator_event(t, kind, op):  # noqa: C901, PLR0912  one branch per event kind and state
        """A shift, break or end of wrap-up: the operator's state moves, and is logged."""
        if kind == _FINISH:
            if pending[op] == 2:
                pending[op] = 0
                state[op] = _OFFLINE
                events[op].append((t, "offline", ""))
            elif pending[op] == 1:
                pending[op] = 0
                state[op] = _BREAK
                events[op].append((t, "break", "break"))
            else:
                available(op, t)
        elif kind == _SHIFT_START:
            events[op].append((t, "ready", ""))
            available(op, t)
        elif kind == _BREAK_START:
            if state[op] == _FREE:
                leave(op)
                state[op] = _BREAK
                events[op].append((t, "break", "break"))
            elif state[op] == _BUSY:
                pending[op] = 1
        elif kind == _BREAK_END:
            if state[op] == _BREAK:
                events[op].append((t, "ready", ""))
                available(op, t)
            elif pending[op] == 1:
                pending[op] = 0  # busy through the whole break: it is skipped
        elif state[op] == _BUSY:  # _SHIFT_END during a call: offline after it
            pending[op] = 2
        else:  # _SHIFT_END
            if state[op] == _FREE:
                leave(op)
            state[op] = _OFFLINE
            events[op].append((t, "offline", ""))

    next_call = 0
    while True:
        top = heap[0][0] if heap else inf
        if next_call < n and offered[next_call] < top:
            c = next_call
            next_call += 1
            idle = free[project[c]]
            if idle:
                op = next(iter(idle))
                leave(op)
                take(op, c, offered[c])
            else:
                queues[project[c]].append(c)
            continue
        if not heap:
            break
        t, _, kind, op = pop(heap)
        operator_event(t, kind, op)
    return answered, ended, operator, _flat_events(events)


def _operator_heap(schedules):
    """The heap of every shift and break event, and the next sequence number (ties in
    the heap are broken by it, so the order never depends on anything but the input)."""
    heap, seq = [], 0
    for op, plan in enumerate(schedules):
        for begin, end, breaks in plan:
            heap.append((begin, seq, _SHIFT_START, op))
            seq += 1
            for b, e in breaks:
                heap.append((b, seq, _BREAK_START, op))
                heap.append((e, seq + 1, _BREAK_END, op))
                seq += 2
            heap.append((end, seq, _SHIFT_END, op))
            seq += 1
    heapq.heapify(heap)
    return heap, seq


def _flat_events(events):
    """Per-operator state logs as one list of (operator, seconds, state, reason)."""
    return [(op, t, st, reason) for op, items in enumerate(events) for t, st, reason in items]


# --- Summary ---------------------------------------------------------------------------------


def summarise(result):
    """Per project and for the pool: what ``manage.py simulate`` prints and the what-if compares.

    Ratios follow SPEC section 4 (service level ``offered_minus_short``) on the simulated
    (unrounded) times; occupancy is handle / ready time (section 5).
    """
    scenario = result.scenario
    wait = np.where(np.isnan(result.answered), result.ended, result.answered) - result.offered
    is_answered = ~np.isnan(result.answered)
    handle = np.where(is_answered, result.ended - np.nan_to_num(result.answered) + result.wrap, 0)
    staffed, handled = _staffed_and_handle(result, handle)
    team = np.array([projects[0] for projects in result.operator_projects], dtype=np.int64)
    projects = []
    for index, spec in enumerate(scenario.projects):
        mine = result.project == index
        answered = mine & is_answered
        abandoned = mine & ~is_answered
        short = abandoned & (wait < spec.short_abandon_seconds)
        within = answered & (wait <= spec.sl_threshold_seconds)
        offered_n, short_n = int(mine.sum()), int(short.sum())
        buckets = (result.offered[mine] // INTERVAL_SECONDS).astype(np.int64)
        met, counted = _intervals_meeting(
            buckets, within[mine], short[mine], spec.sl_target, scenario.days
        )
        team_ops = team == index
        projects.append(
            {
                "project": spec.code,
                "operators": int(team_ops.sum()),
                "offered": offered_n,
                "answered": int(answered.sum()),
                "abandoned": int(abandoned.sum()),
                "service_level": _ratio(within.sum(), offered_n - short_n),
                "asa_seconds": _ratio(wait[answered].sum(), answered.sum()),
                "aht_seconds": _ratio(handle[answered].sum(), answered.sum()),
                "abandon_rate": _ratio(abandoned.sum() - short_n, offered_n - short_n),
                "team_occupancy": _ratio(handled[team_ops].sum(), staffed[team_ops].sum()),
                "intervals_meeting_sl": _ratio(met, counted),
            }
        )
    offered_n = result.calls
    short_all = sum(
        int(((result.project == i) & ~is_answered & (wait < spec.short_abandon_seconds)).sum())
        for i, spec in enumerate(scenario.projects)
    )
    within_all = sum(
        int(((result.project == i) & is_answered & (wait <= spec.sl_threshold_seconds)).sum())
        for i, spec in enumerate(scenario.projects)
    )
    pool = {
        "routing": scenario.routing,
        "operators": len(result.operator_codes),
        "offered": offered_n,
        "answered": int(is_answered.sum()),
        "abandoned": int((~is_answered).sum()),
        "service_level": _ratio(within_all, offered_n - short_all),
        "asa_seconds": _ratio(wait[is_answered].sum(), is_answered.sum()),
        "abandon_rate": _ratio((~is_answered).sum() - short_all, offered_n - short_all),
        "staffed_hours": float(staffed.sum()) / 3600,
        "handle_hours": float(handled.sum()) / 3600,
        "occupancy": _ratio(handled.sum(), staffed.sum()),
    }
    return {"projects": projects, "pool": pool}


def _staffed_and_handle(result, handle):
    """Ready seconds and handle seconds per operator."""
    staffed = np.zeros(len(result.operator_codes))
    last = {}
    for op, t, state, _ in result.events:
        if op in last and last[op][1] == "ready":
            staffed[op] += t - last[op][0]
        last[op] = (t, state)
    handled = np.zeros(len(result.operator_codes))
    took = result.operator >= 0
    np.add.at(handled, result.operator[took], handle[took])
    return staffed, handled


def _intervals_meeting(buckets, within, short, target, days):
    """Of the 15-minute intervals with calls, how many met the service level target."""
    size = days * 86_400 // INTERVAL_SECONDS + 1
    offered = np.bincount(buckets, minlength=size)
    met = np.bincount(buckets, weights=within, minlength=size)
    shorts = np.bincount(buckets, weights=short, minlength=size)
    base = offered - shorts
    counted = base > 0
    good = met[counted] >= target * base[counted] - 1e-9
    return int(good.sum()), int(counted.sum())


def _ratio(numerator, denominator):
    return None if not denominator else float(numerator) / float(denominator)
