"""The database connection cut in the middle of a batch's binary COPY (``calls_ingest``, and
the API's POST /api/v1/calls/ with and without an Idempotency-Key): what was acknowledged
before stays, nothing of the cut batch is stored (not its calls, not its new contacts), the
sender gets a clear failure it can retry, and the retry stores the batch exactly once.

The COPY is paused for real: another session holds an uncommitted call with the key of a
row in the middle of the batch, so PostgreSQL makes the COPY wait at that row, with the
rows before it already written into the table. ``pg_terminate_backend`` then cuts the
ingesting session, as a database restart or a lost network would.
"""

import datetime as dt

import psycopg
import pytest
import time_machine
from django.db import OperationalError, connection
from django.utils import timezone
from psycopg import sql
from rest_framework.test import APIClient

from calls.ingest import calls_ingest
from calls.models import Call, Contact
from contactcenter.api.idempotency import IN_PROGRESS_LEASE
from tests.factories import (
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)
from tests.faults.conftest import wait_for
from tests.faults.threads import InThread

BATCH = 3000
T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


def batch(project, operator, prefix, size=BATCH):
    rows = []
    for n in range(size):
        offered = T0 + dt.timedelta(seconds=17 * n)
        row = {
            "external_id": f"{prefix}-{n:05d}",
            "project": project.code,
            "caller": f"+7495{n % 700:07d}",  # 700 callers: contacts are created too
            "offered_at": offered.isoformat(),
        }
        if n % 5:
            answered = offered + dt.timedelta(seconds=n % 30)
            row |= {
                "operator": operator.code,
                "answered_at": answered.isoformat(),
                "ended_at": (answered + dt.timedelta(seconds=60 + n % 300)).isoformat(),
                "wrap_seconds": n % 20,
            }
        else:
            row["ended_at"] = (offered + dt.timedelta(seconds=3 + n % 40)).isoformat()
        rows.append(row)
    return rows


def stored(project, prefix):
    return Call.objects.filter(project=project, external_id__startswith=f"{prefix}-").count()


@pytest.fixture
def line(transactional_db):
    project = ProjectFactory(code="drop-line")
    operator = OperatorFactory(code="drop-op")
    account = IntegrationAccountFactory(user=UserFactory(username="pbx"), client=project.client)
    api = APIClient()
    api.raise_request_exception = False  # see the answer a real client would get
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=account.user).key}")
    return project, operator, api


