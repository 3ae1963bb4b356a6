"""``calls/import/``: included in the API root before the calls app's URLs, so this view
(a CDR format, or the CSV import it delegates to) answers it."""

from django.urls import path

from telephony.api.import_views import CallImportView

urlpatterns = [path("calls/import/", CallImportView.as_view(), name="call-import-any")]
