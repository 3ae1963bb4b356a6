"""The ``out_of_adherence`` alert against a written-out shift (docs/alerts.md): pool-wide,
open while an operator on shift has been out of adherence longer than
``ALERT_OUT_OF_ADHERENCE_SECONDS`` (600) without a break, cleared once nobody is.

Moscow time (+03:00), 2026-10-06. anna: shift 09:00-18:00, lunch planned 13:00-14:00;
09:12 ready (late), 13:00 break (lunch), 14:20 ready (long lunch). boris: shift
09:00-18:00, ready from 08:55 all day (never out).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from agents.models import ShiftActivity
from alerts.engine import alerts_evaluate
from alerts.models import Alert
from tests.factories import AgentStateEventFactory, OperatorFactory, ShiftFactory

pytestmark = pytest.mark.django_db

MSK = dt.timezone(dt.timedelta(hours=3))


def at(hour, minute=0):
    return dt.datetime(2026, 10, 6, hour, minute, tzinfo=MSK)


@pytest.fixture
def day(settings):
    settings.ALERT_OUT_OF_ADHERENCE_SECONDS = 600
    anna, boris = OperatorFactory(code="anna"), OperatorFactory(code="boris")
    shift = ShiftFactory(operator=anna, starts_at=at(9), ends_at=at(18))
    ShiftActivity.objects.create(shift=shift, kind="lunch", starts_at=at(13), ends_at=at(14))
    ShiftFactory(operator=boris, starts_at=at(9), ends_at=at(18))
    AgentStateEventFactory(operator=anna, at=at(9, 12), state="ready")
    AgentStateEventFactory(operator=anna, at=at(13), state="break", reason="lunch")
    AgentStateEventFactory(operator=anna, at=at(14, 20), state="ready")
    AgentStateEventFactory(operator=boris, at=at(8, 55), state="ready")


def judge(hour, minute=0):
    with time_machine.travel(at(hour, minute), tick=False):
        return alerts_evaluate(codes=["out_of_adherence"])


def rows():
    return list(
        Alert.objects.order_by("opened_at").values_list(
            "project", "value", "threshold", "opened_at", "cleared_at", "message"
        )
    )


def test_out_of_adherence_opens_past_the_threshold_and_clears_when_back(day):
    assert judge(9, 5) == {"opened": 0, "updated": 0, "cleared": 0}  # 300 s late
    assert judge(9, 10) == {"opened": 0, "updated": 0, "cleared": 0}  # 600 s: not above
    assert judge(9, 11) == {"opened": 1, "updated": 0, "cleared": 0}  # 660 s
    assert rows() == [
        (
            None,
            Decimal(660),
            Decimal(600),
            at(9, 11),
            None,
            "Operators out of adherence: 1 out of adherence over 600 s: anna 660 s",
        )
    ]
    assert judge(9, 12) == {"opened": 0, "updated": 1, "cleared": 0}  # 720 s, logged in now
    assert judge(9, 13) == {"opened": 0, "updated": 0, "cleared": 1}
    # The planned lunch on break is in adherence; its 20 minutes over are not.
    assert judge(13, 30)["opened"] == 0
    assert judge(14, 10) == {"opened": 0, "updated": 0, "cleared": 0}  # 600 s over
    assert judge(14, 15) == {"opened": 1, "updated": 0, "cleared": 0}  # 900 s over
    assert judge(14, 20) == {"opened": 0, "updated": 1, "cleared": 0}  # 1,200 s; ready now
    assert judge(14, 21) == {"opened": 0, "updated": 0, "cleared": 1}
    assert [(r[1], r[3], r[4]) for r in rows()] == [
        (Decimal(720), at(9, 11), at(9, 13)),
        (Decimal(1200), at(14, 15), at(14, 21)),
    ]
