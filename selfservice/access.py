"""Who may use the self-service pages: a user of the Operators role linked to an operator.

Such a user is never staff, so the admin stays closed to them (its login refuses them);
every page reads only the linked operator's rows. Anyone else logged in (staff included)
gets a 403; an anonymous visitor goes to /me/login/.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from agents.models import Operator
from projects.roles import OPERATORS


def operator_of(user) -> Operator | None:
    """The operator ``user`` logs in as, else None."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return None
    if not user.groups.filter(name=OPERATORS).exists():
        return None
    return Operator.objects.filter(user=user).exclude(status=Operator.Status.DISMISSED).first()


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Runs ``view(request, operator, ...)`` for the logged-in operator only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("selfservice:login"))
        operator = operator_of(request.user)
        if operator is None:
            raise PermissionDenied
        return view(request, operator, *args, **kwargs)

    return wrapped
