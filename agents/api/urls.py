"""REST routes of the agents app: operators/ (looked up by code), agent-events/ and the
Erlang staffing calculators under staffing/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from agents.api.staffing_views import ErlangAView, ErlangCView
from agents.api.views import AgentStateEventViewSet, OperatorViewSet

router = SimpleRouter(trailing_slash=True)
router.register("operators", OperatorViewSet, basename="operator")
router.register("agent-events", AgentStateEventViewSet, basename="agent-event")

urlpatterns = [
    *router.urls,
    path("staffing/erlang-c/", ErlangCView.as_view(), name="staffing-erlang-c"),
    path("staffing/erlang-a/", ErlangAView.as_view(), name="staffing-erlang-a"),
]
