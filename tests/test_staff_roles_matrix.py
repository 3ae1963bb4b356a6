"""Every API endpoint, called by a QA evaluator and by a trainer of A's project, and by a
staff user with no project role at all (a team lead).

The tenancy matrix (``tests/test_tenancy_matrix.py``) proves the scope of managers and
integrations; this walks the same routes, with the same prepared requests, for the two
roles that hold a project without managing it. What they may do is narrow:

- an evaluator reads A's calls and A's quality, and writes quality; a trainer reads and
  writes A's training; both read the shared operator pool, as every staff user does;
- neither ever gets an invoice, a tariff or any other billing row: every billing route
  answers 403, reads included;
- neither manages webhooks (their events carry invoices and payments): every
  webhooks route answers 403, reads included;
- neither sees B's client, project or call in any answer;
- the PBX sources, their mappings and parked calls answer all three roles of this module a
  403, reads included;
- outside their room, neither changes anything: every write elsewhere leaves every stored
  row as it was.

A staff user with no project role reads the shared pool as every staff user does, and
changes nothing: every write to the pool, to billing and to the catalogue is a 403 (only
superusers and project managers change them), every other write a 400, 403 or 404, and no
request changes a stored row. Only the pure calculations answer a POST with a 200.
"""

import pytest
from rest_framework.test import APIClient

from tests import tenancy_portal, tenancy_selfservice
from tests.factories import TokenFactory, UserFactory
from tests.test_tenancy_matrix import (
    ALL,
    API_ROOT,
    DISCOVERED,
    MATRIX,
    NEW,
    CalculationRoute,
    _body,
    _path,
    _send,
    database_state,
    world,  # noqa: F401 - the matrix's world, as a fixture here too
)

EVALUATOR, TRAINER = "qa-evaluator", "trainer"

# The views each role writes through: quality for evaluators, training for trainers.
ROOMS = {
    EVALUATOR: ("quality.api.views.",),
    TRAINER: ("agents.api.people_views.Training",),
}


@pytest.fixture
def staff_apis(world):  # noqa: F811 - the imported fixture, used here
    clients = {}
    for role, relation in ((EVALUATOR, "qa_evaluators"), (TRAINER, "trainers")):
        user = UserFactory(username=f"matrix-{role}", is_staff=True)
        getattr(world.ours.project, relation).add(user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=user).key}")
        clients[role] = api
    return clients


# PBX sources, mappings and parked calls: managers and integrations only, reads included.
TELEPHONY_ROOM = "telephony."


def _label(view):
    return f"{view.__module__}.{view.__qualname__}"


def _in_room(role, view):
    return _label(view).startswith(ROOMS[role])


def _cases():
    for (template, method), spec in MATRIX.items():
        for role in (EVALUATOR, TRAINER):
            for side in spec.sides:
                on = "" if side in (ALL, NEW) else f" on {side}"
                yield pytest.param(
                    (template, method), role, side, id=f"{method} {template} as {role}{on}"
                )


@pytest.mark.parametrize(("endpoint", "role", "side"), list(_cases()))
def test_evaluators_and_trainers_stay_in_their_room(endpoint, role, side, world, staff_apis):  # noqa: F811
    template, method = endpoint
    spec = MATRIX[endpoint]
    view = DISCOVERED[endpoint]
    lookup, body = spec.prepare(world, side)
    before = database_state()

    response = _send(staff_apis[role], method, _path(template, lookup), body, spec.format)

    status = response.status_code
    assert status < 500, _body(response)[:500]
    success = 200 <= status < 300
    if _label(view).startswith("billing."):
        assert status == 403, (
            f"{role} got {status} from {method} {API_ROOT}{template}: billing is for managers"
        )
        assert response.json()["detail"] == "QA evaluators and trainers have no access to billing."
    if _label(view).startswith(("webhooks.", TELEPHONY_ROOM)):
        assert status == 403, f"{role} got {status} from {method} {API_ROOT}{template}"
    if method != "GET" and not _in_room(role, view):
        assert database_state() == before, f"{role} changed rows through {method} {template}"
    if success:
        text = _body(response).decode(errors="replace")
        theirs = world.theirs
        hidden = [theirs.client.code, theirs.project.code, theirs.call.external_id]
        leaked = [code for code in hidden if code in text]
        assert not leaked, f"{role} reads B's {leaked}"


# --- Staff with no project role -------------------------------------------------------------

NO_ROLE = "no-role staff"

# Reads of the shared operator pool, open to every staff user: a 200 as for a manager.
POOL_READS = {
    ("operators/", "GET"),
    ("operators/{code}/", "GET"),
    ("operators/{code}/history/", "GET"),
    ("operators/{code}/occupancy/", "GET"),
    ("agent-events/", "GET"),
    ("agent-events/{pk}/", "GET"),
    ("pool/occupancy/", "GET"),
    ("pool/live/", "GET"),
    ("pool/live/operators/", "GET"),
    ("people/turnover/", "GET"),
    ("absences/", "GET"),
    ("absences/{pk}/", "GET"),
    ("operators/{code}/adherence/", "GET"),
    ("pool/adherence/", "GET"),
}

