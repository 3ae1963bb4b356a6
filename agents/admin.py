"""Admin of the operator pool: operators, certifications, shifts, absences and state events.

The people pages (lifecycle status page and history, training) are in
``agents.people_admin``, the operators' time-off and swap requests in
``agents.requests_admin``, imported here so they register with the site. Every admin of the
pool is read-only to staff who do not change it (``PoolWriteAdminMixin``: QA evaluators,
trainers, staff with no project role).
"""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agents import people_admin, replacements, requests_admin  # noqa: F401 (registers)
from agents.models import (
    Absence,
    AgentStateEvent,
    BreakReason,
    Certification,
    Operator,
    Shift,
    ShiftActivity,
    ShiftTemplate,
)
from agents.shifts import activity_errors, center_zone, shift_zone
from contactcenter.errors import DomainError
from contactcenter.l10n import local_time_text, money_text
from projects.admin import EstimatedCountPaginator, ProjectCodeFilter
from projects.admin_scoping import PoolWriteAdminMixin, ScopedAdminMixin
from projects.admin_time import LocalTimeAdminMixin
from projects.models import Project
from projects.tenancy import visible_projects


class CenterTimeAdminMixin:
    """Pages of rows without a project (operators, agent state events) in the center's
    zone (``agents.shifts.center_zone``): their date hierarchy days are local days."""

    def changelist_view(self, request, extra_context=None):
        with timezone.override(center_zone()):
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(center_zone()):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response


def center_time_display(field: str, description) -> object:
    """An admin column: the row's instant in the center's zone, the zone named."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, obj) -> str:
        return local_time_text(getattr(obj, field), center_zone())

    return show


def shift_time_display(field: str, description) -> object:
    """An admin column: a shift's instant in the shift's zone (``shift_zone``), named."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, shift) -> str:
        return local_time_text(getattr(shift, field), shift_zone(shift))

    return show


