"""Operators' requests in the admin: time off and shift swaps, decided by project managers.

Managers see the requests of operators certified on the projects they manage (swaps: of
their projects' shifts, a pool shift by the offering operator's projects); superusers see
all. Nobody adds or edits a request here: operators make them at /me/ (``selfservice``);
the actions "approve" and "decline" are the managers' (``change`` permission of the
Project managers role, and ``may_change_pool``). An approved time off links to its
absence, whose page offers the replacements.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agents import swaps, time_off
from agents.models import Operator, ShiftSwap, TimeOffRequest
from agents.people_admin import error_text
from agents.shifts import shift_zone
from contactcenter.errors import DomainError
from contactcenter.l10n import local_time_text
from projects.admin_scoping import PoolWriteAdminMixin
from projects.tenancy import visible_projects


class _DecisionAdmin(PoolWriteAdminMixin, admin.ModelAdmin):
    """Read-only rows; the decisions are the actions."""

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple[str, ...] = ()

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for row in queryset:
            try:
                decide(row)
            except DomainError as exc:
                messages.error(request, f"{row}: {error_text(exc)}")
            else:
                done += 1
        if done:
            messages.success(request, done_message(done))


@admin.register(TimeOffRequest)
class TimeOffRequestAdmin(_DecisionAdmin):
    list_display = [
        "operator",
        "kind",
        "starts_on",
        "ends_on",
        "status",
        "decided_by",
        "absence_link",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["operator", "decided_by", "absence"]
    search_fields = ["operator__code", "operator__full_name", "note"]
    date_hierarchy = "starts_on"
    actions = ["approve", "decline"]
    extra_readonly = ("absence_link",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        operators = Operator.objects.filter(
            certifications__project__in=visible_projects(request.user)
        )
        return queryset.filter(operator__in=operators)

    @admin.display(description=_("absence and its replacements"))
    def absence_link(self, request_row):
        if request_row.absence_id is None:
            return "—"
        url = reverse("admin:agents_absence_change", args=[request_row.absence_id])
        return format_html(
            '<a href="{}#replacements" class="replacements-link">{}</a>',
            url,
            gettext("Replacements"),
        )

    @admin.action(
        description=_("Approve the time off (project managers): creates the absence"),
        permissions=["change"],
    )
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda row: time_off.time_off_approve(request=row, user=request.user),
            lambda n: (
                ngettext(
                    "%(count)d request approved: see its replacements.",
                    "%(count)d requests approved: see their replacements.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Decline the time off (project managers)"), permissions=["change"])
    def decline(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda row: time_off.time_off_decline(request=row, user=request.user),
            lambda n: (
                ngettext("%(count)d request declined.", "%(count)d requests declined.", n)
                % {"count": n}
            ),
        )


@admin.register(ShiftSwap)
class ShiftSwapAdmin(_DecisionAdmin):
    list_display = ["shift_local", "offered_by", "taken_by", "status", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["shift__project", "shift__operator", "offered_by", "taken_by"]
    search_fields = ["offered_by__code", "taken_by__code", "note"]
    actions = ["approve", "decline"]
    extra_readonly = ("shift_local",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        projects = visible_projects(request.user)
        return queryset.filter(
            Q(shift__project__in=projects)
            | Q(
                shift__project__isnull=True,
                offered_by__in=Operator.objects.filter(certifications__project__in=projects),
            )
        ).distinct()

    @admin.display(description=_("shift (local time)"), ordering="shift__starts_at")
    def shift_local(self, swap):
        zone = shift_zone(swap.shift)
        project = swap.shift.project.code if swap.shift.project_id else gettext("pool")
        return (
            f"{local_time_text(swap.shift.starts_at, zone)} – "
            f"{local_time_text(swap.shift.ends_at, zone)} ({project})"
        )

    @admin.action(
        description=_("Approve the swap (project managers): the shift changes hands"),
        permissions=["change"],
    )
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda row: swaps.swap_approve(swap=row, user=request.user),
            lambda n: (
                ngettext("%(count)d swap approved.", "%(count)d swaps approved.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Decline the swap (project managers)"), permissions=["change"])
    def decline(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda row: swaps.swap_decline(swap=row, user=request.user),
            lambda n: (
                ngettext("%(count)d swap declined.", "%(count)d swaps declined.", n) % {"count": n}
            ),
        )
