"""Login throttling: the admin locks a username at an address after N failed logins
(django-axes), the API locks an address out of token authentication after N wrong tokens.

The thresholds are the settings' defaults: 5 failed admin logins lock for 15 minutes;
10 wrong tokens within 15 minutes lock the address for 15 minutes: its wrong tokens get
429, its valid tokens are still served.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from contactcenter.settings import base as base_settings
from tests.factories import ProjectFactory, TokenFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_thresholds_are_the_documented_defaults():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.API_AUTH_FAILURE_LIMIT == 10
    assert settings.API_AUTH_FAILURE_WINDOW_SECONDS == 900
    assert settings.API_AUTH_LOCKOUT_SECONDS == 900
    # The rates production runs with (the test settings raise them for the load tests).
    assert base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "anon": "120/minute",
        "user": "6000/minute",
    }


# The admin ---------------------------------------------------------------------------


def _login(browser, password, username="pm", address="10.0.0.1"):
    return browser.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _text(response):
    """The page's text with its whitespace collapsed, as a reader sees it."""
    return " ".join(response.content.decode().split())


@pytest.fixture
def pm():
    return UserFactory(username="pm", is_staff=True)


def test_four_failed_logins_still_show_the_login_form_and_the_fifth_locks(pm):
    browser = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            response = _login(browser, "wrong")
            assert response.status_code == 200
            assert "Please enter the correct username and password" in response.text

        response = _login(browser, "wrong")

    assert response.status_code == 429
    assert (
        "Too many failed logins for “pm” from your address (5 in a row). Logging in is "
        "locked for 15 minutes, even with the right password; try again later."
    ) in _text(response)


def test_the_right_password_is_refused_during_the_lockout_with_the_same_message(pm):
    browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            _login(browser, "wrong")
        clock.shift(dt.timedelta(minutes=14, seconds=59))

        response = _login(browser, "pass-12345")
        session = dict(browser.session)  # loaded on the lockout's day: sessions expire

    assert response.status_code == 429
    assert "Logging in is locked for 15 minutes, even with the right password" in _text(response)
    assert "_auth_user_id" not in session


def test_the_lockout_expires_after_the_cool_off(pm):
    browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            _login(browser, "wrong")
        clock.shift(dt.timedelta(minutes=15, seconds=1))

        response = _login(browser, "pass-12345")
        session = dict(browser.session)  # loaded on the lockout's day: sessions expire

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert session["_auth_user_id"] == str(pm.pk)


def test_the_lockout_is_per_username_and_address(pm):
    UserFactory(username="other", is_staff=True)
    browser = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            _login(browser, "wrong")

        from_elsewhere = _login(Client(), "pass-12345", address="10.0.0.2")
        other_user_here = _login(Client(), "pass-12345", username="other")

    assert from_elsewhere.status_code == 302
    assert other_user_here.status_code == 302


def test_a_successful_login_resets_the_count(pm):
    browser = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            _login(browser, "wrong")
        assert _login(browser, "pass-12345").status_code == 302
        browser.logout()
        for _ in range(4):
            response = _login(browser, "wrong")

    assert response.status_code == 200


# The API -----------------------------------------------------------------------------

PROJECTS = "/api/v1/projects/"
DOCS = "/api/v1/docs/"  # open to anonymous callers, so the anonymous rate applies


def _api(key, address):
    api = APIClient(REMOTE_ADDR=address)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def good_token():
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    ProjectFactory(code="volga-hotline")
    return TokenFactory(user=user).key


def test_nine_wrong_tokens_are_401_and_the_tenth_locks_the_address_with_retry_after(good_token):
    guesser = _api("0" * 40, "203.0.113.7")
    with time_machine.travel(START, tick=False):
        statuses = [guesser.get(PROJECTS).status_code for _ in range(9)]
        tenth = guesser.get(PROJECTS)

    assert statuses == [401] * 9
    assert tenth.status_code == 429
    assert tenth["Retry-After"] == "900"
    assert tenth.json() == {
        "detail": "Too many failed token authentications from this address. "
        "Try again in 900 seconds.",
        "code": "auth_locked_out",
    }


def test_during_the_lockout_a_good_token_is_served_and_a_wrong_one_refused(good_token):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(10):
            _api("0" * 40, "203.0.113.7").get(PROJECTS)
        clock.shift(dt.timedelta(seconds=600))

        good_here = _api(good_token, "203.0.113.7").get(PROJECTS)
        wrong_here = _api("1" * 40, "203.0.113.7").get(PROJECTS)
        wrong_elsewhere = _api("1" * 40, "198.51.100.20").get(PROJECTS)

    assert good_here.status_code == 200
    assert [row["code"] for row in good_here.json()["results"]] == ["volga-hotline"]
    assert wrong_here.status_code == 429
    assert wrong_here["Retry-After"] == "300"
    assert wrong_elsewhere.status_code == 401


def test_the_api_lockout_expires(good_token):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(10):
            _api("0" * 40, "203.0.113.7").get(PROJECTS)
        clock.shift(dt.timedelta(seconds=899))
        still_locked = _api("0" * 40, "203.0.113.7").get(PROJECTS)
        clock.shift(dt.timedelta(seconds=2))
        free_again = _api("0" * 40, "203.0.113.7").get(PROJECTS)

    assert still_locked.status_code == 429
    assert still_locked["Retry-After"] == "1"
    assert free_again.status_code == 401  # counted from one again


def test_wrong_tokens_older_than_the_window_are_forgotten(good_token):
    guesser = _api("0" * 40, "203.0.113.7")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(9):
            guesser.get(PROJECTS)
        clock.shift(dt.timedelta(seconds=901))
        statuses = [guesser.get(PROJECTS).status_code for _ in range(9)]

    assert statuses == [401] * 9


def test_a_forged_forwarded_for_does_not_dodge_the_lockout(good_token):
    with time_machine.travel(START, tick=False):
        statuses = [
            APIClient(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
            .get(PROJECTS, HTTP_AUTHORIZATION="Token " + "0" * 40)
            .status_code
            for n in range(10)
        ]

    assert statuses == [401] * 9 + [429]


def test_requests_without_a_token_are_not_counted_as_failures(good_token):
    anonymous = APIClient(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(START, tick=False):
        statuses = [anonymous.get(PROJECTS).status_code for _ in range(12)]
        good = _api(good_token, "203.0.113.7").get(PROJECTS)

    assert statuses == [401] * 12
    assert good.status_code == 200


def test_the_anonymous_rate_throttle_answers_429_past_its_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1000/minute"},
    }
    anonymous = APIClient(REMOTE_ADDR="203.0.113.8")
    with time_machine.travel(START, tick=False):
        statuses = [anonymous.get(DOCS).status_code for _ in range(3)]
        fourth = anonymous.get(DOCS)

    assert statuses == [200, 200, 200]
    assert fourth.status_code == 429
    assert fourth["Retry-After"] == "60"


def test_the_user_rate_throttle_counts_per_user(good_token, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "2/minute"},
    }
    other = TokenFactory(user=UserFactory(username="other", is_superuser=True)).key
    with time_machine.travel(START, tick=False):
        root = [_api(good_token, "198.51.100.1").get(PROJECTS).status_code for _ in range(3)]
        others = _api(other, "198.51.100.1").get(PROJECTS).status_code

    assert root == [200, 200, 429]
    assert others == 200
