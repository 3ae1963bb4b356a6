"""The portal's pages: each view names its role (``portal.access.portal_view``), validates
its query with a form (a 400 page naming the field), reads one selector and renders its
tables, or exports one of them (``?export=csv|xlsx``) with exactly the rows shown."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.exports.formats import export_response as invoice_export_response
from billing.exports.reconciliation import reconciliation_pdf
from billing.models import Invoice
from billing.reconciliation import reconciliation
from calls.models import Call
from contactcenter.errors import DomainError
from portal import selectors
from portal.access import ACCOUNTANT, VIEWER, portal_view, quality_shown
from portal.forms import CallSearchForm, MonthRangeForm, QaForm, RangeForm, ServiceForm
from portal.models import CallbackMark, ServiceReport
from portal.tables import Table, export_response
from projects.models import Client, ClientUser
from projects.tenancy import visible_projects

# The closing documents and files of an invoice a client's accountant downloads.
INVOICE_FILES = ("pdf", "xlsx", "act", "upd", "upd-pdf")


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = False


class PortalLogoutView(auth_views.LogoutView):
    next_page = "portal:login"


def _binding(request: HttpRequest) -> ClientUser:
    return request.client_user  # type: ignore[attr-defined]  # set by portal_view


def _client(request: HttpRequest) -> Client:
    return _binding(request).client


def _projects(request: HttpRequest):
    return visible_projects(request.user).order_by("code")


def _today(request: HttpRequest) -> dt.date:
    return timezone.localdate(timezone=ZoneInfo(_client(request).timezone))


def _page(request, template, context, *, status=200, tables=()):
    binding = _binding(request)
    return TemplateResponse(
        request,
        template,
        {
            "client": binding.client,
            "client_user": binding,
            "is_accountant": binding.role == ClientUser.Role.ACCOUNTANT,
            "tables": tables,
            "query": request.GET.urlencode(),
            **context,
        },
        status=status,
    )


def _export(request, tables: list[Table], wanted: str | None, export: str) -> HttpResponse:
    by_name = {table.name: table for table in tables}
    table = by_name.get(wanted or tables[0].name)
    if table is None:
        raise Http404(_("No such table."))
    return export_response(table, export, _client(request).code)


def _client_range(request, first: dt.date, last: dt.date):
    zone = ZoneInfo(_client(request).timezone)
    return (
        dt.datetime.combine(first, dt.time(), zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone),
    )


# --- Service -------------------------------------------------------------------------------


@require_GET
@portal_view(VIEWER)
def home(request):
    return redirect("portal:service")


@require_GET
@portal_view(VIEWER)
def service(request):
    form = ServiceForm(request.GET)
    if not form.is_valid():
        return _page(request, "portal/service.html", {"form": form}, status=400)
    data = form.cleaned_data
    summary, missed = selectors.service_tables(
        projects=_projects(request), period=data["period"], day=data["date"]
    )
    if data["export"]:
        return _export(request, [summary, missed], data["table"], data["export"])
    first, after = selectors.period_days(data["period"], data["date"])
    return _page(
        request,
        "portal/service.html",
        {"form": form, "label": selectors.period_label(data["period"], first, after)},
        tables=[summary, missed],
    )


@require_GET
@portal_view(VIEWER)
def interval_calls(request, code):
    project = get_object_or_404(_projects(request), code=code)
    try:
        start = dt.datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = None
    if start is None or timezone.is_naive(start) or start.minute % 15 or start.second:
        form_error = _("start: a 15-minute interval's start with its offset, as linked.")
        return _page(request, "portal/calls.html", {"error": form_error}, status=400)
    table = selectors.calls_table(
        selectors.interval_calls(project=project, start=start),
        name="interval-calls",
        title=_("Calls of the interval"),
    )
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        return export_response(table, export, f"{project.code}-{start:%Y%m%d%H%M}")
    heading = _("%(project)s: calls of the interval from %(start)s") % {
        "project": project.name,
        "start": selectors.local_time_text(start, project.timezone),
    }
    return _page(request, "portal/calls.html", {"heading": heading}, tables=[table])


# --- Abandoned calls -----------------------------------------------------------------------


@require_GET
@portal_view(VIEWER)
def abandoned(request):
    projects = _projects(request)
    form = RangeForm(request.GET, projects=projects, today=_today(request))
    if not form.is_valid():
        return _page(request, "portal/abandoned.html", {"form": form}, status=400)
    data = form.cleaned_data
    chosen = projects.filter(pk=data["project"].pk) if data["project"] else projects
    start, end = _client_range(request, data["date_from"], data["date_to"])
    calls = list(selectors.abandoned_calls(projects=chosen, start=start, end=end))
    table = selectors.abandoned_table(calls)
    if data["export"]:
        return _export(request, [table], None, data["export"])
    marks = [(call.pk, hasattr(call, "callback_mark")) for call in calls]
    return _page(
        request,
        "portal/abandoned.html",
        {"form": form, "rows": zip(table.text_rows(), marks, strict=True), "table": table},
        tables=[table],
    )


@require_POST
@portal_view(VIEWER)
def mark_called_back(request, pk):
    """Mark the abandoned call as called back; a second mark keeps the first (idempotent)."""
    call = get_object_or_404(
        Call.objects.filter(project__in=_projects(request), answered_at__isnull=True), pk=pk
    )
    try:
        with transaction.atomic():
            CallbackMark.objects.get_or_create(call=call, defaults={"marked_by": request.user})
    except IntegrityError:  # a concurrent mark won: the call is marked, as asked
        pass
    back = request.POST.get("next", "")
    if not back.startswith(reverse("portal:abandoned")):
        back = reverse("portal:abandoned")
    return redirect(back)


# --- Calls ---------------------------------------------------------------------------------


@require_GET
@portal_view(VIEWER)
def calls(request):
    projects = _projects(request)
    form = CallSearchForm(request.GET, projects=projects, today=_today(request))
    if not form.is_valid():
        return _page(request, "portal/calls.html", {"form": form}, status=400)
    data = form.cleaned_data
    chosen = projects.filter(pk=data["project"].pk) if data["project"] else projects
    start, end = _client_range(request, data["date_from"], data["date_to"])
    found = selectors.call_search(
        projects=chosen, start=start, end=end, number=data["number"], outcome=data["outcome"]
    )
    rows = list(found[: selectors.MAX_CALL_ROWS + 1])
    table = selectors.calls_table(rows[: selectors.MAX_CALL_ROWS], name="calls", title=_("Calls"))
    if len(rows) > selectors.MAX_CALL_ROWS:
        table.note = _("The first %(count)s calls; narrow the search for the rest.") % {
            "count": selectors.MAX_CALL_ROWS
        }
    if data["export"]:
        return _export(request, [table], None, data["export"])
    return _page(request, "portal/calls.html", {"form": form}, tables=[table])


@require_GET
@portal_view(VIEWER)
def call_detail(request, pk):
    call = get_object_or_404(
        Call.objects.filter(project__in=_projects(request)).select_related("project"), pk=pk
    )
    client = _client(request)
    recording = call.recording_url if client.portal_show_recordings else ""
    return _page(
        request,
        "portal/call_detail.html",
        {
            "call": call,
            "offered": selectors.local_time_text(call.offered_at, call.project.timezone),
            "answered": selectors.local_time_text(call.answered_at, call.project.timezone),
            "ended": selectors.local_time_text(call.ended_at, call.project.timezone),
            "outcome": selectors.outcome_text(call),
            "recording": recording,
            "mark": CallbackMark.objects.filter(call=call).first(),
        },
    )


# --- Quality -------------------------------------------------------------------------------


@require_GET
@portal_view(VIEWER)
def quality(request):
    quality_shown(request)
    form = QaForm(request.GET)
    if not form.is_valid():
        return _page(request, "portal/quality.html", {"form": form}, status=400)
    year = form.cleaned_data["year"] or _today(request).year
    table = selectors.qa_table(projects=_projects(request), year=year)
    if form.cleaned_data["export"]:
        return _export(request, [table], None, form.cleaned_data["export"])
    return _page(request, "portal/quality.html", {"form": form, "year": year}, tables=[table])


# --- Service reports -----------------------------------------------------------------------


@require_GET
@portal_view(VIEWER)
def reports(request):
    rows = ServiceReport.objects.filter(client=_client(request)).order_by("-period")
    return _page(request, "portal/reports.html", {"reports": rows})


@require_GET
@portal_view(VIEWER)
def report_download(request, pk):
    report = get_object_or_404(ServiceReport, client=_client(request), pk=pk)
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"service-report-{report.client.code}-{report.period:%Y-%m}.pdf",
        content_type="application/pdf",
    )


# --- Money (accountant) --------------------------------------------------------------------


@require_GET
@portal_view(ACCOUNTANT)
def invoices(request):
    client = _client(request)
    rows = list(selectors.client_invoices(client))
    table = selectors.invoices_table(rows)
    payments = selectors.payments_table(client)
    export = request.GET.get("export", "")
    if export:
        if export not in ("csv", "xlsx"):
            return _page(request, "portal/invoices.html", {"bad_export": export}, status=400)
        return _export(request, [table, payments], request.GET.get("table"), export)
    files = [
        [
            (name, reverse("portal:invoice_file", args=[invoice.pk, name]))
            for name in INVOICE_FILES
            if invoice.status != Invoice.Status.VOID or name in ("pdf", "xlsx")
        ]
        for invoice in rows
    ]
    return _page(
        request,
        "portal/invoices.html",
        {
            "invoice_rows": zip(table.text_rows(), files, strict=True),
            "invoice_table": table,
            "summary": selectors.money_summary(client, rows),
        },
        tables=[payments],
    )


@require_GET
@portal_view(ACCOUNTANT)
def invoice_file(request, pk, name):
    invoice = get_object_or_404(selectors.client_invoices(_client(request)), pk=pk)
    if name not in INVOICE_FILES:
        raise Http404(_("No such document."))
    try:
        return invoice_export_response(invoice, name, request=request)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")


@require_GET
@portal_view(ACCOUNTANT)
def reconciliation_page(request):
    form = MonthRangeForm(request.GET, today=_today(request))
    if not form.is_valid():
        return _page(request, "portal/reconciliation.html", {"form": form}, status=400)
    data = form.cleaned_data
    client = _client(request)
    statement = reconciliation(
        client=client, first_month=data["month_from"], last_month=data["month_to"]
    )
    table = selectors.reconciliation_table(statement)
    if data["export"] == "pdf":
        response = HttpResponse(reconciliation_pdf(statement), content_type="application/pdf")
        name = f"reconciliation-{client.code}-{data['month_from']:%Y-%m}-{data['month_to']:%Y-%m}"
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    if data["export"]:
        return _export(request, [table], None, data["export"])
    return _page(request, "portal/reconciliation.html", {"form": form}, tables=[table])
