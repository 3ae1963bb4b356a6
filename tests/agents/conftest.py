"""Fixtures shared by the agents tests: the frozen clock and a candidate operator."""

import datetime as dt

import pytest
import time_machine

from tests.factories import OperatorFactory


@pytest.fixture
def clock():
    """Today is 2026-10-30, 12:00 UTC, and the clock does not tick; a module applies it to
    each of its tests with ``pytest.mark.usefixtures("clock")``."""
    with time_machine.travel(dt.datetime(2026, 10, 30, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def candidate(db):
    """Anna, a candidate not yet hired."""
    return OperatorFactory(code="anna", status="candidate", hired_on=None)
