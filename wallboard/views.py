"""The wallboard pages: the admin's for managers (``/admin/wallboard/``) and the TV's
(``/wallboard/tv/<token>/``: full screen, read-only, opened by a signed link, no login).

Both pages are a frame and ``wallboard.js``: the numbers come from the socket
(``ws/live/``), which sends the state now on connect and every change after it.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from projects.tenancy import manages_a_project, sees_whole_pool, visible_projects
from wallboard import tv

SOCKET_PATH = "/ws/live/"


def board_labels() -> dict[str, str]:
    """The words wallboard.js writes, translated here (the script holds no text)."""
    return {
        "ready": _("ready"),
        "on_call": _("on call"),
        "wrap": _("wrap"),
        "break": _("break"),
        "offline": _("offline"),
        "connected": pgettext("wallboard status", "Live"),
        "reconnecting": _("Reconnecting…"),
        "refused": _("Not allowed: the link expired or the session ended."),
        "target": _("target"),
        "none": _("No open alerts."),
        "no_projects": _("No project to show."),
        "since": _("since"),
        "pool": _("Pool"),
    }


def may_open_wallboard(user) -> bool:
    """Managers (staff managing at least one project) and superusers."""
    return bool(user.is_superuser or (user.is_staff and manages_a_project(user)))


def wallboard_view(request: HttpRequest) -> HttpResponse:
    if not may_open_wallboard(request.user):
        raise PermissionDenied
    tv_url = None
    project_ids = list(visible_projects(request.user).values_list("pk", flat=True))
    if project_ids and request.method == "POST":  # the "TV link" button (CSRF-checked)
        token = tv.sign(project_ids, pool=sees_whole_pool(request.user))
        tv_url = request.build_absolute_uri(reverse("wallboard_tv", args=[token]))
    context = {
        **admin.site.each_context(request),
        "title": _("Live wallboard"),
        "socket_path": SOCKET_PATH,
        "tv_url": tv_url,
        "tv_days": tv.DEFAULT_DAYS,
        "may_link_tv": bool(project_ids),
        "labels": board_labels(),
    }
    return TemplateResponse(request, "admin/wallboard/wallboard.html", context)


def tv_view(request: HttpRequest, token: str) -> HttpResponse:
    grant = tv.verify(token)
    if grant is None:
        raise Http404(_("This TV link is not valid or has expired."))
    context = {
        "title": _("Live wallboard"),
        "socket_path": f"{SOCKET_PATH}?{urlencode({'tv': token})}",
        "expires_at": grant.expires_at,
        "labels": board_labels(),
    }
    response = TemplateResponse(request, "wallboard/tv.html", context)
    # The link is the key: keep it out of other sites' Referer headers.
    response["Referrer-Policy"] = "no-referrer"
    return response
