"""The admin wallboard, included by the URL root under ``admin/wallboard/``; the admin's
own ``admin_view`` guards it (login, staff), the view checks the manager role."""

from django.contrib import admin
from django.urls import path

from wallboard.views import wallboard_view

urlpatterns = [
    path("", admin.site.admin_view(wallboard_view), name="wallboard"),
]
