"""Admin of tariffs with their bands, SLA terms with their credit tiers, invoices (read-only
once issued; generate, issue, pay, void and download them; monthly archives) and invoice
numbers."""

import base64
import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from billing.archive import archive_download_name, invoice_archive
from billing.bank_import import import_statement
from billing.delivery import deliver_again
from billing.exports.closing import DOCUMENT_STATUSES
from billing.exports.formats import FORMAT_NAMES, FORMATS, export_response
from billing.frozen import check_tariff_start_free, invoices_rated_by
from billing.invoices import invoice_issue, invoice_void
from billing.invoicing import invoice_generate
from billing.models import (
    INVOICE_STATUS_WORDS,
    ClientCredit,
    Delivery,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    Payment,
    SlaCreditTier,
    SlaTerm,
    Tariff,
    TariffBand,
)
from billing.payments import balance_due, invoice_pay, paid_amount, payment_record
from billing.services import check_sla_unfrozen
from contactcenter.errors import DomainError
from contactcenter.l10n import number_text
from contactcenter.periods import parse_month
from projects.admin import ClientCodeFilter, ProjectCodeFilter, percent
from projects.admin_scoping import ScopedAdminMixin
from projects.admin_time import local_time_display
from projects.models import Client
from projects.tenancy import visible_clients

WEEKDAY_NAMES = WEEKDAYS_ABBR  # Mon ... Sun, in the active language (Django's catalogue)
MIDNIGHT = dt.time(0)
CLIENT_ZONE = "client.timezone"  # an invoice's or a credit's instants: the client's calendar


def weekday_ranges(weekdays):
    """[0, 1, 2, 3, 4, 6] -> 'Mon-Fri, Sun'."""
    runs = []
    for day in sorted(set(weekdays)):
        if runs and day == runs[-1][1] + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return ", ".join(
        str(WEEKDAY_NAMES[a]) if a == b else f"{WEEKDAY_NAMES[a]}-{WEEKDAY_NAMES[b]}"
        for a, b in runs
    )


def rated_numbers(tariff):
    """Numbers of the issued invoices ``tariff`` rated ('' if none), once per request."""
    if tariff is None or tariff.pk is None:
        return ""
    if not hasattr(tariff, "_rated_numbers"):
        tariff._rated_numbers = ", ".join(i.number for i in invoices_rated_by(tariff))
    return tariff._rated_numbers


