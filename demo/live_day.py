"""A simulated today for the demo's wallboard: calls offered, answered, ended or abandoned,
operators ready, on a call, in wrap and on break, as the live services receive them
(``live.ingest.call_events_ingest`` and ``agents.ingest.agent_events_ingest``, the code
behind ``POST call-events/`` and ``POST agent-events/``), at real speed or faster.

Every event is stamped with the real now, so the wallboard's today moves; ``--speed``
shortens the waits, talks and breaks between them.
"""

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from agents.ingest import agent_events_ingest
from agents.models import BreakReason, Certification
from live.ingest import call_events_ingest
from projects.models import Project

# Seconds, at speed 1: a call every 15-60 s per project, waits, talks, wrap, breaks.
ARRIVAL_SECONDS = (15, 60)
PATIENCE_SECONDS = (20, 120)
TALK_SECONDS = (60, 300)
WRAP_SECONDS = (10, 40)
BREAK_SECONDS = (300, 900)
BREAK_CHANCE = 0.05  # an operator back from a call goes on break instead of ready
START_READY = 0.7  # operators ready at the start; the rest on break or offline


@dataclass
class LiveDay:
    """The simulation's state: who is free, who waits, what happens next (a heap)."""

    speed: float
    rng: random.Random
    projects: dict[str, list[str]]  # project code -> certified operator codes
    reasons: list[str]
    free: set[str] = field(default_factory=set)
    queue: dict[str, list[str]] = field(default_factory=dict)  # project -> waiting calls
    agenda: list = field(default_factory=list)
    call_rows: list[dict] = field(default_factory=list)
    agent_rows: list[dict] = field(default_factory=list)
    serial: itertools.count = field(default_factory=itertools.count)
    # This run's stamp in every call's external_id: a second run today repeats no id.
    run: str = field(default_factory=lambda: f"{timezone.now():%Y%m%d%H%M%S}")

    def later(self, now: float, bounds: tuple[int, int], action: Callable, *args) -> None:
        delay = self.rng.uniform(*bounds) / self.speed
        heapq.heappush(self.agenda, (now + delay, next(self.serial), action, args))

    def call_event(self, external_id: str, project: str, event: str, operator=None) -> None:
        row = {"external_id": external_id, "project": project, "event": event}
        row["at"] = timezone.now().isoformat()
        if operator:
            row["operator"] = operator
        self.call_rows.append(row)

    def agent_event(self, operator: str, state: str, reason: str = "") -> None:
        row = {"operator": operator, "at": timezone.now().isoformat(), "state": state}
        if reason:
            row["reason"] = reason
        self.agent_rows.append(row)


def live_day(*, speed: float = 1.0, seed: int = 17) -> LiveDay:
    """A day over every active project and the operators certified on it."""
    projects: dict[str, list[str]] = {}
    pairs = Certification.objects.filter(
        project__in=Project.objects.filter(is_active=True)
    ).values_list("project__code", "operator__code")
    for project, operator in pairs.order_by("project__code", "operator__code"):
        projects.setdefault(project, []).append(operator)
    reasons = list(BreakReason.objects.filter(is_active=True).values_list("code", flat=True))
    rng = random.Random(seed)  # noqa: S311 - a demo
    return LiveDay(speed=speed, rng=rng, projects=projects, reasons=reasons)


def start(day: LiveDay, now: float) -> None:
    """Operators into their first state, a first arrival scheduled on every project."""
    operators = sorted({code for codes in day.projects.values() for code in codes})
    for operator in operators:
        if day.rng.random() < START_READY:
            day.free.add(operator)
            day.agent_event(operator, "ready")
        elif day.reasons and day.rng.random() < 0.5:
            day.agent_event(operator, "break", day.rng.choice(day.reasons))
            day.later(now, BREAK_SECONDS, _back_to_ready, operator)
        else:
            day.agent_event(operator, "offline")
            day.later(now, BREAK_SECONDS, _back_to_ready, operator)
    for project in day.projects:
        day.queue[project] = []
        day.later(now, ARRIVAL_SECONDS, _arrival, project)


def step(day: LiveDay, now: float) -> tuple[int, int]:
    """Run what is due by ``now``; store its events; (call events, agent events) stored."""
    while day.agenda and day.agenda[0][0] <= now:
        _, _, action, args = heapq.heappop(day.agenda)
        action(day, now, *args)
    for project in day.queue:
        _answer_waiting(day, now, project)
    calls, agents = day.call_rows, day.agent_rows
    day.call_rows, day.agent_rows = [], []
    # Agent states first: a call answered in this step finds its operator ready.
    if agents:
        agent_events_ingest(rows=agents)
    if calls:
        call_events_ingest(rows=calls)
    return len(calls), len(agents)


def _arrival(day: LiveDay, now: float, project: str) -> None:
    external_id = f"live-{day.run}-{project}-{next(day.serial)}"
    day.call_event(external_id, project, "offered")
    day.queue[project].append(external_id)
    day.later(now, PATIENCE_SECONDS, _abandon, project, external_id)
    day.later(now, ARRIVAL_SECONDS, _arrival, project)


def _abandon(day: LiveDay, now: float, project: str, external_id: str) -> None:
    if external_id in day.queue[project]:
        day.queue[project].remove(external_id)
        day.call_event(external_id, project, "abandoned")


def _answer_waiting(day: LiveDay, now: float, project: str) -> None:
    while day.queue[project]:
        free = [code for code in day.projects[project] if code in day.free]
        if not free:
            return
        operator = day.rng.choice(free)
        day.free.discard(operator)
        external_id = day.queue[project].pop(0)
        day.call_event(external_id, project, "answered", operator)
        day.later(now, TALK_SECONDS, _end, project, external_id, operator)


def _end(day: LiveDay, now: float, project: str, external_id: str, operator: str) -> None:
    day.call_event(external_id, project, "ended", operator)
    day.agent_event(operator, "wrap")
    day.later(now, WRAP_SECONDS, _after_wrap, operator)


def _after_wrap(day: LiveDay, now: float, operator: str) -> None:
    if day.reasons and day.rng.random() < BREAK_CHANCE:
        day.agent_event(operator, "break", day.rng.choice(day.reasons))
        day.later(now, BREAK_SECONDS, _back_to_ready, operator)
        return
    _back_to_ready(day, now, operator)


def _back_to_ready(day: LiveDay, now: float, operator: str) -> None:
    day.agent_event(operator, "ready")
    day.free.add(operator)
