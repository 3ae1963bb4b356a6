"""A small world for the scheduling page: two Moscow projects with six weeks of calls
09:00-18:00 every day, their operators, a PM who manages both, one pool template.

The forecast then asks, for every 15 minutes from 09:00 to 18:00 of the week from
``WEEK`` (Monday 2 November 2026), for one agent per project (1 call of 60 s: 0.07
Erlang, 80/20 met by one agent), two scheduled with 30 % shrinkage; none at night.
Alpha has three operators (15 shifts of 8 paid hours under a 40-hour contract for 14
needed), beta two (10 for 14): beta is short two agents on two days, Saturday and
Sunday, the days off its operators prefer.
"""

import datetime as dt

from calls.models import ProjectInterval
from projects.models import Project
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory, UserFactory

WEEK = dt.date(2026, 11, 2)  # a Monday
HISTORY_WEEKS = 6
MOSCOW = dt.timezone(dt.timedelta(hours=3))


def _history(project: Project) -> None:
    rows = []
    day = WEEK - dt.timedelta(days=7 * HISTORY_WEEKS)
    while day < WEEK:
        first = dt.datetime.combine(day, dt.time(9), MOSCOW).astimezone(dt.UTC)
        rows.extend(
            ProjectInterval(
                project=project,
                interval_start=first + dt.timedelta(minutes=15 * i),
                offered=1,
                answered=1,
                talk_seconds=60,
            )
            for i in range(36)  # 09:00-18:00
        )
        day += dt.timedelta(days=1)
    ProjectInterval.objects.bulk_create(rows)


def schedule_world():
    from agents.models import ShiftTemplate

    alpha = ProjectFactory(code="alpha", timezone="Europe/Moscow")
    beta = ProjectFactory(code="beta", timezone="Europe/Moscow")
    for project in (alpha, beta):
        _history(project)
    operators = {}
    for code, project, days_off in (
        ("alpha-1", alpha, []),
        ("alpha-2", alpha, []),
        ("alpha-3", alpha, []),
        ("beta-1", beta, [5, 6]),
        ("beta-2", beta, [5, 6]),
    ):
        operator = OperatorFactory(code=code, preferred_days_off=days_off)
        CertificationFactory(operator=operator, project=project)
        operators[code] = operator
    ShiftTemplate.objects.create(
        name="day", start_time=dt.time(9), duration_minutes=540, break_minutes=60
    )
    pm = UserFactory(username="scheduler-pm", is_staff=True)
    alpha.managers.add(pm)
    beta.managers.add(pm)
    return {"alpha": alpha, "beta": beta, "pm": pm, "operators": operators}
