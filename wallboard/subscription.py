"""Who a wallboard socket is and what it may hear: the projects it sees and the pool or not.

Three ways in (docs/wallboard.md): the admin session of a staff user, an API token offered
as the WebSocket subprotocol pair ``["contactcenter.token", "<key>"]`` (a client's
integration: its own client's projects), or a TV link's signature (``?tv=<token>``). The
rule itself is ``projects.tenancy``: visible projects, the pool only for who sees it whole.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from contactcenter import tokens
from projects.models import Project
from projects.tenancy import User, sees_whole_pool, visible_projects
from wallboard import tv

TOKEN_SUBPROTOCOL = "contactcenter.token"  # noqa: S105 - a protocol name, not a secret
# A subscriber sees at most this many projects on one socket (the whole catalogue of a
# superuser is far below it; a bound on the groups one connection joins).
MAX_PROJECTS = 500


@dataclass
class Subscription:
    """The projects (id -> the tile's fixed facts) and whether the pool is heard."""

    projects: dict[int, dict] = field(default_factory=dict)
    pool: bool = False
    subprotocol: str | None = None

    @property
    def codes(self) -> set[str]:
        return {meta["code"] for meta in self.projects.values()}

    @property
    def empty(self) -> bool:
        return not self.projects and not self.pool


def project_meta(project: Project) -> dict:
    """What a tile needs beside the live state: names and the targets it is coloured by."""
    return {
        "code": project.code,
        "name": project.name,
        "client": project.client.code,
        "timezone": project.timezone,
        "sl_target": float(project.sl_target),
        "sl_threshold_seconds": project.sl_threshold_seconds,
        "abandon_rate_target": float(project.abandon_rate_target),
    }


def _of(projects, *, pool: bool, subprotocol: str | None = None) -> Subscription:
    rows = projects.select_related("client").order_by("code")[:MAX_PROJECTS]
    return Subscription(
        projects={project.pk: project_meta(project) for project in rows},
        pool=pool,
        subprotocol=subprotocol,
    )


def for_user(user: User, *, subprotocol: str | None = None) -> Subscription | None:
    """A person's or a token's subscription; None for nobody or an inactive user."""
    if not user or not user.is_authenticated or not user.is_active:
        return None
    return _of(visible_projects(user), pool=sees_whole_pool(user), subprotocol=subprotocol)


def for_tv(token: str) -> Subscription | None:
    grant = tv.verify(token)
    if grant is None:
        return None
    return _of(Project.objects.filter(pk__in=grant.project_ids), pool=grant.pool)


def offered_token(subprotocols: list[str]) -> str | None:
    """The key of ``["contactcenter.token", "<key>"]`` among the offered subprotocols."""
    if TOKEN_SUBPROTOCOL in subprotocols:
        index = subprotocols.index(TOKEN_SUBPROTOCOL)
        if index + 1 < len(subprotocols):
            return subprotocols[index + 1]
    return None


def for_token(key: str) -> Subscription | None:
    now = timezone.now()
    token = tokens.find(key, now)
    if token is None or token.refusal(now):
        return None
    return for_user(token.user, subprotocol=TOKEN_SUBPROTOCOL)


def resolve(scope: dict) -> Subscription | None:
    """The subscription of a WebSocket's ASGI scope, or None to refuse it.

    A TV signature wins, then an offered token, then the session; a wrong TV signature or
    token refuses the socket (never a fall-back to the session, which would hide the error).
    """
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    if "tv" in query:
        found = for_tv(query["tv"][0])
    elif (key := offered_token(list(scope.get("subprotocols") or []))) is not None:
        found = for_token(key)
    else:
        found = for_user(scope.get("user") or AnonymousUser())
    if found is None or found.empty:
        return None
    return found
