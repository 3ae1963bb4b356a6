"""The telephony tests that follow a queue_log feed the live state in the real Redis: its
keys (LIVE_KEY_PREFIX of the test settings) are deleted before and after each test."""

import pytest

from live import state


@pytest.fixture(autouse=True)
def _empty_live_state():
    state.clear()
    yield
    state.clear()
