"""The calls list's plain rows (calls/api/rows.py) are what CallSerializer gives, value for
value, and the list's bytes are what DRF's own JSON renderer writes of the serializer's data.

Random calls: answered and abandoned, with and without operator, contact, recording,
microsecond instants and withheld or erased numbers; read by a superuser (full numbers) and
by a QA evaluator (masked).
"""

import datetime as dt
import json
import random

import pytest
from rest_framework.renderers import JSONRenderer

from calls.api.rows import call_rows, call_values
from calls.api.serializers import CallSerializer
from calls.models import Call, Contact
from tests.factories import CallFactory, OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/calls/"


def random_calls(seed, count=60):
    rng = random.Random(seed)
    projects = [ProjectFactory(code=f"rows{seed}-{n}") for n in range(2)]
    operators = [OperatorFactory() for _ in range(3)]
    base = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    for n in range(count):
        project = rng.choice(projects)
        offered = base + dt.timedelta(
            seconds=rng.randrange(86400 * 20), microseconds=rng.choice([0, 7, 123456])
        )
        answered = rng.random() < 0.8
        caller = rng.choice(["", "+74951234567", "+17038225596", "+3545512334"])
        erased = caller == "" and rng.random() < 0.5
        CallFactory(
            project=project,
            external_id=f"r{seed}-{n}",
            caller=caller,
            caller_erased=erased,
            operator=rng.choice(operators) if answered else None,
            offered_at=offered,
            answered_at=offered + dt.timedelta(seconds=rng.randrange(300)) if answered else None,
            ended_at=offered + dt.timedelta(seconds=rng.randrange(300, 900)),
            hold_seconds=rng.choice([0, 5]) if answered else 0,
            wrap_seconds=rng.choice([0, 30]) if answered else 0,
            recording_url=""
            if erased or not answered
            else rng.choice(["", "https://rec.example/x.wav"]),
            contact=Contact.objects.get_or_create(project=project, phone=caller)[0]
            if caller and rng.random() < 0.5
            else None,
            disposition=rng.choice(["", "sale", "callback"]),
        )
    return projects


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("masked", [False, True])
def test_plain_rows_equal_the_serializer(seed, masked):
    projects = random_calls(seed)
    full = {projects[0].pk} if masked else None
    calls = Call.objects.select_related("project", "operator").order_by("-offered_at", "-id")
    expected = CallSerializer(calls, many=True, context={"full_number_project_ids": full}).data
    assert call_rows(call_values(calls), full) == [dict(row) for row in expected]


def test_the_list_is_the_bytes_drf_writes(admin_api):
    random_calls(3)
    response = admin_api.get(URL, {"page_size": 1000})
    assert response.status_code == 200
    calls = Call.objects.select_related("project", "operator").order_by("-offered_at", "-id")
    data = CallSerializer(calls, many=True, context={"full_number_project_ids": None}).data
    page = json.loads(response.content)
    assert len(page["results"]) == 60
    expected = JSONRenderer().render({**page, "results": data})
    assert response.content == expected
