"""An operator with a login, a colleague, and a project manager of their project."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from agents.shifts import center_zone
from projects.roles import OPERATORS, PROJECT_MANAGERS, roles_setup
from tests.factories import CertificationFactory, OperatorFactory, ProjectFactory, UserFactory


def local_day(days_ahead: int) -> dt.date:
    return timezone.now().astimezone(center_zone()).date() + dt.timedelta(days=days_ahead)


def at(day: dt.date, hour: int) -> dt.datetime:
    """``hour`` o'clock Moscow time on ``day``."""
    return dt.datetime.combine(day, dt.time(hour), center_zone())


def operator_login(operator, username):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=OPERATORS))
    operator.user = user
    operator.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team(db):
    roles_setup()
    project = ProjectFactory(code="hotline", name="Горячая линия")
    manager = UserFactory(username="pm", is_staff=True)
    manager.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    project.managers.add(manager)
    anna = OperatorFactory(code="anna", full_name="Анна Иванова")
    boris = OperatorFactory(code="boris", full_name="Борис Петров")
    vera = OperatorFactory(code="vera", full_name="Вера Смирнова")
    for operator in (anna, boris, vera):
        CertificationFactory(operator=operator, project=project)
    pm = Client()
    pm.force_login(manager)
    return {
        "project": project,
        "manager": manager,
        "pm": pm,
        "anna": anna,
        "boris": boris,
        "vera": vera,
        "anna_client": operator_login(anna, "anna"),
        "boris_client": operator_login(boris, "boris"),
    }
