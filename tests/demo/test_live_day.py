"""The demo's live day: the simulated today goes through the live services, so the live
state (what the wallboard shows) moves."""

import io

import pytest
from django.core.management import CommandError, call_command

from agents.models import AgentStateEvent, Operator
from demo.live_day import live_day, start, step
from live.models import CallEvent
from live.state import operators_live, project_live
from tests.asgi_server import live_redis  # noqa: F401 - the fixture
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(live_redis):  # noqa: F811 - the imported fixture
    project = ProjectFactory(code="live-line")
    for n in range(3):
        operator = OperatorFactory(code=f"op-day-{n}", status=Operator.Status.ACTIVE)
        CertificationFactory(operator=operator, project=project)
    return project


def test_a_live_day_offers_answers_and_ends_calls(line):
    day = live_day(speed=100.0, seed=3)
    assert day.projects == {"live-line": ["op-day-0", "op-day-1", "op-day-2"]}
    start(day, 0.0)
    stored = [step(day, float(second)) for second in range(0, 30)]
    assert sum(agents for _, agents in stored) >= 3  # every operator's first state at least
    events = set(CallEvent.objects.values_list("event", flat=True))
    assert {"offered", "answered", "ended"} <= events
    offered = CallEvent.objects.filter(event="offered").count()
    state = project_live(line)
    assert state["today"]["offered"] == offered
    assert state["today"]["answered"] == CallEvent.objects.filter(event="answered").count()
    assert state["waiting"] == offered - state["today"]["answered"] - state["today"]["abandoned"]
    assert {row["operator"] for row in operators_live(line)} == set(day.projects["live-line"])
    assert AgentStateEvent.objects.filter(state="wrap").exists()


def test_demo_live_runs_for_the_seconds_asked_and_says_what_it_stored(line):
    out = io.StringIO()
    call_command("demo_live", "--seconds", "2", "--speed", "50", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Live day: 1 projects, speed 50x; Ctrl-C stops."
    assert lines[-1].startswith("Live day stopped: ")
    assert AgentStateEvent.objects.count() >= 3
    with pytest.raises(CommandError, match="--speed"):
        call_command("demo_live", "--speed", "0")
