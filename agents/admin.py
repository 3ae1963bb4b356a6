"""Admin of the operator pool: operators, certifications, shifts, absences and state events."""

from django.contrib import admin
from django.db.models import F

from agents.models import Absence, AgentStateEvent, Certification, Operator, Shift
from projects.admin import EstimatedCountPaginator, ProjectCodeFilter
from projects.admin_scoping import ScopedAdminMixin


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    autocomplete_fields = ["project"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "full_name",
        "status",
        "certified_for",
        "hired_on",
        "left_on",
        "hourly_cost",
    ]
    list_filter = ["status", ("projects", ProjectCodeFilter)]
    search_fields = ["code", "full_name", "email"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CertificationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("projects")

    @admin.display(description="certified for")
    def certified_for(self, operator):
        return ", ".join(project.code for project in operator.projects.all()) or None


@admin.register(Certification)
class CertificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    list_display = ["operator", "project", "level", "certified_on"]
    list_filter = ["level", ("project", ProjectCodeFilter)]
    list_select_related = ["operator", "project__client"]
    search_fields = ["operator__code", "operator__full_name", "project__code", "project__name"]
    autocomplete_fields = ["operator", "project"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["operator", "starts_at", "ends_at", "hours", "note"]
    list_filter = [("operator__projects", ProjectCodeFilter)]
    list_select_related = ["operator"]
    search_fields = ["operator__code", "operator__full_name", "note"]
    autocomplete_fields = ["operator"]
    date_hierarchy = "starts_at"

    @admin.display(ordering=F("ends_at") - F("starts_at"))
    def hours(self, shift):
        return round((shift.ends_at - shift.starts_at).total_seconds() / 3600, 2)


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["operator", "kind", "starts_on", "ends_on", "days", "note"]
    list_filter = ["kind", ("operator__projects", ProjectCodeFilter)]
    list_select_related = ["operator"]
    search_fields = ["operator__code", "operator__full_name", "note"]
    autocomplete_fields = ["operator"]
    date_hierarchy = "starts_on"

    @admin.display(ordering=F("ends_on") - F("starts_on"))
    def days(self, absence):
        return (absence.ends_on - absence.starts_on).days + 1


@admin.register(AgentStateEvent)
class AgentStateEventAdmin(admin.ModelAdmin):
    list_display = ["at", "operator", "state", "reason", "received_at"]
    list_filter = ["state"]
    list_select_related = ["operator"]
    # Operators only: a text search over every event's reason would scan the whole table.
    search_fields = ["operator__code", "operator__full_name"]
    autocomplete_fields = ["operator"]
    readonly_fields = ["received_at"]
    date_hierarchy = "at"
    # Millions of rows: no second COUNT(*), an estimated one when unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
