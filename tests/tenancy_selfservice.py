"""The operators' own pages (/me/, the selfservice app) in the tenancy matrices.

``PAGES`` lists every routed page under /me/ (``test_tenancy_matrix`` fails for one missing
or stale). The rules, for every page but the login and logout:

- anonymous: a redirect to /me/login/;
- every user who is not an operator of the Operators role gets a 403: superusers, PMs, QA
  evaluators, trainers, staff with no project role and integration tokens' users alike;
- an operator reaches their own rows only: another operator's request, offer or shift is
  a 404 and changes nothing;
- an operator never reaches the admin (a non-staff user: its login page).
"""

import datetime as dt
import re

from django.urls import URLResolver, get_resolver

ROOT = "me/"
PUBLIC = {("me/login/", "GET"), ("me/login/", "POST"), ("me/logout/", "POST")}

# (template, method) -> the kind of row the page names (its {id}, or the ``shift`` posted),
# None for none. An operator naming another operator's row gets a 404; the exception is
# accepting an offer, which is another operator's by nature: their own offer is the 404.
PAGES = {
    ("me/login/", "GET"): None,
    ("me/login/", "POST"): None,
    ("me/logout/", "POST"): None,
    ("me/", "GET"): None,
    ("me/time-off/", "GET"): None,
    ("me/time-off/", "POST"): None,
    ("me/time-off/{request_id}/cancel/", "POST"): "time_off",
    ("me/swaps/", "GET"): None,
    ("me/swaps/offer/", "POST"): "shift",
    ("me/swaps/{swap_id}/accept/", "POST"): "own_swap",
    ("me/swaps/{swap_id}/cancel/", "POST"): "swap",
    ("me/kpis/", "GET"): None,
}


def _template(route):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("^", "").replace("$", "")


def discover():
    """The path templates of every routed page under /me/."""
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + _template(str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith(ROOT):
                found.add(route)

    walk(get_resolver().url_patterns, "")
    return found


def path(template, lookup):
    return "/" + re.sub(r"\{\w+\}", str(lookup), template)


def rows(operator, other):
    """Rows for the object pages: the caller's own (``operator``) and another's (``other``)."""
    from agents.models import Shift, ShiftSwap, TimeOffRequest
    from tests.factories import ShiftFactory

    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)

    def make(op, hours):
        shift = Shift.objects.filter(operator=op).first() or ShiftFactory(
            operator=op,
            starts_at=start + dt.timedelta(hours=hours),
            ends_at=start + dt.timedelta(hours=hours + 8),
        )
        request = TimeOffRequest.objects.filter(
            operator=op
        ).first() or TimeOffRequest.objects.create(
            operator=op,
            kind="other",
            starts_on=start.date() + dt.timedelta(days=10),
            ends_on=start.date() + dt.timedelta(days=10),
        )
        swap = ShiftSwap.objects.filter(offered_by=op).first() or ShiftSwap.objects.create(
            shift=shift, offered_by=op
        )
        return {"shift": shift, "time_off": request, "swap": swap, "own_swap": swap}

    return make(operator, 0), make(other, 100)
