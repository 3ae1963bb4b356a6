"""Admin of the live call events: read-only, as the telephony reported them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from live.models import CallEvent
from projects.admin import EstimatedCountPaginator
from projects.admin_scoping import ScopedAdminMixin
from projects.admin_time import LocalTimeAdminMixin, local_time_display


@admin.register(CallEvent)
class CallEventAdmin(LocalTimeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    list_display = ["at_local", "project", "external_id", "event", "operator", "received_local"]
    list_filter = ["event"]
    list_select_related = ["project", "operator"]
    search_fields = ["external_id"]
    date_hierarchy = "at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["project", "external_id", "event", "at_local", "operator", "caller", "received_local"]
    readonly_fields = ["at_local", "received_local"]
    # In the project's zone, the zone named; the date hierarchy's days are local days.
    at_local = local_time_display("at", pgettext_lazy("call event", "at"))
    received_local = local_time_display("received_at", _("received at"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
