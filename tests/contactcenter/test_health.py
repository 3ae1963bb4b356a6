"""Liveness and readiness endpoints."""

import pytest

from contactcenter.celery import app


def test_live_answers_without_touching_anything(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def with_broker():
    """Tests run tasks eagerly; readiness must then look at the real broker."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    yield app.conf
    app.conf.task_always_eager, app.conf.broker_url = saved


@pytest.mark.django_db
def test_ready_checks_the_database_and_the_real_broker(client, with_broker):

    response = client.get("/readyz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}


@pytest.mark.django_db
def test_ready_is_503_naming_a_broker_that_does_not_answer(client, with_broker):
    with_broker.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there

    response = client.get("/readyz/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "broker": False},
    }
