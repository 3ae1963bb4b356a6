"""The world of the sources, mappings and parking tests: client acme's PBX (region US),
its queue "support" mapped to the project hotline, and the operator the PBX calls "Paty
Marin" not mapped yet (the fixtures are in conftest.py; names distinct from the root
conftest's ``acme`` and ``hotline``, which other telephony tests use)."""

import datetime as dt

import pytest

from telephony.models import QueueMapping, TelephonySource
from telephony.parking import call_payload
from tests.factories import CertificationFactory, ClientFactory, OperatorFactory, ProjectFactory

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def pbx_client(db):
    return ClientFactory(code="acme")


@pytest.fixture
def pbx_project(pbx_client):
    return ProjectFactory(code="hotline", client=pbx_client)


@pytest.fixture
def paty(pbx_project):
    operator = OperatorFactory(code="paty", full_name="Marin Paty")
    CertificationFactory(operator=operator, project=pbx_project)
    return operator


@pytest.fixture
def source(pbx_client, pbx_project):
    pbx = TelephonySource.objects.create(
        client=pbx_client,
        code="acme-pbx",
        name="Acme PBX",
        kind="asterisk-queue-log",
        phone_region="US",
    )
    QueueMapping.objects.create(source=pbx, queue="support", project=pbx_project)
    return pbx


def answered(external_id, *, queue="support", agent="Paty Marin", minute=0, caller="17038225596"):
    """The payload of a call answered by ``agent`` after 20 s, talked for 100 s."""
    offered = T0 + dt.timedelta(minutes=minute)
    row = {
        "external_id": external_id,
        "caller": "+17038225596" if caller == "17038225596" else "",
        "caller_raw": caller,
        "offered_at": offered,
        "answered_at": offered + dt.timedelta(seconds=20),
        "ended_at": offered + dt.timedelta(seconds=120),
    }
    return call_payload([row], queue=queue, agents=[agent])


def abandoned(external_id, *, queue="support", minute=0):
    """The payload of a call abandoned after 30 s."""
    offered = T0 + dt.timedelta(minutes=minute)
    row = {
        "external_id": external_id,
        "caller": "",
        "caller_raw": "anonymous",
        "offered_at": offered,
        "ended_at": offered + dt.timedelta(seconds=30),
    }
    return call_payload([row], queue=queue)
