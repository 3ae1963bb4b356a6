"""Admin of contacts and call records, built for a calls table of tens of millions of rows."""

import base64
import hashlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from calls.csv_import import csv_import, csv_preview
from calls.erasure import phone_digest
from calls.models import Call, Contact, ErasureRecord
from calls.phones import caller_shown, full_number_projects, phone_normalize
from contactcenter.errors import ConflictError, DomainError
from contactcenter.l10n import local_time_text
from projects.admin import EstimatedCountPaginator, ProjectCodeFilter, ScopedProjectFilter
from projects.admin_scoping import AdminMixinBase, ScopedAdminMixin
from projects.admin_time import LocalTimeAdminMixin, local_time_display
from projects.models import Project
from projects.tenancy import MANAGER, QA_EVALUATOR, visible_projects

# The admin keeps an uploaded CSV in the session between the preview and the confirm, so
# it is capped well below the API's 50 MB: larger files go through the API.
CSV_ADMIN_MAX_BYTES = 5 * 1024 * 1024
CSV_SESSION_KEY = "calls_csv_import"


def _full_number_ids(request):
    """Ids of the projects whose callers the user sees in full (``None``: all), once per
    request."""
    if not hasattr(request, "_full_number_ids"):
        full = full_number_projects(request.user)
        request._full_number_ids = None if full is None else set(full.values_list("pk", flat=True))
    return request._full_number_ids


class OutcomeFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("answered", _("Answered")),
            ("abandoned", _("Abandoned")),
            ("short_abandon", _("Short abandon (inbound)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "answered":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "abandoned":
            return queryset.filter(answered_at__isnull=True)
        if self.value() == "short_abandon":
            return queryset.filter(
                answered_at__isnull=True,
                direction=Call.Direction.INBOUND,
                wait_seconds__lt=F("project__short_abandon_seconds"),
            )
        return queryset


@admin.register(Contact)
class ContactAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    list_display = ["phone", "name", "project", "created_local", "calls_link"]
    list_filter = [("project", ProjectCodeFilter)]
    list_select_related = ["project__client"]
    search_fields = ["phone", "name"]
    autocomplete_fields = ["project"]
    readonly_fields = ["created_local", "updated_local"]
    created_local = local_time_display("created_at", _("created at"))
    updated_local = local_time_display("updated_at", _("updated at"))

    # A link, not a count: counting every contact's calls would read the whole calls table.
    @admin.display(description=_("calls"))
    def calls_link(self, contact):
        url = reverse("admin:calls_call_changelist")
        return format_html(
            '<a href="{}?contact__id__exact={}">{}</a>', url, contact.pk, gettext("calls")
        )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _(
                "UTF-8, a header row naming the columns (external_id, project, offered_at, "
                "ended_at required), comma- or semicolon-separated; at most "
                "{megabytes} MB here (larger files: the API)."
            ),
            megabytes=CSV_ADMIN_MAX_BYTES // (1024 * 1024),
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_ADMIN_MAX_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The admin takes files up to %(megabytes)s MB; "
                    "import larger ones through the API (POST /api/v1/calls/import/)."
                )
                % {"megabytes": CSV_ADMIN_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class CsvImportAdminMixin(AdminMixinBase):
    """An "Import CSV" page on the Call changelist: upload, preview, confirm.

    Step 1 uploads the file and shows ``csv_preview`` (rolled back, nothing stored). If the
    file is clean, its bytes go into the session (base64: the session is JSON) with their
    SHA-256, and the page offers a confirm button carrying that digest. Step 2 imports the
    bytes from the session, but only if the digest matches, so a second tab that uploaded
    another file meanwhile cannot make this button import a file that was never previewed.
    The session (database-backed here) survives across gunicorn workers, unlike a temporary
    file, and needs no re-upload; the size cap keeps the session row small. The import runs
    the same checks again: data stored since the preview is still caught.
    """

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        import_url = path(
            "import-csv/",
            self.admin_site.admin_view(self.import_csv_view),
            name="{}_{}_import_csv".format(*info),
        )
        # First: the default "<path:object_id>/" pattern would take "import-csv" for an id.
        return [import_url, *super().get_urls()]

    def import_csv_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        allowed = (
            None
            if request.user.is_superuser
            else set(visible_projects(request.user).values_list("pk", flat=True))
        )
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirmed(request, allowed)
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        context = {}
        if request.method == "POST" and form.is_valid():
            request.session.pop(CSV_SESSION_KEY, None)
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                preview = csv_preview(file=content, allowed_project_ids=allowed)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                context = _preview_context(preview, file_name=upload.name)
                if preview.clean and preview.created:
                    digest = hashlib.sha256(content).hexdigest()
                    request.session[CSV_SESSION_KEY] = {
                        "sha256": digest,
                        "name": upload.name,
                        "content": base64.b64encode(content).decode("ascii"),
                    }
                    context["confirm_digest"] = digest
        return self._import_page(request, form, context)

    def _import_confirmed(self, request, allowed):
        pending = request.session.get(CSV_SESSION_KEY)
        if not pending or pending["sha256"] != request.POST["confirm"]:
            messages.error(
                request,
                gettext(
                    "This preview is no longer pending (imported already, or another file was "
                    "uploaded since). Upload the file again."
                ),
            )
            return redirect(request.path)
        del request.session[CSV_SESSION_KEY]
        try:
            result = csv_import(
                file=base64.b64decode(pending["content"]), allowed_project_ids=allowed
            )
        except DomainError as exc:
            # Stored data changed since the preview (say, a call arrived through the API).
            messages.error(request, exc.message)
            problems = "conflict_rows" if isinstance(exc, ConflictError) else "error_rows"
            context = {
                "file_name": pending["name"],
                problems: _problem_rows(exc.details.get("lines", [])),
            }
            return self._import_page(request, CsvUploadForm(), context)
        imported = ngettext(
            "Imported %(created)s calls (%(duplicates)s duplicates skipped).",
            "Imported %(created)s calls (%(duplicates)s duplicates skipped).",
            result.created,
        )
        messages.success(
            request, imported % {"created": result.created, "duplicates": result.duplicates}
        )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def _import_page(self, request, form, context):
        return TemplateResponse(
            request,
            "admin/calls/call/import_csv.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Import calls from CSV"),
                "form": form,
                "has_view_permission": self.has_view_permission(request),
                **context,
            },
        )


