"""Factories of the people models (lifecycle history, training); the rest in tests.factories."""

import datetime as dt

import factory

from agents.models import OperatorStatusChange, TrainingEnrolment, TrainingProgram
from tests.factories import OperatorFactory, ProjectFactory


class OperatorStatusChangeFactory(factory.django.DjangoModelFactory):
    """A history row written as is (no lifecycle rules): for turnover histories."""

    class Meta:
        model = OperatorStatusChange

    operator = factory.SubFactory(OperatorFactory)
    from_status = "training"
    to_status = "active"
    effective_on = dt.date(2026, 1, 1)


class TrainingProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingProgram

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Induction {n}")
    hours = 40
    passing_score = 80


class TrainingEnrolmentFactory(factory.django.DjangoModelFactory):
    """An open enrolment; ``expected_ready_on`` a week after the start unless given."""

    class Meta:
        model = TrainingEnrolment

    operator = factory.SubFactory(OperatorFactory, status="training", hired_on=None)
    program = factory.SubFactory(TrainingProgramFactory)
    started_on = dt.date(2026, 10, 5)
    expected_ready_on = factory.LazyAttribute(lambda e: e.started_on + dt.timedelta(days=7))
