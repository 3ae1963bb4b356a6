"""REST routes of the quality app: scorecards, evaluations, disputes (qa/...) and the QA
scores of a project and of an operator (docs/quality.md). Paths as they were under calls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from quality.api.views import (
    DisputeViewSet,
    EvaluationViewSet,
    OperatorQaView,
    ProjectQaView,
    ScorecardViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("qa/scorecards", ScorecardViewSet, basename="qa-scorecard")
router.register("qa/evaluations", EvaluationViewSet, basename="qa-evaluation")
router.register("qa/disputes", DisputeViewSet, basename="qa-dispute")

urlpatterns = [
    *router.urls,
    path("projects/<str:code>/qa/", ProjectQaView.as_view(), name="project-qa"),
    path("operators/<str:code>/qa/", OperatorQaView.as_view(), name="operator-qa"),
]
