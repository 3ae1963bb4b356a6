"""WebSocket routes, named by the ``WEBSOCKET_URLPATTERNS`` setting (contactcenter.asgi)."""

from django.urls import path

from wallboard.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
]
