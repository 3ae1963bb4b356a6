"""Who opens a portal page: the decorator each view names its role with.

Only client users (``projects.ClientUser``) reach the portal, by role
(``projects.tenancy.portal_client_user``): a viewer reads service, calls and QA; an
accountant also the money. Anonymous visitors go to the portal's login. Everybody else
logged in, staff and superusers included, gets a 403: the center's people have the admin,
and the portal shows one client at a time, its own (docs/portal.md).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from projects.tenancy import PORTAL_ACCOUNTANT, PORTAL_VIEWER, portal_client_user

VIEWER = PORTAL_VIEWER
ACCOUNTANT = PORTAL_ACCOUNTANT
LOGIN_URL = "portal:login"


def portal_view(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Open the view to client users holding ``role``; ``request.client_user`` is theirs."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), LOGIN_URL)
            binding = portal_client_user(user, role)
            if binding is None:
                raise PermissionDenied(_("This page is for the client's portal users."))
            request.client_user = binding  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        guarded.portal_role = role  # type: ignore[attr-defined]  # read by the matrix tests
        return guarded

    return decorate


def quality_shown(request: HttpRequest) -> None:
    """The QA section exists only where the center shows it to this client: else a 404."""
    if not request.client_user.client.portal_show_quality:  # type: ignore[attr-defined]
        raise Http404(_("No such page."))
