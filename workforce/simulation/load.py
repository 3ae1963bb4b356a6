"""Storing a simulation: the entities it names, then its calls and agent state events.

Clients, projects, operators, certifications, shifts and absences the scenario names are
created if missing (an existing one is left as it is: its time zone, say, is the stored
one's business). Calls and agent events go through ``calls_ingest`` and
``agent_events_ingest``, 10,000 rows at a time, exactly as the API stores them; so a
second load of the same scenario and seed stores nothing new: every row is a duplicate.
"""

import dataclasses
import datetime as dt

import numpy as np
from django.db import transaction

from agents.ingest import agent_events_ingest
from agents.models import Absence, Certification, Operator, Shift
from calls.ingest import MAX_BATCH, calls_ingest
from projects.models import Client, Project

CHUNK = MAX_BATCH  # 10,000
# The note of every simulated shift and absence: stored data, read by Russian-speaking staff.
SIMULATED_NOTE = "Смоделировано"


@dataclasses.dataclass
class LoadResult:
    clients: int = 0
    projects: int = 0
    operators: int = 0
    certifications: int = 0
    shifts: int = 0
    absences: int = 0
    calls_created: int = 0
    calls_duplicates: int = 0
    events_created: int = 0
    events_duplicates: int = 0


def simulation_store(result, *, progress=None):
    """Create what is missing, then ingest the calls and the agent events of ``result``."""
    loaded = LoadResult()
    entities_ensure(result, loaded)
    for rows in call_rows(result):
        stored = calls_ingest(rows=rows)
        loaded.calls_created += stored.created
        loaded.calls_duplicates += stored.duplicates
        if progress:
            progress(loaded)
    for rows in event_rows(result):
        stored = agent_events_ingest(rows=rows)
        loaded.events_created += stored.created
        loaded.events_duplicates += stored.duplicates
    return loaded


@transaction.atomic
def entities_ensure(result, loaded=None):
    """Clients, projects, operators, certifications, shifts and absences, if missing."""
    loaded = loaded or LoadResult()
    scenario = result.scenario
    clients = {}
    for code in dict.fromkeys(spec.client for spec in scenario.projects):
        clients[code], created = Client.objects.get_or_create(
            code=code, defaults={"legal_name": code}
        )
        loaded.clients += created
    projects = {}
    for spec in scenario.projects:
        projects[spec.code], created = Project.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "client": clients[spec.client],
                "timezone": spec.timezone,
                "sl_threshold_seconds": spec.sl_threshold_seconds,
                "short_abandon_seconds": spec.short_abandon_seconds,
            },
        )
        loaded.projects += created
    hired_on = scenario.start - dt.timedelta(days=365)
    operators = {}
    for spec in scenario.operators:
        operators[spec.code], created = Operator.objects.get_or_create(
            code=spec.code,
            defaults={
                "full_name": f"Operator {spec.code}",
                "status": Operator.Status.ACTIVE,
                "hired_on": hired_on,
            },
        )
        loaded.operators += created
    certified = set(
        Certification.objects.filter(operator__in=operators.values()).values_list(
            "operator_id", "project_id"
        )
    )
    new_certifications = [
        Certification(operator=operators[spec.code], project=projects[code], certified_on=hired_on)
        for spec in scenario.operators
        for code in spec.projects
        if (operators[spec.code].id, projects[code].id) not in certified
    ]
    Certification.objects.bulk_create(new_certifications)
    loaded.certifications += len(new_certifications)
    _shifts_ensure(result, operators, loaded)
    for absence in scenario.absences:
        first, last = absence.dates(scenario.start)
        _, created = Absence.objects.get_or_create(
            operator=operators[absence.operator],
            starts_on=first,
            ends_on=last,
            defaults={"kind": absence.kind, "note": SIMULATED_NOTE},
        )
        loaded.absences += created
    return loaded


def _shifts_ensure(result, operators, loaded):
    start = result.window_start
    wanted = [
        (
            operators[result.operator_codes[op]],
            start + dt.timedelta(seconds=begin),
            start + dt.timedelta(seconds=end),
        )
        for op, begin, end in result.shifts
    ]
    stored = set(
        Shift.objects.filter(
            operator__in=operators.values(),
            starts_at__gte=start,
            ends_at__lte=start + dt.timedelta(days=result.scenario.days),
        ).values_list("operator_id", "starts_at", "ends_at")
    )
    new = [
        Shift(operator=operator, starts_at=begin, ends_at=end, note=SIMULATED_NOTE)
        for operator, begin, end in wanted
        if (operator.id, begin, end) not in stored
    ]
    Shift.objects.bulk_create(new, batch_size=2000)
    loaded.shifts += len(new)


def _instants(base, seconds):
    """ISO 8601 strings ending in Z for whole seconds after ``base`` (NaN: None).

    Simulated instants are rounded to the second (telephony reports whole seconds);
    rounding keeps their order, so a call's instants stay consistent. Strings, not datetime
    objects, because ``calls_ingest`` reads ISO strings on its fast path.
    """
    missing = np.isnan(seconds)
    whole = np.rint(np.nan_to_num(seconds)).astype(np.int64) + base
    text = np.datetime_as_string(whole.astype("datetime64[s]"), unit="s", timezone="UTC")
    return [
        None if gap else value for gap, value in zip(missing.tolist(), text.tolist(), strict=True)
    ]


def call_rows(result):
    """The calls in the API's JSON shape, in lists of at most 10,000, in offered order."""
    scenario = result.scenario
    base = int(result.window_start.timestamp())
    codes = [spec.code for spec in scenario.projects]
    prefix = scenario.external_id_prefix
    operator_codes = result.operator_codes
    for first in range(0, result.calls, CHUNK):
        part = slice(first, first + CHUNK)
        offered = _instants(base, result.offered[part])
        answered = _instants(base, result.answered[part])
        ended = _instants(base, result.ended[part])
        projects = result.project[part].tolist()
        operators = result.operator[part].tolist()
        callers = result.caller[part].tolist()
        wraps = result.wrap[part].astype(np.int64).tolist()
        rows = []
        for i, number in enumerate(range(first, first + len(projects))):
            p, op = projects[i], operators[i]
            rows.append(
                {
                    "project": codes[p],
                    "external_id": f"{prefix}-{number}",
                    "direction": "inbound",
                    # +79 then the project's 2 digits and the caller's 7: contacts repeat.
                    "caller": f"+79{p % 100:02d}{callers[i]:07d}",
                    "operator": operator_codes[op] if op >= 0 else None,
                    "offered_at": offered[i],
                    "answered_at": answered[i],
                    "ended_at": ended[i],
                    "wrap_seconds": wraps[i],
                }
            )
        yield rows


def event_rows(result):
    """Agent state events in the API's JSON shape, in lists of at most 10,000.

    Rounded to the second; two events of an operator falling on the same second keep their
    order by moving the later one a second on (the (operator, at) pair is unique).
    """
    base = result.window_start
    rows, last = [], {}
    for op, seconds, state, reason in result.events:
        whole = round(seconds)
        if last.get(op, -1) >= whole:
            whole = last[op] + 1
        last[op] = whole
        at = base + dt.timedelta(seconds=whole)
        rows.append(
            {
                "operator": result.operator_codes[op],
                "at": at.isoformat(),
                "state": state,
                "reason": reason,
            }
        )
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows
