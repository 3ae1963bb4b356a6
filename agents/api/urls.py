"""REST routes of the agents app: operators/ (looked up by code) and agent-events/."""

from rest_framework.routers import SimpleRouter

from agents.api.views import AgentStateEventViewSet, OperatorViewSet

router = SimpleRouter(trailing_slash=True)
router.register("operators", OperatorViewSet, basename="operator")
router.register("agent-events", AgentStateEventViewSet, basename="agent-event")

urlpatterns = router.urls
