"""The diffing fill (calls.rollups: rows computed, compared with the stored ones, only the
difference written) gives exactly the rows of the previous fill (DELETE the window, then
INSERT ... SELECT ... GROUP BY, kept here as the reference), on a seeded random stretch of
calls and agent events, after a first fill and after refills that insert, update and
delete rows; and a refill of unchanged data writes nothing.
"""

import datetime as dt
import random

import pytest
from django.db import connection

from agents.models import AgentStateEvent
from calls import rollups
from calls.models import Call, OperatorInterval, OperatorProjectInterval, ProjectInterval
from tests.factories import OperatorFactory, ProjectFactory

UTC = dt.UTC
FIRST = dt.datetime(2026, 3, 27, tzinfo=UTC)  # a stretch of 4 days, over the DST change
DAYS = 4
NOW = FIRST + dt.timedelta(days=DAYS + 1)
EPOCH = rollups._EPOCH  # the same truncation as the engine

# The fill before the diff (calls/rollups.py until issue 21), as it was: the reference.
REFERENCE_PROJECT = """
    INSERT INTO calls_projectinterval (
        project_id, interval_start, offered, answered, abandoned, short_abandoned,
        answered_within_threshold, abandoned_within_threshold, wait_seconds_answered,
        talk_seconds, hold_seconds, wrap_seconds, reserve_inside_hours)
    SELECT c.project_id,
           date_bin('15 minutes', c.offered_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
           count(*),
           count(c.answered_at),
           count(*) FILTER (WHERE c.answered_at IS NULL),
           count(*) FILTER (WHERE c.answered_at IS NULL
                              AND c.wait_seconds < p.short_abandon_seconds),
           count(*) FILTER (WHERE c.answered_at IS NOT NULL
                              AND c.wait_seconds <= p.sl_threshold_seconds),
           count(*) FILTER (WHERE c.answered_at IS NULL
                              AND c.wait_seconds <= p.sl_threshold_seconds),
           coalesce(sum(c.wait_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
           coalesce(sum(c.talk_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
           coalesce(sum(c.hold_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
           coalesce(sum(c.wrap_seconds) FILTER (WHERE c.answered_at IS NOT NULL), 0),
           count(*) FILTER (WHERE c.inside_client_hours)
    FROM calls_call c
    JOIN projects_project p ON p.id = c.project_id
    WHERE c.direction = 'inbound' AND c.offered_at >= %(ws)s AND c.offered_at < %(we)s
    GROUP BY 1, 2
"""

