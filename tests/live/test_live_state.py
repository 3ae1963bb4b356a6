"""The live state in real Redis: a day's first calls move the queue and the operators
exactly, and a flushed Redis is rebuilt to the same state from the stored events."""

import datetime as dt

import pytest
import time_machine

from agents.models import Operator
from live import state
from tests.factories import T0, CertificationFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CALL_EVENTS = "/api/v1/call-events/"
AGENT_EVENTS = "/api/v1/agent-events/"


def at(seconds):
    return (T0 + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def hotline():
    # T0 is 12:00 in Moscow: the project's local day is 2026-10-05.
    return ProjectFactory(code="hotline", timezone="Europe/Moscow")


@pytest.fixture
def team(hotline):
    """ivan and olga on the hotline; petr on another project; dima dismissed."""
    ivan = OperatorFactory(code="ivan", status=Operator.Status.ACTIVE)
    olga = OperatorFactory(code="olga", status=Operator.Status.ACTIVE)
    petr = OperatorFactory(code="petr", status=Operator.Status.ACTIVE)
    dima = OperatorFactory(
        code="dima", status=Operator.Status.DISMISSED, left_on=dt.date(2026, 9, 30)
    )
    for operator in (ivan, olga, dima):
        CertificationFactory(operator=operator, project=hotline)
    CertificationFactory(operator=petr, project=ProjectFactory(code="sales"))
    return ivan, olga, petr


def send(api, url, body, capture):
    with capture(execute=True):
        response = api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    return response


def agents(ready=0, on_call=0, wrap=0, on_break=0, offline=0):
    return {"ready": ready, "on_call": on_call, "wrap": wrap, "break": on_break, "offline": offline}


def test_a_call_moves_the_queue_and_the_operators(
    admin_api, hotline, team, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(T0 - dt.timedelta(minutes=5), tick=False):
        send(
            admin_api,
            AGENT_EVENTS,
            [
                {"operator": "ivan", "state": "ready", "at": at(-3600)},
                {"operator": "olga", "state": "break", "at": at(-600), "reason": "lunch"},
            ],
            capture,
        )
        live = state.project_live(hotline)
    assert live["waiting"] == 0
    assert live["agents"] == agents(ready=1, on_break=1)

    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False) as clock:
        send(
            admin_api,
            CALL_EVENTS,
            {
                "external_id": "c1",
                "project": "hotline",
                "event": "offered",
                "at": at(0),
                "caller": "+74951234567",
            },
            capture,
        )
        live = state.project_live(hotline)
        assert (live["waiting"], live["longest_wait_seconds"]) == (1, 10)
        assert live["agents"] == agents(ready=1, on_break=1)

        clock.move_to(T0 + dt.timedelta(seconds=16))
        send(
            admin_api,
            CALL_EVENTS,
            {
                "external_id": "c1",
                "project": "hotline",
                "event": "answered",
                "at": at(15),
                "operator": "ivan",
            },
            capture,
        )
        live = state.project_live(hotline)
        assert (live["waiting"], live["longest_wait_seconds"]) == (0, 0)
        assert live["agents"] == agents(on_call=1, on_break=1)
        # A second call waits while ivan talks, and its caller hangs up after 3 s.
        send(
            admin_api,
            CALL_EVENTS,
            {"external_id": "c2", "project": "hotline", "event": "offered", "at": at(12)},
            capture,
        )
        live = state.project_live(hotline)
        assert (live["waiting"], live["longest_wait_seconds"]) == (1, 4)

        clock.move_to(T0 + dt.timedelta(seconds=200))
        send(
            admin_api,
            CALL_EVENTS,
            [
                {"external_id": "c2", "project": "hotline", "event": "abandoned", "at": at(15)},
                {
                    "external_id": "c1",
                    "project": "hotline",
                    "event": "ended",
                    "at": at(195),
                    "operator": "ivan",
                },
            ],
            capture,
        )
        live = state.project_live(hotline)
        # ivan is back in his last state, ready, since the call ended.
        assert live == {
            "waiting": 0,
            "longest_wait_seconds": 0,
            "agents": agents(ready=1, on_break=1),
            "today": {
                "offered": 2,
                "answered": 1,
                "abandoned": 1,
                # c2 is a short abandon (3 s < 5 s): offered_minus_short is 1 of 1.
                "service_level": 1.0,
                "asa_seconds": 15.0,
                "forecast_offered": 0.0,  # no history, so the forecast is 0
            },
        }
        send(admin_api, AGENT_EVENTS, {"operator": "ivan", "state": "wrap", "at": at(195)}, capture)
        assert state.project_live(hotline)["agents"] == agents(wrap=1, on_break=1)
        operators = state.operators_live(hotline)
        assert [(o["operator"], o["state"], o["since"], o["reason"]) for o in operators] == [
            ("ivan", "wrap", T0 + dt.timedelta(seconds=195), ""),
            ("olga", "break", T0 - dt.timedelta(seconds=600), "lunch"),
        ]
        # The pool counts each operator on the payroll once: petr never logged in.
        assert state.pool_live()["agents"] == agents(wrap=1, on_break=1, offline=1)


def test_the_state_is_rebuilt_identically_after_a_flush(
    admin_api, hotline, team, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        send(
            admin_api,
            AGENT_EVENTS,
            [
                {"operator": "ivan", "state": "ready", "at": at(-3600)},
                {"operator": "olga", "state": "ready", "at": at(-3600)},
            ],
            capture,
        )
        send(
            admin_api,
            CALL_EVENTS,
            [
                {"external_id": "a", "project": "hotline", "event": "offered", "at": at(0)},
                {
                    "external_id": "a",
                    "project": "hotline",
                    "event": "answered",
                    "at": at(25),
                    "operator": "olga",
                },
                {"external_id": "b", "project": "hotline", "event": "offered", "at": at(5)},
                {"external_id": "c", "project": "hotline", "event": "offered", "at": at(-10)},
                {
                    "external_id": "c",
                    "project": "hotline",
                    "event": "answered",
                    "at": at(1),
                    "operator": "ivan",
                },
                {"external_id": "c", "project": "hotline", "event": "ended", "at": at(20)},
            ],
            capture,
        )
        before = (state.project_live(hotline), state.pool_live(), state.operators_live())
        assert before[0]["waiting"] == 1
        assert before[0]["longest_wait_seconds"] == 25
        assert before[0]["agents"] == agents(ready=1, on_call=1)
        assert before[0]["today"]["asa_seconds"] == 18.0  # (25 + 11) / 2

        assert state.clear() > 0
        after = (state.project_live(hotline), state.pool_live(), state.operators_live())
    assert after == before


def test_out_of_order_and_repeated_events_count_once(
    admin_api, hotline, team, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(T0 + dt.timedelta(seconds=60), tick=False):
        ended = {"external_id": "x", "project": "hotline", "event": "ended", "at": at(50)}
        send(admin_api, CALL_EVENTS, ended, capture)
        answered = {
            "external_id": "x",
            "project": "hotline",
            "event": "answered",
            "at": at(30),
            "operator": "ivan",
        }
        send(admin_api, CALL_EVENTS, answered, capture)
        send(
            admin_api,
            CALL_EVENTS,
            {**answered, "external_id": "x", "event": "offered", "at": at(0), "operator": None},
            capture,
        )
        with capture(execute=True):
            again = admin_api.post(CALL_EVENTS, ended, format="json")
        assert again.status_code == 200
        assert again.json() == {"created": 0, "duplicates": 1}
        live = state.project_live(hotline)
    assert live["today"] == {
        "offered": 1,
        "answered": 1,
        "abandoned": 0,
        "service_level": 0.0,  # a 30 s wait is over the 20 s threshold
        "asa_seconds": 30.0,
        "forecast_offered": 0.0,
    }
    assert live["agents"] == agents(offline=2)  # ivan's call is over; no agent events
