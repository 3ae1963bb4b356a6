"""The wallboard's TV link: a signed, expiring list of project ids that opens a read-only
wallboard without a login (``django.core.signing``; docs/wallboard.md)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone

from contactcenter.errors import DomainError

SALT = "wallboard.tv"


def _salt() -> str:
    """Raising ``WALLBOARD_TV_GENERATION`` refuses every TV link made before."""
    return f"{SALT}.{settings.WALLBOARD_TV_GENERATION}"


DEFAULT_DAYS = 30


@dataclass(frozen=True)
class TvGrant:
    """What a TV link opens: these projects (ids), the pool's agent grid or not, until when."""

    project_ids: tuple[int, ...]
    pool: bool
    expires_at: dt.datetime


def sign(project_ids: list[int], *, days: int = DEFAULT_DAYS, pool: bool = False) -> str:
    """A TV token for ``project_ids``, valid ``days`` days (1..WALLBOARD_TV_MAX_DAYS)."""
    if not 1 <= days <= settings.WALLBOARD_TV_MAX_DAYS:
        raise DomainError(
            f"A TV link lasts 1 to {settings.WALLBOARD_TV_MAX_DAYS} days.",
            details={"days": [f"{days} is out of range."]},
        )
    if not project_ids:
        raise DomainError("A TV link shows at least one project.", details={"projects": []})
    expires = int((timezone.now() + dt.timedelta(days=days)).timestamp())
    payload = {"p": sorted(set(project_ids)), "pool": bool(pool), "exp": expires}
    return signing.dumps(payload, salt=_salt(), compress=True)


def verify(token: str, now: dt.datetime | None = None) -> TvGrant | None:
    """The grant a TV token carries, or None when it is forged, malformed or expired."""
    if not token or len(token) > 2000:
        return None
    try:
        payload = signing.loads(token, salt=_salt())
        expires_at = dt.datetime.fromtimestamp(int(payload["exp"]), tz=dt.UTC)
        ids = tuple(int(pk) for pk in payload["p"])
        pool = bool(payload["pool"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if expires_at <= (now or timezone.now()):
        return None
    return TvGrant(project_ids=ids, pool=pool, expires_at=expires_at)
