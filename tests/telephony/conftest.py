"""The telephony tests that follow a queue_log feed the live state in the real Redis: its
keys (LIVE_KEY_PREFIX of the test settings) are deleted before and after each test.

The sources, mappings and parking tests' world lives in ``tests/telephony/world.py``; its
fixtures are imported here so every module of the folder may use them."""

import pytest

from live import state
from tests.telephony.world import paty, pbx_client, pbx_project, source  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_live_state():
    state.clear()
    yield
    state.clear()
