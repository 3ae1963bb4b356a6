"""The people API: lifecycle moves and history, training programs and enrolments, turnover.

Bad input is a 400 naming the field with nothing stored; an impossible move a 409; another
tenant's training objects a 404 (the operators are a shared pool, as on operators/);
integrations get a 403; trainers reach the training of their projects only.
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from agents.models import (
    Certification,
    Operator,
    OperatorStatusChange,
    TrainingEnrolment,
    TrainingProgram,
)
from tests.factories import OperatorFactory, ProjectFactory, TokenFactory, UserFactory
from tests.factories.people import TrainingEnrolmentFactory, TrainingProgramFactory

# The clock of conftest.py: today is 2026-10-30, 12:00 UTC, for every test here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
D = dt.date
API = "/api/v1"


def client_for(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=user).key}")
    return api


def stored():
    return (
        list(Operator.objects.order_by("pk").values()),
        list(OperatorStatusChange.objects.order_by("pk").values()),
        list(TrainingProgram.objects.order_by("pk").values()),
        list(TrainingEnrolment.objects.order_by("pk").values()),
        list(Certification.objects.order_by("pk").values()),
    )


@pytest.fixture
def anna():
    return OperatorFactory(code="anna", status="candidate", hired_on=None)


class TestLifecycle:
    def test_the_cycle_through_the_api(self, pm_api, anna):
        url = f"{API}/operators/anna/status/"
        answer = pm_api.post(url, {"to_status": "training", "on": "2026-10-01"}, format="json")
        assert answer.status_code == 200, answer.content
        assert answer.json()["operator"]["status"] == "training"
        answer = pm_api.post(url, {"to_status": "active", "on": "2026-10-12"}, format="json")
        assert answer.json()["operator"]["hired_on"] == "2026-10-12"
        answer = pm_api.post(
            url,
            {"to_status": "dismissed", "on": "2026-10-20", "reason": "voluntary", "note": "moved"},
            format="json",
        )
        body = answer.json()
        assert (body["operator"]["status"], body["operator"]["left_on"]) == (
            "dismissed",
            "2026-10-20",
        )
        assert body["change"]["reason"] == "voluntary"
        assert body["change"]["changed_by"] == "pm"
        assert body["deleted_shifts"] == 0

        history = pm_api.get(f"{API}/operators/anna/history/").json()
        assert history["operator"] == "anna"
        assert [
            (c["from_status"], c["to_status"], c["effective_on"]) for c in history["changes"]
        ] == [
            ("candidate", "training", "2026-10-01"),
            ("training", "active", "2026-10-12"),
            ("active", "dismissed", "2026-10-20"),
        ]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"on": "2026-10-01"}, "to_status"),
            ({"to_status": "retired", "on": "2026-10-01"}, "to_status"),
            ({"to_status": "training"}, "on"),
            ({"to_status": "training", "on": "01.10.2026"}, "on"),
            ({"to_status": "training", "on": "2026-11-02"}, "on"),  # after today
            ({"to_status": "dismissed", "on": "2026-10-01"}, "reason"),
            ({"to_status": "dismissed", "on": "2026-10-01", "reason": "bored"}, "reason"),
            ({"to_status": "training", "on": "2026-10-01", "reason": "other"}, "reason"),
            ({"to_status": "training", "on": "2026-10-01", "note": "x" * 256}, "note"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
        self, admin_api, anna, body, field
    ):
        before = stored()
        answer = admin_api.post(f"{API}/operators/anna/status/", body, format="json")
        assert answer.status_code == 400, answer.content
        assert field in answer.json()["errors"]
        assert stored() == before

    def test_an_impossible_move_is_a_409_and_stores_nothing(self, admin_api, anna):
        before = stored()
        answer = admin_api.post(
            f"{API}/operators/anna/status/",
            {"to_status": "active", "on": "2026-10-01"},
            format="json",
        )
        assert answer.status_code == 409
        assert answer.json()["code"] == "invalid_transition"
        assert stored() == before

    def test_an_unknown_operator_is_a_404(self, admin_api):
        answer = admin_api.post(
            f"{API}/operators/ghost/status/", {"to_status": "training", "on": "2026-10-01"}
        )
        assert answer.status_code == 404
        assert admin_api.get(f"{API}/operators/ghost/history/").status_code == 404

    def test_integrations_neither_move_nor_read(self, integration_api, anna):
        before = stored()
        body = {"to_status": "training", "on": "2026-10-01"}
        assert integration_api.post(f"{API}/operators/anna/status/", body).status_code == 403
        assert integration_api.get(f"{API}/operators/anna/history/").status_code == 403
        assert (
            integration_api.get(f"{API}/people/turnover/?from=2026-01&to=2026-02").status_code
            == 403
        )
        assert stored() == before


class TestTurnover:
    def test_months_and_rounding(self, pm_api):
        OperatorFactory(status="active", hired_on=D(2026, 1, 10))
        answer = pm_api.get(f"{API}/people/turnover/", {"from": "2026-01", "to": "2026-02"})
        assert answer.status_code == 200
        months = answer.json()["months"]
        assert [m["month"] for m in months] == ["2026-01", "2026-02"]
        assert months[0] | {"leavers_by_reason": None} == {
            "month": "2026-01",
            "headcount_start": 0,
            "headcount_end": 1,
            "hires": 1,
            "rehires": 0,
            "leavers": 0,
            "leavers_by_reason": None,
            "training_dropouts": 0,
            "turnover_rate": "0.0000",
            "average_tenure_days": "22.0",
            "average_leaver_tenure_days": None,
        }

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"to": "2026-02"}, "from"),
            ({"from": "2026-13", "to": "2026-02"}, "from"),
            ({"from": "2026-01", "to": "2026-1"}, "to"),
            ({"from": "2026-03", "to": "2026-02"}, "to"),
            ({"from": "2010-01", "to": "2026-02"}, "to"),
        ],
    )
    def test_bad_months_are_a_400_naming_the_field(self, pm_api, query, field):
        answer = pm_api.get(f"{API}/people/turnover/", query)
        assert answer.status_code == 400
        assert field in answer.json()["errors"]


@pytest.fixture
def their_project(db):
    return ProjectFactory(code="their-line")


class TestTrainingApi:
    def test_program_crud_for_the_pm(self, pm_api, pm_project):
        answer = pm_api.post(
            f"{API}/training/programs/",
            {"project": "pm-hotline", "name": "Induction", "hours": 40, "passing_score": 80},
            format="json",
        )
        assert answer.status_code == 201, answer.content
        program = answer.json()
        assert program["hours_per_day"] == "8.00"
        url = f"{API}/training/programs/{program['id']}/"
        assert pm_api.patch(url, {"passing_score": 85}, format="json").json()["passing_score"] == 85
        assert pm_api.get(f"{API}/training/programs/").json()["results"][0]["id"] == program["id"]
        assert pm_api.delete(url).status_code == 204

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "X", "hours": 40, "passing_score": 80}, "project"),
            ({"project": "their-line", "name": "X", "hours": 40, "passing_score": 80}, "project"),
            ({"project": "pm-hotline", "name": "X", "hours": 0, "passing_score": 80}, "hours"),
            (
                {"project": "pm-hotline", "name": "X", "hours": 40, "passing_score": 101},
                "passing_score",
            ),
            ({"project": "pm-hotline", "name": "", "hours": 40, "passing_score": 80}, "name"),
            (
                {
                    "project": "pm-hotline",
                    "name": "X",
                    "hours": 4,
                    "passing_score": 8,
                    "hours_per_day": 25,
                },
                "hours_per_day",
            ),
            ({"project": "pm-hotline", "name": "Taken", "hours": 40, "passing_score": 80}, "name"),
        ],
    )
    def test_bad_programs_are_a_400_naming_the_field(
        self, pm_api, pm_project, their_project, body, field
    ):
        TrainingProgramFactory(project=pm_project, name="Taken")
        before = stored()
        answer = pm_api.post(f"{API}/training/programs/", body, format="json")
        assert answer.status_code == 400, answer.content
        assert field in answer.json()["errors"]
        assert stored() == before

    def test_a_course_cannot_move_to_another_project(self, admin_api, pm_project, their_project):
        program = TrainingProgramFactory(project=pm_project)
        answer = admin_api.patch(
            f"{API}/training/programs/{program.pk}/", {"project": "their-line"}, format="json"
        )
        assert answer.status_code == 400
        assert "project" in answer.json()["errors"]
        program.refresh_from_db()
        assert program.project == pm_project

    def test_another_tenants_training_is_a_404(self, pm_api, pm_project, their_project, anna):
        theirs = TrainingProgramFactory(project=their_project)
        enrolment = TrainingEnrolmentFactory(program=theirs)
        before = stored()
        assert pm_api.get(f"{API}/training/programs/{theirs.pk}/").status_code == 404
        assert (
            pm_api.patch(f"{API}/training/programs/{theirs.pk}/", {"name": "Y"}).status_code == 404
        )
        assert pm_api.get(f"{API}/training/enrolments/{enrolment.pk}/").status_code == 404
        answer = pm_api.post(
            f"{API}/training/enrolments/{enrolment.pk}/result/", {"score": 90, "on": "2026-10-20"}
        )
        assert answer.status_code == 404
        answer = pm_api.post(
            f"{API}/training/enrolments/",
            {"operator": "anna", "program": theirs.pk, "started_on": "2026-10-05"},
        )
        assert answer.status_code == 400
        assert "program" in answer.json()["errors"]
        assert pm_api.get(f"{API}/training/enrolments/").json()["results"] == []
        assert (
            pm_api.get(f"{API}/training/enrolments/", {"project": "their-line"}).json()["results"]
            == []
        )
        assert stored() == before

    def test_enrol_list_and_record_a_passing_result(self, pm_api, pm_project, anna):
        program = TrainingProgramFactory(project=pm_project, hours=40, passing_score=80)
        answer = pm_api.post(
            f"{API}/training/enrolments/",
            {"operator": "anna", "program": program.pk, "started_on": "2026-10-05"},
            format="json",
        )
        assert answer.status_code == 201, answer.content
        enrolment = answer.json()
        assert (enrolment["project"], enrolment["expected_ready_on"], enrolment["status"]) == (
            "pm-hotline",
            "2026-10-12",
            "enrolled",
        )
        assert enrolment["trainer"] == "pm"
        listed = pm_api.get(
            f"{API}/training/enrolments/", {"project": "pm-hotline", "status": "enrolled"}
        )
        assert [row["operator"] for row in listed.json()["results"]] == ["anna"]

        url = f"{API}/training/enrolments/{enrolment['id']}/result/"
        bad = pm_api.post(url, {"score": 120, "on": "2026-10-12"}, format="json")
        assert bad.status_code == 400
        assert "score" in bad.json()["errors"]
        answer = pm_api.post(url, {"score": 92, "on": "2026-10-12"}, format="json")
        assert answer.status_code == 200
        assert (answer.json()["status"], answer.json()["score"]) == ("passed", 92)
        assert Certification.objects.get(operator__code="anna").project == pm_project
        assert Operator.objects.get(code="anna").status == "active"
        again = pm_api.post(url, {"score": 60, "on": "2026-10-12"}, format="json")
        assert again.status_code == 409

    def test_integrations_get_no_training(self, integration_api, integration_client):
        program = TrainingProgramFactory(project=ProjectFactory(client=integration_client))
        assert integration_api.get(f"{API}/training/programs/").status_code == 403
        assert integration_api.get(f"{API}/training/programs/{program.pk}/").status_code == 403
        assert integration_api.get(f"{API}/training/enrolments/").status_code == 403

    def test_a_trainer_reaches_the_training_of_their_projects_only(self, pm_project, their_project):
        trainer = UserFactory(username="tina", is_staff=True)
        their_project.trainers.add(trainer)
        api = client_for(trainer)
        theirs = TrainingProgramFactory(project=their_project)
        TrainingProgramFactory(project=pm_project)
        listed = api.get(f"{API}/training/programs/").json()["results"]
        assert [row["id"] for row in listed] == [theirs.pk]
        answer = api.post(
            f"{API}/training/programs/",
            {"project": "pm-hotline", "name": "X", "hours": 8, "passing_score": 50},
            format="json",
        )
        assert answer.status_code == 400
        assert "project" in answer.json()["errors"]
        # A trainer is not the project's manager: its KPIs stay closed.
        assert api.get(f"{API}/projects/their-line/").status_code == 404


class TestQueryCounts:
    """A list's query count does not grow with its rows (no N+1)."""

    def count(self, api, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    def test_enrolments_and_programs(self, pm_api, pm_project):
        trainer = UserFactory(username="tr")
        program = TrainingProgramFactory(project=pm_project)
        TrainingEnrolmentFactory(program=program, trainer=trainer)
        urls = [f"{API}/training/enrolments/", f"{API}/training/programs/"]
        few = [self.count(pm_api, url) for url in urls]
        for _ in range(10):
            TrainingEnrolmentFactory(
                program=TrainingProgramFactory(project=pm_project), trainer=UserFactory()
            )
        assert [self.count(pm_api, url) for url in urls] == few

    def test_history(self, admin_api, anna):
        from agents import lifecycle

        lifecycle.operator_start_training(operator=anna, on=D(2026, 10, 1))
        url = f"{API}/operators/anna/history/"
        few = self.count(admin_api, url)
        lifecycle.operator_dismiss(
            operator=anna, on=D(2026, 10, 2), reason="other", by=UserFactory()
        )
        lifecycle.operator_rehire(operator=anna, on=D(2026, 10, 3), by=UserFactory())
        assert self.count(admin_api, url) == few
