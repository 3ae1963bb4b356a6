"""The "What-if: pooled vs dedicated" admin page's URL, included under ``admin/simulation/``.

Named by string in the root so ``contactcenter`` imports no app; ``admin_view`` makes it an
admin page: login required, staff only.
"""

from django.contrib import admin
from django.urls import path

from calls.simulation_admin import what_if_view

urlpatterns = [
    path("", admin.site.admin_view(what_if_view), name="simulation_what_if"),
]
