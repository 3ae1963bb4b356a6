"""POST calls/import/: call records from a CSV file, or with ``?dry_run=true`` its preview.

The view only translates: the file comes as the multipart field ``file`` or as a ``text/csv``
body, the caller's scope becomes ``allowed_project_ids``, and ``calls.csv_import`` does the
rest (format in docs/csv-import.md).
"""

import shutil
import tempfile
from dataclasses import asdict

from django.conf import settings
from django.core.files import File
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, DataAndFiles
from rest_framework.response import Response
from rest_framework.views import APIView

from calls import csv_import as service
from contactcenter.api.idempotency import IdempotentPostMixin
from contactcenter.api.parsers import BoundedMultiPartParser, refuse_if_larger
from contactcenter.api.schema import IDEMPOTENCY_KEY, error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import integration_client_id, visible_projects

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


class CsvBodyParser(BaseParser):
    """A ``text/csv`` body, handed on as the upload ``file`` like a multipart one."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        refuse_if_larger(parser_context["request"], service.MAX_FILE_BYTES)
        # Outlives this method: the view closes it with the upload, once read.
        body = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        )
        # One byte past the limit is enough for the service to refuse the size.
        shutil.copyfileobj(_Limited(stream, service.MAX_FILE_BYTES + 1), body)
        body.seek(0)
        return DataAndFiles({}, MultiValueDict({"file": [File(body, name="body.csv")]}))


class _Limited:
    def __init__(self, stream, limit):
        self.stream, self.left = stream, limit

    def read(self, size=-1):
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(size)
        self.left -= len(data)
        return data


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file (docs/csv-import.md).")


class CsvLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line of the file; the header is line 1.")
    external_id = serializers.CharField(help_text="The line's external_id, as written.")
    errors = serializers.DictField(  # type: ignore[assignment]  # the answer's field
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name to its messages.",
    )


class CsvImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Calls in the file (blank lines not counted).")
    created = serializers.IntegerField(help_text="Calls stored (or, in a preview, to store).")
    duplicates = serializers.IntegerField(
        help_text="Rows identical to stored calls or to an earlier line, skipped."
    )


class CsvPreviewSerializer(CsvImportResultSerializer):
    errors = CsvLineSerializer(  # type: ignore[assignment]  # the answer's field
        many=True, required=False, help_text="Invalid lines."
    )
    errors_omitted = serializers.IntegerField(
        required=False, help_text="Invalid lines beyond the 1,000 listed."
    )
    conflicts = CsvLineSerializer(
        many=True,
        required=False,
        help_text="Lines whose external_id is stored with different data.",
    )
    conflicts_omitted = serializers.IntegerField(
        required=False, help_text="Conflicting lines beyond the 1,000 listed."
    )
    stored = serializers.BooleanField(required=False, help_text="Always false in a preview.")


class CallCsvImportView(IdempotentPostMixin, APIView):
    """Import a CSV of call records into the projects of the caller's scope."""

    parser_classes = [BoundedMultiPartParser, CsvBodyParser]

    @extend_schema(
        operation_id="calls_import",
        summary="Import call records from a CSV file",
        description=(
            "The columns are the fields of a call (docs/csv-import.md); UTF-8, comma- or "
            "semicolon-separated, a header row first. The whole file is atomic: any invalid "
            "line stores nothing (400, every bad line listed by its line number, the header "
            "being line 1), an external_id stored with different data is a 409 naming the "
            "line. Identical calls already stored are skipped and counted. `dry_run=true` "
            "answers what the import would do and stores nothing. Send the file as the "
            "multipart field `file` or as the body with `Content-Type: text/csv`."
        ),
        request={"multipart/form-data": CsvUploadSerializer, "text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                required=False,
                description="Preview only: check every line, store nothing, answer 200.",
            ),
            IDEMPOTENCY_KEY,
        ],
        responses={
            201: OpenApiResponse(CsvImportResultSerializer, description="Stored."),
            200: OpenApiResponse(
                CsvPreviewSerializer,
                description=(
                    "With dry_run: the preview, errors and conflicts included. Without: "
                    "every call was a duplicate, nothing new stored."
                ),
            ),
            **error_responses(400, 401, 409),
        },
    )
    def post(self, request):
        dry_run = _dry_run(request.query_params.get("dry_run", ""))
        user = request.user
        allowed = (
            None if user.is_superuser else set(visible_projects(user).values_list("pk", flat=True))
        )

        def handle():
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(
                    gettext(
                        "Send the CSV as the multipart field 'file', or as the body with "
                        "Content-Type: text/csv."
                    ),
                    details={"file": [gettext("No file was submitted.")]},
                )
            with upload:  # closed (a temporary file deleted) once read
                if dry_run:
                    preview = service.csv_preview(file=upload, allowed_project_ids=allowed)
                    return Response(asdict(preview))
                result = service.csv_import(
                    file=upload,
                    allowed_project_ids=allowed,
                    client_id=integration_client_id(request.user),
                )
            body = {"rows": result.rows, "created": result.created, "duplicates": result.duplicates}
            return Response(
                body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
            )

        # Under an Idempotency-Key (IdempotentPostMixin) the whole request must fit in
        # DATA_UPLOAD_MAX_MEMORY_SIZE, or it is a 413 saying so.
        return handle()


def _dry_run(value):
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DomainError(
        gettext("dry_run must be true or false."),
        details={"dry_run": [gettext("Must be true or false.")]},
    )
