"""Admin of the webhooks, for administrators (superusers) alone: a secret signs every event
an endpoint receives. Endpoints (rotate the secret, switch on again), their deliveries with
every attempt (send again)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contactcenter.l10n import local_time_text
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from webhooks.urls_safety import UnsafeUrl, check_url_form


def _local(field: str, description):
    @admin.display(description=description, ordering=field)
    def show(model_admin, row) -> str:
        return local_time_text(getattr(row, field), settings.DISPLAY_TIME_ZONE)

    return show


class SuperusersOnlyAdmin(admin.ModelAdmin):
    """Every page and action: superusers (the center's administrators)."""

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


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["client", "url", "description", "events", "is_active"]

    def clean_url(self):
        try:
            return check_url_form(self.cleaned_data["url"])
        except UnsafeUrl as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperusersOnlyAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "client", "is_active", "failing_local", "disabled_local"]
    list_filter = ["is_active"]
    search_fields = ["url", "client__code"]
    fields = ["client", "url", "description", "events", "is_active", "secret_shown",
              "failing_local", "disabled_local", "disabled_reason"]  # fmt: skip
    readonly_fields = ["secret_shown", "failing_local", "disabled_local", "disabled_reason"]
    actions = ["rotate_secret", "switch_on"]

    failing_local = _local("failing_since", _("failing since"))
    disabled_local = _local("disabled_at", _("disabled at"))

    @admin.display(description=_("secret"))
    def secret_shown(self, row) -> str:
        return row.secret or "-"

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.endpoint_create(
                client=obj.client, url=obj.url, events=obj.events, description=obj.description
            )
            obj.pk, obj.secret = created.pk, created.secret
            return
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Rotate the secret (administrators; the old one signs 24 h more)"),
        permissions=["change"],
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_rotate_secret(endpoint=endpoint)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d secret rotated.", "%(count)d secrets rotated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Switch on again (administrators)"), permissions=["change"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_update(endpoint=endpoint, is_active=True)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d endpoint switched on.", "%(count)d endpoints switched on.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "attempted_local", "status_code", "latency_ms", "error",
              "response_snippet", "manual")  # fmt: skip
    readonly_fields = fields
    attempted_local = _local("attempted_at", _("attempted at"))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperusersOnlyAdmin):
    list_display = ["message", "endpoint", "status", "attempts", "created_local"]
    list_filter = ["status"]
    list_select_related = ["message", "endpoint"]
    fields = ("message", "endpoint", "status", "attempts", "next_attempt_local",
              "delivered_local")  # fmt: skip
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["redeliver"]

    created_local = _local("created_at", _("created at"))
    next_attempt_local = _local("next_attempt_at", _("next attempt at"))
    delivered_local = _local("delivered_at", _("delivered at"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send again now (administrators)"), permissions=["change"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            services.delivery_redeliver(delivery=delivery)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d delivery queued.", "%(count)d deliveries queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WebhookMessage)
class WebhookMessageAdmin(SuperusersOnlyAdmin):
    list_display = ["message_id", "event_type", "client", "created_local"]
    list_filter = ["event_type"]
    fields = ("message_id", "event_type", "client", "payload", "created_local")
    readonly_fields = fields
    created_local = _local("created_at", _("created at"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