REFERENCE_OPERATOR = f"""
    WITH pieces AS (
        SELECT operator_id, project_id, s, e,
               generate_series(GREATEST(s, %(ws_e)s) / 900 * 900,
                               LEAST(e, %(we_e)s) - 1, 900) AS b
        FROM (
            SELECT operator_id, project_id,
                   {EPOCH.format("answered_at")} AS s,
                   {EPOCH.format("answered_at")} + handle_seconds AS e
            FROM calls_call
            WHERE operator_id IS NOT NULL AND answered_at IS NOT NULL AND handle_seconds > 0
              AND offered_at >= %(lookback)s AND offered_at < %(we)s AND answered_at < %(we)s
        ) c
        WHERE e > %(ws_e)s
    ),
    handle AS (
        INSERT INTO calls_operatorprojectinterval (
            operator_id, project_id, interval_start, handle_seconds)
        SELECT operator_id, project_id, to_timestamp(b),
               sum(LEAST(e, b + 900) - GREATEST(s, b))
        FROM pieces
        GROUP BY operator_id, project_id, b  -- on the integer; an instant once per row
        ORDER BY operator_id, project_id, b
        RETURNING operator_id, interval_start, handle_seconds
    ),
    events AS (
        SELECT operator_id, state, at
        FROM agents_agentstateevent
        WHERE at >= %(ws)s AND at < %(we)s
        UNION ALL
        SELECT o.id, previous.state, previous.at
        FROM agents_operator o
        CROSS JOIN LATERAL (
            SELECT e.state, e.at FROM agents_agentstateevent e
            WHERE e.operator_id = o.id AND e.at < %(ws)s
            ORDER BY e.at DESC LIMIT 1
        ) previous
    ),
    spans AS (
        SELECT operator_id, state,
               GREATEST({EPOCH.format("at")}, %(ws_e)s) AS s,
               LEAST({EPOCH.format("lead(at) OVER next_event")}, %(we_e)s, %(now_e)s) AS e
        FROM events
        WINDOW next_event AS (PARTITION BY operator_id ORDER BY at)
    )
    INSERT INTO calls_operatorinterval (
        operator_id, interval_start, staffed_seconds, break_seconds, handle_seconds)
    SELECT operator_id, interval_start, sum(staffed), sum(break), sum(handle)
    FROM (
        SELECT spans.operator_id, to_timestamp(b) AS interval_start,
               CASE WHEN spans.state IN ('ready', 'wrap')
                    THEN LEAST(spans.e, b + 900) - GREATEST(spans.s, b) ELSE 0 END AS staffed,
               CASE WHEN spans.state = 'break'
                    THEN LEAST(spans.e, b + 900) - GREATEST(spans.s, b) ELSE 0 END AS break,
               0 AS handle
        FROM spans
        CROSS JOIN LATERAL generate_series(spans.s / 900 * 900, spans.e - 1, 900) AS b
        WHERE spans.state IN ('ready', 'wrap', 'break') AND spans.e > spans.s
        UNION ALL
        SELECT operator_id, interval_start, 0, 0, handle_seconds FROM handle
    ) parts
    GROUP BY operator_id, interval_start
    ORDER BY operator_id, interval_start
"""  # noqa: S608 (constant SQL fragments; values are parameters)


