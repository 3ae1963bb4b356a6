"""The staffing calculators' URLs (Erlang, in-house vs outsourcing), included by the URL
root under ``admin/staffing/``.

Named by string in the root so ``contactcenter`` imports no app; ``admin_view`` makes it
an admin page like any other: login required, staff only.
"""

from django.contrib import admin
from django.urls import path

from agents.insourcing_admin import insourcing_view
from agents.staffing_admin import erlang_view

urlpatterns = [
    path("erlang/", admin.site.admin_view(erlang_view), name="erlang_calculator"),
    path("in-house/", admin.site.admin_view(insourcing_view), name="insourcing_calculator"),
]
