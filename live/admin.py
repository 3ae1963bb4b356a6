"""Admin of the live call events: read-only, as the telephony reported them."""

from django.contrib import admin

from live.models import CallEvent
from projects.admin import EstimatedCountPaginator
from projects.admin_scoping import ScopedAdminMixin


@admin.register(CallEvent)
class CallEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    list_display = ["at", "project", "external_id", "event", "operator", "received_at"]
    list_filter = ["event"]
    list_select_related = ["project", "operator"]
    search_fields = ["external_id"]
    date_hierarchy = "at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
