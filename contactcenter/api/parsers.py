"""Request body parsers of the API: bounded JSON (size and nesting) and bounded multipart."""

from itertools import compress
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser

# No request of the API nests deeper than 4 (a scorecard's criteria, a schedule's
# requirements); 32 leaves room and keeps every recursive walk of the data far from
# Python's recursion limit (1,000).
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    """413: the body is larger than the API takes."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "payload_too_large"


def body_limit_text(limit: int) -> str:
    """``33554432`` -> ``"32 MB"``: the limits as the error messages name them."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def refuse_if_larger(request, limit: int) -> None:
    """A 413 when the request's declared length is over ``limit`` bytes, before any is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise PayloadTooLarge(
            f"The request body is {length:,} bytes; the API takes at most "
            f"{body_limit_text(limit)} ({limit:,} bytes). Split the data into smaller requests."
        )


def json_depth_exceeds(data: object, limit: int) -> bool:
    """True when ``data`` (decoded JSON: dicts, lists and scalars) nests lists and objects
    deeper than ``limit`` (a scalar is 0, a flat object 1). Iterative: it never recurses,
    whatever the depth.

    One level at a time, each container's children sifted by ``itertools.compress`` over
    their types, so the loop in Python runs once per container, not once per value: half
    the time on a batch of 500 flat rows, where it is about a twentieth of the request.
    """
    if type(data) not in _CONTAINERS:
        return False
    level: list[Any] = [data]
    depth = 1
    while level:
        if depth > limit:
            return True
        deeper: list[Any] = []
        for value in level:
            children: list[Any] = list(value.values()) if type(value) is dict else value
            deeper.extend(compress(children, map(_is_container, map(type, children))))
        level, depth = deeper, depth + 1
    return False


_CONTAINERS = (dict, list)  # what json.loads makes of objects and arrays, exactly
_is_container = frozenset(_CONTAINERS).__contains__


def _too_deep():
    return exceptions.ParseError(
        f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels of lists and objects."
    )


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413 past it, as Django caps
    every other body; DRF reads the stream itself and would not) and ``MAX_JSON_DEPTH``
    levels of nesting (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            refuse_if_larger(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # deeper than the C decoder goes: deeper than the limit too
            raise _too_deep() from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise _too_deep()
        return data


class BoundedMultiPartParser(MultiPartParser):
    """Multipart uploads up to ``FILE_UPLOAD_MAX_BYTES`` (413 past it): Django caps a form's
    fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but writes files to disk whatever their size."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            refuse_if_larger(request, settings.FILE_UPLOAD_MAX_BYTES)
        return super().parse(stream, media_type, parser_context)
