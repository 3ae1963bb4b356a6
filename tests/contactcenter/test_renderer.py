"""The orjson renderer writes what DRF's JSONRenderer writes (contactcenter/api/renderers.py)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from contactcenter.api.renderers import FastJSONRenderer

SAMPLES = [
    {"a": 1, "b": [1, 2.5, None, True], "c": "текст", "d": {"e": []}},
    {"instant": dt.datetime(2026, 10, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)},
    {"instant": dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))},
    {"day": dt.date(2026, 10, 1), "time": dt.time(9, 30, 1, 500), "span": dt.timedelta(hours=1)},
    {"money": Decimal("12.50"), "rate": Decimal("0.0001")},
    {"lazy": gettext_lazy("Invalid input."), "id": uuid.UUID(int=7)},
    {"separators": "line\u2028para\u2029end", "quote": 'say "hi" \\ /'},
    {"ratio": 0.7012, "big": 1e16, "third": 1 / 3},
    [{"nested": [{"deep": [1, {"x": "y"}]}]}],
    {0: {"offered_at": ["bad"]}, 12: ["x"]},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_small_floats_are_the_same_number():
    import json

    fast = FastJSONRenderer().render({"ratio": 1.5e-05})
    assert fast == b'{"ratio":0.000015}'
    assert json.loads(fast) == {"ratio": 1.5e-05}


def test_indented_answers_go_through_drf():
    data = {"a": [1, 2]}
    context = {"indent": 2}
    assert FastJSONRenderer().render(data, "application/json", context) == JSONRenderer().render(
        data, "application/json", context
    )
