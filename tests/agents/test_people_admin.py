"""People in the admin: the operator's status page and history, training courses and
enrolments (scoped to a trainer's projects), and the People page."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from agents.models import (
    Certification,
    Operator,
    OperatorStatusChange,
    TrainingEnrolment,
    TrainingProgram,
)
from tests.admin_pages import changelist, page, rows
from tests.factories import (
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
)
from tests.factories.people import TrainingEnrolmentFactory, TrainingProgramFactory

# The clock of conftest.py: today is 2026-10-30, 12:00 UTC, for every test here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
D = dt.date


def test_the_people_models_are_registered():
    for model in (TrainingProgram, TrainingEnrolment):
        assert admin.site.is_registered(model)


class TestOperatorLifecycle:
    @pytest.fixture
    def anna(self):
        return OperatorFactory(code="anna", status="candidate", hired_on=None)

    def test_the_change_page_shows_history_and_keeps_status_read_only(self, admin_client, anna):
        OperatorStatusChange.objects.create(
            operator=anna,
            from_status="dismissed",
            to_status="candidate",
            effective_on=D(2026, 9, 1),
        )
        response = page(admin_client, Operator, "change", anna.pk)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Lifecycle history" in html
        assert 'id="operator-status-link"' in html
        assert 'name="status"' not in html  # moves go through the status page
        assert 'name="certifications-TOTAL_FORMS"' in html

    def test_the_status_page_makes_a_move(self, admin_client, anna):
        url = reverse("admin:agents_operator_status", args=[anna.pk])
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(url, {"to_status": "training", "on": "2026-10-05"})
        assert response.status_code == 302
        anna.refresh_from_db()
        assert anna.status == "training"
        change = OperatorStatusChange.objects.get()
        assert (change.to_status, change.effective_on, change.changed_by.username) == (
            "training",
            D(2026, 10, 5),
            "admin",
        )

    def test_a_refused_move_shows_why_and_stores_nothing(self, admin_client, anna):
        url = reverse("admin:agents_operator_status", args=[anna.pk])
        response = admin_client.post(url, {"to_status": "active", "on": "2026-10-05"}, follow=True)
        assert "cannot become active" in response.content.decode()
        assert not OperatorStatusChange.objects.exists()
        response = admin_client.post(url, {"to_status": "dismissed", "on": "2026-10-05"})
        assert "A dismissal needs a reason." in response.content.decode()
        anna.refresh_from_db()
        assert anna.status == "candidate"

    def test_the_changelist_filters_by_status(self, admin_client, anna):
        OperatorFactory(code="boris")
        assert rows(changelist(admin_client, Operator, status__exact="candidate")) == [anna]


@pytest.fixture
def sales():
    return ProjectFactory(code="sales")


def trainer_of(project):
    """A staff user with the trainer role on ``project`` and the "Trainers" permissions."""
    user = UserFactory(username="tina", is_staff=True)
    codenames = [
        "view_operator",
        "view_trainingprogram",
        "add_trainingprogram",
        "change_trainingprogram",
        "view_trainingenrolment",
        "add_trainingenrolment",
        "change_trainingenrolment",
    ]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="agents", codename__in=codenames)
    )
    project.trainers.add(user)
    return user


class TestTraining:
    def test_in_progress_enrolments_with_their_ready_dates(self, admin_client, hotline):
        program = TrainingProgramFactory(project=hotline)
        late = TrainingEnrolmentFactory(program=program, expected_ready_on=D(2026, 11, 20))
        soon = TrainingEnrolmentFactory(program=program, expected_ready_on=D(2026, 11, 2))
        TrainingEnrolmentFactory(
            program=program, status="failed", score=10, completed_on=D(2026, 10, 20)
        )
        response = changelist(admin_client, TrainingEnrolment, progress="open")
        assert rows(response) == [soon, late]
        assert (
            "2026-11-02" in response.content.decode() or "Nov. 2, 2026" in response.content.decode()
        )

    def test_a_trainer_sees_and_picks_only_their_projects(self, client, hotline, sales):
        trainer = trainer_of(hotline)
        ours = TrainingProgramFactory(project=hotline)
        theirs = TrainingProgramFactory(project=sales)
        ours_enrolment = TrainingEnrolmentFactory(program=ours)
        TrainingEnrolmentFactory(program=theirs)
        client.force_login(trainer)
        assert rows(changelist(client, TrainingProgram)) == [ours]
        assert rows(changelist(client, TrainingEnrolment)) == [ours_enrolment]
        form = page(client, TrainingEnrolment, "add").context["adminform"].form
        assert list(form.fields["program"].queryset) == [ours]
        assert page(client, TrainingProgram, "change", theirs.pk).status_code == 302  # not found

    def test_enrol_and_record_a_passing_result_in_the_admin(self, client, hotline):
        trainer = trainer_of(hotline)
        program = TrainingProgramFactory(project=hotline, hours=16, passing_score=70)
        anna = OperatorFactory(code="anna", status="candidate", hired_on=None)
        client.force_login(trainer)
        add = reverse("admin:agents_trainingenrolment_add")
        response = client.post(
            add, {"operator": anna.pk, "program": program.pk, "started_on": "2026-10-05"}
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        enrolment = TrainingEnrolment.objects.get()
        assert (enrolment.expected_ready_on, enrolment.trainer) == (D(2026, 10, 7), trainer)
        anna.refresh_from_db()
        assert anna.status == "training"

        change = reverse("admin:agents_trainingenrolment_change", args=[enrolment.pk])
        response = client.post(change, {"note": "", "score": 75, "completed_on": "2026-10-07"})
        assert response.status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.status == "passed"
        assert Certification.objects.get(operator=anna).certified_on == D(2026, 10, 7)

    def test_add_a_course_in_the_admin(self, client, hotline, sales):
        trainer = trainer_of(hotline)
        client.force_login(trainer)
        add = reverse("admin:agents_trainingprogram_add")
        body = {"name": "Induction", "hours": 40, "hours_per_day": "8", "passing_score": 80}
        response = client.post(add, {**body, "project": sales.pk, "is_active": "on"})
        assert response.status_code == 200  # not a project this trainer may pick
        assert not TrainingProgram.objects.exists()
        response = client.post(add, {**body, "project": hotline.pk, "is_active": "on"})
        assert response.status_code == 302
        program = TrainingProgram.objects.get()
        assert (program.project, program.passing_score) == (hotline, 80)
        response = client.post(add, {**body, "project": hotline.pk, "passing_score": 101})
        assert response.status_code == 200
        assert TrainingProgram.objects.count() == 1

    def test_a_refused_enrolment_shows_on_the_form(self, admin_client, hotline):
        program = TrainingProgramFactory(project=hotline)
        gone = OperatorFactory(status="dismissed", hired_on=D(2026, 1, 5), left_on=D(2026, 2, 1))
        response = admin_client.post(
            reverse("admin:agents_trainingenrolment_add"),
            {"operator": gone.pk, "program": program.pk, "started_on": "2026-10-05"},
        )
        assert response.status_code == 200
        assert "rehire them first" in response.content.decode()
        assert not TrainingEnrolment.objects.exists()


class TestPeoplePage:
    def test_turnover_and_bench_strength_with_the_shortage_highlighted(self, admin_client):
        short = ProjectFactory(code="short-line", timezone="UTC")
        ProjectFactory(code="calm-line", timezone="UTC")
        anna = OperatorFactory(code="anna", status="active", hired_on=D(2026, 9, 1))
        CertificationFactory(operator=anna, project=short)
        response = admin_client.get(reverse("people_report"), {"from": "2026-09", "to": "2026-10"})
        assert response.status_code == 200
        turnover = response.context["turnover"]
        assert [(r["month"], r["hires"], r["headcount_end"]) for r in turnover] == [
            ("2026-09", 1, 1),
            ("2026-10", 0, 1),
        ]
        bench = {row["project"]: row for row in response.context["bench"]}
        assert bench["short-line"]["certified_active"] == 1
        # No call history: nobody needed, so no shortage anywhere.
        assert not any(row["short"] for row in bench.values())
        html = response.content.decode()
        assert 'id="turnover-table"' in html
        assert 'data-month="2026-09"' in html
        assert 'data-project="calm-line"' in html

    def test_a_shortage_row_is_marked(self, admin_client, monkeypatch):
        from workforce import bench_strength

        ProjectFactory(code="short-line", timezone="UTC")
        monkeypatch.setattr(
            bench_strength, "peak_agents_per_project", lambda answer: {"short-line": 3}
        )
        html = admin_client.get(reverse("people_report")).content.decode()
        assert 'data-project="short-line" data-shortage="6" class="short"' in html

    def test_bad_months_show_an_error_and_the_default_range(self, admin_client):
        response = admin_client.get(reverse("people_report"), {"from": "2026-13", "to": "x"})
        assert response.status_code == 200
        assert "Send a month as YYYY-MM between 2000-01 and 2100-12." in response.content.decode()
        assert len(response.context["turnover"]) == 12

    def test_the_index_links_the_page(self, admin_client):
        html = admin_client.get(reverse("admin:index")).content.decode()
        assert f'href="{reverse("people_report")}" id="people-report-link"' in html
