"""The telephony API: sources and mappings created and changed by whom the tenancy lets,
a mapping written through the API storing the calls that waited for it, parked calls
listed by what they wait for."""

import pytest

from calls.models import Call
from telephony.mapping import SourceMaps
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource
from telephony.parking import store_or_park
from tests.conftest import _client_for
from tests.factories import (
    CertificationFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
)
from tests.telephony.world import abandoned, answered

API = "/api/v1/telephony/"


@pytest.fixture
def acme_bot(pbx_client):
    account = IntegrationAccountFactory(user=UserFactory(username="acme-bot"), client=pbx_client)
    return _client_for(account.user)


@pytest.fixture
def pm_api(pbx_project):
    user = UserFactory(username="olga", is_staff=True)
    pbx_project.managers.add(user)
    return _client_for(user)


@pytest.fixture
def parked(source):
    maps = SourceMaps.load(source)
    for key, agent in (("c1", "Paty Marin"), ("c2", "Paty Marin"), ("c3", "Juan")):
        store_or_park(maps, call_key=key, payload=answered(key, agent=agent, minute=int(key[1])))
    store_or_park(maps, call_key="c4", payload=abandoned("c4", queue="sales"))
    return source


def test_a_client_integration_creates_its_source_and_maps_it(
    acme_bot, pbx_project, paty, django_capture_on_commit_callbacks
):
    created = acme_bot.post(
        f"{API}sources/",
        {
            "code": "acme-cdr",
            "name": "Acme CDR",
            "client": "acme",
            "kind": "asterisk-cdr-csv",
            "time_zone": "America/New_York",
            "phone_region": "US",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "code": "acme-cdr",
        "name": "Acme CDR",
        "client": "acme",
        "kind": "asterisk-cdr-csv",
        "time_zone": "America/New_York",
        "phone_region": "US",
        "column_map": {},
        "is_active": True,
        "waiting_calls": 0,
        "created_at": created.json()["created_at"],
    }
    source = TelephonySource.objects.get(code="acme-cdr")
    store_or_park(SourceMaps.load(source), call_key="k1", payload=answered("k1"))
    assert store_or_park(
        SourceMaps.load(source), call_key="k2", payload=abandoned("k2")
    ).reason == ("unmapped_queue")

    with django_capture_on_commit_callbacks(execute=True):
        queue = acme_bot.post(
            f"{API}queue-mappings/",
            {"source": "acme-cdr", "queue": "support", "project": "hotline"},
            format="json",
        )
    assert queue.status_code == 201, queue.content
    assert list(Call.objects.values_list("external_id", flat=True)) == ["k2"]
    assert acme_bot.get(f"{API}parked/", {"state": "waiting"}).json()["results"][0]["missing"] == (
        "Paty Marin"
    )

    with django_capture_on_commit_callbacks(execute=True):
        agent = acme_bot.post(
            f"{API}agent-mappings/",
            {"source": "acme-cdr", "kind": "member", "name": "Paty Marin", "operator": "paty"},
            format="json",
        )
    assert agent.status_code == 201, agent.content
    assert sorted(Call.objects.values_list("external_id", "operator__code")) == [
        ("k1", "paty"),
        ("k2", None),
    ]
    assert acme_bot.get(f"{API}sources/acme-cdr/").json()["waiting_calls"] == 0


def test_a_client_integration_names_only_operators_certified_on_its_projects(acme_bot, source):
    stranger = OperatorFactory(code="stranger")
    CertificationFactory(operator=stranger, project=ProjectFactory(code="elsewhere"))

    response = acme_bot.post(
        f"{API}agent-mappings/",
        {"source": "acme-pbx", "name": "Paty Marin", "operator": "stranger"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["operator"]
    assert AgentMapping.objects.count() == 0


def test_a_pm_maps_any_operator_of_the_pool(pm_api, source):
    OperatorFactory(code="stranger")

    response = pm_api.post(
        f"{API}agent-mappings/",
        {"source": "acme-pbx", "kind": "extension", "name": "1001", "operator": "stranger"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["operator"] == "stranger"


def test_a_queue_maps_only_to_a_project_of_the_sources_client(admin_api, source):
    ProjectFactory(code="elsewhere")

    response = admin_api.post(
        f"{API}queue-mappings/",
        {"source": "acme-pbx", "queue": "sales", "project": "elsewhere"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["project"]
    assert QueueMapping.objects.count() == 1


def test_a_source_stays_with_its_client(admin_api, source):
    ProjectFactory(code="elsewhere", client__code="other")

    response = admin_api.patch(f"{API}sources/acme-pbx/", {"client": "other"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["client"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus"),
        ("phone_region", "ZZ"),
        ("kind", "pbx"),
        ("column_map", ["caller"]),
        ("column_map", {f"f{n}": "c" for n in range(41)}),
        ("column_map", {"caller": "x" * 129}),
    ],
)
def test_a_bad_source_field_is_refused_naming_it(admin_api, pbx_client, field, value):
    body = {"code": "bad", "name": "Bad", "client": "acme", "kind": "generic-csv", field: value}

    response = admin_api.post(f"{API}sources/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert TelephonySource.objects.count() == 0


def test_a_mapping_named_twice_is_a_conflict(admin_api, source):
    body = {"source": "acme-pbx", "queue": "support", "project": "hotline"}

    response = admin_api.post(f"{API}queue-mappings/", body, format="json")

    assert response.status_code == 409
    assert QueueMapping.objects.count() == 1


def test_parked_calls_filter_by_reason_missing_source_and_state(admin_api, parked):
    def keys(**query):
        response = admin_api.get(f"{API}parked/", query)
        assert response.status_code == 200, response.content
        return sorted(row["call_key"] for row in response.json()["results"])

    assert keys() == ["c1", "c2", "c3", "c4"]
    assert keys(reason="unknown_agent") == ["c1", "c2", "c3"]
    assert keys(missing="Paty Marin") == ["c1", "c2"]
    assert keys(reason="unmapped_queue", missing="sales") == ["c4"]
    assert keys(source="acme-pbx", state="waiting") == ["c1", "c2", "c3", "c4"]
    assert keys(source="ghost") == []
    assert keys(state="stored") == []
    row = admin_api.get(f"{API}parked/", {"missing": "sales"}).json()["results"][0]
    assert row["payload"]["queue"] == "sales"
    assert row["payload"]["rows"][0]["caller_raw"] == "anonymous"
    assert admin_api.get(f"{API}parked/", {"colour": "red"}).status_code == 400


def test_parked_calls_are_read_only(admin_api, parked):
    parked_id = ParkedCall.objects.first().pk

    assert admin_api.delete(f"{API}parked/{parked_id}/").status_code == 405
    assert admin_api.post(f"{API}parked/", {}, format="json").status_code == 405
    assert ParkedCall.objects.count() == 4


def test_a_qa_evaluator_gets_a_403_even_for_reading(pbx_project, source):
    evaluator = UserFactory(username="eva", is_staff=True)
    pbx_project.qa_evaluators.add(evaluator)
    api = _client_for(evaluator)

    assert api.get(f"{API}sources/").status_code == 403
    assert api.get(f"{API}parked/").status_code == 403
