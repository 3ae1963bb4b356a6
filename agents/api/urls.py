"""REST routes of the agents app: operators/ (looked up by code), agent-events/ and the
Erlang staffing calculators and the in-house vs outsourcing calculator under
staffing/; the people routes (lifecycle, training, turnover) of agents.api.people_views."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from agents.api.insourcing_views import InHouseVsOutsourcingView
from agents.api.people_views import (
    OperatorHistoryView,
    OperatorStatusView,
    TrainingEnrolmentViewSet,
    TrainingProgramViewSet,
    TurnoverView,
)
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
router.register("training/programs", TrainingProgramViewSet, basename="training-program")
router.register("training/enrolments", TrainingEnrolmentViewSet, basename="training-enrolment")

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
    # People: lifecycle moves and history of one operator, the pool's turnover.
    path("operators/<str:code>/status/", OperatorStatusView.as_view(), name="operator-status"),
    path("operators/<str:code>/history/", OperatorHistoryView.as_view(), name="operator-history"),
    path("people/turnover/", TurnoverView.as_view(), name="people-turnover"),
]
