"""REST routes of the live app: call-events/ and the live state."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from live.api.views import CallEventViewSet, PoolLiveView, PoolOperatorsLiveView, ProjectLiveView

router = SimpleRouter(trailing_slash=True)
router.register("call-events", CallEventViewSet, basename="call-event")

urlpatterns = [
    *router.urls,
    path("projects/<str:code>/live/", ProjectLiveView.as_view(), name="project-live"),
    path("pool/live/", PoolLiveView.as_view(), name="pool-live"),
    path("pool/live/operators/", PoolOperatorsLiveView.as_view(), name="pool-live-operators"),
]
