"""REST routes of the calls app: calls/ and calls/import/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from calls.api.csv_views import CallCsvImportView
from calls.api.views import CallViewSet

router = SimpleRouter(trailing_slash=True)
router.register("calls", CallViewSet, basename="call")

urlpatterns = [
    # Before the router: its detail route calls/{id}/ would take "import" for an id.
    path("calls/import/", CallCsvImportView.as_view(), name="call-import"),
    *router.urls,
]
