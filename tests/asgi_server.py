"""The project's ASGI application (HTTP and WebSocket) served by a real uvicorn on a free
loopback port, in a thread of the test process, against the test database; static files
served as the test server serves them (tests have no whitenoise)."""

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from contactcenter.asgi import application
from live import state

START_TIMEOUT = 10  # seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def asgi_server() -> Iterator[str]:
    """Serve until the block ends; yields the base URL, ``http://127.0.0.1:<port>``."""
    port = free_port()
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        ws="auto",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        # The request threads' connections closed, so the test database can be dropped.
        application.application_mapping["http"].close_idle()


@pytest.fixture
def live_redis():
    """The live state (Redis, the test settings' prefix) empty before and after the test."""
    state.clear()
    yield
    state.clear()


@pytest.fixture
def redis_channel_layer(settings):
    """The channel layer on the real Redis, keyed by this test database: uvicorn's thread
    and the test's own sends meet there (the in-memory layer binds to one event loop)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [os.environ.get("TEST_CHANNEL_REDIS_URL", "redis://127.0.0.1:6379/15")],
                "prefix": f"asgi-{settings.DATABASES['default']['NAME']}",
            },
        }
    }
