"""The Erlang calculator in the admin (workforce.erlang_admin): staff only, linked from the
index, and it shows what the API answers plus the trade-off around the answer."""

import re

from django.urls import reverse

from tests.factories import UserFactory

URL = "/admin/staffing/erlang/"
CASE = {
    "calls": "100",
    "interval_seconds": "1800",
    "aht_seconds": "180",
    "threshold_seconds": "20",
    "target_service_level": "0.8",
    "shrinkage": "0.3",
    "max_occupancy": "1",
}


def test_the_url_is_the_named_admin_page():
    assert reverse("erlang_calculator") == URL


def test_anonymous_is_sent_to_the_login_form(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_user_who_is_not_staff_cannot_open_it(db, client):
    client.force_login(UserFactory(username="crm-bot", is_staff=False))
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_index_links_to_it(db, client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    page = client.get("/admin/").content.decode()
    assert f'href="{URL}" id="erlang-calculator-link"' in page


def test_the_empty_form_renders(db, client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="erlang-form"' in page
    assert "erlang-intervals" not in page


def test_the_callcentrehelper_case_needs_14_agents(db, client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    response = client.get(URL, CASE)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r'data-agents="(\d+)"', page) == ["14"]
    assert re.findall(r'data-scheduled="(\d+)"', page) == ["20"]
    assert "0.8884" in page  # the service level at 14 agents
    # The trade-off: 12..17 agents, 14 marked as the answer.
    assert re.findall(r'data-trade-off-agents="(\d+)"', page) == [
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
    ]
    assert re.findall(r'data-trade-off-agents="(\d+)" class="answer"', page) == ["14"]


def test_with_a_patience_it_is_erlang_a_over_many_intervals(db, client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    page = client.get(
        URL, {**CASE, "calls": "100, 50\n0", "patience_seconds": "120"}
    ).content.decode()
    assert "Erlang A" in page
    agents = [int(n) for n in re.findall(r'data-agents="(\d+)"', page)]
    assert len(agents) == 3
    assert agents[2] == 0
    assert agents[0] > agents[1] > 0
    assert "busiest interval (1)" in page


def test_bad_input_is_shown_on_its_field(db, client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    page = client.get(URL, {**CASE, "calls": "100 lots", "shrinkage": "1"}).content.decode()
    assert "Interval 2: &#x27;lots&#x27; is not a number." in page
    assert "Must be below 1." in page
    assert "erlang-intervals" not in page


def test_too_much_traffic_is_an_error_not_a_crash(db, client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    response = client.get(
        URL, {**CASE, "calls": "1000000", "interval_seconds": "60", "aht_seconds": "600"}
    )
    assert response.status_code == 200
    assert "can be computed" in response.content.decode()
