"""What one read of the calls list and of a project's KPIs costs in queries, pinned per
kind of caller, and the calls filter's form class kept per language
(contactcenter/api/filtersets.py)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.utils import translation

from calls.api.filters import CallFilter
from tests.factories import CallFactory, ProjectFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/calls/"
T = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)


@pytest.fixture
def calls(pm_project, integration_client):
    other = ProjectFactory(code="other", client=integration_client)
    for n in range(5):
        at = T + dt.timedelta(minutes=n)
        CallFactory(project=pm_project, external_id=f"pm-{n}", offered_at=at)
        CallFactory(project=other, external_id=f"o-{n}", offered_at=at)
    return pm_project, other


def _page(api, django_assert_num_queries, queries, **params):
    with django_assert_num_queries(queries):
        response = api.get(URL, params)
    assert response.status_code == 200
    return response.json()


# A superuser: the token (with its user, one statement) and the page.
def test_a_superuser_reads_a_page_in_two_queries(admin_api, calls, django_assert_num_queries):
    page = _page(admin_api, django_assert_num_queries, 2, page_size=3)
    assert len(page["results"]) == 3
    cursor = QueryDict(page["next"].split("?", 1)[1])["cursor"]
    second = _page(admin_api, django_assert_num_queries, 2, page_size=3, cursor=cursor)
    assert len(second["results"]) == 3


# A project manager: the token, whether the user is an integration, the projects whose
# numbers they see in full, and the page (its scope a subquery of it).
def test_a_project_manager_reads_a_page_in_four_queries(pm_api, calls, django_assert_num_queries):
    page = _page(pm_api, django_assert_num_queries, 4)
    assert {row["project"] for row in page["results"]} == {"pm-hotline"}


# An integration: the token, its binding to a client, and the page.
def test_an_integration_reads_a_page_in_three_queries(
    integration_api, calls, django_assert_num_queries
):
    page = _page(integration_api, django_assert_num_queries, 3)
    assert {row["project"] for row in page["results"]} == {"other"}


def test_a_cached_kpi_answer_costs_the_token_and_the_project(
    admin_api, pm_project, settings, django_assert_num_queries
):
    settings.KPI_CACHE_SECONDS = 600
    cache.clear()
    url = f"/api/v1/projects/{pm_project.code}/kpis/"
    query = {"from": "2026-10-01T00:00:00Z", "to": "2026-10-02T00:00:00Z", "granularity": "hour"}
    first = admin_api.get(url, query)
    assert first.status_code == 200
    with django_assert_num_queries(2):
        again = admin_api.get(url, query)
    assert again.content == first.content
    cache.clear()


def test_the_filter_form_class_is_built_once_per_language():
    data = QueryDict("project=x")
    with translation.override("en"):
        english = CallFilter(data).form.__class__
        assert CallFilter(data).form.__class__ is english
    with translation.override("ru"):
        russian = CallFilter(data).form.__class__
    assert russian is not english
    # Each request its own form and its own filters.
    one, two = CallFilter(data), CallFilter(data)
    assert one.form is not two.form
    assert one.filters["project"] is not two.filters["project"]


def test_a_refused_filter_speaks_the_language_of_its_request(admin_api, calls):
    english = admin_api.get(URL, {"outcome": "maybe"})
    russian = admin_api.get(URL, {"outcome": "maybe"}, HTTP_ACCEPT_LANGUAGE="ru")

    assert english.status_code == russian.status_code == 400
    assert "Select a valid choice" in english.content.decode()
    assert "Выберите корректный вариант" in russian.content.decode()
