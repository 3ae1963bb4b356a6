"""One source of truth for call validation (issue 14): the fast reader of ``calls.ingest``
and its field parsers give every row the same verdict.

The ingestion reads a row with the inline fast reader and, when that declines (``None``),
with the field parsers, which then name the refused fields. So the two agree when every row
the fast reader accepts is accepted by the parsers with equal values: then a batch is stored,
or refused naming the same rows and fields, whichever reader saw it. Hypothesis feeds both
thousands of random rows, valid and invalid, near every bound of docs/limits.md.
"""

import datetime as dt
from collections import Counter
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls import ingest
from calls.bounds import call_bounds
from contactcenter.errors import DomainError

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
PROJECT_IDS = {"hotline": 1, "sales": 2}
OPERATOR_IDS = {"ivan": 7, "olga": 8}
DROP = object()  # the key is left out of the row
EXAMPLES = 2_500

BASE = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
DAY = 86_400
# Offsets that sit on, and a hair either side of, every bound at its default.
OFFSETS = [-1, -0.5, 0, 0.5, 1, 12, 150, 150.2, 3_600, DAY - 1, DAY, DAY + 0.5, DAY + 1, 10**7]
INSTANTS = [
    BASE,
    dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC),
    dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    NOW + dt.timedelta(seconds=DAY),
    NOW + dt.timedelta(seconds=DAY, microseconds=1),
    NOW - dt.timedelta(seconds=5),
    dt.datetime(2094, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
    dt.datetime(1, 1, 1, tzinfo=dt.UTC),
]
ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=3)), dt.timezone(dt.timedelta(hours=-5))]


def spelled(moment):
    """An instant as a sender might spell it: mostly ISO with Z or an offset, sometimes naive
    (refused) or a datetime object (as the queue_log importer sends)."""
    return st.sampled_from([*ZONES, dt.UTC, dt.UTC, dt.UTC, "naive", "object"]).map(
        lambda how: _spell(moment, how)
    )


def _spell(moment, how):
    if how == "naive":
        return moment.replace(tzinfo=None).isoformat()
    if how == "object":
        return moment
    return _iso(moment, how)


def _iso(moment, zone):
    try:
        return moment.astimezone(zone).isoformat().replace("+00:00", "Z")
    except OverflowError:  # year 1 or 9999 shifted out of range: spell it in UTC
        return moment.isoformat()


def instant_after(start):
    """An instant some offset after ``start`` (an aware datetime), spelled somehow."""

    def shift(offset):
        try:
            return start + dt.timedelta(seconds=offset)
        except OverflowError:
            return start

    return st.sampled_from(OFFSETS).map(shift).flatmap(spelled)


ODD = st.one_of(st.none(), st.just(DROP), st.integers(-5, 5), st.booleans(), st.floats())
SECONDS = st.one_of(
    st.sampled_from([0, 1, 10, 150, 151, 3_600, 3_601, DAY, DAY + 1, 2**31 - 1, 2**31, -1]),
    st.integers(),
    st.sampled_from([5.0, 5.5, "20", True, None, DROP]),
)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(" \t\x00"),
    max_size=70,
)


# Odd values for the fields that do not depend on the row's instants.
FIELDS = {
    "project": st.sampled_from(["hotline", "sales", "nowhere", "HOTLINE"]) | ODD,
    "external_id": st.sampled_from(
        ["cdr-1", " cdr-1 ", "   ", "", "x" * 64, " " + "x" * 64, "x" * 65, "a\x00b", "a\ud800"]
    )
    | TEXT
    | ODD,
    "direction": st.sampled_from(["inbound", "outbound", "sideways"]) | ODD,
    "caller": st.sampled_from(["", "+74951234567", "84951234567", "+7495123456789012"])
    | TEXT
    | ODD,
    "operator": st.sampled_from(["ivan", "olga", "nobody"]) | ODD,
    "offered_at": st.sampled_from(INSTANTS).flatmap(spelled)
    | st.sampled_from(["yesterday", None, DROP, 0]),
    "answered_at": st.sampled_from(INSTANTS).flatmap(spelled)
    | st.sampled_from([None, DROP, "soon"]),
    "ended_at": st.sampled_from(INSTANTS).flatmap(spelled) | st.sampled_from(["later", None, DROP]),
    "hold_seconds": SECONDS,
    "wrap_seconds": SECONDS,
    "disposition": st.sampled_from(["", "sale", "d" * 64, "d" * 65]) | TEXT | ODD,
    "recording_url": st.sampled_from(
        [
            "https://rec.example/cdr-1.mp3",
            "http://localhost:8080/rec/1.wav",
            "https://-bad-.example.com/x.wav",
            "ftp://user:secret@records.example.com/1.wav",
            "not a url",
            "",
        ]
    )
    | ODD,
}
# Mostly a plausible call, so that the fast reader sees many rows it takes.
USUAL_OFFSETS = st.sampled_from([12, 150])
OFFERED = st.one_of(
    st.sampled_from(INSTANTS), st.just(BASE), st.just(BASE), st.just(NOW - dt.timedelta(hours=1))
)


