"""Admin of the operator pool: operators, certifications, shifts, absences and state events.

The people pages (lifecycle status page and history, training) are in
``agents.people_admin``, imported here so they register with the site. Every admin of the
pool is read-only to staff who do not change it (``PoolWriteAdminMixin``: QA evaluators,
trainers, staff with no project role).
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from agents import people_admin, replacements
from agents.models import (
    Absence,
    AgentStateEvent,
    BreakReason,
    Certification,
    Operator,
    Shift,
    ShiftTemplate,
)
from contactcenter.errors import DomainError
from projects.admin import EstimatedCountPaginator, ProjectCodeFilter
from projects.admin_scoping import PoolWriteAdminMixin, ScopedAdminMixin


class CertificationInline(PoolWriteAdminMixin, admin.TabularInline):
    model = Certification
    extra = 0
    autocomplete_fields = ["project"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")


@admin.register(Operator)
class OperatorAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "full_name",
        "status",
        "certified_for",
        "hired_on",
        "left_on",
        "hourly_cost",
    ]
    list_filter = [
        "status",
        ("projects", ProjectCodeFilter),
        ("supervisor", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "full_name", "email"]
    inlines = [CertificationInline, people_admin.OperatorStatusChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("projects")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supervisor":  # team leads are staff who log in to the admin
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Once the operator exists, status and dates move only through the lifecycle (the
        # status page), so every change is dated and kept in the history.
        if obj is None:
            return ["created_at", "updated_at"]
        return ["status", "lifecycle", "hired_on", "left_on", "created_at", "updated_at"]

    @admin.display(description="change status")
    def lifecycle(self, operator):
        url = reverse("admin:agents_operator_status", args=[operator.pk])
        return format_html('<a href="{}" id="operator-status-link">Change status…</a>', url)

    def get_urls(self):
        status = self.admin_site.admin_view(self.status_view)
        return [
            path("<int:operator_id>/status/", status, name="agents_operator_status"),
            *super().get_urls(),
        ]

    def status_view(self, request, operator_id):
        return people_admin.operator_status_view(self, request, operator_id)

    @admin.display(description="certified for")
    def certified_for(self, operator):
        return ", ".join(project.code for project in operator.projects.all()) or None


@admin.register(Certification)
class CertificationAdmin(PoolWriteAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    list_display = ["operator", "project", "level", "certified_on"]
    list_filter = ["level", ("project", ProjectCodeFilter)]
    list_select_related = ["operator", "project__client"]
    search_fields = ["operator__code", "operator__full_name", "project__code", "project__name"]
    autocomplete_fields = ["operator", "project"]


@admin.register(Shift)
class ShiftAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
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
class AbsenceAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    list_display = ["operator", "kind", "starts_on", "ends_on", "days", "note"]
    list_filter = ["kind", ("operator__projects", ProjectCodeFilter)]
    list_select_related = ["operator"]
    search_fields = ["operator__code", "operator__full_name", "note"]
    autocomplete_fields = ["operator"]
    date_hierarchy = "starts_on"

    @admin.display(ordering=F("ends_on") - F("starts_on"))
    def days(self, absence):
        return (absence.ends_on - absence.starts_on).days + 1

    # The change page lists who can take the absent operator's shifts, with an Assign
    # button per shift (templates/admin/agents/absence/change_form.html).
    change_form_template = "admin/agents/absence/change_form.html"

    def get_urls(self):
        assign = self.admin_site.admin_view(self.assign_view)
        return [
            path("<int:absence_id>/assign/", assign, name="agents_absence_assign"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        absence = self.get_object(request, object_id)
        if absence is not None:
            extra_context["absent_shifts"] = replacements.absence_shifts(absence)
            extra_context["replacement_candidates"] = replacements.replacement_candidates(
                absence=absence
            )
            extra_context["assign_url"] = reverse("admin:agents_absence_assign", args=[absence.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def assign_view(self, request, absence_id):
        absence = get_object_or_404(Absence, pk=absence_id)
        back = redirect("admin:agents_absence_change", absence.pk)
        if request.method != "POST" or not self.has_change_permission(request, absence):
            return back
        shift = next(
            (
                s
                for s in replacements.absence_shifts(absence)
                if str(s.pk) == request.POST.get("shift")
            ),
            None,
        )
        operator = Operator.objects.filter(code=request.POST.get("operator", "")).first()
        if shift is None or operator is None:
            messages.error(request, "Pick a shift of this absence and an operator.")
            return back
        try:
            replacements.replacement_assign(shift=shift, operator=operator)
        except DomainError as exc:
            reasons = "; ".join(str(m) for ms in exc.details.values() for m in ms)
            messages.error(request, f"{exc.message} {reasons}")
        else:
            messages.success(request, f"{operator.code} now works {shift}.")
        return back


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    list_display = ["name", "start_time", "duration_minutes", "break_minutes", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["is_active"]
    search_fields = ["name"]


@admin.register(BreakReason)
class BreakReasonAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    """The reason codes a ``break`` event may name: edited by who changes the pool."""

    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(AgentStateEvent)
class AgentStateEventAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
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
