"""The database itself refuses operators, certifications, shifts, absences and state events
that break the rules.

Rows are written through the ORM (``create``, ``queryset.update``, ``bulk_create``), which
never calls ``full_clean``: what is refused here is refused by PostgreSQL, whichever code
path writes. Each refused statement runs in its own savepoint so the test can go on.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agents.models import Absence, AgentStateEvent, Certification, Operator, Shift
from tests.constraints import assert_refused_on_insert_and_update, assert_saved_as_given
from tests.factories import (
    T0,
    AbsenceFactory,
    AgentStateEventFactory,
    CertificationFactory,
    OperatorFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db


def at(hour):
    """An instant on the tests' fixed day, in UTC."""
    return T0.replace(hour=hour)


def day(number):
    """A day of October 2026."""
    return dt.date(2026, 10, number)


@pytest.mark.parametrize(
    "factory",
    [OperatorFactory, CertificationFactory, ShiftFactory, AbsenceFactory, AgentStateEventFactory],
)
def test_a_valid_factory_row_saves(factory):
    row = factory()

    row.refresh_from_db()
    assert type(row).objects.filter(pk=row.pk).exists()


# --- Operator -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"code": "Op1"}, "operator_code_format", id="code with a capital letter"),
        pytest.param({"code": "-op1"}, "operator_code_format", id="code starting with a dash"),
        pytest.param({"code": "op 1"}, "operator_code_format", id="code with a space"),
        pytest.param({"code": ""}, "operator_code_format", id="empty code"),
        pytest.param({"status": "fired"}, "operator_status_valid", id="unknown status"),
        pytest.param(
            {"hourly_cost": Decimal("-0.01")},
            "operator_hourly_cost_non_negative",
            id="negative hourly cost",
        ),
        pytest.param(
            {"hired_on": day(10), "left_on": day(9)},
            "operator_leaves_after_hire",
            id="leaves the day before being hired",
        ),
        pytest.param(
            {"status": "dismissed", "left_on": None},
            "operator_dismissed_has_leave_date",
            id="dismissed without a leave date",
        ),
        pytest.param(
            {"status": "active", "hired_on": None},
            "operator_active_has_hire_date",
            id="active without a hire date",
        ),
    ],
)
def test_operator_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(OperatorFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"code": "0-a_b"}, id="code of digits, dash and underscore"),
        pytest.param({"hourly_cost": Decimal("0")}, id="hourly cost 0"),
        pytest.param({"status": "candidate", "hired_on": None}, id="candidate not yet hired"),
        pytest.param({"status": "training", "hired_on": None}, id="in training, not yet hired"),
        pytest.param({"status": "active", "hired_on": day(1)}, id="active and hired"),
        pytest.param(
            {"status": "dismissed", "hired_on": day(1), "left_on": day(1)},
            id="dismissed the day of hire",
        ),
        pytest.param(
            {"status": "dismissed", "hired_on": None, "left_on": day(1)},
            id="dismissed candidate, never hired",
        ),
        pytest.param(
            {"status": "active", "hired_on": day(1), "left_on": day(31)},
            id="active with a planned leave date",
        ),
    ],
)
def test_operator_accepts_a_valid_row(overrides):
    operator = OperatorFactory(**overrides)

    assert_saved_as_given(operator, overrides)


def test_operator_code_is_unique():
    OperatorFactory(code="anna")

    with pytest.raises(IntegrityError, match="agents_operator_code_key"), transaction.atomic():
        OperatorFactory(code="anna")
    assert Operator.objects.filter(code="anna").count() == 1


# --- Certification ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"level": 0}, "certification_level_range", id="level 0"),
        pytest.param({"level": 4}, "certification_level_range", id="level 4"),
    ],
)
def test_certification_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(CertificationFactory, overrides, constraint)


@pytest.mark.parametrize("level", Certification.Level.values)
def test_certification_accepts_every_level(level):
    certification = CertificationFactory(level=level)

    certification.refresh_from_db()
    assert certification.level == level


def test_certification_is_once_per_operator_and_project():
    first = CertificationFactory()

    with (
        pytest.raises(IntegrityError, match="certification_once_per_project"),
        transaction.atomic(),
    ):
        CertificationFactory(operator=first.operator, project=first.project, level=3)
    CertificationFactory(operator=first.operator)  # another project
    CertificationFactory(project=first.project)  # another operator

    assert Certification.objects.filter(operator=first.operator).count() == 2
    assert Certification.objects.filter(project=first.project).count() == 2


