"""Alerts on the live state (real Redis): calls waiting and the longest wait open an alert
right after the live update that breaches them, and clear once the queue empties."""

import datetime as dt

import pytest
import time_machine

from alerts.engine import alerts_evaluate
from alerts.models import Alert
from tests.factories import T0, ProjectFactory

pytestmark = pytest.mark.django_db

CALL_EVENTS = "/api/v1/call-events/"


def at(seconds):
    return (T0 + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def offered(api, capture, numbers, *, second):
    body = [
        {"external_id": f"c{n}", "project": "hotline", "event": "offered", "at": at(second)}
        for n in numbers
    ]
    with capture(execute=True):
        response = api.post(CALL_EVENTS, body, format="json")
    assert response.status_code == 201, response.json()


def live_alerts():
    return list(
        Alert.objects.order_by("condition", "opened_at").values_list(
            "condition", "value", "cleared_at"
        )
    )


def test_a_queue_opens_alerts_at_once_and_they_clear_when_it_empties(
    admin_api, django_capture_on_commit_callbacks, settings
):
    settings.ALERT_WAITING_CALLS = 5
    settings.ALERT_LONGEST_WAIT_SECONDS = 120
    settings.ALERT_LIVE_EVALUATE_SECONDS = 15
    capture = django_capture_on_commit_callbacks
    ProjectFactory(code="hotline", timezone="Europe/Moscow")

    with time_machine.travel(T0, tick=False) as clock:
        offered(admin_api, capture, range(5), second=0)  # 5 waiting: not above 5
        assert live_alerts() == []
        clock.move_to(T0 + dt.timedelta(seconds=20))
        offered(admin_api, capture, [5], second=20)  # 6 waiting; judged after this update
        assert live_alerts() == [("waiting_calls", 6, None)]

        clock.move_to(T0 + dt.timedelta(seconds=121))
        # The beat: the oldest caller has waited 121 s.
        alerts_evaluate(codes=["waiting_calls", "longest_wait"])
        assert live_alerts() == [("longest_wait", 121, None), ("waiting_calls", 6, None)]

        clock.move_to(T0 + dt.timedelta(seconds=130))
        body = [
            {"external_id": f"c{n}", "project": "hotline", "event": "abandoned", "at": at(125)}
            for n in range(6)
        ]
        with capture(execute=True):
            assert admin_api.post(CALL_EVENTS, body, format="json").status_code == 201
        # After the live update: the queue is empty, both clear.
        cleared = T0 + dt.timedelta(seconds=130)
        assert live_alerts() == [("longest_wait", 121, cleared), ("waiting_calls", 6, cleared)]