def _preview_context(preview, *, file_name):
    return {
        "file_name": file_name,
        "preview": preview,
        "error_rows": _problem_rows(preview.errors),
        "conflict_rows": _problem_rows(preview.conflicts),
    }


def _problem_rows(lines):
    """One (line, external_id, field, message) per message, for a flat table."""
    return [
        (entry["line"], entry["external_id"], field, message)
        for entry in lines
        for field, field_messages in entry["errors"].items()
        for message in field_messages
    ]


@admin.register(Call)
class CallAdmin(LocalTimeAdminMixin, ScopedAdminMixin, CsvImportAdminMixin, admin.ModelAdmin):
    scope_path = "project"
    scope_role = QA_EVALUATOR  # evaluators listen to their projects' calls (read-only perms)
    change_list_template = "admin/calls/call/change_list.html"  # adds "Import CSV"
    derived = [
        "outcome",
        "wait_seconds",
        "connected_seconds",
        "talk_seconds",
        "handle_seconds",
        "inside_client_hours",
    ]

    list_display = [
        "project",
        "external_id",
        "direction",
        "caller",
        "operator",
        "offered_at",
        "offered_local",
        "outcome",
        "wait_seconds",
        "talk_seconds",
        "handle_seconds",
    ]
    list_display_links = ["external_id"]
    list_filter = [
        OutcomeFilter,
        "direction",
        "inside_client_hours",
        ("project", ScopedProjectFilter),
    ]
    list_select_related = ["project__client", "operator"]
    search_fields = ["=external_id", "=caller", "=operator__code"]  # see get_search_results
    search_help_text = _("Exact external id, caller number or operator code.")
    date_hierarchy = "offered_at"
    autocomplete_fields = ["project", "operator"]
    raw_id_fields = ["contact"]
    readonly_fields = [*derived, "received_at", "masked_caller", "caller_raw"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {"fields": ["project", "external_id", "direction", "caller", "caller_raw", "contact"]},
        ),
        (_("Handling"), {"fields": ["operator", "disposition", "recording_url"]}),
        (_("Times"), {"fields": ["offered_at", "answered_at", "ended_at"]}),
        (_("Seconds"), {"fields": ["hold_seconds", "wrap_seconds"]}),
        (_("Derived by the database"), {"fields": tuple(derived)}),
        (_("Record"), {"fields": ["received_at"]}),
    ]
    # Tens of millions of rows: no second COUNT(*), an estimated one when unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A call is written by the project's managers: evaluators only read (scope_role).
        if db_field.related_model is Project:
            kwargs["queryset"] = visible_projects(request.user, MANAGER)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # Derived seconds and received_at come with the save: a new call has none to show.
        if obj is None:
            return self.fieldsets[:-2]
        if caller_shown(obj.caller, obj.project_id, _full_number_ids(request)) == obj.caller:
            return self.fieldsets
        # An evaluator: the masked number, no raw one and no contact (its name shows it).
        (title, options), *rest = self.fieldsets
        masked = ["masked_caller" if f == "caller" else f for f in options["fields"]]
        hidden = ("contact", "caller_raw")
        return [(title, {"fields": [f for f in masked if f not in hidden]}), *rest]

    def get_list_display(self, request):
        full = _full_number_ids(request)
        if full is None:
            return self.list_display

        @admin.display(description=_("caller"))
        def caller(call):
            return caller_shown(call.caller, call.project_id, full)

        return [caller if name == "caller" else name for name in self.list_display]

    @admin.display(description=_("caller"))
    def masked_caller(self, call):
        return caller_shown(call.caller, call.project_id, set())

    def get_search_results(self, request, queryset, search_term):
        # Exact matches, not the default ILIKE '%term%' over every call; with a project
        # filter, an external id is found through the (project, external_id) unique index.
        term = search_term.strip()
        if not term:
            return queryset, False
        phone = phone_normalize(term) or term  # as typed: 8 (901) 123-45-52
        by_number = Q(caller=phone)
        full = _full_number_ids(request)
        if full is not None:  # no number search where the reader sees masked numbers
            by_number &= Q(project__in=full)
        found = Q(external_id=term) | by_number | Q(operator__code=term)
        return queryset.filter(found), False

    # The project's local time with its zone; the date hierarchy's days are local days
    # (projects.admin_time.LocalTimeAdminMixin).
    offered_local = local_time_display("offered_at", _("offered (project time)"))

    @admin.display(description=_("outcome"))
    def outcome(self, call):
        if call.answered_at:
            return pgettext("outcome", "answered")
        short = (
            call.direction == Call.Direction.INBOUND
            and call.wait_seconds < call.project.short_abandon_seconds
        )
        return gettext("abandoned (short)") if short else pgettext("outcome", "abandoned")


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    """Who erased callers' data, when and how much; for administrators, read-only. The
    search takes a number and finds the erasures of it by its keyed hash."""

    counts = ["calls_pseudonymized", "contacts_deleted", "recordings_unlinked"]
    list_display = [
        "at_local",
        "reason",
        "actor_name",
        "all_projects",
        "project_codes",
        "cutoff_local",
        *counts,
    ]
    fields = [
        "at_local",
        "reason",
        "actor",
        "actor_name",
        "all_projects",
        "project_codes",
        "phone_digest",
        "cutoff_local",
        *counts,
    ]
    readonly_fields = ["at_local", "cutoff_local"]
    list_filter = ["reason"]
    search_fields = ["phone_digest"]
    search_help_text = _("A phone number: finds the requests that erased it.")

    # Erasures span projects: the center's zone, named (docs/i18n.md).
    @admin.display(description=pgettext_lazy("erasure", "at"), ordering="at")
    def at_local(self, record):
        return local_time_text(record.at, settings.DISPLAY_TIME_ZONE)

    @admin.display(description=_("cutoff"), ordering="cutoff")
    def cutoff_local(self, record):
        return local_time_text(record.cutoff, settings.DISPLAY_TIME_ZONE) or "-"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        phone = phone_normalize(term)
        return queryset.filter(phone_digest=phone_digest(phone) if phone else "-"), False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The QA room's admin (scorecards, evaluations with the call's player, disputes, samples)
# registers itself on import.
