"""``POST /api/v1/tokens/rotate/``: a token's holder replaces its own key (docs/tokens.md)."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter import tokens
from contactcenter.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from contactcenter.api.schema import error_responses
from contactcenter.errors import DomainError
from contactcenter.models import ApiToken


class RotateInput(serializers.Serializer):
    grace_minutes = serializers.IntegerField(
        min_value=0,
        max_value=int(tokens.MAX_GRACE.total_seconds() // 60),
        default=0,
        help_text="How long the old key keeps working beside the new one (0: refused at once).",
    )


class RotatedToken(serializers.Serializer):
    key = serializers.CharField(help_text="The new key. Shown this once: it is never stored.")
    prefix = serializers.CharField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    previous_prefix = serializers.CharField()
    previous_valid_until = serializers.DateTimeField()


class HoldsAToken(permissions.BasePermission):
    """Any authenticated caller, with its own token: the token is the object it rotates.
    A session (the admin's browser) holds no token, so it has nothing to rotate here."""

    message = gettext_lazy("Rotate a token with the token itself (Authorization: Token <key>).")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and isinstance(
            request.auth, ApiToken
        )


class RotateTokenView(APIView):
    """Replace the calling token's key; the answer holds the new key, once.

    Who may: the holder of any valid token (superuser, staff, integration), for that token
    only. The answer is never stored, so an ``Idempotency-Key`` is refused (its stored
    answer would keep the key in clear).
    """

    permission_classes = [HoldsAToken]
    # The one POST that refuses an ``Idempotency-Key``: a stored answer would keep the key.
    refuses_idempotency_key = True

    @extend_schema(
        request=RotateInput,
        responses={201: RotatedToken, **error_responses(400, 401, 403)},
        summary="Rotate the calling token",
    )
    def post(self, request):
        if request.headers.get(IDEMPOTENCY_HEADER) is not None:
            raise DomainError(
                _(
                    "%(header)s is not accepted here: the answer holds a new key, "
                    "which is never stored."
                )
                % {"header": IDEMPOTENCY_HEADER},
                details={IDEMPOTENCY_HEADER: [_("Not accepted on token rotation.")]},
            )
        data = RotateInput(data=request.data)
        data.is_valid(raise_exception=True)
        grace = dt.timedelta(minutes=data.validated_data["grace_minutes"])
        old = request.auth
        new, key = tokens.rotate(old, grace=grace)
        old.refresh_from_db(fields=["revoked_at"])
        body = {
            "key": key,
            "prefix": new.prefix,
            "name": new.name,
            "expires_at": new.expires_at,
            "previous_prefix": old.prefix,
            "previous_valid_until": old.revoked_at,
        }
        return Response(RotatedToken(body).data, status=status.HTTP_201_CREATED)
