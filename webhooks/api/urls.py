"""REST routes of the webhooks app: webhooks/endpoints/ (by id), rotate-secret/, deliveries/."""

from rest_framework.routers import SimpleRouter

from webhooks.api.views import WebhookEndpointViewSet

router = SimpleRouter(trailing_slash=True)
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = router.urls
