"""``Idempotency-Key`` on POSTs, as Stripe defines it.

The first request with a key runs and its answer is stored; a retry with the same key and
the same request gets that answer again (header ``Idempotent-Replayed: true``); the same key
with another request, or while the first is still running, is a 409. A 5xx is not stored, so
the client may retry it. A request that died without letting go of its key (its process
killed, the database unreachable) leaves it "in progress"; after ``IN_PROGRESS_LEASE`` a
retry of the same request takes it over. Keys are scoped to the user and kept for 24 hours.
"""

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
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
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(request, handler):
    """Run ``handler()`` (which returns a DRF Response) under the request's Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
            details={HEADER: ["Invalid key."]},
        )
    request_hash = _request_hash(request)
    record = _claim(request.user, key, request_hash)
    if record is not None:
        return _replay(record, request_hash)
    try:
        response = handler()
    except DomainError as exc:
        response = Response(exc.as_dict(), status=exc.status)
    except Exception:
        _release(request.user, key)
        raise
    if response.status_code >= 500:
        _release(request.user, key)
    else:
        IdempotencyRecord.objects.filter(user=request.user, key=key).update(
            status_code=response.status_code, response_body=_storable(response.data)
        )
    return response


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
    """Insert the key (committed at once); return the stored record if it was there already."""
    IdempotencyRecord.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - KEEP_FOR
    ).delete()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(user=user, key=key, request_hash=request_hash)
    except IntegrityError:
        # Claimed already. A claim of the same request left in progress past the lease is
        # taken over (one retry wins the UPDATE); anything else is answered from the record.
        now = timezone.now()
        taken = IdempotencyRecord.objects.filter(
            user=user,
            key=key,
            request_hash=request_hash,
            status_code__isnull=True,
            created_at__lt=now - IN_PROGRESS_LEASE,
        ).update(created_at=now)
        if taken:
            return None
        return IdempotencyRecord.objects.get(user=user, key=key)
    return None


def _replay(record, request_hash):
    if record.request_hash != request_hash:
        raise ConflictError(
            f"This {HEADER} was used with a different request.",
            details={HEADER: ["Keys can only be reused with the same request."]},
        )
    if record.status_code is None:
        raise ConflictError(
            f"A request with this {HEADER} is still being processed; retry later.",
            details={HEADER: ["In progress."]},
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
