"""The POST of the ingestion endpoints: one object or a list, idempotent, one answer shape."""

from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.response import Response

from contactcenter.api.idempotency import idempotent
from contactcenter.batch import gc_paused
from contactcenter.errors import DomainError


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Rows stored by this request.")
    duplicates = serializers.IntegerField(
        help_text="Rows identical to stored ones, skipped (a safe re-send)."
    )


def ingest_response(request, ingest):
    """Run ``ingest(rows)`` on the request body under its Idempotency-Key.

    A single object is a batch of one whose errors name its fields directly; a list keeps
    the row index as the first key of each error. 201 when anything was stored, 200 when
    every row was a duplicate.
    """

    def handle():
        data = request.data
        single = isinstance(data, dict)
        if not single and not isinstance(data, list):
            raise DomainError(
                _("Send one JSON object or a list of objects."),
                details={"non_field_errors": [_("Expected an object or a list.")]},
            )
        rows = [data] if single else data
        try:
            result = ingest(rows)
        except DomainError as exc:
            if single and set(exc.details) == {"0"}:
                exc.details = exc.details["0"]
            raise
        body = {"created": result.created, "duplicates": result.duplicates}
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    # The JSON decoding of a 10,000-row body is where most of the batch's objects are made.
    # The view's IdempotentPostMixin holds the key already; this covers a view without it.
    with gc_paused():
        return idempotent(request, handle)
