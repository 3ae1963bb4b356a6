"""API tokens kept as secrets: issued once, stored as a SHA-256 digest, rotated, revoked.

A key is ``cc_`` and 40 random URL-safe characters (240 bits); the 40-hex keys of DRF's
former ``authtoken`` table, migrated as digests, keep working. The digest is a plain
SHA-256, not a slow password hash: a key is random, so there is no dictionary to try and
2^160 or more keys to search, and a request must be checked in microseconds, found by an
index on the digest (a slow salted hash would cost each request ~100 ms of CPU and need a
look-up by prefix first). See docs/tokens.md.
"""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from contactcenter.errors import DomainError
from contactcenter.models import ApiToken

KEY_PREFIX = "cc_"
PREFIX_LENGTH = 8  # random characters kept in clear after KEY_PREFIX, to tell tokens apart
MAX_KEY_LENGTH = 128  # a longer "key" is refused before it is hashed
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often
MAX_GRACE = dt.timedelta(days=1)  # the longest overlap of a rotated key with its successor
MAX_LIFETIME_DAYS = 3650  # --expires-in DAYS: 1 to this


def digest(key: str) -> str:
    """The stored form of a key: SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def clear_prefix(key: str) -> str:
    """The part of a key kept in clear: ``cc_`` and 8 characters, or a legacy key's first 8."""
    if key.startswith(KEY_PREFIX):
        return key[: len(KEY_PREFIX) + PREFIX_LENGTH]
    return key[:PREFIX_LENGTH]


def issue(user, *, name: str = "default", expires_at: dt.datetime | None = None):
    """A new token for ``user``: returns ``(token, key)``; the key is never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=clear_prefix(key), digest=digest(key), expires_at=expires_at
    )
    return token, key


def expiry(days: int | None) -> dt.datetime | None:
    """The instant ``days`` days from now (None: never), bounded to 1..MAX_LIFETIME_DAYS."""
    if days is None:
        return None
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise DomainError(
            f"expires_in must be 1 to {MAX_LIFETIME_DAYS} days.",
            details={"expires_in": [f"{days} is out of range."]},
        )
    return timezone.now() + dt.timedelta(days=days)


NAME_MAX_LENGTH = 100  # ApiToken.name's max_length


def issue_once(user, *, name: str = "default", expires_in_days: int | None = None) -> str:
    """Issue the user's token ``name`` and return its key; a live one of that name is an
    error (the key cannot be shown again: rotating it gives a new one)."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise DomainError("A token's name is 1 to 100 characters.", details={"name": [name[:20]]})
    existing = live_token(user, name)
    if existing is not None:
        raise DomainError(
            f"'{user.get_username()}' already has a token named '{name}' "
            f"({existing.prefix}…); its key cannot be shown again. "
            f"Rotate it: manage.py rotate_api_token {user.get_username()} --name {name}",
            code="conflict",
            status=409,
        )
    return issue(user, name=name, expires_at=expiry(expires_in_days))[1]


def live_token(user, name: str = "default") -> ApiToken | None:
    """The user's token of that name that is not revoked (it may have expired)."""
    return ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).first()


@transaction.atomic
def rotate(
    token: ApiToken,
    *,
    grace: dt.timedelta = dt.timedelta(0),
    expires_at: dt.datetime | None = None,
    keep_lifetime: bool = True,
):
    """A new key for ``token``'s user and name; the old key is refused after ``grace``.

    The new token expires at ``expires_at``; else, with ``keep_lifetime``, it lasts as long
    as the old one was meant to (created -> expires), else never. Returns ``(token, key)``.
    """
    now = timezone.now()
    old = ApiToken.objects.select_for_update().get(pk=token.pk)
    until = now + max(dt.timedelta(0), min(grace, MAX_GRACE))
    if old.revoked_at is None or old.revoked_at > until:
        old.revoked_at = until
        old.save(update_fields=["revoked_at"])
    if expires_at is None and keep_lifetime and old.expires_at is not None:
        expires_at = now + (old.expires_at - old.created_at)
    return issue(old.user, name=old.name, expires_at=expires_at)


def reissue(user, *, name: str = "default") -> str:
    """A fresh key for the user's token ``name``, the earlier ones of that name deleted
    (not kept revoked): for the demo and the benchmarks, which print or use a key on every
    run, so reloading them adds no rows."""
    ApiToken.objects.filter(user=user, name=name).delete()
    return issue(user, name=name)[1]


def revoke(tokens, *, at: dt.datetime | None = None) -> int:
    """Refuse ``tokens`` (a queryset) from ``at`` (now) on; returns how many changed."""
    at = at or timezone.now()
    return tokens.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=at)).update(revoked_at=at)


def _lookup_sql():
    User = get_user_model()
    quote = connection.ops.quote_name
    token_columns = [field.column for field in ApiToken._meta.concrete_fields]
    user_columns = [field.column for field in User._meta.concrete_fields]
    table = quote(ApiToken._meta.db_table)
    # One round trip: find the row and, when its last use is older than TOUCH_EVERY and it
    # is valid, record this use (a data-modifying CTE runs whether the SELECT reads it or not).
    sql = f"""
        WITH found AS (SELECT * FROM {table} WHERE digest = %(digest)s),
        touched AS (
            UPDATE {table} AS t SET last_used_at = %(now)s FROM found
            WHERE t.id = found.id
              AND (found.revoked_at IS NULL OR found.revoked_at > %(now)s)
              AND (found.expires_at IS NULL OR found.expires_at > %(now)s)
              AND (found.last_used_at IS NULL OR found.last_used_at <= %(stale)s)
            RETURNING t.id
        )
        SELECT {", ".join(f"found.{quote(c)}" for c in token_columns)},
               {", ".join(f"u.{quote(c)}" for c in user_columns)},
               touched.id IS NOT NULL
        FROM found
        JOIN {quote(User._meta.db_table)} AS u ON u.{quote(User._meta.pk.column)} = found.user_id
        LEFT JOIN touched ON touched.id = found.id
    """  # noqa: S608 (table and column names from the models, values as parameters)
    return sql, token_columns, user_columns


def find(key: str, now: dt.datetime) -> ApiToken | None:
    """The token whose key is ``key``, with its user, its last use recorded; else None."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    sql, token_columns, user_columns = _lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"digest": digest(key), "now": now, "stale": now - TOUCH_EVERY})
        row = cursor.fetchone()
    if row is None:
        return None
    token_attnames = [field.attname for field in ApiToken._meta.concrete_fields]
    user_attnames = [field.attname for field in get_user_model()._meta.concrete_fields]
    token = ApiToken.from_db(connection.alias, token_attnames, row[: len(token_columns)])
    user_values = row[len(token_columns) : len(token_columns) + len(user_columns)]
    token.user = get_user_model().from_db(connection.alias, user_attnames, user_values)
    if row[-1]:
        token.last_used_at = now
    return token
