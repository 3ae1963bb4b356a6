"""The operator lifecycle (agents.lifecycle): allowed moves write one dated history row and
keep the operator's dates in step; impossible moves are refused and write nothing."""

import datetime as dt

import pytest
import time_machine

from agents import lifecycle
from agents.models import Operator, OperatorStatusChange, Shift
from contactcenter.errors import ConflictError, DomainError
from tests.factories import OperatorFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # the fixed clock: today is 2026-10-20
D = dt.date


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def history(operator):
    return list(
        OperatorStatusChange.objects.filter(operator=operator)
        .order_by("effective_on", "id")
        .values_list("from_status", "to_status", "effective_on", "reason")
    )


def walk_to_active(operator):
    lifecycle.operator_start_training(operator=operator, on=D(2026, 9, 1))
    lifecycle.operator_activate(operator=operator, on=D(2026, 9, 15))
    operator.refresh_from_db()
    return operator


class TestAllowedMoves:
    def test_the_whole_cycle_writes_one_row_per_move_and_keeps_dates(self, candidate):
        hr = UserFactory(username="hr")
        lifecycle.operator_start_training(operator=candidate, on=D(2026, 9, 1), by=hr)
        assert OperatorStatusChange.objects.count() == 1
        lifecycle.operator_activate(operator=candidate, on=D(2026, 9, 15))
        assert OperatorStatusChange.objects.count() == 2
        candidate.refresh_from_db()
        assert (candidate.status, candidate.hired_on, candidate.left_on) == (
            "active",
            D(2026, 9, 15),
            None,
        )

        lifecycle.operator_dismiss(
            operator=candidate, on=D(2026, 10, 1), reason="voluntary", note="moved"
        )
        candidate.refresh_from_db()
        assert (candidate.status, candidate.hired_on, candidate.left_on) == (
            "dismissed",
            D(2026, 9, 15),
            D(2026, 10, 1),
        )

        lifecycle.operator_rehire(operator=candidate, on=D(2026, 10, 10))
        candidate.refresh_from_db()
        assert (candidate.status, candidate.hired_on, candidate.left_on) == (
            "candidate",
            None,
            None,
        )
        assert history(candidate) == [
            ("candidate", "training", D(2026, 9, 1), ""),
            ("training", "active", D(2026, 9, 15), ""),
            ("active", "dismissed", D(2026, 10, 1), "voluntary"),
            ("dismissed", "candidate", D(2026, 10, 10), ""),
        ]
        assert OperatorStatusChange.objects.first().changed_by == hr

    def test_a_rehired_operator_is_trained_and_hired_again(self, candidate):
        walk_to_active(candidate)
        lifecycle.operator_dismiss(operator=candidate, on=D(2026, 9, 20), reason="attendance")
        lifecycle.operator_rehire(operator=candidate, on=D(2026, 10, 1))
        lifecycle.operator_start_training(operator=candidate, on=D(2026, 10, 1))
        lifecycle.operator_activate(operator=candidate, on=D(2026, 10, 8))
        candidate.refresh_from_db()
        assert (candidate.status, candidate.hired_on, candidate.left_on) == (
            "active",
            D(2026, 10, 8),
            None,
        )
        assert len(history(candidate)) == 6

    @pytest.mark.parametrize("status", ["candidate", "training"])
    def test_candidates_and_trainees_may_be_dismissed(self, status):
        operator = OperatorFactory(status=status, hired_on=None)
        lifecycle.operator_dismiss(operator=operator, on=D(2026, 10, 2), reason="failed_training")
        assert history(operator) == [(status, "dismissed", D(2026, 10, 2), "failed_training")]

    def test_moves_on_the_same_day_are_allowed(self, candidate):
        lifecycle.operator_start_training(operator=candidate, on=D(2026, 10, 1))
        lifecycle.operator_dismiss(operator=candidate, on=D(2026, 10, 1), reason="other")
        assert len(history(candidate)) == 2

    def test_an_operator_from_before_the_history_gets_its_opening_row(self):
        veteran = OperatorFactory(status="active", hired_on=D(2025, 1, 10))
        lifecycle.operator_dismiss(operator=veteran, on=D(2026, 10, 5), reason="performance")
        assert history(veteran) == [
            ("candidate", "active", D(2025, 1, 10), ""),
            ("active", "dismissed", D(2026, 10, 5), "performance"),
        ]


