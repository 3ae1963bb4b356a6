"""The project's ASGI application (HTTP and WebSocket) served by a real uvicorn on a free
loopback port, in a thread of the test process, against the test database; static files
served as the test server serves them (tests have no whitenoise)."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from contactcenter.asgi import application

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
