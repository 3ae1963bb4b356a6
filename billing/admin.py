"""Admin of tariffs with their bands, invoices (read-only once issued) and invoice numbers."""

import datetime as dt

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery

from billing.models import Invoice, InvoiceLine, InvoiceNumberSequence, Tariff, TariffBand
from projects.admin import ClientCodeFilter, ProjectCodeFilter, percent
from projects.admin_scoping import ScopedAdminMixin

WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MIDNIGHT = dt.time(0)


def weekday_ranges(weekdays):
    """[0, 1, 2, 3, 4, 6] -> 'Mon-Fri, Sun'."""
    runs = []
    for day in sorted(set(weekdays)):
        if runs and day == runs[-1][1] + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return ", ".join(
        WEEKDAY_NAMES[a] if a == b else f"{WEEKDAY_NAMES[a]}-{WEEKDAY_NAMES[b]}" for a, b in runs
    )


class TariffBandInline(admin.TabularInline):
    model = TariffBand
    extra = 0
    fields = ["position", "name", "weekdays", "start", "end", "rate_per_minute", "window"]
    readonly_fields = ["window"]

    @admin.display(description="window")
    def window(self, band):
        if band.pk is None:
            return None
        end = "24:00" if band.end == MIDNIGHT else f"{band.end:%H:%M}"
        crosses = band.end != MIDNIGHT and band.end <= band.start
        window = f"{weekday_ranges(band.weekdays)} {band.start:%H:%M}-{end}"
        return f"{window} (ends next day)" if crosses else window


@admin.register(Tariff)
class TariffAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    list_display = [
        "project",
        "valid_from",
        "valid_until",
        "rate_per_minute",
        "currency",
        "increments",
        "free_seconds",
        "billable",
        "monthly_minimum",
        "band_count",
    ]
    list_filter = [("project", ProjectCodeFilter), "billable", "currency"]
    list_select_related = ["project__client"]
    search_fields = ["project__code", "project__name", "project__client__code"]
    autocomplete_fields = ["project"]
    date_hierarchy = "valid_from"
    readonly_fields = ["created_at"]
    inlines = [TariffBandInline]

    def get_queryset(self, request):
        next_tariff = Tariff.objects.filter(
            project=OuterRef("project"), valid_from__gt=OuterRef("valid_from")
        ).order_by("valid_from")
        return (
            super()
            .get_queryset(request)
            .annotate(
                valid_until=Subquery(next_tariff.values("valid_from")[:1]),
                band_count=Count("bands"),
            )
        )

    @admin.display(description="until (excl.)", ordering="valid_until")
    def valid_until(self, tariff):
        return tariff.valid_until

    @admin.display(description="increments (s)", ordering="first_increment_seconds")
    def increments(self, tariff):
        return f"{tariff.first_increment_seconds}/{tariff.next_increment_seconds}"

    @admin.display(description="bands", ordering="band_count")
    def band_count(self, tariff):
        return tariff.band_count


class InvoiceLineInline(admin.TabularInline):
    # Read-only with its invoice: Django drops inline edit rights when the parent is locked.
    model = InvoiceLine
    extra = 0
    fields = [
        "position",
        "project",
        "kind",
        "band",
        "service_period",
        "description",
        "calls",
        "billed_seconds",
        "minutes",
        "rate_per_minute",
        "amount",
    ]
    readonly_fields = ["minutes"]
    autocomplete_fields = ["project"]

    @admin.display(description="minutes")
    def minutes(self, line):
        return f"{line.quantity_minutes:.2f}"


@admin.register(Invoice)
class InvoiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "client"
    list_display = [
        "display_number",
        "client",
        "period_month",
        "status",
        "currency",
        "subtotal",
        "vat_rate_percent",
        "vat",
        "total",
        "issued_at",
    ]
    list_filter = ["status", ("client", ClientCodeFilter), "currency"]
    list_select_related = ["client"]
    search_fields = ["number", "client__code", "client__legal_name", "client__tax_id"]
    autocomplete_fields = ["client"]
    date_hierarchy = "period"
    # Numbers and the lifecycle belong to the billing services (gapless numbering).
    readonly_fields = ["status", "number", "generated_at", "issued_at", "paid_at", "voided_at"]
    inlines = [InvoiceLineInline]

    def has_change_permission(self, request, obj=None):
        # An issued invoice never changes (SPEC section 7): non-drafts are view-only.
        editable = obj is None or obj.status == Invoice.Status.DRAFT
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        editable = obj is None or obj.status == Invoice.Status.DRAFT
        return editable and super().has_delete_permission(request, obj)

    @admin.display(description="number", ordering="number")
    def display_number(self, invoice):
        return invoice.number or "(draft)"

    @admin.display(description="period", ordering="period")
    def period_month(self, invoice):
        return f"{invoice.period:%Y-%m}"

    @admin.display(description="VAT rate", ordering="vat_rate")
    def vat_rate_percent(self, invoice):
        return percent(invoice.vat_rate)


@admin.register(InvoiceNumberSequence)
class InvoiceNumberSequenceAdmin(admin.ModelAdmin):
    """View only: the billing service takes numbers under a row lock."""

    list_display = ["year", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