def _shift(start, offset):
    try:
        return start + dt.timedelta(seconds=offset)
    except OverflowError:
        return start


@st.composite
def rows(draw):
    """A plausible call near the bounds, with any field sometimes swapped for an odd one
    (a wrong type, out of bounds, unknown, absent)."""
    offered = draw(OFFERED)
    answered_after = draw(st.none() | USUAL_OFFSETS | st.sampled_from(OFFSETS))
    answered = None if answered_after is None else _shift(offered, answered_after)
    ended = _shift(answered or offered, draw(USUAL_OFFSETS | st.sampled_from(OFFSETS)))
    row = {
        "project": "hotline",
        "external_id": "cdr-1",
        "offered_at": draw(spelled(offered)),
        "ended_at": draw(spelled(ended)),
        "hold_seconds": draw(st.sampled_from([0, 10, DAY, DAY + 1])) if answered else 0,
        "wrap_seconds": draw(st.sampled_from([0, 20, 3_600, 3_601])),
    }
    if answered:
        row["answered_at"] = draw(spelled(answered))
        row["operator"] = "ivan"
    for name in draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=2)):
        value = draw(FIELDS[name])
        if value is DROP:
            row.pop(name, None)
        else:
            row[name] = value
    return row


def _readers():
    bounds = call_bounds(now=NOW)
    fields = ingest._call_fields(PROJECT_IDS, OPERATOR_IDS, bounds)
    fast = ingest._plain_call_reader(PROJECT_IDS, OPERATOR_IDS, bounds)
    return fast, lambda row: ingest._parse_call(row, fields, bounds)


def test_the_fast_reader_accepts_only_what_the_parsers_accept_with_equal_values():
    fast, parse = _readers()
    seen = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(rows())
    def check(row):
        accepted = fast(row)
        values, errors = parse(row)
        if accepted is not None:
            assert errors == {}, (row, errors)
            assert accepted == values
            seen["fast"] += 1
        elif errors:
            seen[f"refused {min(errors)}"] += 1
        else:
            seen["parsers only"] += 1

    check()

    # The rows reach both sides of the bounds: many the fast reader takes, many refused,
    # each field named somewhere.
    assert seen["fast"] >= EXAMPLES // 20, seen  # about 10% in practice
    refused = {key.removeprefix("refused ") for key in seen if key.startswith("refused")}
    assert refused >= {"offered_at", "ended_at", "hold_seconds", "wrap_seconds", "external_id"}, (
        seen
    )


@pytest.mark.parametrize("size", [8])
def test_a_batch_gets_the_same_verdict_with_or_without_the_fast_reader(size):
    """Through ``_valid_calls``: the same calls kept, or the same rows and fields refused."""
    bounds = call_bounds(now=NOW)

    def verdict(batch):
        try:
            kept = ingest._valid_calls(
                batch, project_ids=PROJECT_IDS, operator_ids=OPERATOR_IDS, bounds=bounds
            )
        except DomainError as exc:
            return ("refused", exc.details)
        return ("kept", {key: (index, list(values)) for key, (index, values) in kept.items()})

    @settings(max_examples=150, deadline=None, database=None)
    @given(st.lists(rows(), max_size=size))
    def check(batch):
        with_fast = verdict(batch)
        with mock.patch.object(ingest, "_plain_call_reader", return_value=lambda row: None):
            parsers_only = verdict(batch)
        assert with_fast == parsers_only

    check()