class TariffBandInline(admin.TabularInline):
    """Bands of a tariff; read-only, none added or deleted, once it rated an issued invoice."""

    model = TariffBand
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not rated_numbers(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not rated_numbers(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not rated_numbers(obj) and super().has_delete_permission(request, obj)

    fields = [
        "position",
        "name",
        "display_name",
        "weekdays",
        "start",
        "end",
        "rate_per_minute",
        "window",
    ]
    readonly_fields = ["window"]

    @admin.display(description=_("window"))
    def window(self, band):
        if band.pk is None:  # the empty row a new band starts from
            return self.get_empty_value_display()
        end = "24:00" if band.end == MIDNIGHT else f"{band.end:%H:%M}"
        crosses = band.end != MIDNIGHT and band.end <= band.start
        window = f"{weekday_ranges(band.weekdays)} {band.start:%H:%M}-{end}"
        return gettext("%(window)s (ends next day)") % {"window": window} if crosses else window


class TariffForm(forms.ModelForm):
    """A new tariff, or a moved one, may not start inside a month an issued invoice billed."""

    class Meta:
        model = Tariff
        fields = [
            "project",
            "valid_from",
            "currency",
            "rate_per_minute",
            "first_increment_seconds",
            "next_increment_seconds",
            "free_seconds",
            "billable",
            "wrap_cap_seconds",
            "monthly_minimum",
        ]

    def clean(self):
        cleaned = super().clean()
        project, valid_from = cleaned.get("project"), cleaned.get("valid_from")
        if project is not None and valid_from is not None:
            candidate = Tariff(pk=self.instance.pk, project=project, valid_from=valid_from)
            try:
                check_tariff_start_free(candidate)
            except DomainError as error:
                raise forms.ValidationError(
                    {"valid_from": error.details.get("valid_from", [error.message])}
                ) from error
        return cleaned


@admin.register(Tariff)
class TariffAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Tariffs; one that rated an issued or paid invoice is read-only and cannot be
    deleted (billing.frozen): a new tariff from a later date replaces it."""

    form = TariffForm
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
    readonly_fields = ["created_local"]
    inlines = [TariffBandInline]
    created_local = local_time_display("created_at", _("created at"))
    frozen_message = _(
        "This tariff rated issued invoice %(numbers)s, so it cannot be changed or deleted. "
        "Create a new tariff from a later date instead."
    )

    def get_readonly_fields(self, request, obj=None):
        if rated_numbers(obj):
            names = [f.name for f in Tariff._meta.fields if f.name not in ("id", "created_at")]
            return [*names, "created_local"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not rated_numbers(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        tariff = self.get_object(request, object_id)
        numbers = rated_numbers(tariff)
        if numbers and request.method == "GET":
            messages.warning(request, self.frozen_message % {"numbers": numbers})
        return super().change_view(request, object_id, form_url, extra_context)

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

    @admin.display(description=_("until (excl.)"), ordering="valid_until")
    def valid_until(self, tariff):
        return tariff.valid_until

    @admin.display(description=_("increments (s)"), ordering="first_increment_seconds")
    def increments(self, tariff):
        return f"{tariff.first_increment_seconds}/{tariff.next_increment_seconds}"

    @admin.display(description=_("bands"), ordering="band_count")
    def band_count(self, tariff):
        return tariff.band_count


class InvoiceLineInline(admin.TabularInline):
    """An invoice's lines, read-only for drafts too: amounts are derived, never typed
    (generation computes them; docs/billing.md, "Amounts are derived")."""

    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
    readonly_fields = fields  # type: ignore[assignment]  # every field shown, none typed

    @admin.display(description=_("minutes"))
    def minutes(self, line):
        return number_text(line.quantity_minutes, 2)


class InvoiceGenerateForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("YYYY-MM: the month to bill (each project's local month)."),
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        required=False,
        to_field_name="code",
        label=_("Client"),
        empty_label=_("Every client I see"),
    )

    def __init__(self, *args, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clients is None:
            del self.fields["client"]
        else:
            self.fields["client"].queryset = clients.order_by("code")

    def clean_period(self):
        try:
            return parse_month(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, such as 2026-10.")) from None


def generated_message(invoice: Invoice) -> str:
    """What generating says of one invoice, with the calls that arrived after its build."""
    text = _("%(invoice)s: %(status)s, total %(total)s %(currency)s.") % {
        "invoice": invoice,
        "status": INVOICE_STATUS_WORDS[invoice.status],
        "total": invoice.total,
        "currency": invoice.currency,
    }
    if invoice.calls_after_build:
        text += " " + ngettext(
            "%(count)s call(s) of the period arrived after it was built (still being "
            "stored): generate it again, or issue it, which includes them.",
            "%(count)s call(s) of the period arrived after it was built (still being "
            "stored): generate it again, or issue it, which includes them.",
            invoice.calls_after_build,
        ) % {"count": invoice.calls_after_build}
    return text


def _month_choices(dates):
    return [(f"{period:%Y-%m}", f"{period:%Y-%m}") for period in dates]


class InvoicePeriodFilter(admin.SimpleListFilter):
    """Billing months that have invoices (in the user's scope), newest first."""

    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = (
            model_admin.get_queryset(request)
            .order_by("-period")
            .values_list("period", flat=True)
            .distinct()
        )
        return _month_choices(periods)

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            return queryset.filter(period=parse_month(self.value()))
        except ValueError:
            return queryset.none()


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("paid_on", "amount", "applied_amount", "reference", "source", "created_by")
    readonly_fields = fields


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ("recipient", "status", "attempts", "last_error", "sent_local")
    readonly_fields = fields
    sent_local = local_time_display("sent_at", _("sent at"), zone_path="invoice.client.timezone")


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
        "issued_local",
        "balance",
        "downloads",
    ]
    list_filter = [InvoicePeriodFilter, "status", ("client", ClientCodeFilter), "currency"]
    list_select_related = ["client"]
    search_fields = ["number", "client__code", "client__legal_name", "client__tax_id"]
    date_hierarchy = "period"
    # Everything is derived: generation computes the lines and totals, the billing services
    # the numbers and the lifecycle (gapless numbering). No field of an invoice is typed.
    fields = [
        "client",
        "period",
        "status",
        "number",
        "currency",
        "vat_included",
        "vat_rate",
        "subtotal",
        "vat",
        "total",
        "generated_local",
        "received_before_local",
        "calls_after_build",
        "issued_local",
        "due_date",
        "paid_local",
        "voided_local",
        "paid",
        "balance",
        "downloads",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # amounts are derived, never typed
    inlines = [InvoiceLineInline, PaymentInline, DeliveryInline]
    # Instants in the client's zone, the zone named (its calendar closes its months).
    generated_local = local_time_display("generated_at", _("generated at"), CLIENT_ZONE)
    received_before_local = local_time_display(
        "calls_received_before", _("calls received before"), CLIENT_ZONE
    )
    issued_local = local_time_display("issued_at", _("issued at"), CLIENT_ZONE)
    paid_local = local_time_display("paid_at", _("paid at"), CLIENT_ZONE)
    voided_local = local_time_display("voided_at", _("voided at"), CLIENT_ZONE)
    actions = ["generate_for_clients", "issue_invoices", "pay_invoices", "void_invoices"]

    def has_add_permission(self, request):
        return False  # invoices are generated (the Generate page), never typed in

    def has_change_permission(self, request, obj=None):
        # An issued invoice never changes (SPEC section 7): non-drafts are view-only.
        editable = obj is None or obj.status == Invoice.Status.DRAFT
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        editable = obj is None or obj.status == Invoice.Status.DRAFT
        return editable and super().has_delete_permission(request, obj)

    @admin.display(description=_("paid"))
    def paid(self, invoice):
        return number_text(paid_amount(invoice), 2) if invoice.pk else "-"

    @admin.display(description=_("balance due"))
    def balance(self, invoice):
        return number_text(balance_due(invoice), 2) if invoice.pk else "-"

    @admin.display(description=pgettext_lazy("invoice", "number"), ordering="number")
    def display_number(self, invoice):
        return invoice.number or pgettext("invoice number", "(draft)")

    @admin.display(description=_("period"), ordering="period")
    def period_month(self, invoice):
        return f"{invoice.period:%Y-%m}"

    @admin.display(description=_("VAT rate"), ordering="vat_rate")
    def vat_rate_percent(self, invoice):
        return percent(invoice.vat_rate)

    @admin.display(description=_("download"))
    def downloads(self, invoice):
        if invoice.pk is None:
            return "-"
        documents = invoice.status in DOCUMENT_STATUSES  # act and УПД: issued or paid
        links = [
            (reverse(self._url_name("export"), args=[invoice.pk, name]), name.upper())
            for name in FORMAT_NAMES
            if documents or not FORMATS[name].documents
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # --- Custom pages: downloads, generation, archives --------------------------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_generate": self.has_change_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _url_name(self, what):
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{what}"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:object_id>/export/<str:format_name>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name="{}_{}_generate".format(*info),
            ),
            path(
                "archives/",
                self.admin_site.admin_view(self.archives_view),
                name="{}_{}_archives".format(*info),
            ),
        ]
        # First: the default "<path:object_id>/" pattern would take "generate" for an id.
        return [*own, *super().get_urls()]

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/billing/invoice/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "has_view_permission": self.has_view_permission(request),
                **context,
            },
        )

    def export_view(self, request, object_id, format_name):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if format_name not in FORMATS:
            raise Http404(gettext("No export format %(name)r.") % {"name": format_name})
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            return export_response(invoice, format_name, request=request)
        except DomainError as exc:
            self.message_user(request, f"{invoice}: {exc.message}", messages.ERROR)
            return redirect(self._url_name("change"), invoice.pk)

    def generate_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        clients = visible_clients(request.user)
        form = InvoiceGenerateForm(request.POST or None, clients=clients)
        if request.method == "POST" and form.is_valid():
            client = form.cleaned_data.get("client")
            codes = self._client_codes(request, client.code if client else None)
            period = form.cleaned_data["period"]
            self._generate(request, period=period, codes=codes)
            changelist = reverse(self._url_name("changelist"))
            return redirect(f"{changelist}?period={period:%Y-%m}")
        return self._page(request, "generate.html", gettext("Generate invoices"), form=form)

    def _client_codes(self, request, code):
        """[code], or every client the user sees ([None] for a superuser: all of them)."""
        if code is not None:
            return [code]
        if request.user.is_superuser:
            return [None]
        return list(visible_clients(request.user).order_by("code").values_list("code", flat=True))

    def _generate(self, request, *, period, codes):
        count = 0
        for code in codes:
            try:
                invoices = invoice_generate(period=period, client_code=code)
            except DomainError as exc:
                who = code or gettext("All clients")
                self.message_user(request, f"{who}: {exc.message}", messages.ERROR)
                continue
            for invoice in invoices:
                count += 1
                self.message_user(request, generated_message(invoice), messages.SUCCESS)
        if not count:
            text = gettext("No invoice to generate for %(period)s.") % {"period": f"{period:%Y-%m}"}
            self.message_user(request, text, messages.INFO)

    def archives_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        scoped = self.get_queryset(request)
        period = request.GET.get("period")
        if period:
            try:
                month = parse_month(period)
            except ValueError:
                raise Http404(gettext("Enter a month as YYYY-MM.")) from None
            path_ = invoice_archive(period=month, invoices=scoped)
            return FileResponse(
                path_.open("rb"),
                as_attachment=True,
                filename=archive_download_name(month),
                content_type="application/zip",
            )
        periods = scoped.order_by("-period").values("period").annotate(invoices=Count("id"))
        rows = [(f"{row['period']:%Y-%m}", row["invoices"]) for row in periods]
        title = gettext("Monthly invoice archives")
        return self._page(request, "archives.html", title, periods=rows)

    # --- Actions: each invoice through the billing services, a message each ------------

    def _lifecycle(self, request, queryset, service, done):
        for invoice in queryset.select_related("client").order_by("period", "client__code"):
            label = str(invoice)
            try:
                invoice = service(invoice=invoice)
            except DomainError as exc:
                self.message_user(request, f"{label}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{invoice}: {done}.", messages.SUCCESS)

    @admin.action(
        description=_("Issue the selected drafts (gives numbers)"), permissions=["change"]
    )
    def issue_invoices(self, request, queryset):
        self._lifecycle(request, queryset, invoice_issue, INVOICE_STATUS_WORDS["issued"])

    @admin.action(
        description=_("Record a payment of the whole balance today (marks them paid)"),
        permissions=["change"],
    )
    def pay_invoices(self, request, queryset):
        def pay(*, invoice):
            return invoice_pay(invoice=invoice, user=request.user)

        self._lifecycle(request, queryset, pay, INVOICE_STATUS_WORDS["paid"])

    @admin.action(description=_("Void the selected invoices"), permissions=["change"])
    def void_invoices(self, request, queryset):
        self._lifecycle(request, queryset, invoice_void, INVOICE_STATUS_WORDS["void"])

    @admin.action(
        description=_("Generate invoices of the selected invoices' clients for a period…"),
        permissions=["change"],
    )
    def generate_for_clients(self, request, queryset):
        """An intermediate page asks the period, then generates for each client selected."""
        codes = sorted(set(queryset.values_list("client__code", flat=True)))
        form = InvoiceGenerateForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._generate(request, period=form.cleaned_data["period"], codes=codes)
            return None
        periods = sorted(set(queryset.values_list("period", flat=True)))
        if not form.is_bound and len(periods) == 1:
            form.initial["period"] = f"{periods[0]:%Y-%m}"
        return self._page(
            request,
            "generate_action.html",
            gettext("Generate invoices for a period"),
            form=form,
            codes=codes,
            selected=queryset.values_list("pk", flat=True),
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        )

    def get_actions(self, request):
        # Generation and the lifecycle are for superusers and staff PMs, never a viewer.
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            for name in ("generate_for_clients", "issue_invoices", "pay_invoices", "void_invoices"):
                actions.pop(name, None)
        return actions


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


