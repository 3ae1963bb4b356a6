"""The demo's people and quality part (billing/demo_people.py), over a small demo: the
catalogue, seven simulated days (8 to 14 October 2026) and the users, as `manage.py demo`
loads them. The counts follow from the scenario's seed and the demo's own seed."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agents import turnover
from agents.models import Operator, OperatorStatusChange, TrainingEnrolment, TrainingProgram
from demo.loaders import demo_catalogue, demo_simulate, demo_users
from demo.people import DEMO_QUOTAS, QA_PROJECTS, SCORECARD, demo_people_counts
from projects.models import Project
from projects.roles import QA_EVALUATORS, TRAINERS
from quality.models import Evaluation, EvaluationDispute, QaSample, Scorecard
from quality.selectors import project_qa

TODAY = dt.date(2026, 10, 15)  # the demo's "last month" is then the 7 days before it
DAYS = 7
PASSWORD = "demo-secret"


def _load():
    _clients, projects = demo_catalogue()
    demo_simulate(days=DAYS, today=TODAY)
    return demo_users(projects=projects, password=PASSWORD)


def _row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One small demo for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        tokens = _load()
        yield tokens
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_staff_users_have_roles_tokens_and_the_demo_password(demo):
    User = get_user_model()
    qa, trainer, lead = (User.objects.get(username=name) for name in ("qa", "trainer", "lead"))
    assert {"qa", "trainer", "lead", "admin", "pm", "volga-crm"} <= set(demo)
    for user in (qa, trainer, lead):
        assert user.is_staff
        assert not user.is_superuser
        assert user.check_password(PASSWORD)
    assert list(qa.groups.values_list("name", flat=True)) == [QA_EVALUATORS]
    assert list(trainer.groups.values_list("name", flat=True)) == [TRAINERS]
    assert sorted(qa.evaluated_projects.values_list("code", flat=True)) == sorted(QA_PROJECTS)
    assert sorted(trainer.trained_projects.values_list("code", flat=True)) == [
        "dv-booking",
        "sib-support",
        "volga-hotline",
        "vostok-delivery",
    ]
    assert Operator.objects.filter(supervisor=lead).count() == 20


def test_one_scorecard_per_project_with_weighted_criteria_one_or_two_critical(demo):
    assert Scorecard.objects.count() == Project.objects.count() == 6
    for scorecard in Scorecard.objects.prefetch_related("criteria"):
        criteria = list(scorecard.criteria.all())
        assert scorecard.name == SCORECARD
        assert scorecard.version == 1
        assert scorecard.is_active
        assert 5 <= len(criteria) <= 7
        assert 1 <= sum(c.is_critical for c in criteria) <= 2
        assert sum(c.weight for c in criteria) == 100


def test_the_weekly_samples_are_scored_drafted_and_disputed(demo):
    counts = demo_people_counts()
    assert counts["scorecards"] == 6
    # One call per operator and local week on the evaluated lines: the local weeks of 5
    # and 12 October hold the 7 days; 51 operators answer the hotline, 31 the sales line.
    assert QaSample.objects.count() == 164
    assert QaSample.objects.filter(project__code="volga-hotline").count() == 102
    assert set(QaSample.objects.values_list("project__code", flat=True)) == set(QA_PROJECTS)
    assert DEMO_QUOTAS.total == 1
    assert counts["evaluations"] == {"draft": 32, "submitted": 130, "disputed": 0, "final": 2}
    # The lead's operators scored below 100 on the hotline: two in these 7 days (four in
    # the month of `make demo`, where two disputes stay open).
    assert counts["disputes"] == {"open": 0, "upheld": 1, "overturned": 1}
    lead = get_user_model().objects.get(username="lead")
    assert set(EvaluationDispute.objects.values_list("raised_by", flat=True)) == {lead.pk}
    overturned = EvaluationDispute.objects.get(status="overturned")
    assert (overturned.score_before, overturned.score_after) == (90, 100)
    upheld = EvaluationDispute.objects.get(status="upheld")
    assert upheld.score_after == upheld.score_before
    submitted = Evaluation.objects.filter(status__in=["submitted", "final"])
    assert submitted.filter(critical_failed=True).count() == 3
    assert all(e.score == 0 for e in submitted.filter(critical_failed=True))
    # The queue: drafts assigned to the evaluator, all from the last week here.
    qa = get_user_model().objects.get(username="qa")
    drafts = Evaluation.objects.filter(status="draft")
    assert set(drafts.values_list("evaluator", flat=True)) == {qa.pk}
    assert set(drafts.values_list("sample__week_start", flat=True)) == {dt.date(2026, 10, 12)}


def test_the_dashboard_score_of_the_hotline(demo):
    project = Project.objects.get(code="volga-hotline")
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    totals = project_qa(project=project, start=start, end=end)["totals"]
    assert totals == {"average_score": "94.50", "evaluations": 80, "critical_failures": 1}


def test_training_hires_trainees_and_leavers(demo):
    assert TrainingProgram.objects.count() == 6
    counts = demo_people_counts()
    assert counts["enrolments"] == {"enrolled": 2, "passed": 3, "failed": 1, "withdrawn": 0}
    today = timezone.localdate()
    for enrolment in TrainingEnrolment.objects.filter(status="enrolled"):
        assert enrolment.operator.status == Operator.Status.TRAINING
        assert enrolment.expected_ready_on > today
    for enrolment in TrainingEnrolment.objects.filter(status="passed"):
        assert enrolment.operator.status == Operator.Status.ACTIVE
        assert enrolment.operator.certifications.filter(project=enrolment.program.project).exists()
    failed = TrainingEnrolment.objects.get(status="failed").operator
    assert failed.status == Operator.Status.DISMISSED
    assert failed.status_changes.get(to_status="dismissed").reason == "failed_training"
    # Every operator has a history: the pool's opening rows, the moves of the month.
    assert not Operator.objects.filter(status_changes__isnull=True).exists()
    # 67 opening rows; 3 hires x 2 moves, the failed trainee 2, 2 trainees 1, 2 leavers 1.
    assert OperatorStatusChange.objects.count() == 67 + 6 + 2 + 2 + 2
    (october,) = turnover.turnover(
        first_month=dt.date(2026, 10, 1), last_month=dt.date(2026, 10, 1)
    )
    assert (october.hires, october.leavers, october.training_dropouts) == (3, 2, 1)
    assert october.leavers_by_reason == {"voluntary": 1, "attendance": 1}
    assert october.headcount_end == october.headcount_start + 1


def test_a_second_load_adds_nothing(demo):
    before = _row_counts()
    _load()
    assert _row_counts() == before


def test_contracts_mix_full_and_part_time(demo):
    active = Operator.objects.filter(status="active").order_by("code")
    contracts = [
        (o.contract_hours_per_week, o.max_hours_per_week, o.overtime_allowed) for o in active
    ]
    part_time = [c for c in contracts if c[0] == 30]
    assert len(part_time) == len(contracts) // 4
    assert all(c[1:] == (48, True) for c in part_time)
    assert {c[1] for c in contracts} == {48}
    assert {c[0] for c in contracts} == {30, 40}


def test_one_absence_offers_replacements_and_an_operator_logs_in(demo):
    from agents.models import Absence
    from agents.replacements import replacements_for
    from demo.contracts import DEMO_ABSENCE_NOTE
    from selfservice.access import operator_of

    absence = Absence.objects.get(note=DEMO_ABSENCE_NOTE)
    candidates, excluded = replacements_for(absence=absence)
    assert len(candidates) >= 1
    active = Operator.objects.filter(status="active").count()
    assert len(candidates) + len(excluded) == active
    user = get_user_model().objects.get(username="operator")
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert (
        operator_of(user)
        == Operator.objects.filter(status="active")
        .exclude(pk=absence.operator_id)
        .order_by("code")
        .first()
    )


def test_a_sick_leave_of_the_coming_week_offers_replacements(demo):
    from agents.models import Shift
    from agents.replacements import replacements_for
    from agents.shifts import center_zone
    from demo.contracts import DEMO_ABSENCE_AHEAD_NOTE, demo_absence_ahead

    first = Operator.objects.filter(status="active").order_by("code").first()
    projects = first.certifications.values("project")
    second = (
        Operator.objects.filter(status="active", certifications__project__in=projects)
        .exclude(pk=first.pk)
        .order_by("code")
        .first()
    )
    tomorrow = TODAY + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(9), center_zone())
    for operator in (first, second):
        Shift.objects.create(
            operator=operator, starts_at=start, ends_at=start + dt.timedelta(hours=8)
        )

    absence = demo_absence_ahead(today=TODAY)

    assert (absence.operator, absence.starts_on, absence.note) == (
        first,
        tomorrow,
        DEMO_ABSENCE_AHEAD_NOTE,
    )
    candidates, excluded = replacements_for(absence=absence)
    assert len(candidates) >= 1
    assert (second, "overlap") in [(e.operator, e.code) for e in excluded]  # on shift too
    assert demo_absence_ahead(today=TODAY) == absence
