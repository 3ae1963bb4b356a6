"""Admin of the alerts: a manager lists their projects' alerts and acknowledges them; the
webhooks (their secrets) are for administrators."""

from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from alerts.conditions import condition_codes, condition_label
from alerts.engine import alerts_acknowledge
from alerts.models import Alert, AlertDelivery, AlertWebhook
from contactcenter.l10n import local_time_text, number_text
from projects.admin import ProjectCodeFilter
from projects.admin_scoping import ScopedAdminMixin
from projects.admin_time import LocalTimeAdminMixin


def _zone(row) -> str:
    """The row's project's zone; the center's for a pool-wide alert or every project's webhook."""
    project = getattr(row, "project", None)
    return project.timezone if project is not None else settings.DISPLAY_TIME_ZONE


def _local(field: str, description, alert_path: str = ""):
    """A column: the instant ``field`` in its project's zone, the zone named."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, row) -> str:
        owner = getattr(row, alert_path) if alert_path else row
        return local_time_text(getattr(row, field), _zone(owner))

    return show


def _number(value) -> str:
    """A value people read: up to three places, the language's separators."""
    if value is None:
        return "-"
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = max(0, min(3, -exponent)) if isinstance(exponent, int) else 0
    return number_text(value, places)


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
    fields = ("event", "channel", "target", "status", "attempts", "last_error", "delivered_local")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    delivered_local = _local("delivered_at", _("delivered at"), alert_path="alert")


@admin.register(Alert)
class AlertAdmin(LocalTimeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only but for the ``acknowledge`` action (the ``change`` permission: managers of
    the alert's project and superusers)."""

    scope_path = "project"
    list_display = [
        "project",
        "condition_name",
        "state_name",
        "opened_local",
        "value_text",
        "threshold_text",
        "acknowledged_local",
        "acknowledged_by",
        "cleared_local",
    ]
    list_filter = [("project", ProjectCodeFilter), ConditionFilter, StateFilter]
    list_select_related = ["project", "acknowledged_by"]
    date_hierarchy = "opened_at"
    actions = ["acknowledge"]
    inlines = [DeliveryInline]
    readonly_fields = [
        "project",
        "condition_name",
        "opened_local",
        "last_seen_local",
        "acknowledged_local",
        "acknowledged_by",
        "cleared_local",
        "value_text",
        "threshold_text",
        "message",
    ]
    fields = readonly_fields  # type: ignore[assignment]  # every field shown, none typed

    opened_local = _local("opened_at", _("opened at"))
    last_seen_local = _local("last_seen_at", _("last seen at"))
    acknowledged_local = _local("acknowledged_at", _("acknowledged at"))
    cleared_local = _local("cleared_at", _("cleared at"))

    @admin.display(description=pgettext_lazy("alert", "value"), ordering="value")
    def value_text(self, alert: Alert) -> str:
        return _number(alert.value)

    @admin.display(description=_("threshold"), ordering="threshold")
    def threshold_text(self, alert: Alert) -> str:
        return _number(alert.threshold)

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
        text = ngettext("%(n)d alert acknowledged.", "%(n)d alerts acknowledged.", done) % {
            "n": done
        }
        self.message_user(request, text, messages.SUCCESS)


@admin.register(AlertWebhook)
class AlertWebhookAdmin(admin.ModelAdmin):
    """Administrators only: a webhook's secret signs every alert it receives."""

    list_display = ["url", "project", "is_active", "created_local"]
    list_filter = ["is_active"]

    created_local = _local("created_at", pgettext_lazy("webhook", "created at"))

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
