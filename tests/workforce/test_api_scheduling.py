"""schedules/generate/ and absences/{id}/replacements|assign/ as a PM sees them."""

import datetime as dt

import pytest

from agents.models import Shift, ShiftTemplate
from tests.factories import (
    AbsenceFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 12)
GENERATE = "/api/v1/schedules/generate/"


@pytest.fixture
def pool(pm_project):
    ShiftTemplate.objects.create(name="day", start_time=dt.time(9), duration_minutes=480)
    ShiftTemplate.objects.create(
        name="off", start_time=dt.time(1), duration_minutes=480, is_active=False
    )
    operators = [OperatorFactory(code=f"pool{n}") for n in range(3)]
    for operator in operators:
        CertificationFactory(operator=operator, project=pm_project)
    AbsenceFactory(operator=operators[0], starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6))
    return operators


def hourly_daytime(agents):
    return [agents if 9 <= hour % 24 < 17 else 0 for hour in range(168)]


def generate(api, requirements, **extra):
    body = {"start": MONDAY.isoformat(), "requirements": requirements, **extra}
    return api.post(GENERATE, body, format="json")


def test_generate_previews_a_covering_schedule(pm_api, pm_project, pool):
    response = generate(pm_api, {pm_project.code: hourly_daytime(1)})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "OPTIMAL"
    assert (body["understaffed"], body["understaffed_agent_intervals"]) == ([], 0)
    assert body["paid_hours"] == 56
    # pool0 is absent all week; only the active template is used.
    assert {s["operator"] for s in body["shifts"]} == {"pool1", "pool2"}
    assert {s["template"] for s in body["shifts"]} == {"day"}
    (coverage,) = body["coverage"]
    assert (
        coverage["covered"]
        == coverage["required"]
        == [1 if 36 <= index % 96 < 68 else 0 for index in range(672)]
    )
    assert body["published"] is None
    assert Shift.objects.count() == 0  # a preview writes nothing


def test_generate_reports_the_understaffing_it_cannot_avoid(pm_api, pm_project, pool):
    # Two agents 8 h a day: 14 shifts, but two operators at 40 h give 10: 4 days x 8 h short.
    body = generate(pm_api, {pm_project.code: hourly_daytime(2)}).json()

    assert body["understaffed_agent_intervals"] == 4 * 32
    assert {row["required"] for row in body["understaffed"]} == {2}  # where, the solver picks
    assert body["paid_hours"] == 80


def test_generate_publishes_the_shifts(admin_api, pm_project, pool):
    response = generate(admin_api, {pm_project.code: 1}, operators=["pool1"], publish=True)

    body = response.json()
    assert response.status_code == 200, body
    assert body["published"] == {"created": 5, "skipped": []}
    assert Shift.objects.filter(operator__code="pool1").count() == 5


@pytest.mark.parametrize(
    ("requirements", "extra", "field"),
    [
        ({"pm-hotline": [1, 2, 3]}, {}, "requirements"),
        ({"pm-hotline": -1}, {}, "requirements"),
        ({"nope": 1}, {}, "requirements"),
        ({"not-mine": 1}, {}, "requirements"),  # a project the PM does not manage
        ({"pm-hotline": 1}, {"operators": ["ghost"]}, "operators"),
        ({"pm-hotline": 1}, {"time_limit_seconds": 600}, "time_limit_seconds"),
    ],
)
def test_generate_refuses_bad_input_naming_the_field(pm_api, pool, requirements, extra, field):
    ProjectFactory(code="not-mine")
    response = generate(pm_api, requirements, **extra)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_integrations_may_not_plan(integration_api, pool, pm_project):
    assert generate(integration_api, {pm_project.code: 1}).status_code == 403


@pytest.fixture
def sick(pool, pm_project):
    """pool1 is sick on Tuesday, when they have a shift; pool2 is free."""
    tuesday = MONDAY + dt.timedelta(days=1)
    absence = AbsenceFactory(operator=pool[1], starts_on=tuesday, ends_on=tuesday)
    shift = ShiftFactory(
        operator=pool[1], starts_at=dt.datetime.combine(tuesday, dt.time(9), tzinfo=dt.UTC)
    )
    return absence, shift


def test_replacements_list_the_free_certified_operators(pm_api, pm_project, pool, sick):
    absence, shift = sick
    response = pm_api.get(f"/api/v1/absences/{absence.pk}/replacements/")

    assert response.status_code == 200
    body = response.json()
    assert (body["absence"], body["operator"]) == (absence.pk, "pool1")
    assert [s["id"] for s in body["shifts"]] == [shift.pk]
    assert body["candidates"] == [
        {
            "operator": "pool2",
            "full_name": pool[2].full_name,
            "shared_projects": [pm_project.code],
            "shared_count": 1,
            "best_level": 2,
            "week_hours": 0.0,
            "shifts": [shift.pk],
            "overtime_hours": 0.0,
            "extra_cost": "0.00",
            "preferred_day_off": False,
        }
    ]
    assert [(e["operator"], e["code"]) for e in body["excluded"]] == [
        ("pool0", "absent"),
        ("pool1", "absent_operator"),
    ]


def test_assign_hands_the_shift_over(pm_api, sick):
    absence, shift = sick
    response = pm_api.post(
        f"/api/v1/absences/{absence.pk}/assign/",
        {"shift": shift.pk, "operator": "pool2"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["operator"] == "pool2"
    assert Shift.objects.get(pk=shift.pk).operator.code == "pool2"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operator": "pool0"}, "operator"),  # absent all week
        ({"operator": "ghost"}, "operator"),
        ({"operator": "pool2", "shift": 987654}, "shift"),
    ],
)
def test_assign_refuses_a_bad_choice(pm_api, sick, body, field):
    absence, shift = sick
    response = pm_api.post(
        f"/api/v1/absences/{absence.pk}/assign/", {"shift": shift.pk, **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Shift.objects.get(pk=shift.pk).operator.code == "pool1"
