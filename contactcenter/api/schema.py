"""OpenAPI pieces every app's API shares: the error body and the refusals it documents."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx (``contactcenter.api.exceptions``)."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="Machine-readable reason: invalid, conflict, ...")
    errors = serializers.DictField(  # type: ignore[assignment]  # the answer's field
        child=serializers.JSONField(),
        required=False,
        help_text="Field name (or row index) to its messages.",
    )


_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each field.",
    401: "No or invalid token.",
    403: "The token may not do this.",
    404: "No such object in the caller's scope (for a list: no such page or cursor).",
    409: "Conflicts with stored data.",
}


def error_responses(*statuses):
    """``{status: OpenApiResponse(ErrorSerializer)}`` for ``extend_schema(responses=...)``."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[status])
        for status in statuses
    }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string up to 255 characters (every POST takes one). A retry with the "
        "same key and body returns the first 2xx answer (header `Idempotent-Replayed: "
        "true`); the same key with another body is a 409. A 4xx or 5xx is not kept: the "
        "corrected request may reuse the key. Kept 24 hours."
    ),
)
