"""Django's ASGI handler with its request threads kept, so database connections persist.

Django serves a sync view under ASGI in a thread of its own per request: ``ASGIHandler``
enters a fresh ``ThreadSensitiveContext`` for each one, which starts a new one-thread
executor and drops it at the end. Database connections belong to a thread, so every
request that touched the database opened a new PostgreSQL connection (several
milliseconds, more than a page of calls costs) and ``CONN_MAX_AGE`` did nothing.

``ThreadKeepingASGIHandler`` hands each request a one-thread executor from a free list
instead (asgiref's ``ThreadSensitiveContext(executor=...)``, which leaves the executor to
its owner), and puts it back when the request is done. One request uses an executor at a
time, so requests served at once still run in threads of their own, as before; a thread
serves request after request, as a WSGI server's threads do, and its connection lives by
``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS`` (``close_old_connections`` runs in it at the
start and end of each request). At most ``ASGI_IDLE_THREADS`` idle threads are kept: one
beyond that, or one whose request failed, closes its connections and stops.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import connections


class ThreadKeepingASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        # Touched only from the event loop's thread: no lock needed.
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._idle.pop() if self._idle else self._new_executor()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        except BaseException:
            self._retire(executor)  # its thread may still be busy: do not lend it again
            raise
        # A normal return leaves the thread idle: even when the client went away mid-view,
        # Django sends request_finished through this thread, after the view's end.
        if len(self._idle) < settings.ASGI_IDLE_THREADS:
            self._idle.append(executor)
        else:
            self._retire(executor)

    def close_idle(self) -> None:
        """Stop the idle threads and close their connections (a test server's end)."""
        while self._idle:
            self._retire(self._idle.pop())

    @staticmethod
    def _new_executor() -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="asgi-request")

    @staticmethod
    def _retire(executor: ThreadPoolExecutor) -> None:
        # The thread's own connections, closed in that thread once its work is done.
        executor.submit(connections.close_all)
        executor.shutdown(wait=False)
