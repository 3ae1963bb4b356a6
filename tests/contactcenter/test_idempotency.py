"""Idempotency-Key on the ingestion POSTs, as Stripe defines it."""

import datetime as dt

import time_machine

from calls.models import Call
from contactcenter.api.idempotency import idempotency_records_purge
from contactcenter.models import IdempotencyRecord

URL = "/api/v1/calls/"


def call(external_id="cdr-1", **overrides):
    return {
        "external_id": external_id,
        "project": "hotline",
        "offered_at": "2026-10-05T09:00:00Z",
        "ended_at": "2026-10-05T09:00:40Z",
        **overrides,
    }


def test_a_retry_with_the_same_key_gets_the_first_answer(admin_api, hotline):
    first = admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="batch-1")
    retry = admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="batch-1")

    assert (first.status_code, first.json()) == (201, {"created": 1, "duplicates": 0})
    # Without the key a re-send would say "duplicates: 1"; with it, the first answer again.
    assert (retry.status_code, retry.json()) == (201, {"created": 1, "duplicates": 0})
    assert retry["Idempotent-Replayed"] == "true"
    assert Call.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409(admin_api, hotline):
    admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="batch-1")

    response = admin_api.post(URL, [call("cdr-2")], HTTP_IDEMPOTENCY_KEY="batch-1")

    assert response.status_code == 409
    assert response.json()["errors"] == {
        "Idempotency-Key": ["Keys can only be reused with the same request."]
    }
    assert list(Call.objects.values_list("external_id", flat=True)) == ["cdr-1"]


def test_a_4xx_is_not_stored_and_the_corrected_retry_is_processed(admin_api, hotline):
    first = admin_api.post(URL, [call(ended_at="2026-10-05T08:00:00Z")], HTTP_IDEMPOTENCY_KEY="k")
    corrected = admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="k")
    replay = admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="k")

    assert first.status_code == 400
    assert IdempotencyRecord.objects.filter(key="k").count() == 1  # the corrected one's
    assert (corrected.status_code, corrected.json()) == (201, {"created": 1, "duplicates": 0})
    assert "Idempotent-Replayed" not in corrected
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert Call.objects.count() == 1


def test_the_same_refused_request_again_is_refused_again_not_replayed(admin_api, hotline):
    bad = [call(ended_at="2026-10-05T08:00:00Z")]
    first = admin_api.post(URL, bad, HTTP_IDEMPOTENCY_KEY="k")
    again = admin_api.post(URL, bad, HTTP_IDEMPOTENCY_KEY="k")

    assert first.status_code == again.status_code == 400
    assert "Idempotent-Replayed" not in again
    assert IdempotencyRecord.objects.count() == 0


def test_keys_are_scoped_to_the_caller(admin_api, pm_api, hotline):
    hotline.managers.add(pm_api.user)
    admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="shared")

    response = pm_api.post(URL, [call("cdr-2")], HTTP_IDEMPOTENCY_KEY="shared")

    assert response.status_code == 201
    assert Call.objects.count() == 2


def test_a_key_over_255_characters_is_a_400(admin_api, hotline):
    response = admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="k" * 256)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert Call.objects.count() == 0


def test_a_request_still_running_under_the_key_is_a_409(admin_api, hotline):
    # The first request claimed the key and has not answered yet.
    admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="slow")
    IdempotencyRecord.objects.filter(key="slow").update(status_code=None, response_body=None)

    response = admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="slow")

    assert response.status_code == 409
    assert response.json()["errors"] == {"Idempotency-Key": ["In progress."]}


def test_records_older_than_24_hours_are_purged(admin_api, hotline):
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC), tick=False):
        admin_api.post(URL, [call()], HTTP_IDEMPOTENCY_KEY="old")
    with time_machine.travel(dt.datetime(2026, 10, 6, 8, tzinfo=dt.UTC), tick=False):
        admin_api.post(URL, [call("cdr-2")], HTTP_IDEMPOTENCY_KEY="new")

    purged = idempotency_records_purge(now=dt.datetime(2026, 10, 6, 9, 30, tzinfo=dt.UTC))

    assert purged == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
