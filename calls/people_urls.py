"""The People page's URL, included by the URL root under ``admin/people/`` (named by string
there, so ``contactcenter`` imports no app); ``admin_view``: login required, staff only."""

from django.contrib import admin
from django.urls import path

from calls.people_admin import people_view

urlpatterns = [path("", admin.site.admin_view(people_view), name="people_report")]
