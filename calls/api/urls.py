"""REST routes of the calls app: calls/, calls/import/ and the KPI reports."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from calls.api.csv_views import CallCsvImportView
from calls.api.erasure_views import ContactEraseView
from calls.api.kpi_views import (
    OperatorOccupancyView,
    PoolOccupancyView,
    PoolPeakHoursView,
    ProjectKpisView,
    ProjectPeakHoursView,
)
from calls.api.views import CallViewSet

router = SimpleRouter(trailing_slash=True)
router.register("calls", CallViewSet, basename="call")

urlpatterns = [
    # Before the router: its detail route calls/{id}/ would take "import" for an id.
    path("calls/import/", CallCsvImportView.as_view(), name="call-import"),
    *router.urls,
    # A caller's right to erasure (docs/privacy.md).
    path("contacts/erase/", ContactEraseView.as_view(), name="contact-erase"),
    # KPI reports (calls sits above agents, so an operator's occupancy is served here).
    path("projects/<str:code>/kpis/", ProjectKpisView.as_view(), name="project-kpis"),
    path(
        "projects/<str:code>/peak-hours/", ProjectPeakHoursView.as_view(), name="project-peak-hours"
    ),
    path(
        "operators/<str:code>/occupancy/",
        OperatorOccupancyView.as_view(),
        name="operator-occupancy",
    ),
    path("pool/occupancy/", PoolOccupancyView.as_view(), name="pool-occupancy"),
    path("pool/peak-hours/", PoolPeakHoursView.as_view(), name="pool-peak-hours"),
]