# Views whose writes are refused by role (403) to whoever changes no pool, billing or
# catalogue; every method of the planning views (schedules, absence replacements) too.
REFUSED_BY_ROLE = (
    "webhooks.api.views.",
    "projects.api.views.",
    "agents.api.views.",
    "agents.api.people_views.OperatorStatusView",
    "agents.api.shift_views.",
    "billing.",
)
PLANNING = "workforce.api.scheduling_views."
# Every token holder rotates their own token: a new key for the caller, nobody else's rows.
OWN_TOKEN = {("tokens/rotate/", "POST")}


@pytest.fixture
def no_role_api(world):  # noqa: F811 - the imported fixture, used here
    user = UserFactory(username="matrix-lead", is_staff=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=user).key}")
    return api


def _no_role_cases():
    for (template, method), spec in MATRIX.items():
        for side in spec.sides:
            on = "" if side in (ALL, NEW) else f" on {side}"
            yield pytest.param((template, method), side, id=f"{method} {template} as {NO_ROLE}{on}")


def _expected_for_no_role(endpoint, view, spec):
    """The exact status, or the set of refusals a write may get."""
    _, method = endpoint
    if endpoint in POOL_READS or isinstance(spec, CalculationRoute):
        return {200}
    if endpoint in OWN_TOKEN:
        return {201}
    if _label(view).startswith((PLANNING, TELEPHONY_ROOM)):
        return {403}
    if method == "GET":
        return None  # scoped reads: nothing of A's or B's (checked below), any 2xx/4xx
    if _label(view).startswith(REFUSED_BY_ROLE):
        return {403}
    return {400, 403, 404}


@pytest.mark.parametrize(("endpoint", "side"), list(_no_role_cases()))
def test_staff_with_no_project_role_read_the_pool_and_change_nothing(
    endpoint,
    side,
    world,  # noqa: F811
    no_role_api,
):
    template, method = endpoint
    spec = MATRIX[endpoint]
    view = DISCOVERED[endpoint]
    lookup, body = spec.prepare(world, side)
    before = database_state()

    response = _send(no_role_api, method, _path(template, lookup), body, spec.format)

    status = response.status_code
    assert status < 500, _body(response)[:500]
    expected = _expected_for_no_role(endpoint, view, spec)
    if expected is not None:
        assert status in expected, (
            f"{NO_ROLE} got {status} from {method} {API_ROOT}{template}, not {sorted(expected)}"
        )
    if endpoint not in OWN_TOKEN:
        assert database_state() == before, f"{NO_ROLE} changed rows through {method} {template}"
    if 200 <= status < 300:
        text = _body(response).decode(errors="replace")
        ours, theirs = world.ours, world.theirs
        hidden = [
            tenant_code
            for tenant in (ours, theirs)
            for tenant_code in (tenant.client.code, tenant.project.code, tenant.call.external_id)
        ]
        leaked = [code for code in hidden if code in text]
        assert not leaked, f"{NO_ROLE} reads {leaked}"


# --- The client portal: no staff role opens it ----------------------------------------------


def _portal_staff_cases():
    for template, page in tenancy_portal.PORTAL_PAGES.items():
        for role in (EVALUATOR, TRAINER, NO_ROLE):
            yield pytest.param(template, role, id=f"{page.method} portal/{template} as {role}")


@pytest.mark.parametrize(("template", "role"), list(_portal_staff_cases()))
def test_staff_roles_get_a_403_from_the_portal(template, role, world, settings, tmp_path, client):  # noqa: F811
    """The portal is for a client's own people: a QA evaluator, a trainer and a team lead
    are refused before any lookup, on A's objects as on B's."""
    settings.MEDIA_ROOT = tmp_path
    portal = tenancy_portal.portal_world(world, tmp_path)
    page = tenancy_portal.PORTAL_PAGES[template]
    user = UserFactory(username=f"portal-staff-{role}".replace(" ", "-"), is_staff=True)
    relation = {EVALUATOR: "qa_evaluators", TRAINER: "trainers"}.get(role)
    if relation:
        getattr(world.ours.project, relation).add(user)
    client.force_login(user)
    before = database_state()

    for side in (tenancy_portal.OURS, tenancy_portal.THEIRS) if page.lookup else (None,):
        path = page.path(template, portal, side or tenancy_portal.OURS)
        assert tenancy_portal.send(client, page, path).status_code == 403
    assert database_state() == before


# --- The operators' own pages (/me/: tests/tenancy_selfservice.py) -------------------------


@pytest.mark.parametrize(
    ("template", "method"),
    sorted(set(tenancy_selfservice.PAGES) - tenancy_selfservice.PUBLIC),
)
def test_staff_roles_never_reach_the_operators_pages(template, method, world):  # noqa: F811
    """A QA evaluator, a trainer and a team lead with no role: 403 on every page, nothing
    changed (the pages are an operator's own)."""
    from django.test import Client as BrowserClient

    own, _other = tenancy_selfservice.rows(world.ours.operator, world.theirs.operator)
    kind = tenancy_selfservice.PAGES[template, method]
    url = tenancy_selfservice.path(template, own[kind].pk if kind else 0)
    lead = UserFactory(username="matrix-lead", is_staff=True)
    evaluator = UserFactory(username="matrix-qa", is_staff=True)
    trainer = UserFactory(username="matrix-trainer", is_staff=True)
    world.ours.project.qa_evaluators.add(evaluator)
    world.ours.project.trainers.add(trainer)
    before = database_state()
    for user in (lead, evaluator, trainer):
        client = BrowserClient()
        client.force_login(user)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        assert response.status_code == 403, user.username
    assert database_state() == before
