"""Admin of clients, their VAT rates, projects with hours and KPI targets, integrations and
the clients' portal users."""

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from contactcenter.errors import DomainError
from contactcenter.l10n import percent_text
from projects.admin_scoping import ScopedAdminMixin
from projects.models import (
    BusinessHours,
    Client,
    ClientUser,
    IntegrationAccount,
    Project,
    Seller,
    VatRate,
)
from projects.services import client_user_create
from projects.tenancy import QA_EVALUATOR, SELF, visible_clients, visible_projects


def percent(fraction):
    """A stored fraction as a PM reads it: 0.2000 is '20%', 0.825 is '82.5%' (in Russian
    '20 %', '82,5 %': contactcenter.l10n)."""
    if fraction is None:
        return None
    return percent_text(fraction, max(-(fraction * 100).normalize().as_tuple().exponent, 0))


class ProjectCodeFilter(admin.RelatedFieldListFilter):
    """The projects the user sees, by code, in one query (the default label reads each
    project's client, and would list every client's projects to a PM)."""

    def field_choices(self, field, request, model_admin):
        return list(visible_projects(request.user).values_list("pk", "code"))


class ScopedProjectFilter(ProjectCodeFilter):
    """The projects filter of an admin open to ``scope_role`` (``ProjectCodeFilter`` lists
    a manager's projects only, so an evaluator would get no choice)."""

    def field_choices(self, field, request, model_admin):
        role = getattr(model_admin, "scope_role", QA_EVALUATOR)
        return list(visible_projects(request.user, role).values_list("pk", "code"))


class ClientCodeFilter(admin.RelatedFieldListFilter):
    """The clients the user sees, by code, in one query."""

    def field_choices(self, field, request, model_admin):
        return list(visible_clients(request.user).values_list("pk", "code"))


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered big table from PostgreSQL's statistics, a filtered one exactly.

    COUNT(*) over tens of millions of calls takes seconds on every changelist load;
    ``show_full_result_count = False`` saves only the second count.
    """

    exact_below = 100_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                (estimate,) = cursor.fetchone()
            if estimate >= self.exact_below:
                return estimate
        return super().count


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    """Our legal entities (the seller on invoices): superusers alone see and edit them.
    The identifiers' control digits are checked by ``Seller.clean`` (form errors)."""

    list_display = ["code", "name", "inn", "kpp", "bank", "account"]
    search_fields = ["code", "name", "inn"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class VatRateInline(admin.TabularInline):
    model = VatRate
    extra = 0


@admin.register(Client)
class ClientAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = SELF
    list_display = [
        "code",
        "legal_name",
        "tax_id",
        "currency",
        "vat_included",
        "vat_rate_now",
        "project_count",
        "is_active",
    ]
    list_filter = ["is_active", "vat_included", "currency"]
    search_fields = ["code", "legal_name", "tax_id", "kpp", "billing_email"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["seller"]
    inlines = [VatRateInline]

    def get_queryset(self, request):
        rate_now = VatRate.objects.filter(
            client=OuterRef("pk"), valid_from__lte=timezone.localdate()
        ).order_by("-valid_from")
        return (
            super()
            .get_queryset(request)
            .annotate(
                vat_rate_now=Subquery(rate_now.values("rate")[:1]),
                project_count=Count("projects"),
            )
        )

    @admin.display(description=_("VAT now"), ordering="vat_rate_now")
    def vat_rate_now(self, client):
        return percent(client.vat_rate_now)

    @admin.display(description=_("projects"), ordering="project_count")
    def project_count(self, client):
        return client.project_count


@admin.register(VatRate)
class VatRateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "client"
    list_display = ["client", "valid_from", "rate_percent"]
    list_filter = [("client", ClientCodeFilter)]
    list_select_related = ["client"]
    search_fields = ["client__code", "client__legal_name", "client__tax_id"]
    autocomplete_fields = ["client"]
    date_hierarchy = "valid_from"

    @admin.display(description=_("rate"), ordering="rate")
    def rate_percent(self, vat_rate):
        return percent(vat_rate.rate)


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = SELF
    list_display = [
        "code",
        "name",
        "client",
        "timezone",
        "service_mode",
        "service_level_target",
        "sl_formula",
        "is_active",
    ]
    list_filter = ["is_active", "service_mode", "sl_formula", ("client", ClientCodeFilter)]
    list_select_related = ["client"]
    search_fields = ["code", "name", "client__code", "client__legal_name"]
    autocomplete_fields = ["client"]
    filter_horizontal = ["managers", "qa_evaluators", "trainers"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [BusinessHoursInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "client", "timezone", "service_mode", "is_active"]}),
        (
            _("KPI targets"),
            {
                "fields": [
                    ("sl_target", "sl_threshold_seconds"),
                    "sl_formula",
                    "short_abandon_seconds",
                    "abandon_rate_target",
                    "asa_target_seconds",
                ]
            },
        ),
        (_("Staff"), {"fields": ["managers", "qa_evaluators", "trainers"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("SL target"), ordering="sl_target")
    def service_level_target(self, project):
        return gettext_now("%(percent)s in %(seconds)d s") % {
            "percent": percent(project.sl_target),
            "seconds": project.sl_threshold_seconds,
        }


@admin.register(IntegrationAccount)
class IntegrationAccountAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "client"
    list_display = ["user", "kind", "client", "created_at"]
    list_filter = ["kind", ("client", ClientCodeFilter)]
    list_select_related = ["user", "client"]
    search_fields = ["user__username", "client__code", "client__legal_name"]
    autocomplete_fields = ["user", "client"]
    readonly_fields = ["created_at"]


class ClientUserAddForm(forms.ModelForm):
    """A new portal user: the person's login and password, created by the same service as
    ``manage.py create_client_user`` (never staff)."""

    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(
        label=_("password"), widget=forms.PasswordInput(render_value=False), strip=False
    )

    class Meta:
        model = ClientUser
        fields = ["client", "role"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = client_user_create(
                username=data["username"],
                client_code=data["client"].code,
                role=data["role"],
                password=data["password"],
            )
        except DomainError as exc:
            for field, messages in exc.details.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    def save(self, commit=True):
        self.save_m2m = lambda: None  # nothing many-to-many; the admin calls it
        return self.instance  # stored by the service in clean()


@admin.register(ClientUser)
class ClientUserAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Portal users of clients (docs/portal.md): a viewer or an accountant, never staff."""

    scope_path = "client"
    list_display = ["user", "client", "role", "user_active", "created_at"]
    list_filter = ["role", ("client", ClientCodeFilter)]
    list_select_related = ["user", "client"]
    search_fields = ["user__username", "client__code", "client__legal_name"]
    readonly_fields = ["user", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ClientUserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "password", "client", "role"]
        return ["user", "client", "role", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "client", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    @admin.display(description=_("active"), boolean=True, ordering="user__is_active")
    def user_active(self, binding):
        return binding.user.is_active
