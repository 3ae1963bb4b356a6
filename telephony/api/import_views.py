"""``POST calls/import/?format=asterisk-csv|freeswitch-csv|generic-csv&source=CODE``.

The telephony app takes the URL ``calls/import/`` (its URL module is included before the
calls app's): with a CDR ``format`` it imports the PBX's file through
``telephony.cdr_import``; with no ``format`` (or ``format=csv``) it is the calls app's CSV
import, unchanged (``calls.api.csv_views.CallCsvImportView``, docs/csv-import.md).

``format`` here names the file's format, not a DRF renderer (``URL_FORMAT_OVERRIDE``):
content negotiation is skipped, every answer is JSON.

Who may import what: the center's telephony integration any source; a client's
integration only its client's sources; staff the sources of the clients whose projects
they manage, as the CSV import (superusers every one). Another's source is a 404.
"""

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from calls.api.csv_views import CallCsvImportView, CsvBodyParser, CsvUploadSerializer, _dry_run
from contactcenter.api.parsers import BoundedMultiPartParser
from contactcenter.api.schema import IDEMPOTENCY_KEY, error_responses
from contactcenter.errors import DomainError
from projects.api.scoping import visible_projects
from projects.models import Project
from projects.tenancy import (
    MANAGER,
    integration_client_id,
    is_client_integration,
    is_integration,
    is_telephony,
)
from telephony.cdr_import import FORMATS, MAX_FILE_BYTES, cdr_import
from telephony.models import TelephonySource

CSV_FORMAT = "csv"


class OctetBodyParser(CsvBodyParser):
    """A CDR file sent as the raw body (``application/octet-stream``), bounded the same way."""

    media_type = "application/octet-stream"


class PlainBodyParser(CsvBodyParser):
    media_type = "text/plain"


class ParkedBySerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="unmapped_queue or unknown_agent.")
    missing = serializers.CharField(help_text="The queue or agent name that has no mapping.")
    calls = serializers.IntegerField()


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line of the file (the first is 1).")
    message = serializers.CharField()


class CdrImportResultSerializer(serializers.Serializer):
    source = serializers.CharField(  # type: ignore[assignment]  # the answer's field
        help_text="The telephony source's code."
    )
    format = serializers.CharField()
    encoding = serializers.CharField(help_text="How the bytes were decoded (utf-8, cp1251...).")
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField(help_text="Lines read (blank lines not counted).")
    calls = serializers.IntegerField(help_text="Calls after collapsing legs.")
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Calls already stored, skipped.")
    parked = serializers.IntegerField(help_text="Calls parked whole for a missing mapping.")
    parked_by = ParkedBySerializer(many=True)
    problems = ProblemSerializer(many=True, help_text="Lines not imported, and why (up to 1,000).")
    problems_omitted = serializers.IntegerField()


