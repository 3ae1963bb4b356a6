"""Reads of the portal: each builds the ``Table`` a page shows and its exports write.

Service comes from the KPI rollups (``calls.selectors.project_kpis``) against the project's
contract targets (``Project.sl_target``, ``abandon_rate_target``, ``asa_target_seconds``);
calls from ``calls.Call``; QA from ``quality.selectors``; money from ``billing``. Every read
takes the client's own projects (``projects.tenancy.visible_projects`` of the client user),
so nothing of another client reaches a table.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from billing.models import Invoice, Payment
from billing.payments import balance_due, credit_balance, paid_amount
from billing.reconciliation import Reconciliation
from calls.models import Call
from calls.selectors import project_kpis
from contactcenter.l10n import local_time_text, number_text, percent_text
from contactcenter.periods import month_name_ru
from portal.tables import Table
from projects.models import Client, Project
from quality.selectors import project_qa

PERIODS = ("day", "week", "month")
INTERVAL = dt.timedelta(minutes=15)
MAX_CALL_ROWS = 500  # a search shows this many calls at most; narrow it for more
SHOWN_INVOICES = (Invoice.Status.ISSUED, Invoice.Status.PAID, Invoice.Status.VOID)


# --- Periods -------------------------------------------------------------------------------


def period_days(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The local days ``[first, after)`` of the day, week (Monday first) or month of ``day``."""
    if period == "day":
        return day, day + dt.timedelta(days=1)
    if period == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=7)
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def local_range(first: dt.date, after: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(tz)
    return (
        dt.datetime.combine(first, dt.time(), zone),
        dt.datetime.combine(after, dt.time(), zone),
    )


def period_label(period: str, first: dt.date, after: dt.date) -> str:
    if period == "month":
        return month_name_ru(first) if (get_language() or "").startswith("ru") else f"{first:%Y-%m}"
    last = after - dt.timedelta(days=1)
    return first.isoformat() if first == last else f"{first.isoformat()} — {last.isoformat()}"


# --- Service against the contract's targets ------------------------------------------------


def _percent(value: float | Decimal | None) -> str:
    return percent_text(value, 1)


def _seconds(value: float | None) -> str:
    return "—" if value is None else number_text(value, 0)


def _verdict(service_level: float | None, target: Decimal) -> str:
    if service_level is None:
        return "—"
    return _("met") if service_level >= float(target) else _("missed")


def _abandon_verdict(rate: float | None, target: Decimal) -> str:
    if rate is None:
        return "—"
    return _("met") if rate <= float(target) else _("missed")


def service_tables(
    *, projects: Iterable[Project], period: str, day: dt.date
) -> tuple[Table, Table]:
    """The service of each project over the period against its targets, and every
    15-minute interval whose service level fell under the target (with a link to its
    calls)."""
    first, after = period_days(period, day)
    summary = Table(
        name="service",
        title=_("Service level"),
        columns=[
            _("Project"),
            _("Offered"),
            _("Answered"),
            _("Abandoned (after the short-abandon time)"),
            _("Service level"),
            _("Target"),
            _("Service level verdict"),
            _("Abandon rate"),
            _("Abandon target (at most)"),
            _("Abandon verdict"),
            _("ASA, s"),
            _("Missed intervals"),
        ],
    )
    missed = Table(
        name="missed-intervals",
        title=_("Intervals under target"),
        columns=[
            _("Project"),
            _("Interval (local time)"),
            _("Offered"),
            _("Answered within threshold"),
            _("Service level"),
            _("Target"),
        ],
    )
    for project in sorted(projects, key=lambda p: p.code):
        start, end = local_range(first, after, project.timezone)
        kpis = project_kpis(project=project, start=start, end=end, granularity="15min")
        totals = kpis["totals"]
        target = project.sl_target
        count = 0
        for bucket in kpis["buckets"]:
            level = bucket["service_level"]
            if bucket["offered"] and level is not None and level < float(target):
                count += 1
                instant = dt.datetime.fromisoformat(bucket["start"])
                link = reverse("portal:interval_calls", args=[project.code])
                missed.add(
                    [
                        project.name,
                        local_time_text(instant, project.timezone),
                        int(bucket["offered"]),
                        int(bucket["answered_within_threshold"]),
                        _percent(level),
                        _percent(target),
                    ],
                    link=f"{link}?{urlencode({'start': bucket['start']})}",
                )
        summary.add(
            [
                project.name,
                int(totals["offered"]),
                int(totals["answered"]),
                int(totals["abandoned"] - totals["short_abandoned"]),
                _percent(totals["service_level"]),
                _percent(target),
                _verdict(totals["service_level"], target),
                _percent(totals["abandon_rate"]),
                _percent(project.abandon_rate_target),
                _abandon_verdict(totals["abandon_rate"], project.abandon_rate_target),
                _seconds(totals["asa_seconds"]),
                count,
            ]
        )
    return summary, missed


# --- Calls ---------------------------------------------------------------------------------


def outcome_text(call: Call) -> str:
    return pgettext("call outcome", "answered") if call.answered_at else _("abandoned")


def _call_link(call: Call) -> str:
    return reverse("portal:call_detail", args=[call.pk])


def calls_table(calls: Iterable[Call], *, name: str, title: str) -> Table:
    table = Table(
        name=name,
        title=title,
        columns=[
            _("Time (local)"),
            _("Project"),
            _("Number"),
            _("Outcome"),
            _("Wait, s"),
            _("Talk, s"),
        ],
    )
    for call in calls:
        table.add(
            [
                local_time_text(call.offered_at, call.project.timezone),
                call.project.name,
                call.caller,
                outcome_text(call),
                call.wait_seconds,
                call.talk_seconds,
            ],
            link=_call_link(call),
        )
    return table


def interval_calls(*, project: Project, start: dt.datetime) -> QuerySet[Call]:
    return (
        Call.objects.filter(
            project=project,
            direction=Call.Direction.INBOUND,
            offered_at__gte=start,
            offered_at__lt=start + INTERVAL,
        )
        .select_related("project")
        .order_by("offered_at", "id")
    )


def abandoned_calls(
    *, projects: QuerySet[Project], start: dt.datetime, end: dt.datetime
) -> QuerySet[Call]:
    """Inbound calls nobody answered, waiting at least the project's short-abandon time
    (a shorter hang-up is a misdial, SPEC section 3), oldest first."""
    return (
        Call.objects.filter(
            project__in=projects,
            direction=Call.Direction.INBOUND,
            answered_at__isnull=True,
            offered_at__gte=start,
            offered_at__lt=end,
            wait_seconds__gte=F("project__short_abandon_seconds"),
        )
        .select_related("project", "callback_mark")
        .order_by("offered_at", "id")
    )


def abandoned_table(calls: Iterable[Call]) -> Table:
    table = Table(
        name="abandoned",
        title=_("Abandoned calls to call back"),
        columns=[
            _("Time (local)"),
            _("Project"),
            _("Number"),
            _("Wait, s"),
            _("Called back"),
        ],
    )
    for call in calls:
        mark = getattr(call, "callback_mark", None)
        table.add(
            [
                local_time_text(call.offered_at, call.project.timezone),
                call.project.name,
                call.caller,
                call.wait_seconds,
                local_time_text(mark.marked_at, call.project.timezone) if mark else "",
            ],
            link=_call_link(call),
        )
    return table


def call_search(
    *,
    projects: QuerySet[Project],
    start: dt.datetime,
    end: dt.datetime,
    number: str = "",
    outcome: str = "",
) -> QuerySet[Call]:
    calls = Call.objects.filter(
        project__in=projects, offered_at__gte=start, offered_at__lt=end
    ).select_related("project")
    if number:
        calls = calls.filter(caller__contains=number)
    if outcome == "answered":
        calls = calls.filter(answered_at__isnull=False)
    elif outcome == "abandoned":
        calls = calls.filter(answered_at__isnull=True)
    return calls.order_by("offered_at", "id")


# --- Quality -------------------------------------------------------------------------------


def qa_table(*, projects: Iterable[Project], year: int) -> Table:
    """QA scores per project and month of ``year`` (months with counted evaluations)."""
    table = Table(
        name="qa",
        title=_("QA scores"),
        columns=[_("Project"), _("Month"), _("Evaluations"), _("Average score"), _("Critical")],
    )
    for project in sorted(projects, key=lambda p: p.code):
        start, end = local_range(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), project.timezone)
        answer = project_qa(project=project, start=start, end=end, group_by="month")
        for bucket in answer["buckets"]:
            average = bucket["average_score"]
            table.add(
                [
                    project.name,
                    bucket["key"][:7],
                    bucket["evaluations"],
                    "—" if average is None else number_text(Decimal(average), 2),
                    bucket["critical_failures"],
                ]
            )
    return table


