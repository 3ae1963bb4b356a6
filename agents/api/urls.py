"""REST routes of the agents app: operators/, looked up by code."""

from rest_framework.routers import SimpleRouter

from agents.api.views import OperatorViewSet

router = SimpleRouter(trailing_slash=True)
router.register("operators", OperatorViewSet, basename="operator")

urlpatterns = router.urls
