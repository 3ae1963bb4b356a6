"""The wallboard's pages: who may open the admin's, the TV link it makes, the TV page that
link opens without a login, and ``manage.py wallboard_link``."""

import datetime as dt
import io
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import ProjectFactory, UserFactory
from wallboard import tv

pytestmark = pytest.mark.django_db
URL = "/admin/wallboard/"


@pytest.fixture
def projects():
    hotline, sales = ProjectFactory(code="hotline"), ProjectFactory(code="sales")
    pm = UserFactory(username="pm", is_staff=True)
    hotline.managers.add(pm)
    evaluator = UserFactory(username="qa", is_staff=True)
    hotline.qa_evaluators.add(evaluator)
    return {"hotline": hotline, "sales": sales, "pm": pm, "evaluator": evaluator}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_managers_and_superusers_open_it_others_do_not(projects):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    lead = UserFactory(username="lead", is_staff=True)
    assert _client(projects["pm"]).get(URL).status_code == 200
    assert _client(root).get(URL).status_code == 200
    assert _client(projects["evaluator"]).get(URL).status_code == 403
    assert _client(lead).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/admin/login/?next={URL}")


def test_the_index_links_it_for_managers_only(projects):
    assert 'id="wallboard-link"' in _client(projects["pm"]).get("/admin/").text
    assert 'id="wallboard-link"' not in _client(projects["evaluator"]).get("/admin/").text


def test_the_page_is_a_frame_for_the_script_and_its_socket(projects):
    page = _client(projects["pm"]).get(URL).text
    assert 'data-socket="/ws/live/"' in page
    assert "/static/wallboard/wallboard.js" in page
    assert 'id="wallboard-tv-button"' in page


def test_the_tv_button_makes_a_link_to_the_managers_projects(projects):
    response = _client(projects["pm"]).post(URL)
    assert response.status_code == 200
    link = re.search(r'id="wallboard-tv-url" value="([^"]+)"', response.text).group(1)
    token = link.split("/wallboard/tv/")[1].rstrip("/")
    grant = tv.verify(token)
    assert grant.project_ids == (projects["hotline"].pk,)
    assert grant.pool is True  # a manager sees the whole pool
    days = (grant.expires_at - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    assert 29.99 < days <= 30

    tv_page = Client().get(link.replace("http://testserver", ""))
    assert tv_page.status_code == 200
    assert tv_page["Referrer-Policy"] == "no-referrer"
    assert f'data-socket="/ws/live/?{urlencode({"tv": token})}"' in tv_page.text


def test_a_tv_page_refuses_a_forged_or_expired_link(projects):
    token = tv.sign([projects["sales"].pk], days=2)
    assert Client().get(f"/wallboard/tv/{token}/").status_code == 200
    assert Client().get(f"/wallboard/tv/{token[:-3]}abc/").status_code == 404
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2, minutes=1)):
        assert Client().get(f"/wallboard/tv/{token}/").status_code == 404


def test_wallboard_link_prints_a_link_to_the_named_projects(projects):
    out = io.StringIO()
    call_command(
        "wallboard_link", "--projects", "sales,hotline", "--days", "7", "--pool", stdout=out
    )
    link = out.getvalue().strip()
    assert link.startswith("http://127.0.0.1:8000/wallboard/tv/")
    grant = tv.verify(link.split("/wallboard/tv/")[1].rstrip("/"))
    assert set(grant.project_ids) == {projects["hotline"].pk, projects["sales"].pk}
    assert grant.pool is True
    with pytest.raises(CommandError, match="no project nowhere"):
        call_command("wallboard_link", "--projects", "sales,nowhere")
    with pytest.raises(CommandError, match="1 to 90 days"):
        call_command("wallboard_link", "--projects", "sales", "--days", "91")


def test_raising_the_generation_refuses_every_earlier_link(projects, settings):
    token = tv.sign([projects["sales"].pk])
    settings.WALLBOARD_TV_GENERATION = 2
    assert tv.verify(token) is None
    assert Client().get(f"/wallboard/tv/{token}/").status_code == 404
