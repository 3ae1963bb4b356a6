"""The OpenAPI schema at /api/v1/schema/ builds without a warning and lists the pinned paths."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    # --fail-on-warn turns any drf-spectacular warning (an unresolvable field, a view
    # it cannot introspect) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    for path in (
        "/api/v1/clients/{code}/",
        "/api/v1/projects/{code}/",
        "/api/v1/operators/{code}/",
        "/api/v1/tariffs/{id}/",
        "/api/v1/calls/",
        "/api/v1/calls/{id}/",
    ):
        assert f"  {path}:" in schema


@pytest.mark.django_db
def test_the_schema_is_served(admin_api):
    response = admin_api.get("/api/v1/schema/")

    assert response.status_code == 200
