"""A call run in a thread of its own, with its own database connection."""

import threading

from django.db import connections


class InThread:
    """Run ``function()`` in a thread; ``join()`` then read ``result`` or ``error``."""

    def __init__(self, function):
        self.result = self.error = None
        self.thread = threading.Thread(target=self._run, args=(function,), daemon=True)
        self.thread.start()

    def _run(self, function):
        try:
            self.result = function()
        except BaseException as exc:  # noqa: BLE001  handed to the test, whatever it is
            self.error = exc
        finally:
            connections.close_all()

    @property
    def done(self):
        return not self.thread.is_alive()

    def join(self):
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the thread hangs"
        return self
