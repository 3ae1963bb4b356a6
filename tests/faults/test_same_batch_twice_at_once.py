"""The same batch posted by two senders at the same moment is stored once, and both senders
get an answer the contract names (no 5xx): one ``created``, the other ``duplicates``; with
the same Idempotency-Key, the second is told the first is still running (409), and its
retry gets the first answer replayed.

"At the same moment" for real: the test holds a SHARE lock on the calls table, so both
requests reach their COPY (or their contacts) and wait there together; then it lets go.
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from calls.models import Call, Contact
from tests.factories import (
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)
from tests.faults.conftest import wait_for
from tests.faults.threads import InThread

BATCH = 2000
T0 = dt.datetime(2026, 11, 3, 6, 0, tzinfo=dt.UTC)


def batch(project, operator):
    rows = []
    for n in range(BATCH):
        offered = T0 + dt.timedelta(seconds=23 * n)
        answered = offered + dt.timedelta(seconds=n % 25)
        rows.append(
            {
                "external_id": f"twice-{n:05d}",
                "project": project.code,
                "caller": f"+7812{n % 300:07d}",
                "operator": operator.code,
                "offered_at": offered.isoformat(),
                "answered_at": answered.isoformat(),
                "ended_at": (answered + dt.timedelta(seconds=30 + n % 200)).isoformat(),
                "hold_seconds": n % 7,
            }
        )
    return rows


def api_for(user, token=None):
    api = APIClient()
    api.raise_request_exception = False  # a 500 must show as one, not as an exception
    api.token = token or TokenFactory(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {api.token.key}")
    return api


@pytest.fixture
def senders(transactional_db):
    project = ProjectFactory(code="twice-line")
    operator = OperatorFactory(code="twice-op")
    users = [
        IntegrationAccountFactory(user=UserFactory(username=name), client=project.client).user
        for name in ("pbx-a", "pbx-b")
    ]
    return project, operator, users


def post_together(side, observer, apis, rows, keys, *, both_wait):
    """Post ``rows`` from each client at once; return the two responses."""
    hold = side()
    hold.execute("LOCK TABLE calls_call IN SHARE MODE")

    def poster(api, key):
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return lambda: api.post("/api/v1/calls/", rows, format="json", **headers)

    threads = [InThread(poster(api, key)) for api, key in zip(apis, keys, strict=True)]
    if both_wait:
        wait_for(lambda: len(observer.waiting()) == 2, what="both requests to wait together")
    else:  # one waits at its COPY, the other was answered already
        wait_for(
            lambda: len(observer.waiting()) == 1 and any(t.done for t in threads),
            what="one request waiting and the other answered",
        )
    hold.release()
    for thread in threads:
        thread.join()
        assert thread.error is None, thread.error
    return [thread.result for thread in threads]


def answers(responses):
    return sorted((response.status_code, response.json()) for response in responses)


@pytest.mark.parametrize(
    "keys", [(None, None), ("key-a", "key-b")], ids=["no key", "each its own key"]
)
def test_two_senders_store_the_batch_once(senders, side, observer, keys):
    project, operator, users = senders
    rows = batch(project, operator)
    apis = [api_for(user) for user in users]

    responses = post_together(side, observer, apis, rows, keys, both_wait=True)

    assert answers(responses) == [
        (200, {"created": 0, "duplicates": BATCH}),
        (201, {"created": BATCH, "duplicates": 0}),
    ]
    assert Call.objects.filter(project=project).count() == BATCH
    assert Contact.objects.filter(project=project).count() == 300
    # Each is a safe re-send now: all duplicates, nothing stored.
    for api, key in zip(apis, keys, strict=True):
        headers = {"HTTP_IDEMPOTENCY_KEY": f"{key}-again"} if key else {}
        again = api.post("/api/v1/calls/", rows, format="json", **headers)
        assert (again.status_code, again.json()) == (200, {"created": 0, "duplicates": BATCH})
    assert Call.objects.filter(project=project).count() == BATCH


def test_the_same_idempotency_key_twice_at_once_runs_once(senders, side, observer):
    project, operator, users = senders
    rows = batch(project, operator)
    api = api_for(users[0])
    apis = [api, api_for(users[0], api.token)]  # one integration, two connections, one key

    responses = post_together(side, observer, apis, rows, ("k-1", "k-1"), both_wait=False)

    first, second = sorted(responses, key=lambda response: response.status_code)
    assert (first.status_code, first.json()) == (201, {"created": BATCH, "duplicates": 0})
    assert second.status_code == 409
    assert second.json()["errors"] == {"Idempotency-Key": ["In progress."]}
    # The sender retries as a 409 "in progress" invites: the first answer, replayed.
    retry = api.post("/api/v1/calls/", rows, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (retry.status_code, retry.json()) == (201, {"created": BATCH, "duplicates": 0})
    assert retry["Idempotent-Replayed"] == "true"
    assert Call.objects.filter(project=project).count() == BATCH
    assert Contact.objects.filter(project=project).count() == 300
