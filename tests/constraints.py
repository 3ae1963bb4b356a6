"""Helpers of the model constraint tests: the database itself must refuse a bad row."""

import pytest
from django.db import IntegrityError, transaction


def assert_refused_on_insert_and_update(factory, overrides, constraint):
    """The row is refused both when inserted and when a valid row is updated into it."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        factory(**overrides)
    row = factory()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**overrides)


def assert_saved_as_given(row, overrides):
    """The stored row reads back every overridden value."""
    row.refresh_from_db()
    for field, value in overrides.items():
        assert getattr(row, field) == value