class CallImportView(CallCsvImportView):
    """Import a CSV of call records, or a PBX's own CDR file with ``?format=``."""

    parser_classes = [BoundedMultiPartParser, CsvBodyParser, OctetBodyParser, PlainBodyParser]

    def perform_content_negotiation(self, request, force=False):
        # ?format= is the file's format (module docstring), never a renderer: JSON always.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="calls_import",
        summary="Import call records: a CSV of calls, or a PBX's CDR file",
        description=(
            "Without `format` (or with `format=csv`): the CSV import of docs/csv-import.md. "
            "With `format=asterisk-csv|freeswitch-csv|generic-csv` and `source=CODE`: the PBX's "
            "file as it writes it (docs/telephony-cdr.md); legs are collapsed into calls, calls "
            "naming an unmapped queue or agent are parked whole, the rest stored; re-sending "
            "stores nothing twice. `project=CODE` puts every call in that project. "
            "`dry_run=true` answers the same counts and stores nothing. The file as the "
            "multipart field `file` or as the raw body; at most 50 MB."
        ),
        request={
            "multipart/form-data": CsvUploadSerializer,
            "text/csv": OpenApiTypes.STR,
            "text/plain": OpenApiTypes.STR,
            "application/octet-stream": OpenApiTypes.BINARY,
        },
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                enum=[CSV_FORMAT, *FORMATS],
                description="The file's format.",
            ),
            OpenApiParameter(
                "source",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="Telephony source code (CDR formats only; required there).",
            ),
            OpenApiParameter(
                "project",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="Project code taking every call (CDR formats only).",
            ),
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                required=False,
                description="Preview only: store nothing, answer 200.",
            ),
            IDEMPOTENCY_KEY,
        ],
        responses={
            201: OpenApiResponse(CdrImportResultSerializer, description="Stored (CDR formats)."),
            200: OpenApiResponse(CdrImportResultSerializer, description="Dry run, or nothing new."),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request):
        _refuse_who_sends_no_calls(request.user)
        fmt = request.query_params.get("format", "").strip()
        if fmt in ("", CSV_FORMAT):
            return super().post(request)
        if fmt not in FORMATS:
            raise DomainError(
                gettext("format must be one of: %(formats)s.")
                % {"formats": ", ".join((CSV_FORMAT, *FORMATS))},
                details={"format": [gettext("Unknown format.")]},
            )
        dry_run = _dry_run(request.query_params.get("dry_run", ""))
        source = _source(request)
        project = _project(request, source)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(
                gettext("Send the file as the multipart field 'file', or as the request body."),
                details={"file": [gettext("No file was submitted.")]},
            )
        with upload:
            if upload.size is not None and upload.size > MAX_FILE_BYTES:
                raise DomainError(
                    gettext("The file is larger than 50 MB; split it."),
                    details={"file": [gettext("Larger than 50 MB.")]},
                )
            data = upload.read(MAX_FILE_BYTES + 1)
        result = cdr_import(
            source=source,
            data=data,
            fmt=fmt,
            project=project,
            file_name=getattr(upload, "name", "") or "",
            dry_run=dry_run,
            allowed_project_ids=_allowed_project_ids(request.user),
        )
        body = {"source": source.code, **result.as_dict()}
        stored = result.created and not dry_run
        return Response(body, status=status.HTTP_201_CREATED if stored else status.HTTP_200_OK)


def _refuse_who_sends_no_calls(user) -> None:
    """Calls come from integrations, superusers and the managers of a project: a QA
    evaluator, a trainer or staff with no project role imports nothing (403, before the file
    is read)."""
    if user.is_superuser or is_integration(user):
        return
    if not visible_projects(user, MANAGER).exists():
        raise PermissionDenied(gettext("Only project managers and integrations import calls."))


def _allowed_project_ids(user) -> set[int] | None:
    if user.is_superuser or is_telephony(user):
        return None
    return set(visible_projects(user).values_list("pk", flat=True))


def _visible_sources(user):
    sources = TelephonySource.objects.select_related("client")
    if user.is_superuser or is_telephony(user):
        return sources
    if is_client_integration(user):
        return sources.filter(client_id=integration_client_id(user))
    return sources.filter(client__in=visible_projects(user).values("client"))


def _source(request) -> TelephonySource:
    code = request.query_params.get("source", "").strip()
    if not code:
        raise DomainError(
            gettext("Name the telephony source: ?source=CODE."),
            details={"source": [gettext("This parameter is required with a CDR format.")]},
        )
    source = _visible_sources(request.user).filter(code=code).first()
    if source is None:
        raise DomainError(
            gettext("Unknown telephony source %(code)s.") % {"code": code},
            details={"source": [gettext("Unknown source.")]},
            status=404,
            code="not_found",
        )
    return source


def _project(request, source) -> Project | None:
    code = request.query_params.get("project", "").strip()
    if not code:
        return None
    allowed = _allowed_project_ids(request.user)
    projects = Project.objects.filter(code=code, client_id=source.client_id)
    if allowed is not None:
        projects = projects.filter(pk__in=allowed)
    project = projects.first()
    if project is None:
        raise DomainError(
            gettext("Unknown project %(code)s for this source.") % {"code": code},
            details={"project": [gettext("Unknown project.")]},
        )
    return project
