"""The "Pooling gain" admin page's URL, included by the URL root under ``admin/staffing-plan/``.

Named by string in the root so ``contactcenter`` imports no app; ``admin_view`` makes it an
admin page: login required, staff only.
"""

from django.contrib import admin
from django.urls import path

from calls.staffing_admin import pooling_gain_view

urlpatterns = [
    path("", admin.site.admin_view(pooling_gain_view), name="pooling_gain"),
]
