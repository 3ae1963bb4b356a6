"""Seeded data for the API fuzz test: a small center the fuzzer's path parameters can hit.

Two clients (one bound to the integration token), three projects, operators certified on
them, a tariff with a band, calls and agent events, a shift template, a shift and an
absence over it, and invoices in every state. Small on purpose: schedule generation and
invoice generation run for real on it within the test's time budget.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import F

from agents.models import ShiftTemplate
from billing.invoices import invoice_issue, invoice_void
from billing.invoicing import invoice_generate
from billing.payments import invoice_pay
from calls.models import Call
from tests.factories import (
    AbsenceFactory,
    AgentStateEventFactory,
    CallFactory,
    CertificationFactory,
    ClientFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
    TariffBandFactory,
    TariffFactory,
    VatRateFactory,
)

UTC = dt.UTC
CALLS_AT = dt.datetime(2026, 9, 14, 9, 0, tzinfo=UTC)

# Paths whose first path parameter names an object of the collection before it.
PATH_PREFIXES = (
    "/api/v1/clients/",
    "/api/v1/projects/",
    "/api/v1/operators/",
    "/api/v1/tariffs/",
    "/api/v1/calls/",
    "/api/v1/agent-events/",
    "/api/v1/absences/",
    "/api/v1/invoices/",
    "/api/v1/telephony/sources/",
    "/api/v1/telephony/queue-mappings/",
    "/api/v1/telephony/agent-mappings/",
    "/api/v1/telephony/parked/",
)


def seed_center(*, integration_client):
    """Create the data; return the real values of each path parameter, keyed by path prefix."""
    other_client = ClientFactory(code="other-client")
    for client in (integration_client, other_client):
        VatRateFactory(client=client)
    # The codes the schema's own examples use, so that those examples reach real objects.
    hotline = ProjectFactory(code="hotline", client=integration_client)
    sales = ProjectFactory(code="bank-line", client=integration_client, timezone="Asia/Tomsk")
    foreign = ProjectFactory(code="shop-line", client=other_client, timezone="UTC")
    projects = (hotline, sales, foreign)

    operators = [OperatorFactory(code=code) for code in ("ivan", "olga", "petr")]
    for operator, project in zip(operators, projects, strict=True):
        CertificationFactory(operator=operator, project=project)
    CertificationFactory(operator=operators[0], project=sales)

    tariffs = []
    for project in projects:
        tariff = TariffFactory(project=project, valid_from=dt.date(2026, 1, 1))
        TariffBandFactory(tariff=tariff, name="night")
        tariffs.append(tariff)

    calls = []
    for n, project in enumerate(projects):
        offered = CALLS_AT + dt.timedelta(hours=n)
        calls.append(CallFactory(project=project, operator=operators[n], offered_at=offered))
        calls.append(
            CallFactory(
                project=project,
                operator=None,
                offered_at=offered + dt.timedelta(minutes=7),
                answered_at=None,
                hold_seconds=0,
            )
        )
    events = [
        AgentStateEventFactory(operator=operator, at=CALLS_AT - dt.timedelta(minutes=30))
        for operator in operators
    ]

    ShiftTemplate.objects.create(
        name="day", start_time=dt.time(8), duration_minutes=540, break_minutes=60
    )
    shift = ShiftFactory(operator=operators[0], starts_at=dt.datetime(2026, 10, 6, 8, tzinfo=UTC))
    ShiftFactory(operator=operators[1], starts_at=dt.datetime(2026, 10, 7, 8, tzinfo=UTC))
    absence = AbsenceFactory(
        operator=operators[0], starts_on=shift.starts_at.date(), ends_on=shift.starts_at.date()
    )

    # Invoices in each state: July paid, August void, September a draft. An invoice bills
    # only calls received an hour before it is generated: these were received when offered.
    for period in (dt.date(2026, 7, 1), dt.date(2026, 8, 1)):
        offered = dt.datetime.combine(period, dt.time(10), UTC)
        CallFactory(project=hotline, offered_at=offered)
        CallFactory(project=foreign, offered_at=offered)
    Call.objects.update(received_at=F("offered_at"))
    invoices = []
    for month in (7, 8, 9):
        invoices += invoice_generate(period=dt.date(2026, month, 1))
    by_period = {(invoice.client_id, invoice.period.month): invoice for invoice in invoices}
    for client in (integration_client, other_client):
        invoice_pay(invoice=invoice_issue(invoice=by_period[(client.pk, 7)]))
        invoice_void(invoice=invoice_issue(invoice=by_period[(client.pk, 8)]))
    assert all(invoice.total > Decimal(0) for invoice in invoices)

    telephony = _seed_telephony(projects, operators)

    return {
        **telephony,
        "/api/v1/clients/": [integration_client.code, other_client.code],
        "/api/v1/projects/": [project.code for project in projects],
        "/api/v1/operators/": [operator.code for operator in operators],
        "/api/v1/tariffs/": [tariff.pk for tariff in tariffs],
        "/api/v1/calls/": [call.pk for call in calls],
        "/api/v1/agent-events/": [event.pk for event in events],
        "/api/v1/absences/": [absence.pk],
        "/api/v1/invoices/": [invoice.pk for invoice in invoices],
    }


def _seed_telephony(projects, operators):
    """A PBX source per client, a queue and an agent mapped on each, a parked call each."""
    from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource

    values = {"sources": [], "queues": [], "agents": [], "parked": []}
    for project, operator in zip(
        (projects[0], projects[2]), (operators[0], operators[2]), strict=True
    ):
        source = TelephonySource.objects.create(
            client=project.client, code=f"{project.code}-pbx", name="PBX", kind="asterisk-queue-log"
        )
        values["sources"].append(source.code)
        values["queues"].append(
            QueueMapping.objects.create(source=source, queue="support", project=project).pk
        )
        values["agents"].append(
            AgentMapping.objects.create(source=source, name="Paty Marin", operator=operator).pk
        )
        parked = ParkedCall.objects.create(
            source=source,
            call_key="1700000000.1",
            reason="unknown_agent",
            missing="Juan",
            payload={"queue": "support", "agents": ["Juan"], "rows": []},
        )
        values["parked"].append(parked.pk)
    return {
        "/api/v1/telephony/sources/": values["sources"],
        "/api/v1/telephony/queue-mappings/": values["queues"],
        "/api/v1/telephony/agent-mappings/": values["agents"],
        "/api/v1/telephony/parked/": values["parked"],
    }
