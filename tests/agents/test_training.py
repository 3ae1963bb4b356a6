"""Training (agents.training): enrolment starts a candidate's training, a passing score
certifies (once) and activates a trainee, a failing one does not; the ready date."""

import datetime as dt

import pytest

from agents import training
from agents.models import Certification, OperatorStatusChange, TrainingEnrolment
from contactcenter.errors import ConflictError, DomainError
from tests.factories import CertificationFactory, OperatorFactory
from tests.factories.people import TrainingEnrolmentFactory, TrainingProgramFactory

# The clock of conftest.py: today is 2026-10-30, 12:00 UTC, for every test here.
pytestmark = pytest.mark.usefixtures("clock")
D = dt.date


class TestReadyDate:
    @pytest.mark.parametrize(
        ("started_on", "hours", "per_day", "ready"),
        [
            (D(2026, 10, 5), 40, 8, D(2026, 10, 12)),  # Mon: 5 days Mon-Fri, ready next Mon
            (D(2026, 10, 5), 36, 8, D(2026, 10, 12)),  # 4.5 days round up to 5
            (D(2026, 10, 7), 24, 8, D(2026, 10, 12)),  # Wed-Fri, ready Mon
            (D(2026, 10, 10), 8, 8, D(2026, 10, 13)),  # Saturday start: trains Mon, ready Tue
            (D(2026, 10, 5), 60, 4, D(2026, 10, 26)),  # 15 weekdays: 3 weeks
            (D(2026, 10, 5), 1, 8, D(2026, 10, 6)),
        ],
    )
    def test_ready_the_weekday_after_the_last_training_day(self, started_on, hours, per_day, ready):
        assert (
            training.expected_ready_on(started_on=started_on, hours=hours, hours_per_day=per_day)
            == ready
        )


@pytest.fixture
def course(project):
    return TrainingProgramFactory(
        project=project, name="Hotline induction", hours=40, passing_score=80
    )


@pytest.mark.django_db
class TestEnrolment:
    def test_enrolling_a_candidate_starts_their_training(self, candidate, course):
        enrolment = training.enrolment_create(
            operator=candidate, program=course, started_on=D(2026, 10, 5)
        )
        candidate.refresh_from_db()
        assert candidate.status == "training"
        assert enrolment.expected_ready_on == D(2026, 10, 12)
        assert list(OperatorStatusChange.objects.values_list("from_status", "to_status")) == [
            ("candidate", "training")
        ]

    def test_an_active_operator_cross_trains_without_a_status_change(self, course):
        veteran = OperatorFactory(status="active")
        training.enrolment_create(operator=veteran, program=course, started_on=D(2026, 10, 5))
        veteran.refresh_from_db()
        assert veteran.status == "active"
        assert not OperatorStatusChange.objects.exists()

    def test_refusals(self, candidate, course):
        gone = OperatorFactory(status="dismissed", hired_on=D(2026, 1, 5), left_on=D(2026, 2, 1))
        with pytest.raises(ConflictError) as refused:
            training.enrolment_create(operator=gone, program=course, started_on=D(2026, 10, 5))
        assert list(refused.value.details) == ["operator"]

        training.enrolment_create(operator=candidate, program=course, started_on=D(2026, 10, 5))
        with pytest.raises(ConflictError) as refused:
            training.enrolment_create(operator=candidate, program=course, started_on=D(2026, 10, 6))
        assert list(refused.value.details) == ["program"]

        closed = TrainingProgramFactory(project=course.project, is_active=False)
        with pytest.raises(DomainError) as refused:
            training.enrolment_create(operator=candidate, program=closed, started_on=D(2026, 10, 5))
        assert list(refused.value.details) == ["program"]
        assert TrainingEnrolment.objects.count() == 1


