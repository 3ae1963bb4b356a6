"""REST routes of the agents app: operators/ (looked up by code), agent-events/ and the
people routes (lifecycle, training, turnover) of agents.api.people_views, shifts/ and
absences/ (agents.api.shift_views). The staffing
calculators and schedules are workforce's (``workforce.api.urls``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from agents.api.people_views import (
    OperatorHistoryView,
    OperatorStatusView,
    TrainingEnrolmentViewSet,
    TrainingProgramViewSet,
    TurnoverView,
)
from agents.api.shift_views import AbsenceViewSet, ShiftViewSet
from agents.api.views import AgentStateEventViewSet, OperatorViewSet

router = SimpleRouter(trailing_slash=True)
router.register("operators", OperatorViewSet, basename="operator")
router.register("agent-events", AgentStateEventViewSet, basename="agent-event")
router.register("training/programs", TrainingProgramViewSet, basename="training-program")
router.register("training/enrolments", TrainingEnrolmentViewSet, basename="training-enrolment")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("absences", AbsenceViewSet, basename="absence")

urlpatterns = [
    *router.urls,
    # People: lifecycle moves and history of one operator, the pool's turnover.
    path("operators/<str:code>/status/", OperatorStatusView.as_view(), name="operator-status"),
    path("operators/<str:code>/history/", OperatorHistoryView.as_view(), name="operator-history"),
    path("people/turnover/", TurnoverView.as_view(), name="people-turnover"),
]
