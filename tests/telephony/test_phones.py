"""Callers as E.164 by the source's region, the raw caller id kept (calls.phones)."""

import pytest

from calls.models import Call
from calls.phones import phone_normalize, raw_caller_shown
from telephony.queue_log import QueueLogReader


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("17038225596", "US", "+17038225596"),  # country code without the plus
        ("+1 (703) 822-5596", "US", "+17038225596"),
        ("011 44 20 7123 4567", "US", "+442071234567"),  # the US international prefix
        ("7038225596", "US", ""),  # a bare national number: not guessed
        ("020 7123 4567", "GB", "+442071234567"),  # a trunk prefix
        ("0044 20 7123 4567", "GB", "+442071234567"),
        ("17038225596", "RU", ""),  # in Russia it is no number
        ("8 (916) 555-44-33", "RU", "+79165554433"),
        ("79161234567", "RU", "+79161234567"),
        ("9161234567", "RU", ""),
        ("1001", "US", ""),  # an extension
        ("anonymous", "US", ""),
        ("17038225596", "XX", ""),  # an unknown region reads no national form
    ],
)
def test_a_number_is_read_in_its_region(text, region, expected):
    assert phone_normalize(text, region) == expected


def test_the_queue_log_reads_callers_in_the_sources_region():
    lines = [
        "1760000000|1.1|support|NONE|ENTERQUEUE||17038225596|1",
        "1760000030|1.1|support|NONE|ABANDON|1|1|30",
        "1760000100|1.2|support|NONE|ENTERQUEUE||7038225596|1",
        "1760000130|1.2|support|NONE|ABANDON|1|1|30",
    ]
    callers = {}
    for region in ("US", "RU"):
        reader = QueueLogReader(phone_region=region)
        reader.feed(lines)
        callers[region] = [(c.caller, c.caller_raw) for c in reader.finish().calls]

    assert callers == {
        "US": [("+17038225596", "17038225596"), ("", "7038225596")],
        "RU": [("", "17038225596"), ("", "7038225596")],
    }


def test_a_masked_reader_sees_the_last_two_digits_of_the_raw_caller():
    assert raw_caller_shown("17038225596", 1, set()) == "*********96"
    assert raw_caller_shown("+1 (703) 822-55-96", 1, set()) == "+* (***) ***-**-96"
    assert raw_caller_shown("17038225596", 1, {1}) == "17038225596"
    assert raw_caller_shown("17038225596", 1, None) == "17038225596"
    assert raw_caller_shown("anonymous", 1, set()) == "anonymous"


def _row(**fields):
    return {
        "project": "hotline",
        "external_id": "us-1",
        "offered_at": "2026-10-05T09:00:00Z",
        "ended_at": "2026-10-05T09:00:30Z",
        **fields,
    }


def test_the_api_stores_the_raw_caller_beside_the_number(admin_api, hotline):
    caller = phone_normalize("17038225596", "US")
    response = admin_api.post(
        "/api/v1/calls/", [_row(caller=caller, caller_raw="17038225596")], format="json"
    )

    assert response.status_code == 201, response.content
    call = Call.objects.get()
    assert (call.caller, call.caller_raw) == ("+17038225596", "17038225596")
    read = admin_api.get(f"/api/v1/calls/{call.pk}/").json()
    assert (read["caller"], read["caller_raw"]) == ("+17038225596", "17038225596")


def test_a_number_that_is_none_keeps_its_raw_text(admin_api, hotline):
    response = admin_api.post(
        "/api/v1/calls/",
        [_row(caller=phone_normalize("1001", "US"), caller_raw="1001")],
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Call.objects.values_list("caller", "caller_raw").get() == ("", "1001")


def test_a_raw_caller_over_64_characters_is_refused_naming_it(admin_api, hotline):
    response = admin_api.post("/api/v1/calls/", [_row(caller_raw="1" * 65)], format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]["0"]) == ["caller_raw"]
    assert Call.objects.count() == 0


def test_a_duplicate_differing_only_in_its_raw_caller_is_a_duplicate(admin_api, hotline):
    first = admin_api.post("/api/v1/calls/", [_row(caller_raw="x")], format="json")
    again = admin_api.post("/api/v1/calls/", [_row(caller_raw="y")], format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert Call.objects.values_list("caller_raw", flat=True).get() == "x"


def test_erasure_and_retention_blank_the_raw_caller_id_too(admin_api, hotline):
    import datetime as dt

    from calls.erasure import callers_erase, callers_erase_older_than

    rows = [
        _row(external_id="named", caller="+17038225596", caller_raw="17038225596"),
        _row(external_id="raw-only", caller_raw="7038225596"),
    ]
    assert admin_api.post("/api/v1/calls/", rows, format="json").status_code == 201

    callers_erase(phone="+17038225596", projects=None, actor=None)
    assert dict(Call.objects.values_list("external_id", "caller_raw")) == {
        "named": "",
        "raw-only": "7038225596",
    }

    now = dt.datetime(2027, 12, 1, tzinfo=dt.UTC)
    callers_erase_older_than(months=12, now=now)
    assert list(Call.objects.values_list("caller", "caller_raw", "caller_erased")) == [
        ("", "", True),
        ("", "", True),
    ]
