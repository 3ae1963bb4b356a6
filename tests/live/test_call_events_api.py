"""call-events/ and the push: the group message after a POST, tenancy, bad input."""

import asyncio
import datetime as dt

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from live.models import CallEvent
from live.push import POOL_GROUP, project_group
from tests.factories import T0, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/call-events/"


def offered(project, external_id="c1", seconds=0):
    instant = (T0 + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return {"external_id": external_id, "project": project, "event": "offered", "at": instant}


def receive(layer, channel):
    """The channel's next message; a missing one fails the test after 5 s."""

    async def next_message():
        return await asyncio.wait_for(layer.receive(channel), 5)

    return async_to_sync(next_message)()


def listen(group):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def test_a_batch_pushes_one_message_per_project_after_commit(
    admin_api, django_capture_on_commit_callbacks
):
    hotline = ProjectFactory(code="hotline")
    layer, channel = listen(project_group(hotline.pk))
    _, pool = listen(POOL_GROUP)
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = admin_api.post(
                URL, [offered("hotline", "c1"), offered("hotline", "c2", 5)], format="json"
            )
        assert response.status_code == 201
        assert response.json() == {"created": 2, "duplicates": 0}
        assert len(callbacks) == 1
        # Received in the travel: the in-memory layer drops messages older than 60 s.
        message = receive(layer, channel)
        pool_messages = [receive(layer, pool), receive(layer, pool)]
    assert message["type"] == "live.update"
    assert message["project"] == "hotline"
    assert message["state"]["waiting"] == 2
    assert message["state"]["longest_wait_seconds"] == 20
    assert message["state"]["today"]["offered"] == 2
    # One message per project, and the pool's group gets it and the pool's state.
    assert pool_messages[0] == message
    assert (pool_messages[1]["project"], pool_messages[1]["state"]["waiting"]) == (None, 2)


def test_another_clients_project_is_an_unknown_project(integration_api, integration_client):
    ProjectFactory(code="ours", client=integration_client)
    ProjectFactory(code="theirs")
    response = integration_api.post(URL, [offered("ours"), offered("theirs")], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"1": {"project": ["Unknown project 'theirs'."]}}
    assert not CallEvent.objects.exists()
    assert integration_api.post(URL, offered("ours"), format="json").status_code == 201


def test_bad_rows_name_their_fields_and_store_nothing(admin_api):
    ProjectFactory(code="hotline")
    response = admin_api.post(
        URL,
        {**offered("hotline"), "event": "transferred", "caller": "123", "operator": "nobody"},
        format="json",
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["caller", "event", "operator"]
    assert not CallEvent.objects.exists()


def test_a_resend_with_other_data_is_a_conflict(admin_api):
    ProjectFactory(code="hotline")
    assert admin_api.post(URL, offered("hotline"), format="json").status_code == 201
    again = admin_api.post(URL, offered("hotline", seconds=3), format="json")
    assert again.status_code == 409
    assert again.json()["errors"] == {
        "event": ["This call's 'offered' event is already stored with different at."]
    }
