"""The telephony admin pages outside the model admin, included by the URL root under
``admin/`` before the admin's own URLs: ``telephony/import-cdr/`` (the CDR upload)."""

from django.contrib import admin
from django.urls import path

from telephony.upload_admin import import_cdr_view

urlpatterns = [
    path(
        "telephony/import-cdr/", admin.site.admin_view(import_cdr_view), name="telephony_import_cdr"
    ),
]