class PaymentForm(forms.ModelForm):
    """A payment typed in: recorded through billing.payments (balance, credit, paid)."""

    class Meta:
        model = Payment
        fields = ["invoice", "amount", "paid_on", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "invoice" in self.fields:  # a recorded payment's page is read-only: no fields
            self.fields["invoice"].queryset = Invoice.objects.filter(status=Invoice.Status.ISSUED)


class StatementUploadForm(forms.Form):
    file = forms.FileField(label=_("Bank statement (1CClientBankExchange)"))


@admin.register(Payment)
class PaymentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Payments (typed in, or imported from a bank statement with a preview first); never
    changed or deleted here: a payment is an accounting record."""

    scope_path = "invoice__client"
    form = PaymentForm
    list_display = [
        "paid_on",
        "invoice",
        "amount",
        "applied_amount",
        "source",
        "reference",
        "payer_inn",
        "created_by",
    ]
    list_filter = ["source", "paid_on"]
    list_select_related = ["invoice", "created_by"]
    search_fields = ["invoice__number", "reference", "payer_inn", "bank_number"]
    date_hierarchy = "paid_on"
    change_list_template = "admin/billing/payment/change_list.html"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            result = payment_record(
                invoice=data["invoice"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                reference=data["reference"],
                user=request.user,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = result.payment.pk
        self.message_user(request, result.message, messages.SUCCESS)

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="billing_payment_import",
            )
        ]
        return [*own, *super().get_urls()]

    def import_view(self, request):
        """Upload: a preview (dry run); confirm: the same bytes imported for real."""
        if not request.user.is_superuser:
            raise PermissionDenied
        context = {"form": StatementUploadForm()}
        if request.method == "POST":
            data = self._statement_bytes(request)
            if data is not None:
                dry_run = "confirm" not in request.POST
                try:
                    context["result"] = import_statement(
                        data=data, dry_run=dry_run, user=request.user
                    )
                    context["payload"] = base64.b64encode(data).decode() if dry_run else ""
                except DomainError as exc:
                    context["error"] = "; ".join(exc.details.get("file", [exc.message]))
            else:
                context["error"] = _("Choose a file of at most 5 MB.")
        return TemplateResponse(
            request,
            "admin/billing/payment/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Import a bank statement"),
                **context,
            },
        )

    @staticmethod
    def _statement_bytes(request):
        if "confirm" in request.POST:
            try:
                data = base64.b64decode(request.POST.get("payload", ""), validate=True)
            except ValueError:
                return None
        else:
            upload = request.FILES.get("file")
            if upload is None or upload.size > 5 * 1024 * 1024:
                return None
            data = upload.read()
        return data if 0 < len(data) <= 5 * 1024 * 1024 else None


@admin.register(ClientCredit)
class ClientCreditAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Overpayments kept as the client's credit (view only)."""

    scope_path = "client"
    list_display = ["client", "amount", "currency", "note", "created_local"]
    list_select_related = ["client"]
    created_local = local_time_display("created_at", _("created at"), CLIENT_ZONE)
    list_filter = [("client", ClientCodeFilter)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """E-mails of invoices to clients, with their status; "resend" queues them again."""

    scope_path = "invoice__client"
    list_display = ["invoice", "recipient", "status", "attempts", "sent_local", "last_error"]
    list_filter = ["status"]
    list_select_related = ["invoice__client"]
    sent_local = local_time_display("sent_at", _("sent at"), zone_path="invoice.client.timezone")
    search_fields = ["invoice__number", "recipient"]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected deliveries"), permissions=["change"])
    def resend(self, request, queryset):
        invoices = {row.invoice for row in queryset.select_related("invoice__client")}
        for invoice in sorted(invoices, key=lambda invoice: invoice.pk):
            try:
                deliver_again(invoice)
            except DomainError as exc:
                self.message_user(request, f"{invoice}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{invoice}: {gettext('queued again')}.", messages.SUCCESS
                )


class SlaCreditTierInline(admin.TabularInline):
    model = SlaCreditTier
    extra = 2
    fields = ["shortfall_up_to_points", "credit_percent"]


class SlaTermForm(forms.ModelForm):
    class Meta:
        model = SlaTerm
        fields = ["project", "valid_from", "metric", "target_percent", "threshold_seconds"]

    def clean(self):
        cleaned = super().clean()
        project, valid_from = cleaned.get("project"), cleaned.get("valid_from")
        if project is None or valid_from is None:
            return cleaned
        try:
            if self.instance.pk:
                check_sla_unfrozen(SlaTerm.objects.get(pk=self.instance.pk), "valid_from")
            check_sla_unfrozen(
                SlaTerm(pk=self.instance.pk, project=project, valid_from=valid_from), "valid_from"
            )
        except DomainError as error:
            raise forms.ValidationError({"valid_from": error.details["valid_from"]}) from error
        if cleaned.get("metric") == SlaTerm.Metric.ABANDON_RATE and cleaned.get(
            "threshold_seconds"
        ):
            self.add_error("threshold_seconds", _("Only the service level has a threshold."))
        return cleaned


@admin.register(SlaTerm)
class SlaTermAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A project's SLA terms and credit schedule (docs/billing.md, "SLA credits"): managers
    of the project and administrators; terms that judged an issued invoice cannot change."""

    form = SlaTermForm
    scope_path = "project"
    list_display = ["project", "valid_from", "metric", "target_shown", "threshold_seconds",
                    "tier_count"]  # fmt: skip
    list_filter = [("project", ProjectCodeFilter), "metric"]
    list_select_related = ["project__client"]
    search_fields = ["project__code", "project__name"]
    autocomplete_fields = ["project"]
    inlines = [SlaCreditTierInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tier_count=Count("tiers"))

    @admin.display(description=_("target, %"), ordering="target_percent")
    def target_shown(self, term):
        return number_text(term.target_percent, 2)

    @admin.display(description=_("credit tiers"), ordering="tier_count")
    def tier_count(self, term):
        return term.tier_count

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            try:
                check_sla_unfrozen(obj, "sla_term")
            except DomainError:
                return False  # it judged an issued invoice
        return super().has_delete_permission(request, obj)
