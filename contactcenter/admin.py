"""The audit trail and the API tokens in the admin: for superusers only.

A project manager's own projects' history would need the log entries scoped through each
tracked model's path to its project; until someone asks for it, superusers read the trail.
"""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter import tokens
from contactcenter.models import ApiToken

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditTrailAdmin(LogEntryAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens for superusers only: listed by prefix, revocable, never added here (the key
    is shown once by ``create_api_token``), never showing a digest or a key."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "expires_at", "state")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("prefix", "name", "user__username")
    fields = ("prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_tokens"]
    ordering = ("-created_at",)

    @admin.display(description=_("state"))
    def state(self, token):
        refusal = token.refusal(timezone.now())
        return refusal.removeprefix("Token ").rstrip(".") if refusal else _("valid")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_revoke_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens now"), permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        count = tokens.revoke(queryset)
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})
