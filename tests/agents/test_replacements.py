"""Replacements for an absent operator: who is offered in which order, who is excluded and
why (each under their own contract's rules), and the handover."""

import datetime as dt
from decimal import Decimal

import pytest

from agents.models import Operator, Shift, ShiftActivity
from agents.replacements import replacement_assign, replacement_candidates, replacements_for
from contactcenter.errors import DomainError
from tests.factories import (
    AbsenceFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

# Tuesday 6 October 2026, 09:00-18:00 Moscow time (06:00-15:00 UTC), lunch 13:00-14:00.
TUESDAY_9 = dt.datetime(2026, 10, 6, 6, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def shifts(operator, *days, hours=8, start=TUESDAY_9):
    for day in days:
        ShiftFactory(
            operator=operator,
            starts_at=start + day * DAY,
            ends_at=start + day * DAY + dt.timedelta(hours=hours),
        )


@pytest.fixture
def case():
    """``absent`` (certified on line ``a`` and ``b``) is sick on Tuesday, when their shift on
    ``a`` runs 9 hours with an unpaid hour of lunch: 8 paid hours to cover."""
    a, b = ProjectFactory(code="a"), ProjectFactory(code="b")
    absent = OperatorFactory(code="absent")
    CertificationFactory(operator=absent, project=a)
    CertificationFactory(operator=absent, project=b)
    absence = AbsenceFactory(
        operator=absent, starts_on=dt.date(2026, 10, 6), ends_on=dt.date(2026, 10, 6)
    )
    shift = ShiftFactory(
        operator=absent, project=a, starts_at=TUESDAY_9, ends_at=TUESDAY_9 + dt.timedelta(hours=9)
    )
    ShiftActivity.objects.create(
        shift=shift,
        kind="lunch",
        starts_at=TUESDAY_9 + dt.timedelta(hours=4),
        ends_at=TUESDAY_9 + dt.timedelta(hours=5),
    )

    def operator(code, *certs, **fields):
        op = OperatorFactory(code=code, **fields)
        for project, level in certs:
            CertificationFactory(operator=op, project=project, level=level)
        return op

    # Offered.
    operator("both", (a, 2), (b, 2))
    operator("part-time", (a, 3), contract_hours_per_week=30, overtime_allowed=True)
    operator("likes-tuesdays-off", (a, 3), preferred_days_off=[1])
    pricey = operator("overtime-675", (a, 2), contract_hours_per_week=30, overtime_allowed=True)
    shifts(pricey, 1, 2, 3)  # 24 h: the shift makes 32, 2 beyond the contract at 1.5 x 450
    dear = operator(
        "overtime-900",
        (a, 3),
        contract_hours_per_week=30,
        overtime_allowed=True,
        overtime_hourly_cost=Decimal("900"),
    )
    shifts(dear, 1, 2, 3)
    # Excluded, one rule each.
    sick = operator("sick-too", (a, 3))
    AbsenceFactory(operator=sick, starts_on=dt.date(2026, 10, 6), ends_on=dt.date(2026, 10, 6))
    operator("line-b-only", (b, 3))  # certified for the absent operator's b, not the shift's a
    shifts(operator("busy", (a, 3)), 0, start=TUESDAY_9 + dt.timedelta(hours=6))
    shifts(operator("night-before", (a, 3)), 0, start=TUESDAY_9 - dt.timedelta(hours=14))
    shifts(operator("five-in-a-row", (a, 3), max_consecutive_days=5), -5, -4, -3, -2, -1)
    capped = operator("capped", (a, 3), max_hours_per_week=40, overtime_allowed=True)
    shifts(capped, 1, 2, 3, 4, hours=9)  # 36 h: 44 with the shift
    shifts(operator("no-overtime", (a, 3)), 1, 2, 3, 4, 5)  # 40 h: 48 is allowed, 40 the contract
    # Not active: neither offered nor excluded.
    operator("trainee", (a, 3), status="training")
    operator("gone", (a, 3), status="dismissed", left_on=dt.date(2026, 9, 30))
    return {"absence": absence, "shift": shift}


def test_the_replacement_list_is_pinned(case):
    candidates, excluded = replacements_for(absence=case["absence"])

    # Least overtime cost, then not on a preferred day off, then most shared projects,
    # highest level, fewest hours.
    assert [
        (c.operator.code, c.extra_cost, c.overtime_hours, c.preferred_day_off, c.week_hours)
        for c in candidates
    ] == [
        ("both", Decimal("0.00"), 0.0, False, 0.0),
        ("part-time", Decimal("0.00"), 0.0, False, 0.0),
        ("likes-tuesdays-off", Decimal("0.00"), 0.0, True, 0.0),
        ("overtime-675", Decimal("1350.00"), 2.0, False, 24.0),
        ("overtime-900", Decimal("1800.00"), 2.0, False, 24.0),
    ]
    assert candidates[0].shared_projects == ["a", "b"]
    assert all(c.shifts == [case["shift"]] for c in candidates)
    assert [(e.operator.code, e.code, e.reason) for e in excluded] == [
        ("absent", "absent_operator", "Is the absent operator."),
        ("busy", "overlap", "Already works then."),
        (
            "capped",
            "max_hours",
            "Would work 44.0 hours that week, more than their 40.0 (36.0 now).",
        ),
        ("five-in-a-row", "consecutive_days", "Would work 6 days in a row, more than their 5."),
        ("line-b-only", "not_certified", "Is not certified for the shift's project a."),
        ("night-before", "rest", "Would rest 6.0 hours between shifts, less than their 12."),
        (
            "no-overtime",
            "overtime_not_allowed",
            "Would work 48.0 hours that week, beyond their contract's 40.0; overtime is not"
            " allowed.",
        ),
        ("sick-too", "absent", "Is absent on the shift's days."),
    ]


def test_the_api_answers_candidates_and_excluded(case, admin_client):
    response = admin_client.get(f"/api/v1/absences/{case['absence'].pk}/replacements/")

    assert response.status_code == 200
    body = response.json()
    assert [c["operator"] for c in body["candidates"]] == [
        "both",
        "part-time",
        "likes-tuesdays-off",
        "overtime-675",
        "overtime-900",
    ]
    assert body["candidates"][3]["extra_cost"] == "1350.00"
    assert body["excluded"][5] == {
        "operator": "night-before",
        "code": "rest",
        "reason": "Would rest 6.0 hours between shifts, less than their 12.",
    }
    assert len(body["excluded"]) == 8


def test_no_shift_in_the_absence_means_nobody_to_offer(case):
    Shift.objects.filter(pk=case["shift"].pk).delete()
    assert replacement_candidates(absence=case["absence"]) == []
    excluded = replacements_for(absence=case["absence"])[1]
    assert {e.code for e in excluded} == {"no_shift", "absent_operator"}
    assert len(excluded) == 13


def test_a_pool_shift_takes_anyone_certified_for_a_project_of_the_absent(case):
    Shift.objects.filter(pk=case["shift"].pk).update(project=None)
    codes = [c.operator.code for c in replacement_candidates(absence=case["absence"])]
    assert codes[:2] == ["both", "line-b-only"]


def test_assign_moves_the_shift(case):
    both = Operator.objects.get(code="both")
    shift = replacement_assign(shift=case["shift"], operator=both)

    stored = Shift.objects.get(pk=case["shift"].pk)
    assert (stored.operator, stored.starts_at, stored.note) == (both, TUESDAY_9, "Replacing absent")
    assert shift == stored


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("line-b-only", "Is not certified"),
        ("gone", "Is not active."),
        ("sick-too", "Is absent"),
        ("busy", "Already works then."),
        ("night-before", "Would rest 6.0 hours"),
        ("capped", "more than their 40.0"),
        ("no-overtime", "overtime is not allowed"),
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
    both = Operator.objects.get(code="both")
    other = ShiftFactory(operator=both, starts_at=TUESDAY_9 + 7 * DAY)
    with pytest.raises(DomainError) as refused:
        replacement_assign(shift=other, operator=Operator.objects.get(code="part-time"))
    assert "shift" in refused.value.details
