"""The ASGI handler keeps its request threads, and with them their database connections
(contactcenter/asgi_threads.py)."""

import asyncio

import pytest
from asgiref.testing import ApplicationCommunicator
from django.db import connection

from contactcenter import tokens
from contactcenter.asgi import application
from contactcenter.asgi_threads import ThreadKeepingASGIHandler


def _scope(path, headers=()):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


async def _get(handler, path, headers=()):
    communicator = ApplicationCommunicator(handler, _scope(path, headers))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    await communicator.wait(10)
    return start["status"], body["body"]


def _backend_pid():
    """The PostgreSQL session of the calling thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def handler():
    handler = ThreadKeepingASGIHandler()
    yield handler
    handler.close_idle()


def test_the_projects_asgi_application_serves_http_through_it():
    assert isinstance(application.application_mapping["http"], ThreadKeepingASGIHandler)


@pytest.mark.django_db(transaction=True)
def test_one_thread_and_one_database_session_serve_request_after_request(handler, admin_user):
    key = tokens.issue(admin_user)[1]
    auth = [(b"authorization", f"Token {key}".encode())]

    async def three_requests():
        answers, threads, pids = [], [], []
        for _ in range(3):
            answers.append(await _get(handler, "/api/v1/calls/", auth))
            assert len(handler._idle) == 1
            executor = handler._idle[0]
            threads.append(executor)
            pids.append(await asyncio.wrap_future(executor.submit(_backend_pid)))
        return answers, threads, pids

    answers, executors, pids = asyncio.run(three_requests())

    assert [status for status, _ in answers] == [200, 200, 200]
    assert executors[0] is executors[1] is executors[2]
    assert pids[0] == pids[1] == pids[2]


def test_requests_served_at_once_get_threads_of_their_own_and_the_extra_ones_stop(
    handler, settings
):
    settings.ASGI_IDLE_THREADS = 2

    async def at_once():
        return await asyncio.gather(*(_get(handler, "/healthz/") for _ in range(4)))

    answers = asyncio.run(at_once())

    assert [status for status, _ in answers] == [200] * 4
    assert len(handler._idle) == 2
    assert len(set(map(id, handler._idle))) == 2
    assert not any(executor._shutdown for executor in handler._idle)


def test_a_failed_request_does_not_lend_its_thread_again(handler, monkeypatch):
    async def broken(scope, receive, send):
        raise RuntimeError("boom")

    monkeypatch.setattr(handler, "handle", broken)

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(handler(_scope("/healthz/"), None, None))

    assert handler._idle == []


def test_close_idle_stops_every_idle_thread(handler):
    asyncio.run(_get(handler, "/healthz/"))
    executor = handler._idle[0]

    handler.close_idle()

    assert handler._idle == []
    assert executor._shutdown