@pytest.mark.django_db
class TestResults:
    @pytest.fixture
    def enrolment(self, candidate, course):
        return training.enrolment_create(
            operator=candidate, program=course, started_on=D(2026, 10, 5)
        )

    def test_passing_certifies_on_the_result_day_and_activates(self, enrolment, candidate, project):
        training.enrolment_record_result(enrolment=enrolment, score=80, on=D(2026, 10, 12))
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.score, enrolment.completed_on) == (
            "passed",
            80,
            D(2026, 10, 12),
        )
        certification = Certification.objects.get(operator=candidate)
        assert (certification.project, certification.certified_on) == (project, D(2026, 10, 12))
        candidate.refresh_from_db()
        assert (candidate.status, candidate.hired_on) == ("active", D(2026, 10, 12))
        assert list(
            OperatorStatusChange.objects.order_by("id").values_list("to_status", "effective_on")
        ) == [("training", D(2026, 10, 5)), ("active", D(2026, 10, 12))]

    def test_a_failing_score_fails_without_certifying(self, enrolment, candidate):
        training.enrolment_record_result(enrolment=enrolment, score=79, on=D(2026, 10, 12))
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.score) == ("failed", 79)
        assert not Certification.objects.exists()
        candidate.refresh_from_db()
        assert candidate.status == "training"

    def test_passing_twice_does_not_duplicate_the_certification(self, enrolment, candidate, course):
        training.enrolment_record_result(enrolment=enrolment, score=95, on=D(2026, 10, 12))
        # The same result again is a retry: nothing changes.
        training.enrolment_record_result(enrolment=enrolment, score=95, on=D(2026, 10, 12))
        # A refresher course of the same project, passed again later.
        again = training.enrolment_create(
            operator=candidate, program=course, started_on=D(2026, 10, 19)
        )
        training.enrolment_record_result(enrolment=again, score=100, on=D(2026, 10, 26))
        assert Certification.objects.filter(operator=candidate).count() == 1
        assert Certification.objects.get(operator=candidate).certified_on == D(2026, 10, 12)
        assert OperatorStatusChange.objects.filter(to_status="active").count() == 1

    def test_an_existing_certification_is_kept_as_is(self, candidate, course, project):
        CertificationFactory(
            operator=candidate, project=project, certified_on=D(2025, 5, 5), level=3
        )
        enrolment = training.enrolment_create(
            operator=candidate, program=course, started_on=D(2026, 10, 5)
        )
        training.enrolment_record_result(enrolment=enrolment, score=90, on=D(2026, 10, 12))
        certification = Certification.objects.get(operator=candidate)
        assert (certification.certified_on, certification.level) == (D(2025, 5, 5), 3)

    def test_another_result_on_a_finished_enrolment_is_a_conflict(self, enrolment):
        training.enrolment_record_result(enrolment=enrolment, score=50, on=D(2026, 10, 12))
        with pytest.raises(ConflictError):
            training.enrolment_record_result(enrolment=enrolment, score=90, on=D(2026, 10, 12))
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.score) == ("failed", 50)
        assert not Certification.objects.exists()

    @pytest.mark.parametrize(
        ("score", "on", "field"),
        [
            (101, D(2026, 10, 12), "score"),
            (-1, D(2026, 10, 12), "score"),
            (90, D(2026, 10, 4), "on"),
            (90, D(2026, 10, 31), "on"),
        ],
    )
    def test_bad_results_are_refused(self, enrolment, score, on, field):
        with pytest.raises(DomainError) as refused:
            training.enrolment_record_result(enrolment=enrolment, score=score, on=on)
        assert list(refused.value.details) == [field]
        enrolment.refresh_from_db()
        assert enrolment.status == "enrolled"

    def test_withdrawal(self, enrolment):
        training.enrolment_withdraw(enrolment=enrolment, on=D(2026, 10, 8))
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.completed_on, enrolment.score) == (
            "withdrawn",
            D(2026, 10, 8),
            None,
        )


@pytest.mark.django_db
def test_in_progress_lists_open_enrolments_soonest_ready_first(project):
    late = TrainingEnrolmentFactory(expected_ready_on=D(2026, 11, 20))
    soon = TrainingEnrolmentFactory(expected_ready_on=D(2026, 11, 2))
    TrainingEnrolmentFactory(
        status="passed", score=90, completed_on=D(2026, 10, 9), expected_ready_on=D(2026, 10, 9)
    )
    assert list(training.enrolments_in_progress()) == [soon, late]
    assert list(training.enrolments_in_progress([late.program.project])) == [late]
