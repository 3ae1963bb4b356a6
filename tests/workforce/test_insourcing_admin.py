"""The in-house vs outsourcing calculator in the admin (workforce.insourcing_admin): staff only,
linked from the index, every input prefilled, and the worked example's figures line by line."""

from django.urls import reverse

from tests.factories import UserFactory
from tests.workforce.test_api_insourcing import WORKED
from workforce import insourcing

URL = "/admin/staffing/in-house/"


def _staff(client):
    client.force_login(UserFactory(username="pm", is_staff=True))
    return client


def test_the_url_is_the_named_admin_page():
    assert reverse("insourcing_calculator") == URL


def test_anonymous_is_sent_to_the_login_form(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_user_who_is_not_staff_cannot_open_it(db, client):
    client.force_login(UserFactory(username="crm-bot", is_staff=False))
    assert client.get(URL).status_code == 302


def test_the_admin_index_links_to_it(db, client):
    page = _staff(client).get("/admin/").content.decode()
    assert f'href="{URL}" id="insourcing-calculator-link"' in page


def test_the_empty_form_shows_every_input_with_its_default_and_the_defaults_result(db, client):
    response = _staff(client).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in insourcing.INPUT_NAMES:
        assert f'name="{name}"' in page, name
    assert 'name="operator_salary" id="id_operator_salary" value="60000"' in page
    assert 'name="payroll_tax_rate" id="id_payroll_tax_rate" value="0.302"' in page
    assert '<option value="business_hours" selected>' in page
    expected = insourcing.compare(insourcing.Inputs())
    assert f'data-total="in_house">{expected.totals.in_house}<' in page
    assert "examples" in page


def test_the_worked_example_line_by_line(db, client):
    query = {name: str(value) for name, value in WORKED.items()}
    response = _staff(client).get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-total="in_house">9021520.42<' in page
    assert 'data-total="outsourced">11880960.00<' in page
    assert 'data-total="saving">-2859439.58<' in page
    assert 'data-total="break_even_price_per_minute">24.30<' in page
    assert "14,560 paid hours / 164 h per FTE" in page
    assert 'data-line="payroll_taxes"' in page
    assert 'data-amount="1819882.20"' in page
    assert 'data-hour="23"' in page
    assert 'data-scheduled="20"' in page
    assert "In-house is cheaper by 2,859,439.58 a month." in page
    # The submitted values stay in the boxes.
    assert 'name="coverage" id="id_coverage">' in page
    assert '<option value="24/7" selected>' in page


def test_a_profile_of_24_numbers_is_accepted(db, client):
    profile = " ".join(["0"] * 9 + ["60"] * 9 + ["0"] * 6)
    page = _staff(client).get(URL, {"calls_per_hour": profile}).content.decode()
    expected = insourcing.compare(insourcing.Inputs())
    assert f'data-total="in_house">{expected.totals.in_house}<' in page


def test_bad_inputs_are_shown_beside_their_box(db, client):
    page = (
        _staff(client)
        .get(URL, {"shrinkage": "1", "calls_per_hour": "1 2 3", "operator_salary": "x"})
        .content.decode()
    )
    for name in ("shrinkage", "calls_per_hour", "operator_salary"):
        assert f'data-errors="{name}"' in page
    assert 'data-total="in_house"' not in page
    assert 'name="shrinkage" id="id_shrinkage" value="1"' in page


def test_an_erlang_limit_is_shown_beside_the_calls(db, client):
    page = (
        _staff(client)
        .get(URL, {"calls_per_hour": "1000000", "aht_seconds": "3600"})
        .content.decode()
    )
    assert 'data-errors="calls_per_hour"' in page
