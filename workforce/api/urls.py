"""REST routes of workforce planning, the one ``staffing/`` URL module: the Erlang C/A and
in-house vs outsourcing calculators, the pooled staffing plan, a project's forecast and
bench strength, the weekly schedule and absence replacements, schedule adherence and a
project's intraday. Paths as they were."""

from django.urls import path

from workforce.api.adherence_views import OperatorAdherenceView, PoolAdherenceView
from workforce.api.bench_views import ProjectBenchStrengthView
from workforce.api.erlang_views import ErlangAView, ErlangCView
from workforce.api.insourcing_views import InHouseVsOutsourcingView
from workforce.api.intraday_views import ProjectIntradayView
from workforce.api.plan_views import ProjectForecastView, StaffingPlanView
from workforce.api.scheduling_views import (
    AbsenceAssignView,
    AbsenceReplacementsView,
    ScheduleGenerateView,
)

urlpatterns = [
    path("staffing/erlang-c/", ErlangCView.as_view(), name="staffing-erlang-c"),
    path("staffing/erlang-a/", ErlangAView.as_view(), name="staffing-erlang-a"),
    path(
        "staffing/in-house-vs-outsourcing/",
        InHouseVsOutsourcingView.as_view(),
        name="staffing-in-house-vs-outsourcing",
    ),
    path("staffing/plan/", StaffingPlanView.as_view(), name="staffing-plan"),
    path("projects/<str:code>/forecast/", ProjectForecastView.as_view(), name="project-forecast"),
    path(
        "projects/<str:code>/bench-strength/",
        ProjectBenchStrengthView.as_view(),
        name="project-bench-strength",
    ),
    path("schedules/generate/", ScheduleGenerateView.as_view(), name="schedule-generate"),
    path(
        "absences/<int:id>/replacements/",
        AbsenceReplacementsView.as_view(),
        name="absence-replacements",
    ),
    path("absences/<int:id>/assign/", AbsenceAssignView.as_view(), name="absence-assign"),
    # Schedule adherence and intraday (docs/adherence.md, docs/intraday.md).
    path(
        "operators/<str:code>/adherence/",
        OperatorAdherenceView.as_view(),
        name="operator-adherence",
    ),
    path("pool/adherence/", PoolAdherenceView.as_view(), name="pool-adherence"),
    path("projects/<str:code>/intraday/", ProjectIntradayView.as_view(), name="project-intraday"),
]
