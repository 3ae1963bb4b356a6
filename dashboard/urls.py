"""The KPI dashboard's URL, included by the URL root under ``admin/dashboard/``.

The root names it by string so ``contactcenter`` imports no app; the admin's own
``admin_view`` guards it: login required, staff only, like every admin page.
"""

from django.contrib import admin
from django.urls import path

from dashboard.views import dashboard_view

urlpatterns = [
    path("", admin.site.admin_view(dashboard_view), name="kpi_dashboard"),
]
