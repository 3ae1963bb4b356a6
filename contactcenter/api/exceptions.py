"""One exception handler for the whole API: every refusal is a JSON 4xx that names the field."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from contactcenter.api.parsers import body_limit_text
from contactcenter.errors import DomainError


def _too_large_body(request):
    """The 413 body of a request Django refused to read (``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    detail = _("The request body is larger than %(limit)s, the most the API takes.") % {
        "limit": body_limit_text(limit)
    }
    if request is not None and request.headers.get("Idempotency-Key") is not None:
        detail += " " + _(
            "With an Idempotency-Key the whole request is kept in memory: send a large "
            "upload without the key (a re-sent file counts its stored calls as duplicates)."
        )
    return {"detail": detail, "code": "payload_too_large"}


def exception_handler(exc, context):  # noqa: PLR0911  one early answer per kind of error
    if isinstance(exc, RequestDataTooBig):
        return Response(
            _too_large_body(context.get("request")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            errors = exc.message_dict
        else:
            errors = {"non_field_errors": exc.messages}
        return Response(
            {"detail": _("Invalid input."), "code": "invalid", "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        # The database connection failed mid-request (a restart, a failover, a cut
        # connection): the transaction rolled back, and the same request may be sent
        # again. A 4xx would tell the sender to drop data that is valid; a bare 500 says
        # nothing. 503 with Retry-After is the usual "retry" signal.
        response = Response(
            {
                "detail": _(
                    "The database connection failed before this request completed. "
                    "Send it again: what is already stored is counted as duplicates."
                ),
                "code": "database_unavailable",
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "5"
        return response
    if isinstance(exc, IntegrityError):
        # A database constraint refused the write: the request broke an invariant
        # the serializers did not catch first. Still the client's input, so 409.
        return Response(
            {"detail": _("The data conflicts with a stored record."), "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        code = getattr(data["detail"], "code", "error")
        response.data = {"detail": str(data["detail"]), "code": code}
    else:
        response.data = {"detail": _("Invalid input."), "code": "invalid", "errors": data}
    return response


# Django answers a URL no view matches (a non-integer invoice id), a request it refuses
# before any view runs (a host not allowed, too many form fields, a body over the limit) and
# an unhandled error with its HTML pages; under /api/ the answer is the API's JSON error
# body instead, as the schema documents. Elsewhere (the admin) the pages stay HTML.
def _is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return JsonResponse(_too_large_body(request), status=413)
        response = defaults.bad_request(request, exception)
        response.status_code = 413
        return response
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request."), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse(
            {
                "detail": _("You do not have permission to perform this action."),
                "code": "forbidden",
            },
            status=403,
        )
    return defaults.permission_denied(request, exception)


def server_error(request):
    """A bug (every 500 is one): the log has the traceback and the request id; the answer
    names the request id so a report can be matched with it."""
    if _is_api(request):
        body = {"detail": _("Internal server error."), "code": "server_error"}
        request_id = getattr(request, "request_id", None)
        if request_id:
            body["request_id"] = request_id
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