# --- Shift --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param(
            {"starts_at": at(17), "ends_at": at(9)},
            "shift_starts_before_end",
            id="ends before it starts",
        ),
        pytest.param(
            {"starts_at": at(9), "ends_at": at(9)},
            "shift_starts_before_end",
            id="empty, ends when it starts",
        ),
    ],
)
def test_shift_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(ShiftFactory, overrides, constraint)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        pytest.param(9, 17, id="the same hours"),
        pytest.param(16, 18, id="overlaps the end"),
        pytest.param(8, 10, id="overlaps the start"),
        pytest.param(10, 12, id="inside"),
        pytest.param(8, 18, id="around"),
    ],
)
def test_an_operator_cannot_work_two_overlapping_shifts(starts, ends):
    shift = ShiftFactory(starts_at=at(9), ends_at=at(17))

    with pytest.raises(IntegrityError, match="shift_no_overlap_per_operator"), transaction.atomic():
        ShiftFactory(operator=shift.operator, starts_at=at(starts), ends_at=at(ends))
    with pytest.raises(IntegrityError, match="shift_no_overlap_per_operator"), transaction.atomic():
        Shift.objects.bulk_create(
            [Shift(operator=shift.operator, starts_at=at(starts), ends_at=at(ends))]
        )
    later = ShiftFactory(operator=shift.operator, starts_at=at(21), ends_at=at(23))
    with pytest.raises(IntegrityError, match="shift_no_overlap_per_operator"), transaction.atomic():
        Shift.objects.filter(pk=later.pk).update(starts_at=at(starts), ends_at=at(ends))

    assert list(Shift.objects.values_list("starts_at", "ends_at")) == [
        (at(9), at(17)),
        (at(21), at(23)),
    ]


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        pytest.param(17, 21, id="right after, [17, 21)"),
        pytest.param(5, 9, id="right before, [5, 9)"),
    ],
)
def test_an_operator_may_work_adjacent_shifts(starts, ends):
    shift = ShiftFactory(starts_at=at(9), ends_at=at(17))

    ShiftFactory(operator=shift.operator, starts_at=at(starts), ends_at=at(ends))

    assert Shift.objects.filter(operator=shift.operator).count() == 2


def test_two_operators_may_work_overlapping_shifts():
    ShiftFactory(starts_at=at(9), ends_at=at(17))

    ShiftFactory(starts_at=at(9), ends_at=at(17))
    ShiftFactory(starts_at=at(12), ends_at=at(20))

    assert Shift.objects.values("operator").distinct().count() == 3


# --- Absence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param(
            {"starts_on": day(7), "ends_on": day(5)},
            "absence_starts_before_end",
            id="ends before it starts",
        ),
        pytest.param({"kind": "holiday"}, "absence_kind_valid", id="unknown kind"),
    ],
)
def test_absence_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(AbsenceFactory, overrides, constraint)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"starts_on": day(5), "ends_on": day(5)}, id="a single day"),
        *(pytest.param({"kind": kind}, id=f"kind {kind}") for kind in Absence.Kind.values),
    ],
)
def test_absence_accepts_a_valid_row(overrides):
    absence = AbsenceFactory(**overrides)

    assert_saved_as_given(absence, overrides)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        pytest.param(7, 9, id="starts on the last day, 7..9"),
        pytest.param(1, 5, id="ends on the first day, 1..5"),
        pytest.param(6, 6, id="inside, 6..6"),
        pytest.param(4, 8, id="around, 4..8"),
        pytest.param(5, 7, id="the same days"),
    ],
)
def test_an_operator_cannot_have_overlapping_absences(starts, ends):
    absence = AbsenceFactory(starts_on=day(5), ends_on=day(7))  # both ends included

    with (
        pytest.raises(IntegrityError, match="absence_no_overlap_per_operator"),
        transaction.atomic(),
    ):
        AbsenceFactory(operator=absence.operator, starts_on=day(starts), ends_on=day(ends))
    later = AbsenceFactory(operator=absence.operator, starts_on=day(20), ends_on=day(21))
    with (
        pytest.raises(IntegrityError, match="absence_no_overlap_per_operator"),
        transaction.atomic(),
    ):
        Absence.objects.filter(pk=later.pk).update(starts_on=day(starts), ends_on=day(ends))

    assert list(Absence.objects.order_by("starts_on").values_list("starts_on", "ends_on")) == [
        (day(5), day(7)),
        (day(20), day(21)),
    ]


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        pytest.param(8, 9, id="the day after, 8..9"),
        pytest.param(1, 4, id="the days before, 1..4"),
    ],
)
def test_an_operator_may_have_adjacent_absences(starts, ends):
    absence = AbsenceFactory(starts_on=day(5), ends_on=day(7))

    AbsenceFactory(operator=absence.operator, starts_on=day(starts), ends_on=day(ends))

    assert Absence.objects.filter(operator=absence.operator).count() == 2


def test_two_operators_may_be_absent_on_the_same_days():
    AbsenceFactory(starts_on=day(5), ends_on=day(7))

    AbsenceFactory(starts_on=day(5), ends_on=day(7))

    assert Absence.objects.values("operator").distinct().count() == 2


# --- AgentStateEvent ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        pytest.param({"state": "busy"}, "agent_event_state_valid", id="unknown state"),
        pytest.param({"state": ""}, "agent_event_state_valid", id="empty state"),
    ],
)
def test_agent_state_event_refuses_a_bad_row(overrides, constraint):
    assert_refused_on_insert_and_update(AgentStateEventFactory, overrides, constraint)


@pytest.mark.parametrize("state", AgentStateEvent.State.values)
def test_agent_state_event_accepts_every_state(state):
    event = AgentStateEventFactory(state=state)

    event.refresh_from_db()
    assert event.state == state


def test_agent_state_event_is_once_per_operator_and_instant():
    first = AgentStateEventFactory(at=T0, state="ready")

    with pytest.raises(IntegrityError, match="agent_event_once_per_instant"), transaction.atomic():
        AgentStateEventFactory(operator=first.operator, at=T0, state="break")
    with pytest.raises(IntegrityError, match="agent_event_once_per_instant"), transaction.atomic():
        AgentStateEvent.objects.bulk_create(
            [AgentStateEvent(operator=first.operator, at=T0, state="ready")]
        )
    AgentStateEventFactory(operator=first.operator, at=T0 + dt.timedelta(microseconds=1))
    AgentStateEventFactory(at=T0)  # another operator

    assert AgentStateEvent.objects.filter(operator=first.operator).count() == 2
    assert AgentStateEvent.objects.filter(at=T0).count() == 2
