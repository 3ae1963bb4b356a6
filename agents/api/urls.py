"""REST routes of the agents app: operators/ (looked up by code), agent-events/ and the
Erlang staffing calculators and the in-house vs outsourcing calculator under
staffing/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from agents.api.insourcing_views import InHouseVsOutsourcingView
from agents.api.scheduling_views import (
    AbsenceAssignView,
    AbsenceReplacementsView,
    ScheduleGenerateView,
)
from agents.api.staffing_views import ErlangAView, ErlangCView
from agents.api.views import AgentStateEventViewSet, OperatorViewSet

router = SimpleRouter(trailing_slash=True)
router.register("operators", OperatorViewSet, basename="operator")
router.register("agent-events", AgentStateEventViewSet, basename="agent-event")

urlpatterns = [
    *router.urls,
    path("staffing/erlang-c/", ErlangCView.as_view(), name="staffing-erlang-c"),
    path("staffing/erlang-a/", ErlangAView.as_view(), name="staffing-erlang-a"),
    path("schedules/generate/", ScheduleGenerateView.as_view(), name="schedule-generate"),
    path(
        "absences/<int:id>/replacements/",
        AbsenceReplacementsView.as_view(),
        name="absence-replacements",
    ),
    path("absences/<int:id>/assign/", AbsenceAssignView.as_view(), name="absence-assign"),
    path(
        "staffing/in-house-vs-outsourcing/",
        InHouseVsOutsourcingView.as_view(),
        name="staffing-in-house-vs-outsourcing",
    ),
]
