"""REST routes of the calls app: calls/."""

from rest_framework.routers import SimpleRouter

from calls.api.views import CallViewSet

router = SimpleRouter(trailing_slash=True)
router.register("calls", CallViewSet, basename="call")

urlpatterns = router.urls