def seed(rng, projects, operators, *, calls, events, day0=FIRST, days=DAYS, tag="a"):
    """Random calls (answered, abandoned, outbound, long ones crossing intervals and days)
    and agent state events over ``days`` days from ``day0``."""
    span = days * 86400
    for n in range(calls):
        offered = day0 + dt.timedelta(seconds=rng.uniform(0, span))
        project = rng.choice(projects)
        direction = "outbound" if rng.random() < 0.1 else "inbound"
        if rng.random() < 0.25:
            Call.objects.create(
                project=project, external_id=f"{tag}{n}", offered_at=offered,
                ended_at=offered + dt.timedelta(seconds=rng.uniform(0, 120)),
                direction=direction,
            )  # fmt: skip
            continue
        answered = offered + dt.timedelta(seconds=rng.uniform(0, 90))
        talk = rng.choice([rng.uniform(0, 300), rng.uniform(0, 3000)])
        hold = rng.choice([0, 0, int(talk // 3)])
        Call.objects.create(
            project=project, external_id=f"{tag}{n}", offered_at=offered, answered_at=answered,
            ended_at=answered + dt.timedelta(seconds=talk + hold), hold_seconds=hold,
            wrap_seconds=rng.choice([0, rng.randrange(0, 120)]),
            operator=None if rng.random() < 0.03 else rng.choice(operators),
            direction=direction,
        )  # fmt: skip
    for _ in range(events):
        AgentStateEvent.objects.get_or_create(
            operator=rng.choice(operators),
            at=day0 + dt.timedelta(seconds=rng.uniform(0, span)),
            defaults={"state": rng.choice(["ready", "ready", "wrap", "break", "offline"])},
        )


def snapshot():
    return (
        sorted(ProjectInterval.objects.values_list(
            "project_id", "interval_start", "offered", "answered", "abandoned",
            "short_abandoned", "answered_within_threshold", "abandoned_within_threshold",
            "wait_seconds_answered", "talk_seconds", "hold_seconds", "wrap_seconds",
            "reserve_inside_hours")),
        sorted(OperatorProjectInterval.objects.values_list(
            "operator_id", "project_id", "interval_start", "handle_seconds")),
        sorted(OperatorInterval.objects.values_list(
            "operator_id", "interval_start", "staffed_seconds", "break_seconds",
            "handle_seconds")),
    )  # fmt: skip


def reference_fill(start, end):
    """The previous fill over [start, end), in one window, as the engine ran it."""
    span = rollups.RollupState.objects.get(pk=1).max_call_span_seconds
    params = {
        "ws": start, "we": end, "ws_e": int(start.timestamp()), "we_e": int(end.timestamp()),
        "now_e": int(NOW.timestamp()), "lookback": start - dt.timedelta(seconds=span + 1),
    }  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("projectinterval", "operatorprojectinterval", "operatorinterval"):
            cursor.execute(
                f"DELETE FROM calls_{table} "  # noqa: S608 (a constant table name)
                "WHERE interval_start >= %(ws)s AND interval_start < %(we)s",
                params,
            )
        cursor.execute(REFERENCE_PROJECT, params)
        cursor.execute(REFERENCE_OPERATOR, params)


def row_versions():
    """Each rollup row's xmin: unchanged when nothing wrote the row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'p', xmin::text, project_id, 0, interval_start FROM calls_projectinterval"
            " UNION ALL SELECT 'op', xmin::text, operator_id, project_id, interval_start"
            " FROM calls_operatorprojectinterval"
            " UNION ALL SELECT 'o', xmin::text, operator_id, 0, interval_start"
            " FROM calls_operatorinterval"
        )
        return sorted(cursor.fetchall())


@pytest.mark.django_db
def test_the_diffing_fill_gives_the_rows_of_the_previous_fill():
    rng = random.Random(2121)
    projects = [
        ProjectFactory(code="p-msk", sl_threshold_seconds=20, short_abandon_seconds=5),
        ProjectFactory(code="p-vvo", timezone="Asia/Vladivostok", sl_threshold_seconds=30,
                       short_abandon_seconds=10),
        ProjectFactory(code="p-kgd", timezone="Europe/Kaliningrad"),
    ]  # fmt: skip
    operators = [OperatorFactory(code=f"op{n}") for n in range(6)]
    seed(rng, projects, operators, calls=400, events=150)
    start, end = rollups.floor_interval(FIRST), rollups.ceil_interval(NOW)

    # A first fill: every row inserted.
    result = rollups.rollup_kpis(now=NOW)
    assert result.windows == 1
    filled = snapshot()
    assert [len(rows) for rows in filled] == [len(set(rows)) for rows in filled]
    assert all(filled), "every table has rows"
    reference_fill(start, end)
    assert snapshot() == filled

    # A forced refill of unchanged data writes no row.
    before = row_versions()
    rollups.rollup_kpis(now=NOW, start=start, end=end)
    assert row_versions() == before
    assert snapshot() == filled

    # Calls deleted (rows to delete), changed (rows to update), added (rows to insert);
    # events added and deleted; a threshold changed.
    calls = list(Call.objects.order_by("id"))
    Call.objects.filter(id__in=[c.id for c in rng.sample(calls, 60)]).delete()
    for call in rng.sample(list(Call.objects.filter(answered_at__isnull=False)), 40):
        call.wrap_seconds = rng.randrange(0, 300)
        call.save(update_fields=["wrap_seconds"])
    AgentStateEvent.objects.filter(
        id__in=[e.id for e in rng.sample(list(AgentStateEvent.objects.all()), 30)]
    ).delete()
    seed(rng, projects, operators, calls=120, events=40, tag="b")
    projects[0].sl_threshold_seconds = 45
    projects[0].save(update_fields=["sl_threshold_seconds"])
    result = rollups.rollup_kpis(now=NOW, start=start, end=end)
    assert result.filled >= int((end - start) / rollups.INTERVAL)
    refilled = snapshot()
    assert refilled != filled
    reference_fill(start, end)
    assert snapshot() == refilled

    # Everything gone: a refill deletes every row of the window.
    Call.objects.all().delete()
    AgentStateEvent.objects.all().delete()
    rollups.rollup_kpis(now=NOW, start=start, end=end)
    assert snapshot() == ([], [], [])
