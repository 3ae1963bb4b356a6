"""Schemathesis fuzzes every operation of the schema the app serves at /api/v1/schema/.

No request may get a 500, and every answer must conform to the schema: a documented status
code, a documented content type and a body that matches the documented shape. Each operation
is fuzzed twice, as a superuser and as an integration token bound to one client, with valid
and invalid data, against a small seeded center (``fuzz_data``) whose real codes and ids the
path parameters hit about half of the time; the others must get a JSON 404.

The schema is fetched from the app when the module is collected (it is public: no token, no
database), so each operation is a test of its own. schemathesis's lazy loader
(``schemathesis.pytest.from_fixture``) would fetch it with a token inside a test, but in
schemathesis 4.32.5 it renames the test node through ``Node._nodeid``, which pytest 9.2 no
longer has.

Bounded for CI: a fixed seed, derandomized generation, a few examples per operation (fewer
for the operations that start real work: CP-SAT schedules, staffing plans, the in-house
calculator, Erlang A, invoice generation, exports and the monthly archive, CSV imports), no
shrinking, no coverage or stateful phase. The center is seeded once for the module inside a
transaction rolled back at its end; every example runs in a savepoint that is rolled back,
so each starts from the same data and no example's writes change another's outcome.
``-v`` lists each operation's answers by status code.

Beside the generated cases, ``EXPLICIT`` sends hostile input the generator rarely finds:
JSON nested 1,000 deep, a body over the 32 MB limit, dates in year 1 and 9999 and offsets that
leave the allowed years in UTC; each gets its exact 4xx as JSON (docs/api-limits.md).

Excluded: no operation.
"""

from collections import Counter
from urllib.parse import quote

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.contactcenter import fuzz_data
from tests.factories import ClientFactory, IntegrationAccountFactory, TokenFactory, UserFactory

SEED = 20261126
EXAMPLES = 12
# Operations whose every valid request starts real work (a solver, a simulation, a file).
HEAVY_EXAMPLES = 4
HEAVY_PATHS = [
    "/api/v1/schedules/generate/",
    "/api/v1/staffing/plan/",
    "/api/v1/staffing/in-house-vs-outsourcing/",
    "/api/v1/staffing/erlang-a/",
    "/api/v1/invoices/generate/",
    "/api/v1/invoices/archive/",
    "/api/v1/invoices/{id}/export/",
    "/api/v1/calls/import/",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        # Valid and invalid data both; no shrinking and no example database, so a run costs
        # the same every time and leaves nothing behind.
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES,
            "no-shrink": True,
            "database": "none",
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "operations": [
            {"include-path": path, "generation": {"max-examples": HEAVY_EXAMPLES}}
            for path in HEAVY_PATHS
        ],
    }
)


# The schema as the app serves it (anonymously readable: SERVE_PERMISSIONS is AllowAny), loaded
# when the module is collected so that each operation is a test of its own.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler(), config=CONFIG)
# Real codes and ids of the seeded center, by path prefix; filled by the ``center`` fixture.
REAL_VALUES = {}
# Requests sent, by role, operation and status code, for the summary lines.
SENT = Counter()


@schema.hook
def before_generate_path_parameters(context, strategy):
    path = context.operation.path
    prefix = next((p for p in fuzz_data.PATH_PREFIXES if path.startswith(p + "{")), None)
    if prefix is None:
        return strategy
    name = path[len(prefix) + 1 :].split("}", 1)[0]
    # Deferred: ids exist once the ``center`` fixture ran; explicit examples are drawn
    # earlier, at collection, and keep the schema's own values.
    real = st.deferred(
        lambda: st.sampled_from(REAL_VALUES[prefix]) if REAL_VALUES else st.nothing()
    )
    return st.one_of(real.map(lambda value: {name: value}), strategy)


@pytest.fixture(scope="module")
def center(request, django_db_setup, django_db_blocker):
    """The seeded center and a token per role, created once for the module inside a
    transaction that is rolled back at its end; each test runs in a savepoint within it."""
    # Requests share the test's connection and transaction, as with Django's test client:
    # closing "old" connections at a request's edges would close the test's own.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        integration_client = ClientFactory(code="acme")
        REAL_VALUES.update(fuzz_data.seed_center(integration_client=integration_client))
        root = UserFactory(username="fuzz-root", is_staff=True, is_superuser=True)
        crm = IntegrationAccountFactory(
            user=UserFactory(username="fuzz-crm"), client=integration_client
        ).user
        tokens = {
            "superuser": TokenFactory(user=root).key,
            "integration": TokenFactory(user=crm).key,
        }
    yield tokens
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    REAL_VALUES.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _report(request.config)