class CertificationInline(PoolWriteAdminMixin, admin.TabularInline):
    model = Certification
    extra = 0
    autocomplete_fields = ["project"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")


@admin.register(Operator)
class OperatorAdmin(CenterTimeAdminMixin, PoolWriteAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "full_name",
        "status",
        "certified_for",
        "hired_on",
        "left_on",
        "cost",
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
        if db_field.name == "user":  # an operator's login never reaches the admin
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=False, is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    CONTRACT_FIELDS = (
        "contract_hours_per_week",
        "max_hours_per_week",
        "min_rest_hours",
        "max_consecutive_days",
        "preferred_days_off",
        "overtime_allowed",
        "overtime_hourly_cost",
    )

    def get_fieldsets(self, request, obj=None):
        lifecycle = ["status", "hired_on", "left_on"]
        if obj is not None:
            lifecycle.insert(1, "lifecycle")
        return [
            (
                None,
                {
                    "fields": [
                        "code",
                        "full_name",
                        "email",
                        "user",
                        *lifecycle,
                        "hourly_cost",
                        "supervisor",
                        "created_local",
                        "updated_local",
                    ]
                },
            ),
            (
                _("Contract"),
                {
                    "fields": list(self.CONTRACT_FIELDS),
                    "description": _(
                        "The working rules the schedule and the replacements respect; a new "
                        "operator takes the center's defaults."
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Once the operator exists, status and dates move only through the lifecycle (the
        # status page), so every change is dated and kept in the history.
        if obj is None:
            return ["created_local", "updated_local"]
        return ["status", "lifecycle", "hired_on", "left_on", "created_local", "updated_local"]

    created_local = center_time_display("created_at", _("created at"))
    updated_local = center_time_display("updated_at", _("updated at"))

    @admin.display(description=_("change status"))
    def lifecycle(self, operator):
        url = reverse("admin:agents_operator_status", args=[operator.pk])
        return format_html(
            '<a href="{}" id="operator-status-link">{}</a>', url, gettext("Change status…")
        )

    def get_urls(self):
        status = self.admin_site.admin_view(self.status_view)
        return [
            path("<int:operator_id>/status/", status, name="agents_operator_status"),
            *super().get_urls(),
        ]

    def status_view(self, request, operator_id):
        return people_admin.operator_status_view(self, request, operator_id)

    @admin.display(description=_("hourly cost"), ordering="hourly_cost")
    def cost(self, operator):
        return money_text(operator.hourly_cost)

    @admin.display(description=_("certified for"))
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


class ActivityFormSet(forms.BaseInlineFormSet):
    """The planned activities lie inside the shift and do not overlap (the database's
    trigger holds it too; this names the problem instead of failing the save)."""

    def clean(self):
        super().clean()
        shift = self.instance
        if any(self.errors) or shift.starts_at is None or shift.ends_at is None:
            return
        kept = [
            {
                "kind": f.cleaned_data["kind"],
                "start": f.cleaned_data["starts_at"],
                "end": f.cleaned_data["ends_at"],
            }
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        problems = activity_errors(shift.starts_at, shift.ends_at, kept)
        if problems:
            raise forms.ValidationError(
                _("Activities must lie inside the shift, start before they end and not overlap.")
            )


class ShiftActivityInline(PoolWriteAdminMixin, admin.TabularInline):
    model = ShiftActivity
    formset = ActivityFormSet
    extra = 0


@admin.register(Shift)
class ShiftAdmin(LocalTimeAdminMixin, PoolWriteAdminMixin, admin.ModelAdmin):
    """Pool shifts (no project) for every staff user; a project's shifts follow the
    project's scope, as in the API. Times read in the shift's zone (its project's, else
    the center's), the zone named; the list's days are those of ``display_zone``."""

    local_time_project_param = "project__id__exact"
    list_display = ["operator", "project", "starts_local", "ends_local", "hours", "note"]
    list_filter = [("project", ProjectCodeFilter), ("operator__projects", ProjectCodeFilter)]
    list_select_related = ["operator", "project"]
    search_fields = ["operator__code", "operator__full_name", "note"]
    autocomplete_fields = ["operator"]
    date_hierarchy = "starts_at"
    inlines = [ShiftActivityInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            Q(project__isnull=True) | Q(project__in=visible_projects(request.user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    starts_local = shift_time_display("starts_at", _("starts at"))
    ends_local = shift_time_display("ends_at", _("ends at"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The shift's own zone (a pool shift: the center's), not the list's.
        shift = (
            Shift.objects.select_related("project").filter(pk=object_id).first()
            if str(object_id).isdigit()
            else None
        )
        with timezone.override(shift_zone(shift) if shift is not None else center_zone()):
            response = super(LocalTimeAdminMixin, self).change_view(
                request, object_id, form_url, extra_context
            )
            if hasattr(response, "render"):
                response.render()
            return response

    def add_view(self, request, form_url="", extra_context=None):
        # A new shift's times (and its activities') are read in its zone: the project
        # picked in the form, else the center's (a pool shift).
        with timezone.override(self._entry_zone(request)):
            response = super().add_view(request, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response

    def _entry_zone(self, request):
        project_id = request.POST.get("project", "") if request.method == "POST" else ""
        if project_id.isdigit():
            zone = (
                visible_projects(request.user)
                .filter(pk=project_id)
                .values_list("timezone", flat=True)
                .first()
            )
            if zone:
                return ZoneInfo(zone)
        return center_zone()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A saved shift's times in its own zone; a new one's in the project's zone, or the
        # center's for a pool shift: named either way.
        if obj is not None:
            named = _("Time zone: %(zone)s.") % {"zone": shift_zone(obj).key}
        else:
            named = _("Time zone: the project's; %(zone)s for a pool shift.") % {
                "zone": center_zone().key
            }
        for name in ("starts_at", "ends_at"):
            if name in form.base_fields:
                form.base_fields[name].help_text = named
        return form

    @admin.display(
        description=pgettext_lazy("shift length", "hours"), ordering=F("ends_at") - F("starts_at")
    )
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

    @admin.display(
        description=pgettext_lazy("absence length", "days"), ordering=F("ends_on") - F("starts_on")
    )
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
            shifts = replacements.absence_shifts(absence)
            for shift in shifts:  # read in the shift's zone, named
                zone = shift_zone(shift)
                shift.local_span = (
                    f"{local_time_text(shift.starts_at, zone)} – "
                    f"{local_time_text(shift.ends_at, zone)}"
                )
            extra_context["absent_shifts"] = shifts
            candidates, excluded = replacements.replacements_for(absence=absence)
            for candidate in candidates:
                candidate.cost_text = money_text(candidate.extra_cost)
            extra_context["replacement_candidates"] = candidates
            extra_context["replacement_excluded"] = excluded
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
            messages.error(request, gettext("Pick a shift of this absence and an operator."))
            return back
        try:
            replacements.replacement_assign(shift=shift, operator=operator)
        except DomainError as exc:
            reasons = "; ".join(str(m) for ms in exc.details.values() for m in ms)
            messages.error(request, f"{exc.message} {reasons}")
        else:
            done = gettext("%(operator)s now works the shift of %(start)s.") % {
                "operator": operator.code,
                "start": local_time_text(shift.starts_at, shift_zone(shift)),
            }
            messages.success(request, done)
        return back


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    """Pool templates for every staff user, a project's for who sees the project; PMs
    create and edit them (``projects.roles``). Times of day are local (see the model)."""

    list_display = [
        "name",
        "project",
        "start_time",
        "duration_minutes",
        "break_minutes",
        "is_active",
    ]
    list_filter = ["is_active", ("project", ProjectCodeFilter)]
    list_editable = ["is_active"]
    list_select_related = ["project"]
    search_fields = ["name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            Q(project__isnull=True) | Q(project__in=visible_projects(request.user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BreakReason)
class BreakReasonAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    """The reason codes a ``break`` event may name: edited by who changes the pool."""

    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(AgentStateEvent)
class AgentStateEventAdmin(CenterTimeAdminMixin, PoolWriteAdminMixin, admin.ModelAdmin):
    """Events in the center's zone, named (an operator has no zone of their own)."""

    list_display = ["at_local", "operator", "state", "reason", "received_local"]
    list_filter = ["state"]
    list_select_related = ["operator"]
    # Operators only: a text search over every event's reason would scan the whole table.
    search_fields = ["operator__code", "operator__full_name"]
    autocomplete_fields = ["operator"]
    readonly_fields = ["received_local"]
    date_hierarchy = "at"
    at_local = center_time_display("at", pgettext_lazy("event time", "at"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "at" in form.base_fields:
            form.base_fields["at"].help_text = _("Time zone: %(zone)s.") % {
                "zone": center_zone().key
            }
        return form

    received_local = center_time_display("received_at", _("received at"))
    # Millions of rows: no second COUNT(*), an estimated one when unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
