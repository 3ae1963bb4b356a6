"""One log line per request, and the context every log record carries.

``RequestLogMiddleware`` (outermost) gives each request an id, the caller's ``X-Request-ID``
when it is a sane token, else a new one, echoes it in the response's ``X-Request-ID`` and,
when the response is ready, logs ``contactcenter.request`` once with method, path, status,
duration_ms, user_id and request_id as fields of the record (the JSON formatter of the
production settings writes each as a key).

``LogContextFilter`` (on the console handler) adds ``request_id`` to every record written
while a request is served, and ``task_name``/``task_id`` to every record written inside a
Celery task, so a worker's lines can be told apart and joined to the request that queued
them.
"""

import contextvars
import logging
import re
import time
import uuid

from celery import current_task
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

logger = logging.getLogger("contactcenter.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from outside: a short token of safe characters (a UUID, a trace id), so a
# caller cannot inject line breaks or megabytes into our logs.
_REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id_var = contextvars.ContextVar("request_id", default=None)


def current_request_id():
    """The id of the request being served, or None (also the audit trail's correlation id,
    ``AUDITLOG_CID_GETTER``, so an audit entry leads to its request's log line)."""
    return request_id_var.get()


def _request_id_from(request):
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if _REQUEST_ID_SHAPE.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _user_id(request):
    # After the view: DRF has put the token's user on the request by then.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id_from(request)
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request_id
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
                "request_id": request_id,
            }
            level = logging.ERROR if response.status_code >= 500 else logging.INFO
            logger.log(
                level,
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra=fields,
            )
            return response
        finally:
            request_id_var.reset(token)


class LogContextFilter(logging.Filter):
    """Adds request_id, task_name and task_id to each record (None where there is none),
    and ``context``, the same in short for the human-readable format."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        task_id = task_name = None
        if current_task:  # the proxy is falsy outside a task
            task_id, task_name = current_task.request.id, current_task.name
        record.task_id = getattr(record, "task_id", None) or task_id
        record.task_name = getattr(record, "task_name", None) or task_name
        if record.task_id:
            record.context = f"task={record.task_name}[{record.task_id}]"
        elif record.request_id:
            record.context = f"request={record.request_id}"
        else:
            record.context = "-"
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per record: the standard keys, the record's extra fields, and the
    request or task context where there is one (absent keys rather than nulls)."""

    OPTIONAL_CONTEXT = ("request_id", "task_id", "task_name")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "context"])
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data):
        for key in self.OPTIONAL_CONTEXT:
            if log_data.get(key) is None:
                log_data.pop(key, None)
        return super().process_log_record(log_data)
