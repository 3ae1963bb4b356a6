"""REST routes of the billing app: tariffs/ and invoices/ (looked up by id), and the
monthly archive of invoices."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.api.views import InvoiceArchiveView, InvoiceViewSet, TariffViewSet

router = SimpleRouter(trailing_slash=True)
router.register("tariffs", TariffViewSet, basename="tariff")
router.register("invoices", InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("invoices/archive/", InvoiceArchiveView.as_view(), name="invoice-archive"),
    *router.urls,
]
