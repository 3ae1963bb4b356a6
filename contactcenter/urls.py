"""URL root: the admin, the versioned API and its schema and docs (served without a CDN)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from contactcenter import health
from contactcenter.api.token_views import RotateTokenView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("projects.api.urls")),
    path("", include("agents.api.urls")),
    # calls/import/ with a CDR ?format= (the telephony app), else the CSV import it delegates
    # to; before calls' URLs, which route the same path.
    path("", include("telephony.api.import_urls")),
    path("", include("calls.api.urls")),
    path("", include("quality.api.urls")),
    path("", include("workforce.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("live.api.urls")),
    path("", include("telephony.api.urls")),
    path("tokens/rotate/", RotateTokenView.as_view(), name="token-rotate"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("healthz/", health.live, name="health-live"),
    path("readyz/", health.ready, name="health-ready"),
    # The admin's language switch posts to Django's set_language (i18n/setlang/).
    path("i18n/", include("django.conf.urls.i18n")),
    # The KPI dashboard (the dashboard app) and the workforce report pages; named by string
    # so this package imports no app, and before admin.site.urls so the admin's catch-all
    # does not take them.
    path("admin/dashboard/", include("dashboard.urls")),
    # The live wallboard (the wallboard app): the admin page, and the TV page a signed
    # link opens without a login.
    path("admin/wallboard/", include("wallboard.urls")),
    path("wallboard/", include("wallboard.tv_urls")),
    # admin/staffing/ (Erlang, in-house), admin/staffing-plan/ (pooling gain),
    # admin/simulation/ (what-if) and admin/people/ (turnover, bench strength).
    path("admin/", include("workforce.admin_urls")),
    # The QA models moved from calls to quality: their old admin URLs redirect.
    path("admin/calls/", include("quality.legacy_admin_urls")),
    # admin/telephony/import-cdr/: a PBX's CDR file uploaded by hand.
    path("admin/", include("telephony.admin_urls")),
    path("admin/", admin.site.urls),
    # The client portal (the portal app): a client's own people, never staff.
    path("portal/", include("portal.urls")),
    # The operators' own pages (the selfservice app): schedule, time off, swaps, KPIs.
    path("me/", include("selfservice.urls")),
    path("api/v1/", include(api_v1)),
]

# JSON error bodies under /api/ for what no view answers: an unknown URL, a request refused
# before any view (a 413 for a body over the limit), a 403 and a 500 (contactcenter.api.exceptions).
handler404 = "contactcenter.api.exceptions.page_not_found"
handler400 = "contactcenter.api.exceptions.bad_request"
handler403 = "contactcenter.api.exceptions.permission_denied"
handler500 = "contactcenter.api.exceptions.server_error"

admin.site.site_header = _("Contact center operations")
admin.site.site_title = _("Contact center")
admin.site.index_title = _("Projects, operators, calls and billing")
