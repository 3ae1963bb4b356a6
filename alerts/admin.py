"""Admin of the alerts: a manager lists their projects' alerts and acknowledges them; the
webhooks (their secrets) are for administrators."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alerts.conditions import condition_codes, condition_label
from alerts.engine import alerts_acknowledge
from alerts.models import Alert, AlertDelivery, AlertWebhook
from projects.admin import ProjectCodeFilter
from projects.admin_scoping import ScopedAdminMixin


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Alert.State.choices

    def queryset(self, request, queryset):
        if self.value() in Alert.State.values:
            return queryset.in_state(self.value())
        return queryset


class ConditionFilter(admin.SimpleListFilter):
    title = _("condition")
    parameter_name = "condition"

    def lookups(self, request, model_admin):
        return [(code, condition_label(code)) for code in condition_codes()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(condition=self.value())
        return queryset


class DeliveryInline(admin.TabularInline):
    model = AlertDelivery
    fields = ("event", "channel", "target", "status", "attempts", "last_error", "delivered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only but for the ``acknowledge`` action (the ``change`` permission: managers of
    the alert's project and superusers)."""

    scope_path = "project"
    list_display = [
        "project",
        "condition_name",
        "state_name",
        "opened_at",
        "value",
        "threshold",
        "acknowledged_at",
        "acknowledged_by",
        "cleared_at",
    ]
    list_filter = [("project", ProjectCodeFilter), ConditionFilter, StateFilter]
    list_select_related = ["project", "acknowledged_by"]
    date_hierarchy = "opened_at"
    actions = ["acknowledge"]
    inlines = [DeliveryInline]
    readonly_fields = [
        "project",
        "condition",
        "opened_at",
        "last_seen_at",
        "acknowledged_at",
        "acknowledged_by",
        "cleared_at",
        "value",
        "threshold",
        "message",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("condition"), ordering="condition")
    def condition_name(self, alert: Alert) -> str:
        return condition_label(alert.condition)

    @admin.display(description=_("state"))
    def state_name(self, alert: Alert) -> str:
        return str(Alert.State(alert.state).label)

    @admin.action(description=_("Acknowledge the selected alerts"), permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The changelist's queryset is already the user's scope.
        done = alerts_acknowledge(alerts=queryset, user=request.user)  # type: ignore[arg-type]  # the admin's user is logged in
        self.message_user(
            request, _("%(n)d alert(s) acknowledged.") % {"n": done}, messages.SUCCESS
        )


@admin.register(AlertWebhook)
class AlertWebhookAdmin(admin.ModelAdmin):
    """Administrators only: a webhook's secret signs every alert it receives."""

    list_display = ["url", "project", "is_active", "created_at"]
    list_filter = ["is_active"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser
