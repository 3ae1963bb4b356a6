"""ASGI entry point: HTTP to Django, WebSocket to the Channels routes (the wallboard).

Served by uvicorn (``make serve``; in production gunicorn with uvicorn workers, see
docs/wallboard.md). The WebSocket routes are named by the ``WEBSOCKET_URLPATTERNS``
setting, so this package imports no app. Sessions authenticate a WebSocket like a page
(``AuthMiddlewareStack``); an API token or a TV link is read by the consumer itself.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.prod")

# Django first: the routes import models, which need the app registry ready.
django.setup(set_prefix=False)

from contactcenter.asgi_threads import ThreadKeepingASGIHandler  # noqa: E402

# Django's handler, its request threads kept so database connections persist (see there).
django_application = ThreadKeepingASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402


class BrowserOriginValidator(OriginValidator):
    """A socket opened by a browser (it sends ``Origin``) must come from one of
    ``ALLOWED_HOSTS``, so another site cannot ride a logged-in session; a client without
    an ``Origin`` (an integration's program) passes and authenticates with its token."""

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        # ALLOWED_HOSTS read now, not when the application was built.
        return any(
            pattern == "*" or self.match_allowed_origin(parsed_origin, pattern)
            for pattern in settings.ALLOWED_HOSTS
        )


application = ProtocolTypeRouter(
    {
        "http": django_application,
        # A browser's socket must come from one of ALLOWED_HOSTS (no cross-site hijack of
        # a logged-in session); clients without an Origin header (integrations) pass.
        "websocket": BrowserOriginValidator(
            AuthMiddlewareStack(URLRouter(import_string(settings.WEBSOCKET_URLPATTERNS))),
            allowed_origins=(),  # ALLOWED_HOSTS, read on each connection
        ),
    }
)
