"""The tenancy matrix (SPEC section 8): every API endpoint, called by every role, on an
object of our client (A) and on one of another client (B).

Built to fail when someone adds an endpoint and forgets its scope or its entry here. The
endpoints are read from the URL resolver at collection time, and two meta-tests demand
that they match ``MATRIX`` exactly and that every view cuts its rows through
``ScopedViewSetMixin``.

Roles: anonymous, a superuser, a PM who manages only A's project, an integration token
bound to client A. The world: clients A and B, each with a project, an operator certified
on it, a tariff, a call and an agent state event.

The rules every entry follows (``test_the_matrix_follows_the_tenancy_rules`` checks them):

- anonymous: 401 everywhere;
- superuser: success everywhere;
- PM and integration: success on A's objects, except the documented 403s (an integration
  never changes the catalogue; deleting clients, projects and operators is for
  administrators); B's objects are a 404 on detail routes and absent from lists; a create
  or an update naming B's project or client is a 400 naming that field, nothing stored;
- the documented exception: operators and their state events are a shared pool, so staff
  (PMs) see and edit every operator and every event, but never B's certifications.

Every refused request must leave every stored row as it was, and no successful answer to
a PM or an integration may mention B's codes that the role does not see.

The client portal's pages (not API routes) have their own entries in
``tests/tenancy_portal.py`` and their tests at the end of this module.
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from agents.models import AgentStateEvent, Certification, Operator, Shift, ShiftTemplate
from billing.models import Delivery, Invoice, Payment, Tariff
from calls.models import Call
from contactcenter.models import ApiToken
from projects.api.scoping import ScopedViewSetMixin
from projects.models import Client, Project, Seller
from tests import (
    tenancy_alerts,
    tenancy_live,
    tenancy_people,
    tenancy_portal,
    tenancy_quality,
    tenancy_schedules,
    tenancy_selfservice,
    tenancy_sla,
    tenancy_telephony,
    tenancy_webhooks,
)
from tests.factories import (
    T0,
    AbsenceFactory,
    AgentStateEventFactory,
    CallFactory,
    CertificationFactory,
    ClientFactory,
    IntegrationAccountFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    OperatorFactory,
    ProjectFactory,
    ShiftFactory,
    TariffFactory,
    TokenFactory,
    UserFactory,
)
from workforce import insourcing

API_ROOT = "api/v1/"

# Routes under API_ROOT that serve no tenant data, so they are neither in MATRIX nor scoped.
SKIPPED_ROUTES = {
    "schema/": "the OpenAPI document: the shape of the API, no rows",
    "docs/": "Swagger UI over schema/",
    "redoc/": "Redoc over schema/",
}

# Views that do not derive from ScopedViewSetMixin: dotted path -> why, and how they are
# scoped instead. A view serving rows belongs in the mixin; a health check, say, would be
# listed here. Each one listed still has its MATRIX entries, which prove the scope.
UNSCOPED_VIEWS = {
    "telephony.api.import_views.CallImportView": (
        "a write-only upload with no queryset: a plain CSV goes to the calls app's CSV import "
        "(visible_projects(user) as allowed_project_ids, the same cut as calls/ POST); a CDR "
        "?format= resolves ?source= among the caller's sources (a client integration its "
        "client's, staff their projects' clients', the telephony every one) and passes the "
        "same allowed_project_ids (tests/telephony/test_api_cdr_import.py)"
    ),
    "workforce.api.erlang_views.ErlangCView": "pure calculation, no tenant data",
    "workforce.api.erlang_views.ErlangAView": "pure calculation, no tenant data",
    "workforce.api.insourcing_views.InHouseVsOutsourcingView": "pure calculation, no tenant data",
    "contactcenter.api.token_views.RotateTokenView": (
        "the caller's own token (request.auth), no tenant data"
    ),
}

# HEAD is GET without the body and OPTIONS describes the route without rows; DRF sends both
# through the same authentication and queryset as the methods listed, so they are left out.
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})

ANONYMOUS, SUPERUSER, PM, INTEGRATION = "anonymous", "superuser", "pm", "integration"
ROLES = (ANONYMOUS, SUPERUSER, PM, INTEGRATION)
SCOPED_ROLES = (PM, INTEGRATION)

# Which object a case is about.
OURS = "ours"  # client A's object, which the PM and the integration are scoped to
THEIRS = "theirs"  # client B's object
MOVE = "ours-to-theirs"  # A's object, written with a reference to B's project or client
NEW = "new"  # a create that names no project or client
ALL = "all"  # a list: both clients' rows exist


# --- Discovery -----------------------------------------------------------------------------


def _template(route):
    """``^clients/(?P<code>[^/.]+)/$`` or ``clients/<str:code>/`` -> ``clients/{code}/``."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return route.replace("^", "").replace("$", "")


def _view_of(callback):
    """The class behind a URL callback (a DRF viewset or APIView), else the function."""
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback


def _methods(callback):
    actions = getattr(callback, "actions", None)
    if actions:  # a ViewSet route: exactly the HTTP methods the router bound to actions
        return {method.upper() for method in actions}
    view = _view_of(callback)
    if not isinstance(view, type):
        return {"*"}  # a plain function view answers whatever it is sent
    return {
        method.upper()
        for method in view.http_method_names
        if hasattr(view, method) and method.upper() not in IGNORED_METHODS
    }


def discover_endpoints(urlconf=None):
    """``{(path template under API_ROOT, HTTP method): view}`` of every routed API endpoint."""
    found = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + _template(str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith(API_ROOT) and route[len(API_ROOT) :] not in SKIPPED_ROUTES:
                for method in _methods(pattern.callback):
                    # The first pattern of a path answers it, as Django resolves: the
                    # telephony app's calls/import/ comes before the calls app's.
                    found.setdefault((route[len(API_ROOT) :], method), _view_of(pattern.callback))

    walk(get_resolver(urlconf).url_patterns, "")
    return found


DISCOVERED = discover_endpoints()


# --- The world -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenant:
    client: Client
    project: Project
    operator: Operator
    tariff: Tariff
    call: Call
    event: AgentStateEvent


@dataclass(frozen=True)
class World:
    ours: Tenant
    theirs: Tenant
    users: Mapping

    def __getitem__(self, side):
        return self.theirs if side == THEIRS else self.ours


def _tenant(name, *, tariff_from):
    client = ClientFactory(code=f"{name}-co")
    project = ProjectFactory(code=f"{name}-line", client=client)
    operator = OperatorFactory(code=f"{name}-op")
    CertificationFactory(operator=operator, project=project)
    return Tenant(
        client=client,
        project=project,
        operator=operator,
        # Different start dates, so a superuser may move A's tariff onto B's project.
        tariff=TariffFactory(project=project, valid_from=tariff_from),
        call=CallFactory(external_id=f"{name}-cdr", project=project, operator=operator),
        event=AgentStateEventFactory(operator=operator),
    )


@pytest.fixture
def world(db):
    ours = _tenant("alfa", tariff_from=dt.date(2026, 1, 1))
    theirs = _tenant("beta", tariff_from=dt.date(2026, 2, 1))
    pm = UserFactory(username="matrix-pm", is_staff=True)
    ours.project.managers.add(pm)
    bot = IntegrationAccountFactory(user=UserFactory(username="matrix-bot"), client=ours.client)
    return World(
        ours=ours,
        theirs=theirs,
        users={
            SUPERUSER: UserFactory(username="matrix-root", is_staff=True, is_superuser=True),
            PM: pm,
            INTEGRATION: bot.user,
        },
    )


@pytest.fixture
def apis(world):
    """An APIClient per role, authenticated by a real token as in tests/conftest.py."""
    clients = {ANONYMOUS: APIClient()}
    for role, user in world.users.items():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=user).key}")
        clients[role] = api
    return clients


# B's objects a scoped role sees anyway, by kind: staff (the PM) share the operator pool.
SEES_THEIR = {PM: {"operator"}, INTEGRATION: set()}


