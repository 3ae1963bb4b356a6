"""Admin of contacts and call records, built for a calls table of tens of millions of rows."""

from zoneinfo import ZoneInfo

from django.contrib import admin
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.html import format_html

from calls.models import Call, Contact
from projects.admin import EstimatedCountPaginator, ProjectCodeFilter


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("answered", "Answered"),
            ("abandoned", "Abandoned"),
            ("short_abandon", "Short abandon (inbound)"),
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
class ContactAdmin(admin.ModelAdmin):
    list_display = ["phone", "name", "project", "created_at", "calls_link"]
    list_filter = [("project", ProjectCodeFilter)]
    list_select_related = ["project__client"]
    search_fields = ["phone", "name"]
    autocomplete_fields = ["project"]
    readonly_fields = ["created_at", "updated_at"]

    # A link, not a count: counting every contact's calls would read the whole calls table.
    @admin.display(description="calls")
    def calls_link(self, contact):
        url = reverse("admin:calls_call_changelist")
        return format_html('<a href="{}?contact__id__exact={}">calls</a>', url, contact.pk)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    derived = ["outcome", "wait_seconds", "connected_seconds", "talk_seconds", "handle_seconds"]

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
    list_filter = [OutcomeFilter, "direction", ("project", ProjectCodeFilter)]
    list_select_related = ["project__client", "operator"]
    search_fields = ["=external_id", "=caller", "=operator__code"]  # see get_search_results
    search_help_text = "Exact external id, caller number or operator code."
    date_hierarchy = "offered_at"
    autocomplete_fields = ["project", "operator"]
    raw_id_fields = ["contact"]
    readonly_fields = [*derived, "received_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["project", "external_id", "direction", "caller", "contact"]}),
        ("Handling", {"fields": ["operator", "disposition", "recording_url"]}),
        ("Times", {"fields": ["offered_at", "answered_at", "ended_at"]}),
        ("Seconds", {"fields": ["hold_seconds", "wrap_seconds"]}),
        ("Derived by the database", {"fields": derived}),
        ("Record", {"fields": ["received_at"]}),
    ]
    # Tens of millions of rows: no second COUNT(*), an estimated one when unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_fieldsets(self, request, obj=None):
        # Derived seconds and received_at come with the save: a new call has none to show.
        return self.fieldsets if obj else self.fieldsets[:-2]

    def get_search_results(self, request, queryset, search_term):
        # Exact matches, not the default ILIKE '%term%' over every call; with a project
        # filter, an external id is found through the (project, external_id) unique index.
        term = search_term.strip()
        if not term:
            return queryset, False
        phone = term if term.startswith("+") else f"+{term}"
        found = Q(external_id=term) | Q(caller=phone) | Q(operator__code=term)
        return queryset.filter(found), False

    @admin.display(description="offered (project time)", ordering="offered_at")
    def offered_local(self, call):
        local = call.offered_at.astimezone(ZoneInfo(call.project.timezone))
        return f"{local:%Y-%m-%d %H:%M:%S %Z}"

    @admin.display(description="outcome")
    def outcome(self, call):
        if call.answered_at:
            return "answered"
        short = (
            call.direction == Call.Direction.INBOUND
            and call.wait_seconds < call.project.short_abandon_seconds
        )
        return "abandoned (short)" if short else "abandoned"
