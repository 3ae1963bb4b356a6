"""The demo's schedule beyond the simulated month: the usual shifts up to next Monday, the
scenario's pool templates, and the next two weeks built by the scheduler and published."""

import datetime as dt

import pytest

from agents.models import Shift, ShiftTemplate
from demo.loaders import DEMO_SCENARIO
from demo.schedule import USUAL_NOTE, demo_schedule
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory, UserFactory
from workforce.models import ScheduleWeek
from workforce.simulation.scenario import scenario_load

pytestmark = pytest.mark.django_db


def test_the_demo_schedule_spans_to_the_coming_two_weeks():
    scenario = scenario_load(DEMO_SCENARIO)
    projects = {p.code: ProjectFactory(code=p.code, timezone=p.timezone) for p in scenario.projects}
    # op001: the first group, 08:00-17:00 Vladivostok, off on Saturday and Sunday.
    operator = OperatorFactory(code="op001")
    CertificationFactory(operator=operator, project=projects["dv-booking"])
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)

    usual, weeks = demo_schedule(
        scenario=scenario, month_end=dt.date(2026, 10, 31), user=admin, today=dt.date(2026, 11, 4)
    )

    # Sunday 1 to Sunday 8 November: Monday to Friday, 01:00-10:00 Moscow (22:00-07:00 UTC).
    first = Shift.objects.filter(note=USUAL_NOTE).order_by("starts_at").first()
    assert usual == 5
    assert (first.starts_at, first.ends_at) == (
        dt.datetime(2026, 11, 1, 22, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 2, 7, tzinfo=dt.UTC),
    )
    assert ShiftTemplate.objects.filter(is_active=True).count() == 12
    assert [(w.week_start, w.status, w.version) for w in weeks] == [
        (dt.date(2026, 11, 9), "published", 1),
        (dt.date(2026, 11, 16), "published", 1),
    ]
    # Loading again adds nothing twice.
    again = demo_schedule(
        scenario=scenario, month_end=dt.date(2026, 10, 31), user=admin, today=dt.date(2026, 11, 4)
    )
    assert again[0] == 0
    assert ScheduleWeek.objects.count() == 2
