"""POST and GET /api/v1/agent-events/: batches, duplicates, conflicts, scope."""

from agents.models import AgentStateEvent
from tests.factories import (
    T0,
    AgentStateEventFactory,
    CertificationFactory,
    OperatorFactory,
    ProjectFactory,
)

URL = "/api/v1/agent-events/"


def event(**overrides):
    return {"operator": "ivan", "state": "ready", "at": "2026-10-05T09:00:00Z", **overrides}


def test_unauthenticated_is_401(anon_api):
    assert anon_api.post(URL, [event()]).status_code == 401
    assert anon_api.get(URL).status_code == 401


def test_a_batch_is_stored_and_listed_newest_first(admin_api, ivan):
    batch = [
        event(),
        event(state="break", at="2026-10-05T13:00:00+03:00", reason="lunch"),
        event(state="offline", at="2026-10-05T18:00:00Z"),
    ]

    response = admin_api.post(URL, batch)

    assert response.status_code == 201
    assert response.json() == {"created": 3, "duplicates": 0}
    listed = admin_api.get(URL, {"operator": "ivan"}).json()["results"]
    assert [(e["state"], e["at"], e["reason"]) for e in listed] == [
        ("offline", "2026-10-05T18:00:00Z", ""),
        ("break", "2026-10-05T10:00:00Z", "lunch"),
        ("ready", "2026-10-05T09:00:00Z", ""),
    ]


def test_a_resend_is_counted_as_duplicates(admin_api, ivan):
    admin_api.post(URL, [event(), event(state="offline", at="2026-10-05T17:00:00Z")])

    response = admin_api.post(URL, [event(), event(state="offline", at="2026-10-05T17:00:00Z")])

    assert response.status_code == 200
    assert response.json() == {"created": 0, "duplicates": 2}
    assert AgentStateEvent.objects.count() == 2


def test_another_state_at_a_stored_instant_is_a_409_and_stores_nothing(admin_api, ivan):
    AgentStateEventFactory(operator=ivan, state="ready", at=T0)

    response = admin_api.post(URL, [event(at="2026-10-05T10:00:00Z"), event(state="break")])

    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["1"]
    assert list(response.json()["errors"]["1"]) == ["state"]
    assert AgentStateEvent.objects.count() == 1


def test_invalid_rows_are_named_by_index_and_field(admin_api, ivan):
    response = admin_api.post(
        URL,
        [event(), event(state="lunch"), event(operator="nobody"), event(at="2026-10-05T09:00")],
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {index: list(fields) for index, fields in errors.items()} == {
        "1": ["state"],
        "2": ["operator"],
        "3": ["at"],
    }
    assert errors["3"]["at"] == [
        "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."
    ]
    assert AgentStateEvent.objects.count() == 0


def test_a_single_object_names_its_fields_directly(admin_api, ivan):
    response = admin_api.post(URL, event(state="lunch"))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["state"]


def test_an_integration_sees_only_its_projects_operators_and_writes_none(
    integration_api, integration_client, ivan
):
    mine = OperatorFactory(code="maria")
    CertificationFactory(operator=mine, project=ProjectFactory(client=integration_client))
    AgentStateEventFactory(operator=mine, at=T0)
    theirs = AgentStateEventFactory(operator=ivan, at=T0.replace(hour=10))

    # Operators are shared by every client: a client's token changes no one's state, not
    # even of an operator certified on its own projects.
    refused = integration_api.post(URL, [event(operator="maria", at="2026-10-05T11:00:00Z")])

    assert refused.status_code == 403
    assert AgentStateEvent.objects.filter(operator=mine).count() == 1
    listed = integration_api.get(URL).json()["results"]
    assert [e["operator"] for e in listed] == ["maria"]
    assert integration_api.get(f"{URL}{theirs.pk}/").status_code == 404
