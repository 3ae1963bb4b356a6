"""The telephony admin: sources with their queue and agent mappings inline, and the parked
calls, grouped by what they wait for, with "Replay now".

Who: a superuser sees every source; a project manager the sources of the clients whose
projects they manage, and maps their queues to those projects only (``QueueMapping.clean``
holds the project to the source's client); operators are the shared pool, so any operator
may be named. Saving a mapping queues the replay of the source's parked calls
(``telephony.tasks.schedule_replay``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from projects.admin_scoping import ScopedAdminMixin
from projects.models import Project
from projects.tenancy import MANAGER, may_change_pool, visible_projects
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource
from telephony.replay import replay_parked
from telephony.tasks import schedule_replay

# The "what waits" filter lists the names most calls wait for, at most this many.
MISSING_NAMES_SHOWN = 50


class QueueMappingInline(admin.TabularInline):
    model = QueueMapping
    extra = 1
    fields = ["queue", "project"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user, MANAGER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AgentMappingInline(admin.TabularInline):
    model = AgentMapping
    extra = 1
    fields = ["kind", "name", "operator"]
    autocomplete_fields = ["operator"]


@admin.register(TelephonySource)
class TelephonySourceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "client"
    list_display = [
        "code",
        "name",
        "client",
        "kind",
        "time_zone",
        "phone_region",
        "is_active",
        "waiting_calls",
    ]
    list_filter = [
        "kind",
        "is_active",
        "phone_region",
        ("client", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "name", "client__code", "client__name"]
    list_select_related = ["client"]
    inlines = [QueueMappingInline, AgentMappingInline]
    fieldsets = [
        (None, {"fields": ["client", "code", "name", "kind", "is_active"]}),
        (_("Reading the PBX"), {"fields": ["time_zone", "phone_region", "column_map"]}),
    ]

    def get_queryset(self, request):
        waiting = Count("parked_calls", filter=Q(parked_calls__resolved_at__isnull=True))
        return super().get_queryset(request).annotate(waiting=waiting)

    @admin.display(description=_("calls waiting"), ordering="waiting")
    def waiting_calls(self, source):
        return source.waiting

    def get_readonly_fields(self, request, obj=None):
        # A source stays with its client: its mappings point to that client's projects.
        return ["client"] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model in (QueueMapping, AgentMapping) and (
            formset.new_objects or formset.changed_objects
        ):
            schedule_replay(form.instance.pk)
            messages.info(
                request,
                _("The calls waiting for these mappings will be stored in the background."),
            )


class WaitingFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting")), ("stored", _("Stored"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "stored":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class MissingNameFilter(admin.SimpleListFilter):
    """What the waiting calls wait for, by reason and name, with their counts:
    "42 calls wait for agent 'Paty Marin'"."""

    title = _("waiting for")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        waiting = model_admin.get_queryset(request).filter(resolved_at__isnull=True)
        groups = (
            waiting.values("reason", "missing")
            .annotate(calls=Count("pk"))
            .order_by("-calls", "reason", "missing")[:MISSING_NAMES_SHOWN]
        )
        return [(f"{row['reason']}:{row['missing']}", waiting_label(row)) for row in groups]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or ":" not in value:
            return queryset
        reason, missing = value.split(":", 1)
        return queryset.filter(resolved_at__isnull=True, reason=reason, missing=missing)


def waiting_label(row: dict) -> str:
    """``{"reason", "missing", "calls"}`` -> "42 calls wait for agent 'Paty Marin'"."""
    values = {"count": row["calls"], "name": row["missing"]}
    if row["reason"] == ParkedCall.Reason.UNMAPPED_QUEUE:
        return (
            ngettext(
                "%(count)d call waits for queue '%(name)s'",
                "%(count)d calls wait for queue '%(name)s'",
                row["calls"],
            )
            % values
        )
    return (
        ngettext(
            "%(count)d call waits for agent '%(name)s'",
            "%(count)d calls wait for agent '%(name)s'",
            row["calls"],
        )
        % values
    )


@admin.register(ParkedCall)
class ParkedCallAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: a parked call is stored by adding its mapping (or "Replay now")."""

    scope_path = "source__client"
    list_display = [
        "call_key",
        "source",
        "reason",
        "missing",
        "parked_at",
        "resolved_at",
        "file_name",
        "line_no",
        "error",
    ]
    list_filter = [
        WaitingFilter,
        MissingNameFilter,
        "reason",
        ("source", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["=call_key", "missing", "file_name"]
    list_select_related = ["source"]
    date_hierarchy = "parked_at"
    actions = ["replay_now"]
    change_list_template = "admin/telephony/parkedcall/change_list.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return bool(request.user.is_superuser)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        """Superusers and project managers (their clients' sources: the scope)."""
        return may_change_pool(request.user) and request.user.has_perm("telephony.view_parkedcall")

    def changelist_view(self, request, extra_context=None):
        waiting = self.get_queryset(request).filter(resolved_at__isnull=True)
        groups = (
            waiting.values("reason", "missing")
            .annotate(calls=Count("pk"))
            .order_by("-calls", "reason", "missing")[:MISSING_NAMES_SHOWN]
        )
        extra_context = {**(extra_context or {}), "waiting": [waiting_label(g) for g in groups]}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description=_("Replay now"), permissions=["replay"])
    def replay_now(self, request: HttpRequest, queryset: QuerySet[ParkedCall]) -> None:
        resolved = waiting = failed = 0
        for source_id in sorted(set(queryset.values_list("source_id", flat=True))):
            result = replay_parked(source_id)
            resolved, waiting, failed = (
                resolved + result.resolved,
                waiting + result.waiting,
                failed + result.failed,
            )
        self.message_user(
            request,
            _("Stored: %(resolved)d; still waiting: %(waiting)d; refused: %(failed)d.")
            % {"resolved": resolved, "waiting": waiting, "failed": failed},
            messages.SUCCESS if not failed else messages.WARNING,
        )
