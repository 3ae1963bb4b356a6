"""The portal's URLs, included by the URL root under ``portal/`` (named by string, so
``contactcenter`` imports no app). Every view names its role (``portal.access``)."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("service/", views.service, name="service"),
    path("service/<slug:code>/interval/", views.interval_calls, name="interval_calls"),
    path("abandoned/", views.abandoned, name="abandoned"),
    path("abandoned/<int:pk>/called-back/", views.mark_called_back, name="called_back"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("quality/", views.quality, name="quality"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>/<slug:name>/", views.invoice_file, name="invoice_file"),
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
]
