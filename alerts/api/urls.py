"""REST routes of the alerts app: alerts/ and alerts/{id}/acknowledge/."""

from rest_framework.routers import SimpleRouter

from alerts.api.views import AlertViewSet

router = SimpleRouter(trailing_slash=True)
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = router.urls
