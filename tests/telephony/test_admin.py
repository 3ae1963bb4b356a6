"""The telephony admin in Russian: sources with their mappings inline, the parked calls
grouped by what they wait for, "Replay now"; a PM sees their clients' sources only."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from calls.models import Call
from projects.roles import PROJECT_MANAGERS, QA_EVALUATORS, roles_setup
from telephony.mapping import SourceMaps
from telephony.models import AgentMapping, ParkedCall, QueueMapping, TelephonySource
from telephony.parking import store_or_park
from tests.factories import ProjectFactory, UserFactory
from tests.telephony.world import answered

SOURCES = reverse("admin:telephony_telephonysource_changelist")
PARKED = reverse("admin:telephony_parkedcall_changelist")


def _russian(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "ru"
    return client


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def pm(pbx_project):
    roles_setup()
    user = UserFactory(username="olga", is_staff=True)
    user.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    pbx_project.managers.add(user)
    return user


@pytest.fixture
def other_source(db):
    other = ProjectFactory(code="sib-support", client__code="sib-telecom")
    return TelephonySource.objects.create(
        client=other.client, code="sib-pbx", name="Sib PBX", kind="generic-csv"
    )


@pytest.fixture
def parked(source):
    maps = SourceMaps.load(source)
    for key, agent in (("c1", "Paty Marin"), ("c2", "Paty Marin"), ("c3", "Juan")):
        store_or_park(maps, call_key=key, payload=answered(key, agent=agent))
    store_or_park(maps, call_key="c4", payload=answered("c4", queue="sales"))
    return source


def _text(response):
    body = re.sub(r"(?s)<[^>]+>", " ", response.content.decode())
    return " ".join(body.split())


def test_the_parked_calls_say_in_russian_what_they_wait_for(client, root, parked):
    response = _russian(client, root).get(PARKED)

    assert response.status_code == 200
    text = _text(response)
    assert "Чего ждут отложенные звонки" in text
    assert "2 звонка ждут агента «Paty Marin»" in text
    assert "1 звонок ждёт агента «Juan»" in text
    assert "1 звонок ждёт очередь «sales»" in text


def test_the_what_waits_filter_lists_the_calls_of_one_name(client, root, parked):
    response = _russian(client, root).get(PARKED, {"missing": "unknown_agent:Paty Marin"})

    assert sorted(p.call_key for p in response.context["cl"].result_list) == ["c1", "c2"]


def test_replay_now_stores_what_is_mapped_and_says_so(client, root, parked, paty):
    AgentMapping.objects.create(source=parked, name="Paty Marin", operator=paty)
    ids = list(ParkedCall.objects.values_list("pk", flat=True))

    response = _russian(client, root).post(
        PARKED, {"action": "replay_now", "_selected_action": ids}, follow=True
    )

    assert "Сохранено: 2; ещё ждут: 2; отклонено: 0." in _text(response)
    assert sorted(Call.objects.values_list("external_id", flat=True)) == ["c1", "c2"]


def test_a_pm_sees_and_maps_only_their_clients_sources(
    client, pm, source, other_source, paty, django_capture_on_commit_callbacks
):
    store_or_park(SourceMaps.load(source), call_key="c1", payload=answered("c1"))
    _russian(client, pm)

    listed = client.get(SOURCES)
    assert [s.code for s in listed.context["cl"].result_list] == ["acme-pbx"]
    assert "Звонков ждут" in _text(listed) or "звонков ждут" in _text(listed)
    url = reverse("admin:telephony_telephonysource_change", args=[other_source.pk])
    assert client.get(url).status_code == 302  # not theirs: "does not exist", to the index

    change = reverse("admin:telephony_telephonysource_change", args=[source.pk])
    form = {
        "code": "acme-pbx",
        "name": "Acme PBX",
        "kind": "asterisk-queue-log",
        "is_active": "on",
        "time_zone": "Europe/Moscow",
        "phone_region": "US",
        "column_map": "{}",
        "queue_mappings-TOTAL_FORMS": "1",
        "queue_mappings-INITIAL_FORMS": "1",
        "queue_mappings-MIN_NUM_FORMS": "0",
        "queue_mappings-MAX_NUM_FORMS": "1000",
        "queue_mappings-0-id": str(QueueMapping.objects.get().pk),
        "queue_mappings-0-source": str(source.pk),
        "queue_mappings-0-queue": "support",
        "queue_mappings-0-project": str(QueueMapping.objects.get().project_id),
        "agent_mappings-TOTAL_FORMS": "1",
        "agent_mappings-INITIAL_FORMS": "0",
        "agent_mappings-MIN_NUM_FORMS": "0",
        "agent_mappings-MAX_NUM_FORMS": "1000",
        "agent_mappings-0-kind": "member",
        "agent_mappings-0-name": "Paty Marin",
        "agent_mappings-0-operator": str(paty.pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, form)

    assert response.status_code == 302, _text(response)[:2000]
    assert AgentMapping.objects.filter(source=source, name="Paty Marin").exists()
    assert list(Call.objects.values_list("external_id", "operator__code")) == [("c1", "paty")]
    assert ParkedCall.objects.get().resolved_at is not None


def test_a_queue_cannot_be_mapped_to_another_clients_project(client, root, source, other_source):
    _russian(client, root)
    change = reverse("admin:telephony_telephonysource_change", args=[source.pk])
    form = {
        "code": "acme-pbx",
        "name": "Acme PBX",
        "kind": "asterisk-queue-log",
        "time_zone": "Europe/Moscow",
        "phone_region": "US",
        "column_map": "{}",
        "queue_mappings-TOTAL_FORMS": "1",
        "queue_mappings-INITIAL_FORMS": "0",
        "queue_mappings-MIN_NUM_FORMS": "0",
        "queue_mappings-MAX_NUM_FORMS": "1000",
        "queue_mappings-0-queue": "sales",
        "queue_mappings-0-project": str(other_source.client.projects.get().pk),
        "agent_mappings-TOTAL_FORMS": "0",
        "agent_mappings-INITIAL_FORMS": "0",
        "agent_mappings-MIN_NUM_FORMS": "0",
        "agent_mappings-MAX_NUM_FORMS": "1000",
    }

    response = client.post(change, form)

    assert response.status_code == 200
    assert "Проект должен принадлежать клиенту источника." in _text(response)
    assert QueueMapping.objects.count() == 1


def test_a_qa_evaluator_has_no_telephony_page(client, pbx_project, source):
    roles_setup()
    evaluator = UserFactory(username="eva", is_staff=True)
    evaluator.groups.add(Group.objects.get(name=QA_EVALUATORS))
    pbx_project.qa_evaluators.add(evaluator)
    client.force_login(evaluator)

    assert client.get(SOURCES).status_code == 403
    assert client.get(PARKED).status_code == 403
