"""REST routes of the billing app: tariffs/, looked up by id."""

from rest_framework.routers import SimpleRouter

from billing.api.views import TariffViewSet

router = SimpleRouter(trailing_slash=True)
router.register("tariffs", TariffViewSet, basename="tariff")

urlpatterns = router.urls
