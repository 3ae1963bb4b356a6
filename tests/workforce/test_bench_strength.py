"""Bench strength (workforce.bench_strength): certified active operators against
ceil(peak agents / (1 - shrinkage) x rota factor), exact on a small case."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from agents.models import Operator
from calls.models import ProjectInterval
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory
from tests.factories.people import TrainingEnrolmentFactory, TrainingProgramFactory
from workforce import bench_strength

UTC = dt.UTC
START = dt.date(2026, 10, 12)


@pytest.mark.parametrize(
    ("peak", "shrinkage", "rota", "heads"),
    [
        (9, "0.3", "1.4", 18),  # 9 / 0.7 = 12.857 x 1.4 = 18 exactly (floats say 18.000...04)
        (7, "0.3", "1.4", 14),  # 7 / 0.7 x 1.4 = 14, not 15
        (10, "0", "1", 10),
        (10, "0.25", "1.4", 19),  # 13.33 x 1.4 = 18.67 -> 19
        (0, "0.3", "1.4", 0),
        (1, "0.5", "1.2", 3),  # 2 x 1.2 = 2.4 -> 3
    ],
)
def test_heads_needed_is_exact(peak, shrinkage, rota, heads):
    assert bench_strength.heads_needed(peak, shrinkage=shrinkage, rota_factor=rota) == heads


@pytest.mark.parametrize(("shrinkage", "rota"), [("1", "1.4"), ("-0.1", "1.4"), ("0.3", "0.9")])
def test_impossible_parameters_are_refused(shrinkage, rota):
    with pytest.raises(ValueError, match="must be"):
        bench_strength.heads_needed(5, shrinkage=shrinkage, rota_factor=rota)


def test_the_peak_is_the_busiest_interval_of_each_project():
    answer = {
        "projects": ["a", "b"],
        "intervals": [
            {"dedicated": {"a": 3, "b": 0}},
            {"dedicated": {"a": 7, "b": 2}},
            {"dedicated": {"a": 5, "b": 4}},
        ],
    }
    assert bench_strength.peak_agents_per_project(answer) == {"a": 7, "b": 4}


@pytest.fixture
def hotline(db):
    """Six weeks of 30 calls x 180 s in each quarter of 09:00-10:00 UTC: the forecast is
    6 Erlangs there, 9 agents at 80/20 (tests/calls/test_staffing_plan.py), nothing else."""
    project = ProjectFactory(code="hotline", timezone="UTC")
    rows = []
    for day in range(1, 43):
        date = dt.datetime.combine(START - dt.timedelta(days=day), dt.time(9), UTC)
        rows.extend(
            ProjectInterval(
                project=project,
                interval_start=date + dt.timedelta(minutes=15 * quarter),
                offered=30,
                answered=30,
                talk_seconds=30 * 180,
            )
            for quarter in range(4)
        )
    ProjectInterval.objects.bulk_create(rows)
    return project


@pytest.fixture
def bench(hotline):
    """15 active operators certified on the hotline; others that must not count."""
    for _ in range(15):
        CertificationFactory(project=hotline, operator=OperatorFactory(status="active"))
    CertificationFactory(
        project=hotline,
        operator=OperatorFactory(
            status=Operator.Status.DISMISSED,
            hired_on=dt.date(2025, 1, 10),
            left_on=dt.date(2026, 9, 30),
        ),
    )
    trainee = OperatorFactory(status=Operator.Status.TRAINING, hired_on=None)
    CertificationFactory(project=hotline, operator=trainee)  # certified, not yet active
    CertificationFactory(operator=OperatorFactory(status="active"))  # another project
    program = TrainingProgramFactory(project=hotline)
    TrainingEnrolmentFactory(program=program, operator=trainee)
    TrainingEnrolmentFactory(program=program)
    return hotline


@pytest.mark.django_db
def test_a_shortage_of_three_on_the_small_case(bench):
    (row,) = bench_strength.bench_strength(
        projects=[bench], start_date=START, days=1, shrinkage="0.3", rota_factor="1.4"
    )
    assert row.as_dict() == {
        "project": "hotline",
        "peak_agents": 9,
        "heads_needed": 18,  # ceil(9 / 0.7 x 1.4)
        "certified_active": 15,
        "in_training": 2,
        "shortage": 3,
        "short": True,
    }


@pytest.mark.django_db
def test_no_shortage_with_a_lighter_rota(bench):
    (row,) = bench_strength.bench_strength(
        projects=[bench], start_date=START, days=1, shrinkage="0.3", rota_factor="1.1"
    )
    assert (row.heads_needed, row.shortage, row.short) == (15, 0, False)  # 14.14 -> 15


@pytest.mark.django_db
class TestApi:
    URL = "/api/v1/projects/hotline/bench-strength/"

    def test_the_answer(self, admin_api, bench):
        answer = admin_api.get(self.URL, {"start": "2026-10-12", "days": 1})
        assert answer.status_code == 200, answer.content
        assert answer.json() == {
            "project": "hotline",
            "start": "2026-10-12",
            "days": 1,
            "shrinkage": "0.3",
            "rota_factor": "1.4",
            "peak_agents": 9,
            "heads_needed": 18,
            "certified_active": 15,
            "in_training": 2,
            "shortage": 3,
            "short": True,
        }

    def test_a_default_start_is_tomorrow_in_the_projects_zone(self, admin_api, hotline):
        with time_machine.travel(dt.datetime(2026, 10, 11, 23, 30, tzinfo=UTC), tick=False):
            answer = admin_api.get(self.URL, {"days": 1, "rota_factor": "1.5"})
        assert answer.json()["start"] == "2026-10-12"
        assert answer.json()["rota_factor"] == "1.5"

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"shrinkage": "1"}, "shrinkage"),
            ({"rota_factor": "0.5"}, "rota_factor"),
            ({"days": 0}, "days"),
            ({"start": "12.10.2026"}, "start"),
        ],
    )
    def test_bad_parameters_are_a_400_naming_the_field(self, admin_api, hotline, query, field):
        answer = admin_api.get(self.URL, query)
        assert answer.status_code == 400
        assert field in answer.json()["errors"]

    def test_another_tenants_project_is_a_404_and_integrations_a_403(
        self, pm_api, integration_api, hotline
    ):
        assert pm_api.get(self.URL).status_code == 404
        assert integration_api.get(self.URL).status_code == 403

    def test_the_setting_names_the_default_rota_factor(self, settings):
        settings.BENCH_ROTA_FACTOR = "1.25"
        assert bench_strength.rota_factor_setting() == Decimal("1.25")
