"""``Idempotency-Key`` on every POST of the API, as Stripe defines it.

The first request with a key runs; a 2xx answer is stored, and a retry with the same key and
the same request gets it again (header ``Idempotent-Replayed: true``); the same key with
another request, or while the first is still running, is a 409. A 4xx or 5xx answer is not
stored: the key is let go, so the corrected request (or the same one, once the cause is
gone) is processed normally under the same key. A request that died without letting go of
its key (its process killed, the database unreachable) leaves it "in progress"; after
``IN_PROGRESS_LEASE`` a retry of the same request takes it over. Keys are scoped to the
user and kept for 24 hours.

``IdempotentPostMixin`` is the base of every API view (``ScopedViewSetMixin`` holds it, the
views outside the scope name it), so the key works on every POST, actions included.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from contactcenter.errors import ConflictError, DomainError
from contactcenter.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEEP_FOR = dt.timedelta(hours=24)
# A key still "in progress" this long after its claim belongs to a request that died (its
# process killed, or the database gone before it could let go): longer than any request
# runs, so a retry may take the key over.
IN_PROGRESS_LEASE = dt.timedelta(minutes=10)


def _request_hash(request):
    """A keyed fingerprint of the request: the body may hold a caller's number (an erasure
    request), and a plain SHA-256 of a phone number is reversed by trying them all."""
    digest = hmac.new(settings.SECRET_KEY.encode(), digestmod=hashlib.sha256)
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


# Set on the request once its key is claimed, so that a handler which calls ``idempotent``
# itself inside a view that already did runs once, not under a second claim of its own key.
_CLAIMED = "_idempotency_key_claimed"


def idempotent(request, handler: Callable[[], Response]) -> Response:
    """Run ``handler()`` (which returns a DRF Response) under the request's Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None or getattr(request, _CLAIMED, False):
        return handler()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            _("%(header)s must be 1 to %(max)d characters.")
            % {"header": HEADER, "max": MAX_KEY_LENGTH},
            details={HEADER: [_("Invalid key.")]},
        )
    request_hash = _request_hash(request)
    record = _claim(request.user, key, request_hash)
    if record is not None:
        return _replay(record, request_hash)
    setattr(request, _CLAIMED, True)
    try:
        response = handler()
    except BaseException:
        # A refusal (DomainError, a serializer's ValidationError: a 4xx) or a bug (a 500):
        # nothing to replay, the corrected request may use the key.
        _release(request.user, key)
        raise
    if 200 <= response.status_code < 300:
        IdempotencyRecord.objects.filter(user=request.user, key=key).update(
            status_code=response.status_code, response_body=_storable(response.data)
        )
    else:
        _release(request.user, key)
    return response


class IdempotentPostMixin:
    """Every POST of the view runs under its ``Idempotency-Key`` (``idempotent``), once the
    caller is authenticated, allowed and not throttled (a 401/403/429 claims nothing)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        handler = getattr(self, "post", None)
        if request.method == "POST" and handler and request.headers.get(HEADER) is not None:
            # DRF's dispatch looks the handler up after ``initial``: this instance's ``post``
            # (a viewset's action is bound to it the same way) runs under the key.
            self.post = lambda *a, **kw: idempotent(request, lambda: handler(*a, **kw))


def _storable(data):
    """``data`` with U+0000 replaced: jsonb cannot hold it, and a 400 may echo it back
    from hostile input (an unknown CSV column named "\\x00")."""
    if isinstance(data, str):
        return data.replace("\x00", "\ufffd")
    if isinstance(data, dict):
        return {_storable(key): _storable(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_storable(value) for value in data]
    return data


def _claim(user, key, request_hash):
    """Claim the key (committed at once); return the stored record if it was there already.

    The claim is one ``INSERT ... ON CONFLICT DO NOTHING``, one round trip: a batch's
    request makes a dozen, each a wait for the GIL again in a busy worker. A record past its
    24 hours is deleted and the claim made again; a claim of the same request left in
    progress past the lease is taken over (one retry wins the UPDATE); anything else is
    answered from the record.
    """
    for _attempt in range(3):  # the record can go (expired, or let go by a 4xx) between two looks
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, [user.pk, key, request_hash, now])
            if cursor.fetchone() is not None:
                return None
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue
        if record.created_at < now - KEEP_FOR:
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            continue
        if (
            record.request_hash == request_hash
            and record.status_code is None
            and record.created_at < now - IN_PROGRESS_LEASE
        ):
            taken = IdempotencyRecord.objects.filter(
                pk=record.pk, status_code__isnull=True, created_at=record.created_at
            ).update(created_at=now)
            if taken:
                return None
            record.refresh_from_db()
        return record
    raise ConflictError(
        _("A request with this %(header)s is still being processed; retry later.")
        % {"header": HEADER},
        details={HEADER: [_("In progress.")]},
    )


_TABLE = IdempotencyRecord._meta.db_table
_CLAIM_SQL = (
    f'INSERT INTO "{_TABLE}" (user_id, key, request_hash, status_code, response_body, '  # noqa: S608 (the model's own table name)
    "created_at) VALUES (%s, %s, %s, NULL, NULL, %s) "
    "ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
)


def _replay(record, request_hash):
    if record.request_hash != request_hash:
        raise ConflictError(
            _("This %(header)s was used with a different request.") % {"header": HEADER},
            details={HEADER: [_("Keys can only be reused with the same request.")]},
        )
    if record.status_code is None:
        raise ConflictError(
            _("A request with this %(header)s is still being processed; retry later.")
            % {"header": HEADER},
            details={HEADER: [_("In progress.")]},
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _release(user, key):
    IdempotencyRecord.objects.filter(user=user, key=key, status_code__isnull=True).delete()


def idempotency_records_purge(*, now=None):
    """Delete records past their 24 hours; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
