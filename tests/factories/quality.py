"""factory_boy factories of the QA models (calls): scorecards, criteria, evaluations,
answers, disputes, samples; and the "QA evaluators" group."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from projects.roles import QA_EVALUATORS, roles_setup
from quality.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    QaSample,
    Scorecard,
    ScorecardCriterion,
)
from tests.factories import CallFactory, OperatorFactory, ProjectFactory, UserFactory


def qa_evaluators_group():
    """The "QA evaluators" group as ``manage.py setup_roles`` makes it."""
    roles_setup()
    return Group.objects.get(name=QA_EVALUATORS)


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    project = factory.SubFactory(ProjectFactory)
    name = "Script"
    version = 1
    is_active = True
    valid_from = dt.date(2026, 1, 1)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardCriterion

    scorecard = factory.SubFactory(ScorecardFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 10
    is_critical = False
    order = factory.Sequence(lambda n: n)


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    call = factory.SubFactory(CallFactory)
    scorecard = factory.SubFactory(
        ScorecardFactory, project=factory.SelfAttribute("..call.project")
    )
    evaluator = factory.SubFactory(UserFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationAnswer

    evaluation = factory.SubFactory(EvaluationFactory)
    criterion = factory.SubFactory(
        CriterionFactory, scorecard=factory.SelfAttribute("..evaluation.scorecard")
    )
    answer = EvaluationAnswer.Answer.MET


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationDispute

    evaluation = factory.SubFactory(EvaluationFactory)
    raised_by = factory.SubFactory(UserFactory)
    reason = "The caller asked to skip the greeting."
    score_before = factory.LazyAttribute(lambda d: d.evaluation.score or 0)


class QaSampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QaSample

    call = factory.SubFactory(CallFactory)
    project = factory.SelfAttribute("call.project")
    operator = factory.LazyAttribute(lambda s: s.call.operator or OperatorFactory())
    week_start = dt.date(2026, 10, 5)
    reason = QaSample.Reason.RANDOM
    seed = "0"
