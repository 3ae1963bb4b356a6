"""REST routes of the billing app: tariffs/, sla-terms/ and invoices/ (looked up by id), the monthly
archive of invoices, bank statement import, and a client's reconciliation and credit."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.api.views import (
    ClientCreditView,
    ClientReconciliationView,
    InvoiceArchiveView,
    InvoiceViewSet,
    PaymentImportView,
    SlaTermViewSet,
    TariffViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("tariffs", TariffViewSet, basename="tariff")
router.register("sla-terms", SlaTermViewSet, basename="sla-term")
router.register("invoices", InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("invoices/archive/", InvoiceArchiveView.as_view(), name="invoice-archive"),
    path("payments/import/", PaymentImportView.as_view(), name="payment-import"),
    path(
        "clients/<str:code>/reconciliation/",
        ClientReconciliationView.as_view(),
        name="client-reconciliation",
    ),
    path("clients/<str:code>/credit/", ClientCreditView.as_view(), name="client-credit"),
    *router.urls,
]
