"""The QA score (quality.scoring) on worked examples, and the evaluation services: submit,
every criterion answered, versions of a scorecard, and what the database refuses."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from contactcenter.errors import DomainError
from quality import scoring as quality
from quality import services as quality_services
from quality.models import Evaluation, Scorecard
from quality.scoring import MET, NA, NOT_MET, Answer
from tests.constraints import assert_refused_on_insert_and_update
from tests.factories import CallFactory, ProjectFactory, UserFactory
from tests.factories.quality import CriterionFactory, EvaluationFactory, ScorecardFactory

# The worked example: five criteria weighing 10/20/30/25/15 (100 in all).
# Greeting met, verification NOT MET, solution met, tone met, upsell N/A:
# applicable = 10 + 20 + 30 + 25 = 85, met = 10 + 30 + 25 = 65,
# score = 65 / 85 x 100 = 76.470588... -> 76.47.
WEIGHTS = {"greeting": 10, "verification": 20, "solution": 30, "tone": 25, "upsell": 15}
ANSWERS = {"greeting": MET, "verification": NOT_MET, "solution": MET, "tone": MET, "upsell": NA}


def _answers(critical=()):
    return [Answer(WEIGHTS[name], name in critical, ANSWERS[name]) for name in WEIGHTS]


def test_the_worked_example_scores_76_47():
    result = quality.score(_answers())
    assert result == quality.Score(
        score=Decimal("76.47"),
        critical_failed=False,
        met_weight=Decimal(65),
        applicable_weight=Decimal(85),
    )


def test_a_failed_critical_criterion_zeroes_the_call():
    result = quality.score(_answers(critical=("verification",)))
    assert result.score == Decimal("0.00")
    assert str(result.score) == "0.00"
    assert result.critical_failed is True


def test_a_critical_criterion_met_or_na_fails_nothing():
    assert quality.score(_answers(critical=("solution", "upsell"))).score == Decimal("76.47")


def test_everything_met_is_100_and_na_leaves_the_denominator():
    assert quality.score([Answer(10, False, MET), Answer(90, True, NA)]).score == Decimal("100.00")
    assert quality.score([Answer(10, False, NOT_MET), Answer(90, False, NA)]).score == Decimal(
        "0.00"
    )


def test_rounding_is_half_up_to_hundredths():
    # 1 / 800 x 100 = 0.125: half-up 0.13 (banker's rounding would give 0.12).
    assert quality.score([Answer(1, False, MET), Answer(799, False, NOT_MET)]).score == Decimal(
        "0.13"
    )
    assert quality.round_score(Decimal("76.465")) == Decimal("76.47")
    assert quality.average([Decimal("76.47"), Decimal("0.00"), Decimal("100.00")]) == Decimal(
        "58.82"
    )
    assert quality.average([]) is None


def test_every_criterion_na_has_nothing_to_score():
    with pytest.raises(quality.NothingApplies):
        quality.score([Answer(10, True, NA), Answer(5, False, NA)])


def test_bad_answers_and_weights_are_refused():
    with pytest.raises(ValueError, match="Unknown answer"):
        quality.score([Answer(10, False, "maybe")])
    with pytest.raises(ValueError, match="positive"):
        quality.score([Answer(0, False, MET)])


# --- Services -------------------------------------------------------------------------------


@pytest.fixture
def scorecard(db):
    project = ProjectFactory(code="qa-line")
    return quality_services.scorecard_create(
        project=project,
        name="Hotline script",
        valid_from="2026-01-01",
        criteria=[
            {"name": name, "weight": weight, "is_critical": name == "verification"}
            for name, weight in WEIGHTS.items()
        ],
    )


def _answer_rows(scorecard, **overrides):
    answers = {**ANSWERS, **overrides}
    return [{"criterion": c.pk, "answer": answers[c.name]} for c in scorecard.criteria.all()]


def test_submit_stores_the_score_and_the_critical_failure(scorecard):
    evaluator = UserFactory(username="qa-1")
    evaluation = quality_services.evaluation_create(
        call=CallFactory(project=scorecard.project), evaluator=evaluator
    )
    assert evaluation.scorecard == scorecard  # the project's scorecard in force

    quality_services.evaluation_submit(
        evaluation=evaluation,
        user=evaluator,
        answers=_answer_rows(scorecard, verification=MET),
        comment="Clean call.",
    )

    evaluation.refresh_from_db()
    # Verification met, upsell N/A: 85 of the 85 applicable.
    assert (evaluation.status, evaluation.score, evaluation.critical_failed) == (
        "submitted",
        Decimal("100.00"),
        False,
    )
    assert evaluation.comment == "Clean call."
    assert evaluation.submitted_at is not None

    other = quality_services.evaluation_create(call=CallFactory(project=scorecard.project))
    quality_services.evaluation_submit(
        evaluation=other, user=evaluator, answers=_answer_rows(scorecard)
    )
    other.refresh_from_db()
    assert (other.score, other.critical_failed, other.evaluator) == (
        Decimal("0.00"),
        True,
        evaluator,
    )


def test_submit_names_the_unanswered_criterion_and_stores_nothing(scorecard):
    evaluation = quality_services.evaluation_create(call=CallFactory(project=scorecard.project))
    rows = [row for row in _answer_rows(scorecard) if row["answer"] != NA]  # upsell missing

    with pytest.raises(DomainError) as refused:
        quality_services.evaluation_submit(evaluation=evaluation, user=UserFactory(), answers=rows)

    assert refused.value.details == {"answers": ["Criterion 'upsell' is not answered."]}
    assert "upsell" in refused.value.message
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.score) == ("draft", None)
    assert not evaluation.answers.exists()  # the whole submit rolled back


def test_a_submitted_evaluation_is_not_edited(scorecard):
    evaluation = quality_services.evaluation_create(call=CallFactory(project=scorecard.project))
    quality_services.evaluation_submit(
        evaluation=evaluation, user=UserFactory(), answers=_answer_rows(scorecard)
    )
    with pytest.raises(DomainError, match="dispute"):
        quality_services.evaluation_save(evaluation=evaluation, answers=[], comment="x")


def test_an_unanswered_call_and_a_second_evaluation_are_refused(scorecard):
    unanswered = CallFactory(
        project=scorecard.project, operator=None, answered_at=None, hold_seconds=0
    )
    with pytest.raises(DomainError) as refused:
        quality_services.evaluation_create(call=unanswered)
    assert set(refused.value.details) == {"call"}

    call = CallFactory(project=scorecard.project)
    quality_services.evaluation_create(call=call)
    with pytest.raises(DomainError) as again:
        quality_services.evaluation_create(call=call)
    assert again.value.status == 409
    assert Evaluation.objects.filter(call=call).count() == 1


def test_a_scorecard_of_another_project_is_refused(scorecard):
    foreign = ScorecardFactory(name="Other")
    with pytest.raises(DomainError) as refused:
        quality_services.evaluation_create(
            call=CallFactory(project=scorecard.project), scorecard=foreign
        )
    assert set(refused.value.details) == {"scorecard"}


def test_revising_a_scorecard_makes_a_new_version_and_keeps_history(scorecard):
    evaluation = quality_services.evaluation_create(call=CallFactory(project=scorecard.project))
    quality_services.evaluation_submit(
        evaluation=evaluation, user=UserFactory(), answers=_answer_rows(scorecard, verification=MET)
    )
    assert quality_services.scorecard_is_frozen(scorecard)

    revised = quality_services.scorecard_revise(
        scorecard=scorecard, criteria=[{"name": "Greeting", "weight": 5}]
    )

    scorecard.refresh_from_db()
    assert (scorecard.version, scorecard.is_active) == (1, False)
    assert (revised.version, revised.is_active, revised.name) == (2, True, "Hotline script")
    assert [c.name for c in revised.criteria.all()] == ["Greeting"]
    assert [c.name for c in scorecard.criteria.all()] == list(WEIGHTS)  # untouched
    evaluation.refresh_from_db()
    assert evaluation.scorecard == scorecard
    assert evaluation.score == Decimal("100.00")


def test_criteria_are_checked(db):
    project = ProjectFactory()
    with pytest.raises(DomainError) as refused:
        quality_services.scorecard_create(
            project=project,
            name="S",
            valid_from="2026-01-01",
            criteria=[{"name": "A", "weight": 0}, {"name": "A", "weight": 3}],
        )
    assert refused.value.details == {
        "criteria": {
            0: {"weight": ["A positive whole number."]},
            1: {"name": ["Criterion 'A' is listed twice."]},
        }
    }
    assert not Scorecard.objects.exists()


# --- Constraints ----------------------------------------------------------------------------


def test_the_database_refuses_a_score_out_of_0_100(db):
    assert_refused_on_insert_and_update(
        EvaluationFactory,
        {"status": "submitted", "score": Decimal("100.01"), "submitted_at": "2026-10-05T10:00Z"},
        "evaluation_score_0_100",
    )


def test_the_database_refuses_a_submitted_evaluation_without_a_score(db):
    assert_refused_on_insert_and_update(
        EvaluationFactory, {"status": "submitted"}, "evaluation_submitted_has_score"
    )


def test_the_database_refuses_one_call_twice_on_one_scorecard_and_a_zero_weight(db):
    evaluation = EvaluationFactory()
    with pytest.raises(IntegrityError, match="evaluation_once_per_call"), transaction.atomic():
        EvaluationFactory(call=evaluation.call, scorecard=evaluation.scorecard)
    with pytest.raises(IntegrityError, match="criterion_weight_positive"), transaction.atomic():
        CriterionFactory(weight=0)


def test_the_database_keeps_one_active_version_per_scorecard(db):
    first = ScorecardFactory()
    with pytest.raises(IntegrityError, match="scorecard_one_active_version"), transaction.atomic():
        ScorecardFactory(project=first.project, version=2)