class TestRefusedMoves:
    @pytest.mark.parametrize(
        ("status", "move"),
        [
            ("dismissed", "operator_start_training"),  # dismissed -> training without rehire
            ("dismissed", "operator_activate"),
            ("candidate", "operator_activate"),  # no skipping training
            ("active", "operator_rehire"),  # active -> candidate
            ("training", "operator_rehire"),
            ("active", "operator_start_training"),
            ("training", "operator_start_training"),
            ("active", "operator_activate"),
            ("candidate", "operator_rehire"),
        ],
    )
    def test_impossible_moves_are_a_conflict_and_write_nothing(self, status, move):
        dates = {"dismissed": {"hired_on": D(2026, 1, 5), "left_on": D(2026, 2, 1)}}
        operator = OperatorFactory(
            status=status,
            **dates.get(status, {"hired_on": D(2026, 1, 5) if status == "active" else None}),
        )
        before = Operator.objects.filter(pk=operator.pk).values().get()
        with pytest.raises(ConflictError) as refused:
            getattr(lifecycle, move)(operator=operator, on=D(2026, 10, 1))
        assert refused.value.details == {"to_status": [f"Not allowed from {status}."]}
        assert refused.value.status == 409
        assert not OperatorStatusChange.objects.exists()
        assert Operator.objects.filter(pk=operator.pk).values().get() == before

    def test_a_dismissed_operator_is_told_to_be_rehired(self):
        operator = OperatorFactory(
            status="dismissed", hired_on=D(2026, 1, 5), left_on=D(2026, 2, 1)
        )
        with pytest.raises(ConflictError, match="only by a rehire"):
            lifecycle.operator_start_training(operator=operator, on=D(2026, 10, 1))

    def test_a_move_dated_before_the_previous_one_is_refused(self, candidate):
        lifecycle.operator_start_training(operator=candidate, on=D(2026, 9, 10))
        with pytest.raises(DomainError) as refused:
            lifecycle.operator_activate(operator=candidate, on=D(2026, 9, 9))
        assert list(refused.value.details) == ["on"]
        assert len(history(candidate)) == 1
        candidate.refresh_from_db()
        assert candidate.status == "training"

    def test_a_dismissal_before_the_hire_is_refused(self):
        veteran = OperatorFactory(status="active", hired_on=D(2026, 3, 1))
        with pytest.raises(DomainError) as refused:
            lifecycle.operator_dismiss(operator=veteran, on=D(2026, 2, 28), reason="other")
        assert list(refused.value.details) == ["on"]
        assert not OperatorStatusChange.objects.exists()

    def test_a_move_after_today_is_refused(self, candidate):
        with pytest.raises(DomainError) as refused:
            lifecycle.operator_start_training(operator=candidate, on=D(2026, 10, 21))
        assert list(refused.value.details) == ["on"]

    @pytest.mark.parametrize("reason", ["", "bored"])
    def test_a_dismissal_needs_a_known_reason(self, candidate, reason):
        with pytest.raises(DomainError) as refused:
            lifecycle.operator_dismiss(operator=candidate, on=D(2026, 10, 1), reason=reason)
        assert list(refused.value.details) == ["reason"]
        assert not OperatorStatusChange.objects.exists()

    def test_only_a_dismissal_has_a_reason(self, candidate):
        with pytest.raises(DomainError) as refused:
            lifecycle.operator_move(
                operator=candidate, to_status="training", on=D(2026, 10, 1), reason="other"
            )
        assert list(refused.value.details) == ["reason"]


