"""The portal's tenancy matrix (docs/portal.md): every page under ``/portal/``, opened by
every role, on client A's object and on client B's.

The rule the entries follow:

- anonymous: to the portal's login (302);
- the center's people (superuser, project manager, QA evaluator, trainer, a staff user
  with no project role) and integration users: 403 on every page, refused before any
  lookup (the portal is for a client's own people; the center has the admin);
- a viewer of A: A's pages and objects (200, or the redirect of a POST); B's objects a
  404, as if they did not exist; the accountant's pages a 403;
- an accountant of A: all a viewer opens, and the money pages;
- a viewer of B on A's objects: 404.

``PORTAL_PAGES`` must list exactly the routes the URL resolver has under ``portal/``, each
with the role its view names (``portal.access.portal_view``): a page added without an
entry, or with another role, fails ``test_every_portal_page_is_in_the_matrix``.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import F
from django.urls import URLResolver, get_resolver

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from calls.models import Call
from portal.models import ServiceReport
from projects.models import ClientUser
from tests.factories import CallFactory, UserFactory
from tests.factories.billing import clock

PORTAL_ROOT = "portal/"
VIEWER, ACCOUNTANT = "viewer", "accountant"
# The auth views: open to anyone, they serve no client's data.
PUBLIC = {"login/": "Django's login form", "logout/": "Django's logout (POST)"}
OURS, THEIRS = "ours", "theirs"


@dataclass(frozen=True)
class Page:
    """A portal route: its method, the role its view names, how to find the object of a
    side (``None``: a page with no object), its query or body, and the success status."""

    method: str
    role: str
    lookup: Any = None
    data: dict = field(default_factory=dict)
    success: int = 200

    def path(self, template, portal, side):
        if self.lookup is None:
            return f"/{PORTAL_ROOT}{template}"
        return f"/{PORTAL_ROOT}{template.format(**self.lookup(portal, side))}"


def _abandoned(portal, side):
    return {"pk": portal[side]["abandoned"].pk}


PORTAL_PAGES = {
    "": Page("GET", VIEWER, success=302),
    "service/": Page("GET", VIEWER, data={"period": "month", "date": "2026-10-05"}),
    "service/{code}/interval/": Page(
        "GET",
        VIEWER,
        lookup=lambda p, side: {"code": p[side]["project"].code},
        data={"start": "2026-10-05T09:00:00+00:00"},
    ),
    "abandoned/": Page("GET", VIEWER, data={"date_from": "2026-10-01", "date_to": "2026-10-31"}),
    "abandoned/{pk}/called-back/": Page("POST", VIEWER, lookup=_abandoned, success=302),
    "calls/": Page("GET", VIEWER, data={"date_from": "2026-10-01", "date_to": "2026-10-31"}),
    "calls/{pk}/": Page("GET", VIEWER, lookup=lambda p, side: {"pk": p[side]["call"].pk}),
    "quality/": Page("GET", VIEWER, data={"year": "2026"}),
    "reports/": Page("GET", VIEWER),
    "reports/{pk}/download/": Page(
        "GET", VIEWER, lookup=lambda p, side: {"pk": p[side]["report"].pk}
    ),
    "invoices/": Page("GET", ACCOUNTANT),
    "invoices/{pk}/{name}/": Page(
        "GET", ACCOUNTANT, lookup=lambda p, side: {"pk": p[side]["invoice"].pk, "name": "pdf"}
    ),
    "reconciliation/": Page(
        "GET", ACCOUNTANT, data={"month_from": "2026-10", "month_to": "2026-11"}
    ),
}


def _template(route):
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def discover_portal_routes():
    """``{template under portal/: view callback}`` of every routed portal page."""
    found = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + _template(str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith(PORTAL_ROOT):
                found[route[len(PORTAL_ROOT) :]] = pattern.callback

    walk(get_resolver().url_patterns, "")
    return found


def portal_world(world, media_root):
    """On the tenancy matrix's world: per client an abandoned call, an issued invoice, a
    service report, a viewer and an accountant."""
    Call.objects.update(received_at=F("offered_at") + dt.timedelta(minutes=1))
    sides = {}
    for side, tenant in ((OURS, world.ours), (THEIRS, world.theirs)):
        abandoned = CallFactory(
            project=tenant.project,
            external_id=f"{tenant.client.code}-lost",
            offered_at=dt.datetime(2026, 10, 5, 9, 5, tzinfo=dt.UTC),
            answered_at=None,
            operator=None,
            ended_at=dt.datetime(2026, 10, 5, 9, 6, tzinfo=dt.UTC),
            hold_seconds=0,
            wrap_seconds=0,
        )
        with clock("2026-11-05T12:00"):
            (draft,) = invoice_generate(period=dt.date(2026, 10, 1), client_code=tenant.client.code)
            invoice = invoice_issue(invoice=draft)
        report = ServiceReport(client=tenant.client, period=dt.date(2026, 10, 1))
        report.file.save(f"{tenant.client.code}.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
        users = {
            role: ClientUser.objects.create(
                user=UserFactory(username=f"portal-{tenant.client.code}-{role}"),
                client=tenant.client,
                role=role,
            ).user
            for role in (VIEWER, ACCOUNTANT)
        }
        sides[side] = {
            "project": tenant.project,
            "call": tenant.call,
            "abandoned": abandoned,
            "invoice": invoice,
            "report": report,
            "users": users,
        }
    return sides


def send(client, page, path):
    if page.method == "POST":
        return client.post(path, page.data)
    return client.get(path, page.data)
