"""The demo's names agree in gender: a female surname (-ова, -ева, -ина, -ая) goes with a
female first name, a male one with a male first name, for every operator and staff user."""

import random

import pytest
from django.contrib.auth import get_user_model

from agents.models import Operator
from demo.names import (
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    SURNAMES,
    first_name_gender,
    full_name,
    surname_gender,
)
from demo.people import NEWCOMERS, STAFF
from tests.demo.test_people import demo  # noqa: F401 - the module's small demo, loaded once

pytestmark = pytest.mark.django_db


def _mismatch(surname: str, first_name: str) -> str | None:
    """Why the pair does not agree, or None when it does."""
    gender = first_name_gender(first_name)
    if gender is None:
        return f"{first_name!r} is in neither of the demo's lists of first names"
    if surname_gender(surname) != gender:
        return f"{surname} {first_name}: a {surname_gender(surname)} surname, a {gender} name"
    return None


@pytest.mark.parametrize(
    ("surname", "first_name", "agrees"),
    [
        ("Лебедев", "Андрей", True),
        ("Лебедева", "Елена", True),
        ("Лебедев", "Елена", False),
        ("Лебедева", "Андрей", False),
        ("Никитина", "Дарья", True),
        ("Фёдоров", "Наталья", False),
    ],
)
def test_the_rule(surname, first_name, agrees):
    assert (_mismatch(surname, first_name) is None) is agrees


def test_the_lists_do_not_overlap_and_every_drawn_name_agrees():
    assert not set(FEMALE_FIRST_NAMES) & set(MALE_FIRST_NAMES)
    assert all(surname_gender(surname) == "male" for surname in SURNAMES)
    rng = random.Random(1)
    names = [full_name(rng).split() for _ in range(500)]
    assert [_mismatch(*name) for name in names if _mismatch(*name)] == []
    # Both genders come out, from every list.
    assert {first_name_gender(first) for _, first in names} == {"female", "male"}


def test_every_demo_operator_and_staff_user_agrees(demo):  # noqa: F811 - the fixture
    operators = list(Operator.objects.values_list("code", "full_name"))
    assert len(operators) == 67 + len(NEWCOMERS)
    assert not [code for code, name in operators if name.startswith("Operator ")]
    mismatches = [
        (code, _mismatch(*name.split())) for code, name in operators if _mismatch(*name.split())
    ]
    assert mismatches == []
    genders = {first_name_gender(name.split()[1]) for _, name in operators}
    assert genders == {"female", "male"}
    for username in STAFF:
        user = get_user_model().objects.get(username=username)
        assert _mismatch(user.last_name, user.first_name) is None, username