class TestDismissalAndShifts:
    def test_shifts_after_the_last_day_are_deleted_the_rest_kept(self, candidate):
        walk_to_active(candidate)
        at = lambda day, hour=9: dt.datetime(2026, 10, day, hour, tzinfo=UTC)  # noqa: E731
        worked = ShiftFactory(operator=candidate, starts_at=at(19))  # before the last day
        last_day = ShiftFactory(operator=candidate, starts_at=at(20))  # on the last day
        future = [ShiftFactory(operator=candidate, starts_at=at(day)) for day in (21, 22, 27)]
        other = ShiftFactory(starts_at=at(22))

        change = lifecycle.operator_dismiss(operator=candidate, on=D(2026, 10, 20), reason="other")

        assert change.deleted_shifts == 3
        assert set(Shift.objects.values_list("pk", flat=True)) == {
            worked.pk,
            last_day.pk,
            other.pk,
        }
        assert not Shift.objects.filter(pk__in=[s.pk for s in future]).exists()

    def test_a_backdated_dismissal_keeps_the_shifts_already_begun(self, candidate):
        walk_to_active(candidate)
        past = ShiftFactory(operator=candidate, starts_at=dt.datetime(2026, 10, 18, 9, tzinfo=UTC))
        future = ShiftFactory(
            operator=candidate, starts_at=dt.datetime(2026, 10, 21, 9, tzinfo=UTC)
        )
        change = lifecycle.operator_dismiss(operator=candidate, on=D(2026, 10, 16), reason="other")
        assert change.deleted_shifts == 1
        assert list(Shift.objects.values_list("pk", flat=True)) == [past.pk]
        assert not Shift.objects.filter(pk=future.pk).exists()


class TestDatabaseGuards:
    def test_a_dismissal_row_without_reason_is_refused_by_the_database(self, candidate):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            OperatorStatusChange.objects.create(
                operator=candidate,
                from_status="active",
                to_status="dismissed",
                effective_on=D(2026, 1, 1),
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            OperatorStatusChange.objects.create(
                operator=candidate,
                from_status="candidate",
                to_status="training",
                effective_on=D(2026, 1, 1),
                reason="other",
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            OperatorStatusChange.objects.create(
                operator=candidate,
                from_status="candidate",
                to_status="retired",
                effective_on=D(2026, 1, 1),
            )


@pytest.mark.parametrize(
    ("status", "dates", "move", "extra"),
    [
        ("candidate", {}, "operator_start_training", {}),
        ("training", {}, "operator_activate", {}),
        ("candidate", {}, "operator_dismiss", {"reason": "other"}),
        ("training", {}, "operator_dismiss", {"reason": "failed_training"}),
        ("active", {"hired_on": D(2026, 10, 1)}, "operator_dismiss", {"reason": "voluntary"}),
        (
            "dismissed",
            {"hired_on": D(2026, 9, 1), "left_on": D(2026, 10, 1)},
            "operator_rehire",
            {},
        ),
    ],
)
def test_each_allowed_move_writes_exactly_one_history_row(status, dates, move, extra):
    operator = OperatorFactory(status=status, **{"hired_on": None, **dates})
    # An operator with history already (the opening rows of older operators aside).
    OperatorStatusChange.objects.create(
        operator=operator,
        from_status="dismissed" if status == "candidate" else "candidate",
        to_status=status,
        effective_on=D(2026, 10, 1),
        reason="other" if status == "dismissed" else "",
    )
    before = OperatorStatusChange.objects.count()
    change = getattr(lifecycle, move)(operator=operator, on=D(2026, 10, 15), **extra)
    assert OperatorStatusChange.objects.count() == before + 1
    assert (change.from_status, change.effective_on) == (status, D(2026, 10, 15))
    operator.refresh_from_db()
    assert operator.status == change.to_status


def test_the_migration_opens_the_history_of_existing_operators():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("agents.migrations.0005_backfill_operator_history")
    active = OperatorFactory(status="active", hired_on=D(2025, 3, 1))
    gone = OperatorFactory(status="dismissed", hired_on=D(2025, 1, 1), left_on=D(2025, 6, 30))
    OperatorFactory(status="candidate", hired_on=None)
    migration.backfill(apps, None)
    migration.backfill(apps, None)  # again: operators with history are left alone
    assert history(active) == [("candidate", "active", D(2025, 3, 1), "")]
    assert history(gone) == [
        ("candidate", "active", D(2025, 1, 1), ""),
        ("active", "dismissed", D(2025, 6, 30), "other"),
    ]
    assert OperatorStatusChange.objects.count() == 3
