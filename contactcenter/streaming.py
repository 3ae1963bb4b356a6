"""Streamed downloads that stay flat in memory under both servers, WSGI and ASGI.

Django serves a ``StreamingHttpResponse`` built on a synchronous iterator under ASGI by
first reading the whole iterator into a list (``sync_to_async(list)``): a million-call
detail would sit in memory before its first byte left. ``served_chunks`` gives such a
response an asynchronous iterator instead when the request came through ASGI: each chunk
is made in the request's own thread (thread-sensitive ``sync_to_async``, so the database
connection the view started the stream on goes on serving it) and sent before the next is
made. Under WSGI the synchronous iterator is served as it is, chunk by chunk.
"""

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest


def served_chunks(
    chunks: Iterable[bytes], request: HttpRequest | Any
) -> Iterable[bytes] | AsyncIterator[bytes]:
    """``chunks`` in the form ``request``'s server streams without holding them (``request``
    may be DRF's, which wraps Django's)."""
    if not isinstance(getattr(request, "_request", request), ASGIRequest):
        return chunks
    return _async_chunks(iter(chunks))


def _next(iterator: Iterator[bytes]) -> bytes | None:
    return next(iterator, None)


async def _async_chunks(iterator: Iterator[bytes]) -> AsyncIterator[bytes]:
    step = sync_to_async(_next, thread_sensitive=True)
    try:
        while (chunk := await step(iterator)) is not None:
            yield chunk
    finally:
        # A client gone mid-download: the generator's own clean-up (a COPY cancelled, a
        # temporary file removed) runs in the thread it ran in.
        close = getattr(iterator, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=True)()
