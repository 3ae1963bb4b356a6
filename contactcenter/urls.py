"""URL root: the admin, the versioned API and its schema and docs (served without a CDN)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from contactcenter import health

api_v1: list[URLPattern | URLResolver] = [
    path("", include("projects.api.urls")),
    path("", include("agents.api.urls")),
    path("", include("calls.api.urls")),
    path("", include("billing.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("healthz/", health.live, name="health-live"),
    path("readyz/", health.ready, name="health-ready"),
    # The KPI dashboard, an admin page of the calls app; named by string so this package
    # imports no app, and before admin.site.urls so the admin's catch-all does not take it.
    path("admin/dashboard/", include("calls.dashboard_urls")),
    path("admin/staffing/", include("agents.staffing_urls")),  # the Erlang calculator, likewise
    path("admin/staffing-plan/", include("calls.staffing_urls")),  # the pooling gain, likewise
    path("admin/simulation/", include("calls.simulation_urls")),  # what-if simulation, likewise
    path("admin/people/", include("calls.people_urls")),  # turnover and bench strength, likewise
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

# JSON error bodies for URLs under /api/ that no view answers (contactcenter.api.exceptions).
handler404 = "contactcenter.api.exceptions.page_not_found"
handler400 = "contactcenter.api.exceptions.bad_request"

admin.site.site_header = "Contact center operations"
admin.site.site_title = "Contact center"
admin.site.index_title = "Projects, operators, calls and billing"