def hidden_codes(world, role):
    """B's codes that must never appear in a successful answer to ``role``."""
    if role not in SEES_THEIR:
        return []
    theirs = world.theirs
    codes = {
        "client": theirs.client.code,
        "project": theirs.project.code,
        "operator": theirs.operator.code,
        "call": theirs.call.external_id,
    }
    return [code for kind, code in codes.items() if kind not in SEES_THEIR[role]]


def database_state():
    """Every row of the apps with models (through tables included), to prove a refusal wrote
    nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for label in (
            "projects",
            "agents",
            "calls",
            "quality",
            "billing",
            "live",
            "alerts",
            "webhooks",
            "telephony",
        )
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


# --- Entry types ---------------------------------------------------------------------------

# An expected status: the same on every side, or (on A's object, on B's object).
Expect = int | tuple[int, int]


def _expected(value, side):
    if isinstance(value, int):
        return value
    return value[1] if side == THEIRS else value[0]


@dataclass(frozen=True)
class ListRoute:
    """GET of a collection: the rows each role gets, exactly (one page holds them all)."""

    key: str  # the field naming a row in the answer
    key_of: Callable[[Tenant], object]
    sees: Mapping[str, tuple[str, ...]]  # role -> the sides whose rows it gets
    shared_pool: tuple[str, ...] = ()  # roles that see B's rows, as the view documents
    format: str = "json"
    sides = (ALL,)

    def expected(self, role, side):
        return 200

    def prepare(self, world, side):
        return None, None

    def check(self, response, world, side, role, lookup):
        page = response.json()
        assert page["next"] is None
        got = sorted(row[self.key] for row in page["results"])
        assert got == sorted(self.key_of(world[s]) for s in self.sees[role])


@dataclass(frozen=True)
class CreateRoute:
    """POST of a new object whose body names A's project (client, operator) or B's."""

    body: Callable[[World, str], dict]
    expect: Mapping[str, Expect]
    stored: Callable[[World, str], bool]  # is the created row in the database
    field: str | None = None  # the field naming the reference; None: the body names none
    shared_pool: tuple[str, ...] = ()  # roles that may name B's operator, as documented
    format: str = "json"

    @property
    def sides(self):
        return (OURS, THEIRS) if self.field else (NEW,)

    def expected(self, role, side):
        return _expected(self.expect[role], side)

    def refused_field(self, side):
        return self.field

    def prepare(self, world, side):
        return None, self.body(world, side)

    def check(self, response, world, side, role, lookup):
        assert self.stored(world, side)


@dataclass(frozen=True)
class Move:
    """A PATCH of A's object naming B's project or client, i.e. handing it to B."""

    body: Callable[[World], dict]
    field: str
    expect: Mapping[str, int]
    applied: Callable[[World], bool]


@dataclass(frozen=True)
class DetailRoute:
    """A request on one object, looked up in the path."""

    target: Callable[[World, str], object]  # the lookup value; may create a disposable row
    expect: Mapping[str, Expect]
    key: str | None = None  # GET: the answer's field that must equal the lookup
    body: Callable[[World, str], dict] | None = None
    applied: Callable[[World, str, str, object], bool] | None = None  # the write took effect
    move: Move | None = None
    shared_pool: tuple[str, ...] = ()  # roles that reach B's object, as the view documents
    format: str = "json"

    @property
    def sides(self):
        return (OURS, THEIRS, MOVE) if self.move else (OURS, THEIRS)

    def expected(self, role, side):
        if side == MOVE:
            return self.move.expect[role]
        return _expected(self.expect[role], side)

    def refused_field(self, side):
        return self.move.field if side == MOVE else None

    def prepare(self, world, side):
        if side == MOVE:
            return self.target(world, OURS), self.move.body(world)
        return self.target(world, side), self.body(world, side) if self.body else None

    def check(self, response, world, side, role, lookup):
        if side == MOVE:
            assert self.move.applied(world)
        elif self.key:
            assert response.json()[self.key] == lookup
        if self.applied and side != MOVE:
            assert self.applied(world, side, role, lookup)


@dataclass(frozen=True)
class EraseRoute(CreateRoute):
    """contacts/erase/ of the number both clients' calls share: every role erases it from
    A's call; only the superuser reaches B's (docs/privacy.md)."""

    def check(self, response, world, side, role, lookup):
        ours, theirs = (Call.objects.get(pk=t.call.pk) for t in (world.ours, world.theirs))
        assert (ours.caller, ours.caller_erased) == ("", True)
        assert theirs.caller_erased == (role == SUPERUSER)
        assert response.json()["calls_pseudonymized"] == (2 if role == SUPERUSER else 1)


@dataclass(frozen=True)
class AdministratorsRoute:
    """A collection for superusers alone (sellers/: our own legal entities, no tenant's):
    every other role a 403 before any row is read or written."""

    success: int
    body: Callable[[World, str], dict] | None = None
    done: Callable[[World, object], bool] = lambda world, response: True
    shared_pool: tuple[str, ...] = ()
    format: str = "json"
    sides = (NEW,)

    def expected(self, role, side):
        return self.success if role == SUPERUSER else 403

    def refused_field(self, side):
        return None

    def prepare(self, world, side):
        return None, self.body(world, side) if self.body else None

    def check(self, response, world, side, role, lookup):
        assert self.done(world, response)


# --- Bodies, disposable targets and effects ------------------------------------------------


def renamed(model, field, lookup_field):
    """A write's effect: ``field`` of the looked-up row now reads "Renamed"."""
    return lambda world, side, role, lookup: (
        getattr(model.objects.get(**{lookup_field: lookup}), field) == "Renamed"
    )


def gone(model, lookup_field):
    return lambda world, side, role, lookup: (
        not model.objects.filter(**{lookup_field: lookup}).exists()
    )


def spare_client(world, side):
    # Only a client without projects can be deleted. Deleting one is for administrators,
    # refused to the PM and the integration before any lookup, so whose it is does not
    # matter to them.
    return ClientFactory(code=f"spare-co-{side}").code


def spare_project(world, side):
    # A project without calls or tariffs (deletable), the PM's own on A's side.
    project = ProjectFactory(code=f"spare-line-{side}", client=world[side].client)
    if side == OURS:
        project.managers.add(world.users[PM])
    return project.code


def spare_operator(world, side):
    # An operator without calls or events (deletable), certified on the side's project.
    operator = OperatorFactory(code=f"spare-op-{side}")
    CertificationFactory(operator=operator, project=world[side].project)
    return operator.code


SELLER_BODY = {
    "name": "ООО «Новый продавец»",
    "inn": "7707083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "bik": "044525225",
    "correspondent_account": "30101810400000000225",
    "account": "40702810938000000001",
}


def side_seller(world, side):
    """The seller of the side's client (made on first use)."""
    seller, _ = Seller.objects.get_or_create(
        code=f"seller-{side}", defaults={**SELLER_BODY, "name": f"ООО «{side}»"}
    )
    Client.objects.filter(pk=world[side].client.pk).update(seller=seller)
    return seller.code


def spare_seller(world, side):
    return Seller.objects.create(code=f"spare-seller-{side}", **SELLER_BODY).code


def client_put(world, side):
    return {"code": world[side].client.code, "legal_name": "Renamed", "tax_id": "7701234560"}


def project_put(world, side):
    tenant = world[side]
    return {
        "code": tenant.project.code,
        "name": "Renamed",
        "client": tenant.client.code,
        "timezone": "Europe/Moscow",
    }


def operator_put(world, side):
    return {
        "code": world[side].operator.code,
        "full_name": "Renamed",
        "status": "active",
        "hired_on": "2025-01-10",
        "hourly_cost": "450.00",
        "certifications": [],
    }


def operator_put_applied(world, side, role, lookup):
    # An empty list drops only the certifications the caller sees: a PM renaming B's
    # operator (the shared pool) must leave B's certification in place.
    operator = Operator.objects.get(code=lookup)
    kept = Certification.objects.filter(operator=operator, project=world[side].project).exists()
    return operator.full_name == "Renamed" and kept == (role == PM and side == THEIRS)


def tariff_put(world, side):
    tariff = world[side].tariff
    return {
        "project": tariff.project.code,
        "valid_from": tariff.valid_from.isoformat(),
        "rate_per_minute": "20.0000",
        "first_increment_seconds": 60,
        "next_increment_seconds": 60,
    }


def tariff_rated(world, side, role, lookup):
    return str(Tariff.objects.get(pk=lookup).rate_per_minute) == "20.0000"


def new_call(world, side):
    return {
        "external_id": f"new-cdr-{side}",
        "project": world[side].project.code,
        "offered_at": "2026-10-05T10:00:00Z",
        "ended_at": "2026-10-05T10:01:00Z",
    }


NEW_EVENT_AT = T0 + dt.timedelta(hours=1)


def new_event(world, side):
    return {
        "operator": world[side].operator.code,
        "at": NEW_EVENT_AT.isoformat(),
        "state": "break",
        "reason": "lunch",
    }


def calls_csv(world, side):
    content = (
        "external_id,project,offered_at,ended_at\n"
        f"imp-{side},{world[side].project.code},2026-10-05T11:00:00Z,2026-10-05T11:02:00Z\n"
    )
    return {"file": SimpleUploadedFile("calls.csv", content.encode(), content_type="text/csv")}


# Invoices: a draft (or issued) invoice of a side's client for October 2026, made on demand.
INVOICE_PERIOD = dt.date(2026, 10, 1)


def side_invoice(world, side, *, issued=False):
    tenant = world[side]
    invoice = InvoiceFactory(client=tenant.client, period=INVOICE_PERIOD)
    InvoiceLineFactory(invoice=invoice, project=tenant.project)
    if issued:  # the way the trigger allows: lines while a draft, then the status
        number = f"INV-2026-{900001 if side == THEIRS else 900000}"
        Invoice.objects.filter(pk=invoice.pk).update(status="issued", number=number, issued_at=T0)
    return invoice.pk


def generate_body(world, side):
    # Generation bills the calls received before its cut (billing.invoicing.received_cut);
    # the world's call is dated back to its offer, as a month's calls would be.
    Call.objects.filter(pk=world[side].call.pk).update(received_at=T0)
    return {"period": f"{INVOICE_PERIOD:%Y-%m}", "client": world[side].client.code}


def deliverable_invoice(world, side):
    Client.objects.filter(pk=world[side].client.pk).update(billing_email="buh@example.com")
    return side_invoice(world, side, issued=True)


def bank_statement(world, side):
    content = (
        "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n"
        f"РасчСчет={settings.SELLER_ACCOUNT}\r\nКонецФайла\r\n"
    )
    upload = SimpleUploadedFile("kl_to_1c.txt", content.encode("cp1251"), "text/plain")
    return {"file": upload}


def invoice_became(status):
    return lambda world, side, role, lookup: Invoice.objects.get(pk=lookup).status == status


@dataclass(frozen=True)
class InvoiceListRoute(ListRoute):
    """The invoices list: each client gets an invoice first."""

    def prepare(self, world, side):
        for tenant_side in (OURS, THEIRS):
            side_invoice(world, tenant_side)
        return None, None


def _body(response):
    """The answer's bytes, a streamed file's included (read once, then kept)."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "matrix_body"):
        response.matrix_body = b"".join(response.streaming_content)
    return response.matrix_body


@dataclass(frozen=True)
class ArchiveRoute(ListRoute):
    """invoices/archive/: a ZIP holding exactly the issued invoices the role sees (drafts
    are never archived)."""

    def prepare(self, world, side):
        for tenant_side in (OURS, THEIRS):
            side_invoice(world, tenant_side, issued=True)
        return None, {"period": f"{INVOICE_PERIOD:%Y-%m}"}

    def check(self, response, world, side, role, lookup):
        names = zipfile.ZipFile(io.BytesIO(_body(response))).namelist()
        got = sorted(name for name in names if name.endswith(".pdf"))
        numbers = {OURS: "INV-2026-900000", THEIRS: "INV-2026-900001"}
        assert got == sorted(f"{numbers[s]}.pdf" for s in self.sees[role])


# KPI reports: the query string of every range report.
def kpi_query(world, side):
    return {"from": "2026-10-05T00:00:00Z", "to": "2026-10-06T00:00:00Z", "granularity": "hour"}


def hours_query(world, side):
    return {"from": "2026-10-05T00:00:00+03:00", "to": "2026-10-06T00:00:00+03:00"}


@dataclass(frozen=True)
class ReportRoute(ListRoute):
    """GET of a report over everything in scope (no pagination), with a query string: the
    codes it names are exactly those of the sides the role sees."""

    query: Callable[[World, str], dict] | None = None
    found: Callable[[dict], list] | None = None  # the codes named in the answer

    def prepare(self, world, side):
        return None, self.query(world, side)

    def check(self, response, world, side, role, lookup):
        got = sorted(self.found(response.json()))
        assert got == sorted(self.key_of(world[s]) for s in self.sees[role])


@dataclass(frozen=True)
class CalculationRoute:
    """POST of a pure calculation (the Erlang calculators): no rows read or written, the
    same answer for every authenticated role."""

    body: Mapping
    answer: Mapping  # fields the answer must hold, exactly
    shared_pool: tuple[str, ...] = ()
    format: str = "json"
    sides = (NEW,)

    def expected(self, role, side):
        return 200

    def refused_field(self, side):
        return None

    def prepare(self, world, side):
        return None, dict(self.body)

    def check(self, response, world, side, role, lookup):
        body = response.json()
        assert {key: body[key] for key in self.answer} == dict(self.answer)


ERLANG_CASE = {  # callcentrehelper's worked example: 14 agents, 20 with 30 % shrinkage
    "calls": 100,
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "threshold_seconds": 20,
    "target_service_level": 0.8,
    "shrinkage": 0.3,
}

# The calculator's defaults are examples that may change: the figures are tested in
# tests/agents/test_insourcing.py; here, only that every role gets the same answer.
INSOURCING_DEFAULT_VERDICT = insourcing.compare(insourcing.Inputs()).verdict


# Schedules and replacements (workforce.api.scheduling_views): staff only, over the shared pool.
SCHEDULE_START = dt.date(2026, 10, 12)  # a Monday after the world's rows


def schedule_body(world, side):
    # One agent on the side's project for Monday 09:00-17:00: its operator is the only one
    # certified there, so the published shift is theirs.
    need = [1 if 36 <= index < 68 else 0 for index in range(672)]
    ShiftTemplate.objects.get_or_create(
        name="day", defaults={"start_time": dt.time(9), "duration_minutes": 480}
    )
    return {
        "start": SCHEDULE_START.isoformat(),
        "requirements": {world[side].project.code: need},
        "publish": True,
        "time_limit_seconds": 5,
    }


def schedule_published(world, side):
    return Shift.objects.filter(
        operator=world[side].operator, starts_at__date=SCHEDULE_START
    ).exists()


def side_absence(world, side):
    """The side's operator is sick on a day with a shift; a colleague certified alike."""
    operator = world[side].operator
    day = SCHEDULE_START + dt.timedelta(days=1)
    absence = AbsenceFactory(operator=operator, starts_on=day, ends_on=day)
    starts_at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    ShiftFactory(operator=operator, starts_at=starts_at)
    substitute = OperatorFactory(code=f"sub-op-{side}")
    CertificationFactory(operator=substitute, project=world[side].project)
    return absence.pk


def assign_body(world, side):
    shift = Shift.objects.get(operator=world[side].operator, starts_at__date__gt=SCHEDULE_START)
    return {"shift": shift.pk, "operator": f"sub-op-{side}"}


def assigned(world, side, role, lookup):
    return Shift.objects.filter(operator__code=f"sub-op-{side}").exists()


# --- The matrix ----------------------------------------------------------------------------

EVERYONE_SEES_OURS = {SUPERUSER: (OURS, THEIRS), PM: (OURS,), INTEGRATION: (OURS,)}

MATRIX = {
    # Clients. A PM sees the clients of the projects they manage and edits only their
    # non-billing fields (legal name, INN, VAT... need the billing right, projects.roles);
    # creating and deleting a client is for administrators
    # (ClientViewSet.superuser_only_actions); an integration never changes the catalogue.
    ("clients/", "GET"): ListRoute(
        key="code", key_of=lambda t: t.client.code, sees=EVERYONE_SEES_OURS
    ),
    ("clients/", "POST"): CreateRoute(
        body=lambda w, side: {"code": "new-co", "legal_name": "OOO New", "tax_id": "7701234560"},
        expect={SUPERUSER: 201, PM: 403, INTEGRATION: 403},
        stored=lambda w, side: Client.objects.filter(code="new-co").exists(),
    ),
    ("clients/{code}/", "GET"): DetailRoute(
        target=lambda w, side: w[side].client.code,
        key="code",
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("clients/{code}/", "PUT"): DetailRoute(
        target=lambda w, side: w[side].client.code,
        body=client_put,
        # The body renames the client: a billing field, for the billing right only (403).
        expect={SUPERUSER: 200, PM: (403, 404), INTEGRATION: 403},
        applied=renamed(Client, "legal_name", "code"),
    ),
    ("clients/{code}/", "PATCH"): DetailRoute(
        target=lambda w, side: w[side].client.code,
        body=lambda w, side: {"legal_name": "Renamed"},
        expect={SUPERUSER: 200, PM: (403, 404), INTEGRATION: 403},
        applied=renamed(Client, "legal_name", "code"),
    ),
    ("clients/{code}/", "DELETE"): DetailRoute(
        target=spare_client,
        expect={SUPERUSER: 204, PM: 403, INTEGRATION: 403},
        applied=gone(Client, "code"),
    ),
    # Sellers: our own legal entities, for superusers alone (reads included); every other
    # role a 403 on any seller, whoever's client it bills (SellerViewSet, SuperuserOnly).
    ("sellers/", "GET"): AdministratorsRoute(
        success=200,
        done=lambda w, response: "main" in [row["code"] for row in response.json()["results"]],
    ),
    ("sellers/", "POST"): AdministratorsRoute(
        success=201,
        body=lambda w, side: {"code": "new-seller", **SELLER_BODY},
        done=lambda w, response: Seller.objects.filter(code="new-seller").exists(),
    ),
    ("sellers/{code}/", "GET"): DetailRoute(
        target=side_seller, key="code", expect={SUPERUSER: 200, PM: 403, INTEGRATION: 403}
    ),
    ("sellers/{code}/", "PUT"): DetailRoute(
        target=side_seller,
        body=lambda w, side: {"code": f"seller-{side}", **SELLER_BODY, "name": "Renamed"},
        expect={SUPERUSER: 200, PM: 403, INTEGRATION: 403},
        applied=renamed(Seller, "name", "code"),
    ),
    ("sellers/{code}/", "PATCH"): DetailRoute(
        target=side_seller,
        body=lambda w, side: {"name": "Renamed"},
        expect={SUPERUSER: 200, PM: 403, INTEGRATION: 403},
        applied=renamed(Seller, "name", "code"),
    ),
    ("sellers/{code}/", "DELETE"): DetailRoute(
        target=spare_seller,
        expect={SUPERUSER: 204, PM: 403, INTEGRATION: 403},
        applied=gone(Seller, "code"),
    ),
    # Projects. A PM creates projects for clients in scope (and manages them), edits the
    # ones they manage; deleting is for administrators; an integration only reads.
    ("projects/", "GET"): ListRoute(
        key="code", key_of=lambda t: t.project.code, sees=EVERYONE_SEES_OURS
    ),
    ("projects/", "POST"): CreateRoute(
        body=lambda w, side: {
            "code": f"new-line-{side}",
            "name": "New line",
            "client": w[side].client.code,
            "timezone": "Europe/Moscow",
        },
        field="client",
        expect={SUPERUSER: 201, PM: (201, 400), INTEGRATION: 403},
        stored=lambda w, side: Project.objects.filter(
            code=f"new-line-{side}", client=w[side].client
        ).exists(),
    ),
    ("projects/{code}/", "GET"): DetailRoute(
        target=lambda w, side: w[side].project.code,
        key="code",
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("projects/{code}/", "PUT"): DetailRoute(
        target=lambda w, side: w[side].project.code,
        body=project_put,
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=renamed(Project, "name", "code"),
    ),
    ("projects/{code}/", "PATCH"): DetailRoute(
        target=lambda w, side: w[side].project.code,
        body=lambda w, side: {"name": "Renamed"},
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=renamed(Project, "name", "code"),
        move=Move(
            body=lambda w: {"client": w.theirs.client.code},
            field="client",
            expect={SUPERUSER: 200, PM: 400, INTEGRATION: 403},
            applied=lambda w: Project.objects.get(pk=w.ours.project.pk).client == w.theirs.client,
        ),
    ),
    ("projects/{code}/", "DELETE"): DetailRoute(
        target=spare_project,
        expect={SUPERUSER: 204, PM: 403, INTEGRATION: 403},
        applied=gone(Project, "code"),
    ),
    # Operators: the shared pool. Staff (the PM) see and edit every operator, but read and
    # replace only the certifications on their own projects (OperatorViewSet); an
    # integration sees the operators certified on its client's projects and writes none.
    # Deleting an operator is for administrators.
    ("operators/", "GET"): ListRoute(
        key="code",
        key_of=lambda t: t.operator.code,
        sees={SUPERUSER: (OURS, THEIRS), PM: (OURS, THEIRS), INTEGRATION: (OURS,)},
        shared_pool=(PM,),
    ),
    ("operators/", "POST"): CreateRoute(
        body=lambda w, side: {
            "code": f"new-op-{side}",
            "full_name": "New Operator",
            "status": "active",
            "hired_on": "2026-01-01",
            "hourly_cost": "400.00",
            "certifications": [{"project": w[side].project.code, "certified_on": "2026-01-15"}],
        },
        field="certifications",
        expect={SUPERUSER: 201, PM: (201, 400), INTEGRATION: 403},
        stored=lambda w, side: Certification.objects.filter(
            operator__code=f"new-op-{side}", project=w[side].project
        ).exists(),
    ),
    ("operators/{code}/", "GET"): DetailRoute(
        target=lambda w, side: w[side].operator.code,
        key="code",
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: (200, 404)},
        shared_pool=(PM,),
    ),
    ("operators/{code}/", "PUT"): DetailRoute(
        target=lambda w, side: w[side].operator.code,
        body=operator_put,
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: 403},
        applied=operator_put_applied,
        shared_pool=(PM,),
    ),
    ("operators/{code}/", "PATCH"): DetailRoute(
        target=lambda w, side: w[side].operator.code,
        body=lambda w, side: {"full_name": "Renamed"},
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: 403},
        applied=renamed(Operator, "full_name", "code"),
        shared_pool=(PM,),
        move=Move(
            body=lambda w: {
                "certifications": [{"project": w.theirs.project.code, "certified_on": "2026-03-01"}]
            },
            field="certifications",
            expect={SUPERUSER: 200, PM: 400, INTEGRATION: 403},
            applied=lambda w: (
                list(
                    Certification.objects.filter(operator=w.ours.operator).values_list(
                        "project", flat=True
                    )
                )
                == [w.theirs.project.pk]
            ),
        ),
    ),
    ("operators/{code}/", "DELETE"): DetailRoute(
        target=spare_operator,
        expect={SUPERUSER: 204, PM: 403, INTEGRATION: 403},
        applied=gone(Operator, "code"),
    ),
    # Agent state events: the shared pool again. Staff see every event; managers send events
    # of any operator; a client's integration reads those of operators certified on its
    # projects and sends none (a shared operator's state is every client's staffed time).
    ("agent-events/", "GET"): ListRoute(
        key="id",
        key_of=lambda t: t.event.pk,
        sees={SUPERUSER: (OURS, THEIRS), PM: (OURS, THEIRS), INTEGRATION: (OURS,)},
        shared_pool=(PM,),
    ),
    ("agent-events/", "POST"): CreateRoute(
        body=new_event,
        field="operator",
        expect={SUPERUSER: 201, PM: 201, INTEGRATION: 403},
        stored=lambda w, side: AgentStateEvent.objects.filter(
            operator=w[side].operator, at=NEW_EVENT_AT
        ).exists(),
        shared_pool=(PM,),
    ),
    ("agent-events/{pk}/", "GET"): DetailRoute(
        target=lambda w, side: w[side].event.pk,
        key="id",
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: (200, 404)},
        shared_pool=(PM,),
    ),
    # Calls: read-only records of the projects in scope; any caller may send calls of the
    # projects it sees (there is no PUT, PATCH or DELETE).
    ("calls/", "GET"): ListRoute(
        key="external_id", key_of=lambda t: t.call.external_id, sees=EVERYONE_SEES_OURS
    ),
    ("calls/", "POST"): CreateRoute(
        body=new_call,
        field="project",
        expect={SUPERUSER: 201, PM: (201, 400), INTEGRATION: (201, 400)},
        stored=lambda w, side: Call.objects.filter(
            external_id=f"new-cdr-{side}", project=w[side].project
        ).exists(),
    ),
    ("calls/{pk}/", "GET"): DetailRoute(
        target=lambda w, side: w[side].call.pk,
        key="id",
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    # A caller's erasure: a PM in the projects they manage, an integration in its client's,
    # a superuser everywhere; the body names a number, no project.
    ("contacts/erase/", "POST"): EraseRoute(
        body=lambda w, side: {"phone": w.ours.call.caller},
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: 200},
        stored=lambda w, side: True,  # EraseRoute.check proves the effect per role
    ),
    # Tariffs: the PMs of the project change them; an integration only reads.
    ("tariffs/", "GET"): ListRoute(key="id", key_of=lambda t: t.tariff.pk, sees=EVERYONE_SEES_OURS),
    ("tariffs/", "POST"): CreateRoute(
        body=lambda w, side: {
            "project": w[side].project.code,
            "valid_from": "2026-11-01",
            "rate_per_minute": "9.7500",
            "first_increment_seconds": 60,
            "next_increment_seconds": 60,
        },
        field="project",
        expect={SUPERUSER: 201, PM: (201, 400), INTEGRATION: 403},
        stored=lambda w, side: Tariff.objects.filter(
            project=w[side].project, valid_from=dt.date(2026, 11, 1)
        ).exists(),
    ),
    ("tariffs/{pk}/", "GET"): DetailRoute(
        target=lambda w, side: w[side].tariff.pk,
        key="id",
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("tariffs/{pk}/", "PUT"): DetailRoute(
        target=lambda w, side: w[side].tariff.pk,
        body=tariff_put,
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=tariff_rated,
    ),
    ("tariffs/{pk}/", "PATCH"): DetailRoute(
        target=lambda w, side: w[side].tariff.pk,
        body=lambda w, side: {"rate_per_minute": "20.0000"},
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=tariff_rated,
        move=Move(
            body=lambda w: {"project": w.theirs.project.code},
            field="project",
            expect={SUPERUSER: 200, PM: 400, INTEGRATION: 403},
            applied=lambda w: Tariff.objects.get(pk=w.ours.tariff.pk).project == w.theirs.project,
        ),
    ),
    ("tariffs/{pk}/", "DELETE"): DetailRoute(
        target=lambda w, side: w[side].tariff.pk,
        expect={SUPERUSER: 204, PM: (204, 404), INTEGRATION: 403},
        applied=gone(Tariff, "pk"),
    ),
    # calls/import/: a CSV upload of calls, stored through calls_ingest like calls/ POST,
    # cut to the same projects.
    ("calls/import/", "POST"): CreateRoute(
        body=calls_csv,
        format="multipart",
        field="project",
        expect={SUPERUSER: 201, PM: (201, 400), INTEGRATION: (201, 400)},
        stored=lambda w, side: Call.objects.filter(
            external_id=f"imp-{side}", project=w[side].project
        ).exists(),
    ),
    # Invoices: everyone reads and downloads their clients' invoices; superusers and PMs
    # generate them and run their lifecycle; an integration never writes (403).
    ("invoices/", "GET"): InvoiceListRoute(
        key="client", key_of=lambda t: t.client.code, sees=EVERYONE_SEES_OURS
    ),
    ("invoices/{pk}/", "GET"): DetailRoute(
        target=side_invoice,
        key="id",
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("invoices/generate/", "POST"): CreateRoute(
        body=generate_body,
        field="client",
        expect={SUPERUSER: 200, PM: (200, 400), INTEGRATION: 403},
        stored=lambda w, side: Invoice.objects.filter(
            client=w[side].client, period=INVOICE_PERIOD
        ).exists(),
    ),
    ("invoices/{pk}/issue/", "POST"): DetailRoute(
        target=side_invoice,
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=invoice_became("issued"),
    ),
    ("invoices/{pk}/pay/", "POST"): DetailRoute(
        target=lambda w, side: side_invoice(w, side, issued=True),
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=invoice_became("paid"),
    ),
    ("invoices/{pk}/void/", "POST"): DetailRoute(
        target=lambda w, side: side_invoice(w, side, issued=True),
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: 403},
        applied=invoice_became("void"),
    ),
    ("invoices/{pk}/export/", "GET"): DetailRoute(
        target=side_invoice,
        body=lambda w, side: {"format": "csv"},  # a GET's body is its query string
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("invoices/archive/", "GET"): ArchiveRoute(
        key="client", key_of=lambda t: t.client.code, sees=EVERYONE_SEES_OURS
    ),
    # Payments, delivery, bank statements, reconciliation (docs/billing.md): read like the
    # invoices; payments and resending are the lifecycle's writes; a bank statement reaches
    # every client, so only superusers import one.
    ("invoices/{pk}/payments/", "GET"): DetailRoute(
        target=lambda w, side: side_invoice(w, side, issued=True),
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("invoices/{pk}/payments/", "POST"): DetailRoute(
        target=lambda w, side: side_invoice(w, side, issued=True),
        body=lambda w, side: {"amount": "1.00", "paid_on": "2026-10-05", "reference": "p/p 1"},
        expect={SUPERUSER: 201, PM: (201, 404), INTEGRATION: 403},
        applied=lambda w, side, role, lookup: Payment.objects.filter(
            invoice_id=lookup, amount=Decimal("1.00"), reference="p/p 1"
        ).exists(),
    ),
    ("invoices/{pk}/deliver/", "POST"): DetailRoute(
        target=deliverable_invoice,
        expect={SUPERUSER: 202, PM: (202, 404), INTEGRATION: 403},
        applied=lambda w, side, role, lookup: Delivery.objects.filter(
            invoice_id=lookup, status="pending"
        ).exists(),
    ),
    ("payments/import/", "POST"): CreateRoute(
        body=bank_statement,
        format="multipart",
        expect={SUPERUSER: 200, PM: 403, INTEGRATION: 403},
        stored=lambda w, side: True,  # a statement without documents stores nothing
    ),
    ("clients/{code}/reconciliation/", "GET"): DetailRoute(
        target=lambda w, side: w[side].client.code,
        key="client",
        body=lambda w, side: {"from": "2026-10", "to": "2026-10"},
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("clients/{code}/credit/", "GET"): DetailRoute(
        target=lambda w, side: w[side].client.code,
        key="client",
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    # KPI reports (calls.api.kpi_views): a project's KPIs and peak hours follow the
    # project's scope; an operator's occupancy and the pool's follow operators/ (staff see
    # the whole shared pool); pool/peak-hours lists the projects in scope.
    ("projects/{code}/kpis/", "GET"): DetailRoute(
        target=lambda w, side: w[side].project.code,
        key="project",
        body=kpi_query,
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("projects/{code}/peak-hours/", "GET"): DetailRoute(
        target=lambda w, side: w[side].project.code,
        body=hours_query,
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("operators/{code}/occupancy/", "GET"): DetailRoute(
        target=lambda w, side: w[side].operator.code,
        key="operator",
        body=kpi_query,
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: (200, 404)},
        shared_pool=(PM,),
    ),
    ("pool/occupancy/", "GET"): ReportRoute(
        key="operator",
        key_of=lambda t: t.operator.code,
        sees={SUPERUSER: (OURS, THEIRS), PM: (OURS, THEIRS), INTEGRATION: (OURS,)},
        shared_pool=(PM,),
        query=kpi_query,
        found=lambda body: body["pool"]["operators"],
    ),
    ("pool/peak-hours/", "GET"): ReportRoute(
        key="project",
        key_of=lambda t: t.project.code,
        sees=EVERYONE_SEES_OURS,
        query=hours_query,
        found=lambda body: [row["project"] for row in body["projects"]],
    ),
    # Erlang calculators (workforce.api.erlang_views): arithmetic on the numbers sent.
    ("staffing/erlang-c/", "POST"): CalculationRoute(
        body=ERLANG_CASE, answer={"agents": 14, "scheduled_agents": 20}
    ),
    ("staffing/erlang-a/", "POST"): CalculationRoute(
        body={**ERLANG_CASE, "patience_seconds": 120}, answer={"traffic_erlangs": 10.0}
    ),
    # The in-house vs outsourcing calculator (workforce.api.insourcing_views), defaults only.
    ("staffing/in-house-vs-outsourcing/", "POST"): CalculationRoute(
        body={}, answer={"verdict": INSOURCING_DEFAULT_VERDICT}
    ),
    # Workforce planning (workforce.api.plan_views): a project's forecast follows the
    # project's scope; the staffing plan names its projects, B's being an unknown project.
    ("projects/{code}/forecast/", "GET"): DetailRoute(
        target=lambda w, side: w[side].project.code,
        key="project",
        body=lambda w, side: {"from": "2026-10-12"},
        expect={SUPERUSER: 200, PM: (200, 404), INTEGRATION: (200, 404)},
    ),
    ("staffing/plan/", "POST"): CreateRoute(
        body=lambda w, side: {"projects": [w[side].project.code], "from": "2026-10-12", "days": 1},
        field="projects",
        expect={SUPERUSER: 200, PM: (200, 400), INTEGRATION: (200, 400)},
        stored=lambda w, side: True,  # a calculation: nothing is stored
    ),
    # Schedules and absence replacements (workforce.api.scheduling_views): staff only, an
    # integration gets a 403 before any lookup. The pool is shared: a PM schedules and
    # covers every operator, but names only the projects they see in a requirement.
    ("schedules/generate/", "POST"): CreateRoute(
        body=schedule_body,
        field="requirements",
        expect={SUPERUSER: 200, PM: (200, 400), INTEGRATION: 403},
        stored=schedule_published,
    ),
    ("absences/{id}/replacements/", "GET"): DetailRoute(
        target=side_absence,
        key="absence",
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: 403},
        shared_pool=(PM,),
    ),
    ("absences/{id}/assign/", "POST"): DetailRoute(
        target=side_absence,
        body=assign_body,
        expect={SUPERUSER: 200, PM: 200, INTEGRATION: 403},
        applied=assigned,
        shared_pool=(PM,),
    ),
}

MATRIX[("tokens/rotate/", "POST")] = CreateRoute(
    # Every token holder rotates its own token, and only it: the old one is the one revoked.
    body=lambda w, side: {},
    expect={SUPERUSER: 201, PM: 201, INTEGRATION: 201},
    stored=lambda w, side: ApiToken.objects.filter(revoked_at__isnull=False).count() == 1,
)

# The people (training, lifecycle, turnover), quality (QA) and schedules (shifts, absences,
# adherence, intraday) rooms keep their entries in
# their own modules, written with this module's route kinds; they are part of MATRIX.
MATRIX.update(tenancy_people.entries())
MATRIX.update(tenancy_quality.entries())
MATRIX.update(tenancy_schedules.entries())
MATRIX.update(tenancy_alerts.entries())
MATRIX.update(tenancy_live.entries())
MATRIX.update(tenancy_sla.entries())
MATRIX.update(tenancy_webhooks.entries())
MATRIX.update(tenancy_telephony.entries())

# Entries ready for routes that are being built, keyed like MATRIX. When such a route lands,
# the meta-test fails and says so: move its entry into MATRIX.
PENDING: dict = {}


# --- Meta-tests ----------------------------------------------------------------------------


def _label(view):
    return f"{view.__module__}.{view.__qualname__}"


def test_every_api_endpoint_has_a_matrix_entry():
    missing = sorted(set(DISCOVERED) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(DISCOVERED))
    problems = [
        f"{method} {API_ROOT}{path} ({_label(DISCOVERED[path, method])}) has no entry: "
        + (
            "its entry is ready in PENDING, move it to MATRIX."
            if (path, method) in PENDING
            else "add it to MATRIX with its scope (who gets A's and B's objects)."
        )
        for path, method in missing
    ] + [
        f"{method} {API_ROOT}{path} is in MATRIX but not routed: drop it." for path, method in stale
    ]
    assert not problems, "\n".join(problems)


def test_every_api_view_is_scoped():
    problems = set()
    for (path, method), view in DISCOVERED.items():
        label = _label(view)
        if label in UNSCOPED_VIEWS:
            continue
        if not (isinstance(view, type) and issubclass(view, ScopedViewSetMixin)):
            problems.add(
                f"{label} ({method} {API_ROOT}{path}) does not derive from ScopedViewSetMixin: "
                "give it a scope_path, or list it in UNSCOPED_VIEWS saying how it is scoped "
                "instead (or why it serves no tenant data)."
            )
        elif not view.scope_path:
            problems.add(f"{label} ({method} {API_ROOT}{path}) declares no scope_path.")
    assert not problems, "\n".join(sorted(problems))


def _is_success(status):
    return 200 <= status < 300


@pytest.mark.parametrize("endpoint", [*MATRIX, *PENDING], ids=lambda e: f"{e[1]} {e[0]}")
def test_the_matrix_follows_the_tenancy_rules(endpoint):
    """The matrix cannot be bent to fit a leak: B is visible only through a documented pool."""
    spec = MATRIX.get(endpoint) or PENDING[endpoint]
    for side in spec.sides:
        assert _is_success(spec.expected(SUPERUSER, side)), "a superuser succeeds everywhere"
    for role in SCOPED_ROLES:
        pooled = role in spec.shared_pool
        if isinstance(spec, ListRoute):
            assert OURS in spec.sees[role], f"{role} must list A's rows"
            assert (THEIRS in spec.sees[role]) <= pooled, (
                f"{role} lists B's rows: a leak, unless the view documents a shared pool "
                "(then name the role in shared_pool)"
            )
            continue
        if OURS in spec.sides:
            ours = spec.expected(role, OURS)
            assert _is_success(ours) or ours == 403, f"{role} gets {ours} on A's object"
        if THEIRS in spec.sides:
            theirs = spec.expected(role, THEIRS)
            if isinstance(spec, DetailRoute):
                # 404 as if it did not exist, or the same 403 as on A's object: refused
                # before the lookup, so it reveals nothing.
                allowed = {404} | ({403} if ours == 403 else set())
            else:
                allowed = {400, 403}  # B's code is unknown to the role, or it may not create
            assert theirs in allowed or (pooled and _is_success(theirs)), (
                f"{role} gets {theirs} on B's object, not one of {sorted(allowed)}: a leak, "
                "unless the view documents a shared pool (then name the role in shared_pool)"
            )
        if MOVE in spec.sides:
            assert spec.expected(role, MOVE) in {400, 403}, f"{role} hands A's object to B"


# --- The matrix, case by case --------------------------------------------------------------


def _path(template, lookup):
    if lookup is None:
        return f"/{API_ROOT}{template}"
    (name,) = re.findall(r"{(\w+)}", template)
    return f"/{API_ROOT}{template.format(**{name: lookup})}"


def _send(api, method, path, body, fmt):
    if method == "GET":
        return api.get(path, body)  # a GET's body, if any, is its query string
    if method == "DELETE":
        return api.delete(path)
    return getattr(api, method.lower())(path, body, format=fmt)


def _error_keys(errors):
    """Every key in a (nested) error body: field names, row indexes, item indexes."""
    if isinstance(errors, dict):
        return set(errors).union(*(_error_keys(value) for value in errors.values()))
    if isinstance(errors, list):
        return set().union(*(_error_keys(item) for item in errors))
    return set()


def _cases():
    for (template, method), spec in MATRIX.items():
        for role in ROLES:
            for side in spec.sides:
                on = "" if side in (ALL, NEW) else f" on {side}"
                yield pytest.param(
                    (template, method), role, side, id=f"{method} {template} as {role}{on}"
                )


@pytest.mark.parametrize(("endpoint", "role", "side"), list(_cases()))
def test_tenancy(endpoint, role, side, world, apis):
    template, method = endpoint
    spec = MATRIX[endpoint]
    lookup, body = spec.prepare(world, side)
    before = database_state()

    response = _send(apis[role], method, _path(template, lookup), body, spec.format)

    expected = 401 if role == ANONYMOUS else spec.expected(role, side)
    assert response.status_code == expected, response.content.decode()[:500]
    if method == "GET" or not _is_success(expected):
        assert database_state() == before, "the request changed stored rows"
    if expected == 400:
        assert spec.refused_field(side) in _error_keys(response.json()["errors"])
    if _is_success(expected):
        spec.check(response, world, side, role, lookup)
        text = _body(response).decode(errors="replace")  # a file: names show in a ZIP
        leaked = [code for code in hidden_codes(world, role) if code in text]
        assert not leaked, f"the answer mentions B's {leaked}"


def _oracle_cases():
    for (template, method), spec in MATRIX.items():
        if not isinstance(spec, DetailRoute):
            continue
        for role in SCOPED_ROLES:
            if not _is_success(spec.expected(role, THEIRS)):
                yield pytest.param((template, method), role, id=f"{method} {template} as {role}")


@pytest.mark.parametrize(("endpoint", "role"), list(_oracle_cases()))
def test_their_object_is_answered_as_a_missing_one(endpoint, role, world, apis):
    """B's object gets exactly the answer of a code nobody has: no oracle of existence."""
    template, method = endpoint
    spec = MATRIX[endpoint]
    lookup, body = spec.prepare(world, THEIRS)
    ghost = "ghost" if "{code}" in template else 987_654_321

    theirs = _send(apis[role], method, _path(template, lookup), body, spec.format)
    missing = _send(apis[role], method, _path(template, ghost), body, spec.format)

    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


# --- Filters naming another tenant's code ---------------------------------------------------

# Known leaks, each failing the strict xfail below until fixed; then drop the entry.
# (list path, filter name) -> why that filter is known to leak; a strict xfail each. Empty:
# an entry here is a bug to fix, and the fix turns its cases into unexpected passes.
KNOWN_LEAKS = {}


def _code_filter_cases():
    """Every ``*__code`` filter of every list route, found on the views' filtersets."""
    for (path, method), view in sorted(DISCOVERED.items()):
        filterset = getattr(view, "filterset_class", None)
        if method != "GET" or "{" in path or filterset is None:
            continue
        for name, declared in filterset.base_filters.items():
            if not declared.field_name.endswith("__code"):
                continue
            relation = declared.field_name.split("__")[-2]
            for role in SCOPED_ROLES:
                if relation in SEES_THEIR[role]:  # the PM filtering by B's operator: the pool
                    continue
                leak = KNOWN_LEAKS.get((path, name))
                marks = [pytest.mark.xfail(strict=True, reason=leak)] if leak else []
                yield pytest.param(
                    path, name, relation, role, marks=marks, id=f"GET {path}?{name}= as {role}"
                )


@pytest.mark.parametrize(("path", "name", "relation", "role"), list(_code_filter_cases()))
def test_a_filter_on_their_code_answers_as_an_unknown_code(path, name, relation, role, world, apis):
    """A list filtered by B's project (client, operator) code finds what an unknown code
    finds: nothing. Otherwise the filter is an oracle for B's data the rows hide."""
    # An operator working for both clients, as the shared pool allows.
    CertificationFactory(operator=world.ours.operator, project=world.theirs.project)
    their_code = getattr(world.theirs, relation).code

    theirs = apis[role].get(f"/{API_ROOT}{path}", {name: their_code})
    unknown = apis[role].get(f"/{API_ROOT}{path}", {name: "ghost"})

    assert theirs.status_code == unknown.status_code == 200
    assert theirs.json()["results"] == unknown.json()["results"] == []


# --- The center's telephony integration ----------------------------------------------------

# An integration token of kind ``telephony``: the center's own, bound to no client. It posts
# the calls of every project and the agent states of the whole pool, and reads what that
# needs: projects, calls, operators, agent states of both clients. Everything else (the
# catalogue's writes, billing, KPIs, planning, people, quality) refuses it or shows it
# nothing; only the pure calculations answer it like anyone.
TELEPHONY = "telephony"
TELEPHONY_REACHES = {
    ("projects/", "GET"): 200,
    ("projects/{code}/", "GET"): 200,
    ("operators/", "GET"): 200,
    ("operators/{code}/", "GET"): 200,
    ("agent-events/", "GET"): 200,
    ("agent-events/", "POST"): 201,
    ("agent-events/{pk}/", "GET"): 200,
    ("calls/", "GET"): 200,
    ("calls/", "POST"): 201,
    ("calls/{pk}/", "GET"): 200,
    # Its own token, like every token holder.
    ("tokens/rotate/", "POST"): 201,
    ("call-events/", "POST"): 201,
    # The PBX sources of every client and their mappings: the telephony is the center's
    # own integration (deleting a source is for superusers alone).
    ("telephony/sources/", "GET"): 200,
    ("telephony/sources/", "POST"): 201,
    ("telephony/sources/{code}/", "GET"): 200,
    ("telephony/sources/{code}/", "PATCH"): 200,
    ("telephony/sources/{code}/", "PUT"): 200,
    ("telephony/queue-mappings/", "GET"): 200,
    ("telephony/queue-mappings/", "POST"): 201,
    ("telephony/queue-mappings/{pk}/", "GET"): 200,
    ("telephony/queue-mappings/{pk}/", "PATCH"): 200,
    ("telephony/queue-mappings/{pk}/", "PUT"): 200,
    ("telephony/queue-mappings/{pk}/", "DELETE"): 204,
    ("telephony/agent-mappings/", "GET"): 200,
    ("telephony/agent-mappings/", "POST"): 201,
    ("telephony/agent-mappings/{pk}/", "GET"): 200,
    ("telephony/agent-mappings/{pk}/", "PATCH"): 200,
    ("telephony/agent-mappings/{pk}/", "PUT"): 200,
    ("telephony/agent-mappings/{pk}/", "DELETE"): 204,
    ("telephony/parked/", "GET"): 200,
    ("telephony/parked/{pk}/", "GET"): 200,
}

# Fields of the center's own that no integration token reads (``projects.tenancy``).
INTERNAL_FIELDS = ('"hourly_cost"', '"supervisor"')


@pytest.fixture
def telephony_api(world):
    account = IntegrationAccountFactory(
        user=UserFactory(username="matrix-pbx"), kind="telephony", client=None
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=account.user).key}")
    return api


def _telephony_cases():
    for (template, method), spec in MATRIX.items():
        for side in spec.sides:
            on = "" if side in (ALL, NEW) else f" on {side}"
            yield pytest.param(
                (template, method), side, id=f"{method} {template} as {TELEPHONY}{on}"
            )


@pytest.mark.parametrize(("endpoint", "side"), list(_telephony_cases()))
def test_the_telephony_feeds_every_project_and_the_pool_and_reaches_nothing_else(
    endpoint, side, world, telephony_api
):
    template, method = endpoint
    spec = MATRIX[endpoint]
    lookup, body = spec.prepare(world, side)
    before = database_state()

    response = _send(telephony_api, method, _path(template, lookup), body, spec.format)

    status = response.status_code
    reached = TELEPHONY_REACHES.get(endpoint)
    if isinstance(spec, CalculationRoute):
        assert status == 200
    elif reached is not None:
        assert status == reached, response.content.decode()[:500]
        if isinstance(spec, ListRoute):  # both clients' rows: the telephony is the center's
            got = sorted(row[spec.key] for row in response.json()["results"])
            assert got == sorted(spec.key_of(world[s]) for s in (OURS, THEIRS))
        else:
            spec.check(response, world, side, TELEPHONY, lookup)
    else:
        assert status in {400, 403, 404} or (
            # Scoped reads answer an empty list or report: nothing of either client.
            method == "GET" and status == 200
        ), response.content.decode()[:500]
        if status == 200:
            text = _body(response).decode(errors="replace")
            named = [
                code
                for tenant in (world.ours, world.theirs)
                for code in (tenant.client.code, tenant.project.code, tenant.call.external_id)
                if code in text
            ]
            assert not named, f"the telephony reads {named} through {template}"
    if method == "GET" or not (200 <= status < 300) or isinstance(spec, CalculationRoute):
        assert database_state() == before, "the request changed stored rows"


# The operators' hourly cost as any answer could print it (97531.86, 97 531,86, 97531),
# and not the same digits inside a longer number: a timestamp's microseconds
# (".975315Z") hold them by chance.
HOURLY_COST_FIGURE = re.compile(r"(?<![\d.])97[\s\u00a0\u202f]?531(?![\d])")


def _integration_read_cases():
    for (template, method), spec in MATRIX.items():
        for role in (INTEGRATION, TELEPHONY):
            for side in spec.sides:
                on = "" if side in (ALL, NEW) else f" on {side}"
                yield pytest.param(
                    (template, method), role, side, id=f"{method} {template} as {role}{on}"
                )


@pytest.mark.parametrize(("endpoint", "role", "side"), list(_integration_read_cases()))
def test_no_integration_reads_internal_costs_or_staff(
    endpoint, role, side, world, apis, telephony_api
):
    """``hourly_cost`` and the team lead are absent (not null) from every answer to a
    client's integration and to the telephony."""
    template, method = endpoint
    spec = MATRIX[endpoint]
    Operator.objects.update(hourly_cost="97531.86")  # a figure no answer holds otherwise
    lookup, body = spec.prepare(world, side)
    api = telephony_api if role == TELEPHONY else apis[role]

    response = _send(api, method, _path(template, lookup), body, spec.format)

    text = _body(response).decode(errors="replace")
    assert not [name for name in INTERNAL_FIELDS if name in text], text[:500]
    assert not HOURLY_COST_FIGURE.search(text), text[:500]


# --- The client portal (tests/tenancy_portal.py) --------------------------------------------

VIEWER, ACCOUNTANT = tenancy_portal.VIEWER, tenancy_portal.ACCOUNTANT
PORTAL_ROLES = (ANONYMOUS, SUPERUSER, PM, INTEGRATION, VIEWER, ACCOUNTANT)


def test_every_portal_page_is_in_the_matrix():
    routes = tenancy_portal.discover_portal_routes()
    assert set(routes) == set(tenancy_portal.PORTAL_PAGES) | set(tenancy_portal.PUBLIC)
    for template, page in tenancy_portal.PORTAL_PAGES.items():
        named = getattr(routes[template], "portal_role", None)
        assert named == page.role, f"portal/{template} names role {named!r}, not {page.role!r}"


def _portal_expected(page, role, side):
    if role == ANONYMOUS:
        return 302
    if role not in (VIEWER, ACCOUNTANT):
        return 403  # the center's people and integrations: refused before any lookup
    if role == VIEWER and page.role == ACCOUNTANT:
        return 403
    return 404 if side == THEIRS else page.success


def _portal_cases():
    for template, page in tenancy_portal.PORTAL_PAGES.items():
        sides = (OURS, THEIRS) if page.lookup else (OURS,)
        for role in PORTAL_ROLES:
            for side in sides:
                on = f" on {side}" if page.lookup else ""
                yield pytest.param(
                    template, role, side, id=f"{page.method} portal/{template} as {role}{on}"
                )


def _portal_state():
    return {
        **database_state(),
        **{
            model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in apps.get_app_config("portal").get_models()
        },
    }


def _theirs_named(world, text):
    theirs = world.theirs
    names = [
        theirs.client.code,
        theirs.client.legal_name,
        theirs.project.code,
        theirs.call.external_id,
    ]
    return [name for name in names if name in text] + re.findall(
        rf"{re.escape(theirs.project.name)}(?!\d)", text
    )


@pytest.mark.parametrize(("template", "role", "side"), list(_portal_cases()))
def test_portal_tenancy(template, role, side, world, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    portal = tenancy_portal.portal_world(world, tmp_path)
    page = tenancy_portal.PORTAL_PAGES[template]
    user = {
        **world.users,
        VIEWER: portal[OURS]["users"][VIEWER],
        ACCOUNTANT: portal[OURS]["users"][ACCOUNTANT],
    }.get(role)
    if user is not None:
        client.force_login(user)
    before = _portal_state()

    response = tenancy_portal.send(client, page, page.path(template, portal, side))

    expected = _portal_expected(page, role, side)
    assert response.status_code == expected, response.content.decode(errors="replace")[:300]
    if role == ANONYMOUS:
        assert response["Location"].startswith("/portal/login/")
    if not (page.method == "POST" and expected == page.success):
        assert _portal_state() == before, "the request changed stored rows"
    if expected == 200 and not response.streaming:
        assert not _theirs_named(world, response.content.decode(errors="replace"))


# --- The operators' own pages (/me/: tests/tenancy_selfservice.py) -------------------------


def test_every_self_service_page_has_an_entry():
    listed = {template for template, _method in tenancy_selfservice.PAGES}
    assert listed == tenancy_selfservice.discover()


def _self_service_cases():
    for template, method in sorted(set(tenancy_selfservice.PAGES) - tenancy_selfservice.PUBLIC):
        yield pytest.param(template, method, id=f"{method} /{template}")


def _operator_client(operator, username):
    from django.contrib.auth.models import Group
    from django.test import Client as BrowserClient

    from projects.roles import OPERATORS, roles_setup

    roles_setup()
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=OPERATORS))
    operator.user = user
    operator.save(update_fields=["user"])
    client = BrowserClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("template", "method"), list(_self_service_cases()))
def test_self_service_pages_are_the_operators_own(template, method, world):
    from django.test import Client as BrowserClient

    pages = tenancy_selfservice
    operator = _operator_client(world.ours.operator, "matrix-operator")
    own, other = pages.rows(world.ours.operator, world.theirs.operator)
    kind = pages.PAGES[template, method]

    def send(client, row):
        lookup = row[kind].pk if kind else 0
        url = pages.path(template, lookup)
        body = {"shift": lookup} if kind == "shift" else {}
        return client.post(url, body) if method == "POST" else client.get(url)

    before = database_state()
    anonymous = send(BrowserClient(), own)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/me/login/")
    for role, user in world.users.items():  # superuser, PM, an integration's user
        client = BrowserClient()
        client.force_login(user)
        assert send(client, own).status_code == 403, role
    if kind:
        # Another operator's row (accepting: one's own offer) is a 404.
        refused = send(operator, own if kind == "own_swap" else other)
        assert refused.status_code == 404
    assert database_state() == before
    allowed = send(operator, other if kind == "own_swap" else own)
    assert allowed.status_code in (200, 302)
    assert operator.get("/admin/").status_code == 302  # the admin's login: never its pages
