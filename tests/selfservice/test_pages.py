"""The operator's pages show their own rows only: schedule, KPIs and QA of this month."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.factories import CallFactory, ShiftFactory
from tests.factories.quality import EvaluationFactory, ScorecardFactory
from tests.selfservice.conftest import at, local_day


def test_the_schedule_lists_my_shifts_of_the_three_weeks_in_local_time(team):
    mine = [
        ShiftFactory(
            operator=team["anna"], starts_at=at(local_day(d), 9), ends_at=at(local_day(d), 17)
        )
        for d in (-8, -7, 0, 14, 15)
    ]
    ShiftFactory(
        operator=team["boris"], starts_at=at(local_day(1), 9), ends_at=at(local_day(1), 17)
    )

    page = team["anna_client"].get("/me/")

    assert page.status_code == 200
    assert [row["shift"] for row in page.context["rows"]] == mine[1:4]
    assert "09:00–17:00 MSK" in page.content.decode()


def test_my_results_count_my_calls_of_this_month(team):
    now = timezone.now()
    calls = [
        CallFactory(
            project=team["project"],
            operator=team["anna"],
            offered_at=now - dt.timedelta(minutes=minutes),
        )
        for minutes in (1, 2, 3)
    ]
    card = ScorecardFactory(project=team["project"])
    EvaluationFactory(
        scorecard=card, call=calls[0], status="submitted", score=Decimal("90.00"), submitted_at=now
    )
    EvaluationFactory(
        scorecard=card, call=calls[1], status="final", score=Decimal("80.00"), submitted_at=now
    )
    EvaluationFactory(scorecard=card, call=calls[2], status="draft")
    CallFactory(
        project=team["project"], operator=team["boris"], offered_at=now - dt.timedelta(minutes=1)
    )

    page = team["anna_client"].get("/me/kpis/", HTTP_ACCEPT_LANGUAGE="ru")

    assert page.status_code == 200
    # Each call: 150 s connected, 10 s hold, 20 s wrap: talk 140 + hold 10 + wrap 20.
    assert (page.context["handled"], page.context["aht"]) == (3, "170")
    assert page.context["qa_total"] == {
        "evaluations": 2,
        "average_score": "85.00",
        "critical_failures": 0,
    }
    assert "Горячая линия: <strong>85,00</strong>" in page.content.decode()
