"""REST routes of the projects app: clients/ and projects/, looked up by code."""

from rest_framework.routers import SimpleRouter

from projects.api.views import ClientViewSet, ProjectViewSet

router = SimpleRouter(trailing_slash=True)
router.register("clients", ClientViewSet, basename="client")
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = router.urls