def _report(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not SENT:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for role in ("superuser", "integration"):
            sent = {key: n for key, n in SENT.items() if key[0] == role}
            statuses = Counter()
            for (_, _, code), n in sent.items():
                statuses[code] += n
            operations = {label for _, label, _ in sent}
            succeeded = {label for _, label, code in sent if code < 300}
            counts = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
            reporter.write_line(
                f"api fuzz as {role}: {len(operations)} operations ({len(succeeded)} with a "
                f"2xx), {sum(statuses.values())} requests ({counts})"
            )
            if config.option.verbose > 0:  # -v: each operation's answers
                for label in sorted(operations):
                    answers = sorted((code, n) for (_, lb, code), n in sent.items() if lb == label)
                    reporter.write_line(
                        f"  {label}: " + ", ".join(f"{code}: {n}" for code, n in answers)
                    )


@pytest.fixture(params=["superuser", "integration"])
def role(request, center, db):
    return request.param


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_matches_the_schema(case, role, center):
    headers = {"Authorization": f"Token {center[role]}"}
    with transaction.atomic():
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)
    SENT[role, case.operation.label, response.status_code] += 1


# Explicit hostile inputs beside the generated ones (docs/api-limits.md): deep nesting, a body
# over the limit, and edge dates (years 1 and 9999, offsets that leave the years in UTC),
# each with the exact 4xx it gets and never a 5xx. They run on the same seeded center.
DEEP = "[" * 999 + "{}" + "]" * 999
HUGE = b'{"a": "' + b"x" * (33 * 1024 * 1024) + b'"}'
EDGE_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T00:00:00Z",
]
EDGE_DATES = ["0001-01-01", "9999-12-31"]
EDGE_MONTHS = ["0001-01", "9999-12"]
RANGE = "&to=2026-10-02T00:00:00Z&granularity=day"
EXPLICIT = [
    *(("POST", path, DEEP, 400) for path in ("/api/v1/calls/", "/api/v1/invoices/generate/")),
    *(("POST", path, HUGE, 413) for path in ("/api/v1/calls/", "/api/v1/tariffs/")),
    *(
        ("GET", f"/api/v1/projects/hotline/kpis/?from={quote(v)}{RANGE}", None, 400)
        for v in EDGE_INSTANTS
    ),
    *(("GET", f"/api/v1/pool/occupancy/?from={quote(v)}{RANGE}", None, 400) for v in EDGE_INSTANTS),
    *(("GET", f"/api/v1/calls/?from={quote(v)}", None, 400) for v in EDGE_INSTANTS),
    *(("GET", f"/api/v1/projects/hotline/forecast/?from={v}", None, 400) for v in EDGE_DATES),
    *(
        ("GET", f"/api/v1/projects/hotline/bench-strength/?start={v}", None, 400)
        for v in EDGE_DATES
    ),
    *(("GET", f"/api/v1/people/turnover/?from={v}&to=2026-01", None, 400) for v in EDGE_MONTHS),
    *(("GET", f"/api/v1/invoices/archive/?period={v}", None, 400) for v in EDGE_MONTHS),
    *(("POST", "/api/v1/invoices/generate/", f'{{"period": "{v}"}}', 400) for v in EDGE_MONTHS),
    *(
        ("POST", "/api/v1/staffing/plan/", f'{{"projects": ["hotline"], "from": "{v}"}}', 400)
        for v in EDGE_DATES
    ),
    ("GET", "/api/v1/calls/?client=acme", None, 400),
]


@pytest.mark.parametrize(("method", "url", "body", "expected"), EXPLICIT)
def test_hostile_input_gets_the_exact_4xx(method, url, body, expected, center, db):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {center['superuser']}")
    with transaction.atomic():
        response = api.generic(method, url, body or "", content_type="application/json")
        transaction.set_rollback(True)

    assert response.status_code == expected, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"]
