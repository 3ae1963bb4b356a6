"""factory_boy factories of the QA models (calls): scorecards, criteria, evaluations,
answers, disputes, samples; and the "QA evaluators" group as the report proposes it."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, Permission

from calls.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    QaSample,
    Scorecard,
    ScorecardCriterion,
)
from tests.factories import CallFactory, OperatorFactory, ProjectFactory, UserFactory

# The permissions of the "QA evaluators" group (projects.roles will hold it): they read
# their projects' calls and contacts, write scorecards and evaluations, resolve disputes
# and read the samples; nothing of billing, nothing of the catalogue beyond reading.
QA_EVALUATOR_PERMISSIONS = {
    "projects": {"project": ["view"]},
    "agents": {"operator": ["view"]},
    "calls": {
        "call": ["view"],
        "contact": ["view"],
        "scorecard": ["view", "add", "change"],
        "scorecardcriterion": ["view", "add", "change", "delete"],
        "evaluation": ["view", "add", "change"],
        "evaluationanswer": ["view", "add", "change"],
        "evaluationdispute": ["view", "change"],
        "qasample": ["view"],
    },
}


def qa_evaluators_group():
    group, _ = Group.objects.get_or_create(name="QA evaluators")
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
            for app, models in QA_EVALUATOR_PERMISSIONS.items()
            for model, actions in models.items()
            for action in actions
        ]
    )
    return group


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