# --- Money ---------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return number_text(value, 2)


def client_invoices(client: Client) -> QuerySet[Invoice]:
    """The client's invoices as the client knows them: issued, paid or void (drafts are
    the center's work in progress)."""
    return Invoice.objects.filter(client=client, status__in=SHOWN_INVOICES).order_by(
        "-period", "-id"
    )


def invoices_table(invoices: Sequence[Invoice]) -> Table:
    table = Table(
        name="invoices",
        title=_("Invoices"),
        columns=[
            _("Number"),
            _("Period"),
            _("Status"),
            _("Total"),
            _("Paid"),
            _("Balance due"),
            _("Due date"),
        ],
    )
    for invoice in invoices:
        table.add(
            [
                invoice.number or "",
                f"{invoice.period:%Y-%m}",
                str(invoice.get_status_display()),
                _money(invoice.total),
                _money(paid_amount(invoice)),
                _money(balance_due(invoice)),
                invoice.due_date.isoformat() if invoice.due_date else "",
            ]
        )
    return table


def payments_table(client: Client) -> Table:
    table = Table(
        name="payments",
        title=_("Payments"),
        columns=[_("Date"), _("Invoice"), _("Amount"), _("Reference")],
    )
    payments = Payment.objects.filter(invoice__client=client).select_related("invoice")
    for payment in payments.order_by("-paid_on", "-id"):
        table.add(
            [
                payment.paid_on.isoformat(),
                payment.invoice.number or "",
                _money(payment.amount),
                payment.reference,
            ]
        )
    return table


def reconciliation_table(statement: Reconciliation) -> Table:
    table = Table(
        name="reconciliation",
        title=_("Reconciliation statement"),
        columns=[_("Date"), _("Document"), _("Debit"), _("Credit")],
    )
    table.add(["", _("Opening balance"), _money(statement.opening), ""])
    for entry in statement.entries:
        table.add(
            [entry.date.isoformat(), entry.document, _money(entry.debit), _money(entry.credit)]
        )
    table.add(["", _("Turnover"), _money(statement.debit), _money(statement.credit)])
    table.add(["", _("Closing balance"), _money(statement.closing), ""])
    return table


def money_summary(client: Client, invoices: Sequence[Invoice]) -> dict[str, Any]:
    """What the client owes now and what of its money we hold (overpayments)."""
    owed = sum((balance_due(i) for i in invoices if i.status == Invoice.Status.ISSUED), Decimal(0))
    return {"owed": _money(owed), "credit": _money(credit_balance(client))}
