"""Every wallboard test: an empty live state, the channel layer on the real Redis."""

import pytest

from tests.asgi_server import live_redis, redis_channel_layer  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _live(live_redis, redis_channel_layer):  # noqa: F811 - the imported fixtures
    """Both, for every test of the package."""
