"""Structured logs: one record per request with its fields, an id per request (the caller's
X-Request-ID or a new one, echoed back), the task's name and id on a worker's records, JSON
in production and plain lines elsewhere."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from contactcenter import request_log
from contactcenter.celery import app as celery_app
from contactcenter.request_log import JsonFormatter, LogContextFilter
from tests.factories import ProjectFactory, TokenFactory, UserFactory


@pytest.fixture
def frozen_duration(monkeypatch):
    """perf_counter answers 100.0 then 100.0125: every request takes 12.5 ms."""
    ticks = iter([100.0, 100.0125])
    monkeypatch.setattr(request_log.time, "perf_counter", lambda: next(ticks))


def _request_records(caplog):
    return [record for record in caplog.records if record.name == "contactcenter.request"]


FIELDS = ("method", "path", "status", "duration_ms", "user_id", "request_id")


@pytest.mark.django_db
def test_a_request_is_logged_once_with_its_fields_and_the_callers_request_id(
    caplog, frozen_duration
):
    user = UserFactory(username="root", is_superuser=True)
    ProjectFactory(code="volga-hotline")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=user).key}")

    with caplog.at_level(logging.INFO, logger="contactcenter.request"):
        response = api.get("/api/v1/projects/?page=1", HTTP_X_REQUEST_ID="crm-7f3a.42")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "crm-7f3a.42"
    [record] = _request_records(caplog)
    assert {name: getattr(record, name) for name in FIELDS} == {
        "method": "GET",
        "path": "/api/v1/projects/",
        "status": 200,
        "duration_ms": 12.5,
        "user_id": user.pk,
        "request_id": "crm-7f3a.42",
    }
    assert record.levelno == logging.INFO
    assert record.getMessage() == "GET /api/v1/projects/ 200 12.5ms"


@pytest.mark.django_db
def test_without_a_usable_request_id_one_is_made_and_echoed(caplog, frozen_duration):
    with caplog.at_level(logging.INFO, logger="contactcenter.request"):
        response = APIClient().post(
            "/api/v1/projects/", {}, HTTP_X_REQUEST_ID="bad id\nINJECTED log line"
        )

    assert response.status_code == 401
    [record] = _request_records(caplog)
    assert re.fullmatch(r"[0-9a-f]{32}", record.request_id)
    assert response["X-Request-ID"] == record.request_id
    assert (record.method, record.status, record.user_id) == ("POST", 401, None)


def test_the_production_formatter_writes_one_json_object_with_the_fields():
    record = logging.LogRecord(
        "contactcenter.request", logging.INFO, __file__, 1, "GET %s 200", ("/healthz/",), None
    )
    for name, value in zip(FIELDS, ("GET", "/healthz/", 200, 3.2, 7, "abc"), strict=True):
        setattr(record, name, value)
    LogContextFilter().filter(record)
    config = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    formatter = JsonFormatter(config.pop("format"), **config)

    line = json.loads(formatter.format(record))

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", line.pop("time"))
    assert line == {
        "level": "INFO",
        "logger": "contactcenter.request",
        "message": "GET /healthz/ 200",
        "method": "GET",
        "path": "/healthz/",
        "status": 200,
        "duration_ms": 3.2,
        "user_id": 7,
        "request_id": "abc",
    }


@celery_app.task(name="tests.structured_logs.probe")
def _probe():
    logging.getLogger("calls.rollups").info("filled")


def test_a_task_records_carry_the_tasks_name_and_id():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(LogContextFilter())
    logger = logging.getLogger("calls.rollups")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        _probe.apply(task_id="5b2c6f0e-task")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)

    [record] = records
    assert (record.task_name, record.task_id, record.request_id) == (
        "tests.structured_logs.probe",
        "5b2c6f0e-task",
        None,
    )
    assert record.context == "task=tests.structured_logs.probe[5b2c6f0e-task]"


def test_tests_and_dev_log_plain_lines_and_production_json():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "cc.example.com",
    }
    env.pop("LOG_FORMAT", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.LOGGING['handlers']['console']['formatter'])",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "json"