def cut_in_the_middle_of_copy(side, observer, project, rows, send, before_cut=None):
    """Start ``send()`` in a thread, let it COPY until the middle row, terminate its
    session there (after ``before_cut()``, if given); return the finished thread."""
    middle = rows[len(rows) // 2]["external_id"]
    blocker = side()
    blocker.execute(
        "INSERT INTO calls_call (project_id, external_id, direction, caller, offered_at,"
        " ended_at, hold_seconds, wrap_seconds, disposition, recording_url, received_at)"
        " VALUES (%s, %s, 'inbound', '', now(), now(), 0, 0, '', '', now())",
        [project.pk, middle],
    )
    sender = InThread(send)
    [(pid, query)] = wait_for(
        lambda: observer.blocked_by(blocker.pid), what="the COPY to reach the middle row"
    )
    assert query.startswith("COPY")
    # In the middle for real: PostgreSQL has taken the rows before the held key.
    copied = observer.value(
        "SELECT tuples_processed FROM pg_stat_progress_copy WHERE pid = %s", [pid]
    )
    assert 0 < copied < len(rows)
    if before_cut:
        before_cut()
    assert observer.value("SELECT pg_terminate_backend(%s)", [pid])
    sender.join()
    blocker.release()  # the held call never existed
    return sender


def test_calls_ingest_cut_mid_copy_stores_nothing_and_a_retry_stores_once(line, side, observer):
    project, operator, _ = line
    acknowledged = batch(project, operator, "ack", size=500)
    assert calls_ingest(rows=acknowledged).created == 500
    contacts_before = Contact.objects.count()
    rows = batch(project, operator, "cut")

    sender = cut_in_the_middle_of_copy(
        side, observer, project, rows, lambda: calls_ingest(rows=rows)
    )

    assert isinstance(sender.error, OperationalError), sender.error
    assert stored(project, "ack") == 500
    assert stored(project, "cut") == 0
    assert Contact.objects.count() == contacts_before  # the batch's new callers went too
    retry = calls_ingest(rows=rows)
    assert (retry.created, retry.duplicates) == (BATCH, 0)
    again = calls_ingest(rows=rows)
    assert (again.created, again.duplicates) == (0, BATCH)
    assert stored(project, "cut") == BATCH
    assert Contact.objects.filter(project=project).count() == 700


@pytest.mark.parametrize("key", [None, "batch-0001"])
def test_api_post_cut_mid_copy_is_a_clear_retryable_failure(line, side, observer, key):
    project, operator, api = line
    acknowledged = batch(project, operator, "ack", size=500)
    response = api.post("/api/v1/calls/", acknowledged, format="json")
    assert (response.status_code, response.json()) == (201, {"created": 500, "duplicates": 0})
    rows = batch(project, operator, "cut")
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    def post():
        return api.post("/api/v1/calls/", rows, format="json", **headers)

    sender = cut_in_the_middle_of_copy(side, observer, project, rows, post)

    assert sender.error is None, sender.error
    failed = sender.result
    # Not a 4xx (that would tell the sender its data is wrong, and it would drop it) and
    # not a bare 500: a 503 in the API's error shape, with Retry-After.
    assert failed.status_code == 503, failed.content[:500]
    assert failed.json()["code"] == "database_unavailable"
    assert failed["Retry-After"]
    assert stored(project, "ack") == 500
    assert stored(project, "cut") == 0

    retried = post()  # with the same key, if any: the failed attempt did not keep it
    assert (retried.status_code, retried.json()) == (201, {"created": BATCH, "duplicates": 0})
    again = post()
    if key:
        assert again.status_code == 201
        assert again["Idempotent-Replayed"] == "true"
        assert again.json() == {"created": BATCH, "duplicates": 0}
    else:
        assert (again.status_code, again.json()) == (200, {"created": 0, "duplicates": BATCH})
    assert stored(project, "cut") == BATCH


def test_a_key_left_claimed_by_a_request_that_lost_the_database_is_usable_again(
    line, side, observer
):
    """The database stays unreachable a while after the cut, so the failed request cannot
    even let go of its Idempotency-Key. The sender is told to retry; once the claim is older
    than any request can run, the retry with the same key stores the batch, once."""
    project, operator, api = line
    rows = batch(project, operator, "cut")
    name = connection.settings_dict["NAME"]

    def post():
        return api.post("/api/v1/calls/", rows, format="json", HTTP_IDEMPOTENCY_KEY="k-down")

    def database_unreachable(reachable):
        # From the maintenance database: PostgreSQL refuses this on the database itself.
        with psycopg.connect(observer.conn.info.dsn, dbname="postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(name), sql.SQL("true" if reachable else "false")
                )
            )

    try:
        sender = cut_in_the_middle_of_copy(
            side, observer, project, rows, post, before_cut=lambda: database_unreachable(False)
        )
    finally:
        database_unreachable(True)

    assert sender.error is None, sender.error
    assert sender.result.status_code == 503, sender.result.content[:500]
    assert stored(project, "cut") == 0
    # Right away the key still looks taken by a running request: retry later (409).
    busy = post()
    assert busy.status_code == 409
    assert busy.json()["errors"] == {"Idempotency-Key": ["In progress."]}
    with time_machine.travel(timezone.now() + IN_PROGRESS_LEASE + dt.timedelta(seconds=1)):
        retried = post()
        assert (retried.status_code, retried.json()) == (
            201, {"created": BATCH, "duplicates": 0},
        )  # fmt: skip
        again = post()
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert stored(project, "cut") == BATCH
