"""Replacements for an absent operator: who is listed, in which order, and the handover."""

import datetime as dt

import pytest

from agents.models import Operator, Shift
from agents.replacements import replacement_assign, replacement_candidates
from contactcenter.errors import DomainError
from tests.factories import (
    AbsenceFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

TUESDAY_9 = dt.datetime(2026, 10, 6, 9, tzinfo=dt.UTC)


@pytest.fixture
def case():
    """``absent`` (certified on a and b) is sick Tuesday with an 8-hour shift from 09:00."""
    a, b, other = ProjectFactory(code="a"), ProjectFactory(code="b"), ProjectFactory(code="c")
    absent = OperatorFactory(code="absent")
    CertificationFactory(operator=absent, project=a)
    CertificationFactory(operator=absent, project=b)
    absence = AbsenceFactory(operator=absent, starts_on=TUESDAY_9.date(), ends_on=TUESDAY_9.date())
    shift = ShiftFactory(operator=absent, starts_at=TUESDAY_9)

    def operator(code, *certs, **fields):
        op = OperatorFactory(code=code, **fields)
        for project, level in certs:
            CertificationFactory(operator=op, project=project, level=level)
        return op

    both = operator("both", (a, 2), (b, 2))
    senior = operator("senior", (a, 3))
    junior_busy_week = operator("junior-busy-week", (a, 1))
    ShiftFactory(operator=junior_busy_week, starts_at=TUESDAY_9 - dt.timedelta(days=1))
    junior = operator("junior", (a, 1))
    # Refused, each for one rule:
    operator("uncertified", (other, 3))
    operator("dismissed", (a, 3), status="dismissed", left_on=dt.date(2026, 9, 30))
    sick = operator("sick-too", (a, 3))
    AbsenceFactory(operator=sick, starts_on=TUESDAY_9.date(), ends_on=TUESDAY_9.date())
    busy = operator("busy", (a, 3))
    ShiftFactory(operator=busy, starts_at=TUESDAY_9 + dt.timedelta(hours=4))
    full = operator("full-week", (a, 3))
    for day in (-1, 1, 2, 3, 4):  # 40 hours already that week: the shift would make 48
        ShiftFactory(operator=full, starts_at=TUESDAY_9 + dt.timedelta(days=day))
    return {"absence": absence, "shift": shift, "ops": locals()}


def test_the_list_excludes_absent_uncertified_dismissed_busy_and_full_operators(case):
    candidates = replacement_candidates(absence=case["absence"])

    # Most shared certifications, then the highest level, then the fewest hours that week.
    assert [c.operator.code for c in candidates] == ["both", "senior", "junior", "junior-busy-week"]
    assert [(c.shared_count, c.best_level, c.week_hours) for c in candidates] == [
        (2, 2, 0.0),
        (1, 3, 0.0),
        (1, 1, 0.0),
        (1, 1, 8.0),
    ]
    assert candidates[0].shared_projects == ["a", "b"]
    assert all(c.shifts == [case["shift"]] for c in candidates)


def test_no_shift_in_the_absence_means_nobody_to_list(case):
    Shift.objects.filter(pk=case["shift"].pk).delete()
    assert replacement_candidates(absence=case["absence"]) == []


def test_assign_moves_the_shift(case):
    both = case["ops"]["both"]
    shift = replacement_assign(shift=case["shift"], operator=both)

    stored = Shift.objects.get(pk=case["shift"].pk)
    assert (stored.operator, stored.starts_at, stored.note) == (both, TUESDAY_9, "Replacing absent")
    assert shift == stored


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("uncertified", "Is not certified"),
        ("dismissed", "Is not active."),
        ("sick-too", "Is absent"),
        ("busy", "Has an overlapping shift."),
        ("full-week", "more than 40 hours"),
        ("absent", "Is the absent operator."),
    ],
)
def test_assign_refuses_a_bad_choice_naming_operator(case, code, reason):
    with pytest.raises(DomainError) as refused:
        replacement_assign(shift=case["shift"], operator=Operator.objects.get(code=code))

    assert refused.value.status == 400
    assert any(reason in message for message in refused.value.details["operator"])
    assert Shift.objects.get(pk=case["shift"].pk).operator.code == "absent"


def test_assign_refuses_a_shift_whose_operator_is_not_absent(case):
    other = ShiftFactory(operator=case["ops"]["senior"], starts_at=TUESDAY_9 + dt.timedelta(days=7))
    with pytest.raises(DomainError) as refused:
        replacement_assign(shift=other, operator=case["ops"]["both"])
    assert "shift" in refused.value.details
