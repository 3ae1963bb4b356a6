"""The workforce admin report pages, one URL module included by the URL root under
``admin/`` (before the admin's own URLs): the Erlang and in-house calculators
(``staffing/``), the pooling gain (``staffing-plan/``), the what-if simulation
(``simulation/``), the People page, turnover and bench strength (``people/``), schedule
adherence (``adherence/``), a project's intraday (``intraday/``) and the scheduling page
(``scheduling/``: build, review, edit and publish a week).

Named by string in the root so ``contactcenter`` imports no app; ``admin_view`` makes each
an admin page like any other: login required, staff only.
"""

from django.contrib import admin
from django.urls import path

from workforce.adherence_admin import adherence_view
from workforce.erlang_admin import erlang_view
from workforce.insourcing_admin import insourcing_view
from workforce.intraday_admin import intraday_view
from workforce.people_admin import people_view
from workforce.schedule_admin import (
    schedule_copy_view,
    schedule_publish_view,
    schedule_shift_view,
    schedule_view,
    schedule_week_view,
)
from workforce.simulation_admin import what_if_view
from workforce.staffing_admin import pooling_gain_view

urlpatterns = [
    path("staffing/erlang/", admin.site.admin_view(erlang_view), name="erlang_calculator"),
    path(
        "staffing/in-house/", admin.site.admin_view(insourcing_view), name="insourcing_calculator"
    ),
    path("staffing-plan/", admin.site.admin_view(pooling_gain_view), name="pooling_gain"),
    path("simulation/", admin.site.admin_view(what_if_view), name="simulation_what_if"),
    path("people/", admin.site.admin_view(people_view), name="people_report"),
    path("adherence/", admin.site.admin_view(adherence_view), name="adherence_report"),
    path("intraday/", admin.site.admin_view(intraday_view), name="intraday_report"),
    path("scheduling/", admin.site.admin_view(schedule_view), name="schedule_builder"),
    path(
        "scheduling/<int:week_id>/", admin.site.admin_view(schedule_week_view), name="schedule_week"
    ),
    path(
        "scheduling/<int:week_id>/shifts/<int:shift_id>/",
        admin.site.admin_view(schedule_shift_view),
        name="schedule_shift",
    ),
    path(
        "scheduling/<int:week_id>/publish/",
        admin.site.admin_view(schedule_publish_view),
        name="schedule_publish",
    ),
    path(
        "scheduling/<int:week_id>/copy/",
        admin.site.admin_view(schedule_copy_view),
        name="schedule_copy",
    ),
]
