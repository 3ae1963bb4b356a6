"""REST routes of the telephony app: telephony/sources/, telephony/queue-mappings/,
telephony/agent-mappings/ and telephony/parked/."""

from rest_framework.routers import SimpleRouter

from telephony.api.views import (
    AgentMappingViewSet,
    ParkedCallViewSet,
    QueueMappingViewSet,
    TelephonySourceViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("telephony/sources", TelephonySourceViewSet, basename="telephony-source")
router.register("telephony/queue-mappings", QueueMappingViewSet, basename="telephony-queue-mapping")
router.register("telephony/agent-mappings", AgentMappingViewSet, basename="telephony-agent-mapping")
router.register("telephony/parked", ParkedCallViewSet, basename="telephony-parked-call")

urlpatterns = router.urls
