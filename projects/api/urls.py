"""REST routes of the projects app: clients/, projects/ and sellers/, looked up by code."""

from rest_framework.routers import SimpleRouter

from projects.api.views import ClientViewSet, ProjectViewSet, SellerViewSet

router = SimpleRouter(trailing_slash=True)
router.register("clients", ClientViewSet, basename="client")
router.register("projects", ProjectViewSet, basename="project")
router.register("sellers", SellerViewSet, basename="seller")

urlpatterns = router.urls
