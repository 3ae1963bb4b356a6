"""The QA admin's URLs from before the move (``/admin/calls/<qa model>/...``) still work:
each answers a 308 to the same page under ``/admin/quality/``; the calls' own admin URLs
are untouched."""

import pytest
from django.test import Client as BrowserClient

from tests.factories import UserFactory
from tests.factories.quality import EvaluationFactory


@pytest.fixture
def browser(db):
    browser = BrowserClient()
    browser.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return browser


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/calls/evaluation/", "/admin/quality/evaluation/"),
        ("/admin/calls/scorecard/add/", "/admin/quality/scorecard/add/"),
        (
            "/admin/calls/evaluationdispute/?status=open",
            "/admin/quality/evaluationdispute/?status=open",
        ),
        ("/admin/calls/qasample/7/change/", "/admin/quality/qasample/7/change/"),
        ("/admin/calls/scorecardcriterion/", "/admin/quality/scorecardcriterion/"),
        ("/admin/calls/evaluationanswer/", "/admin/quality/evaluationanswer/"),
    ],
)
def test_an_old_qa_admin_url_redirects_to_the_quality_one(browser, old, new):
    response = browser.get(old)

    assert response.status_code == 308
    assert response["Location"] == new


def test_a_bookmarked_evaluation_opens_after_the_redirect(browser):
    evaluation = EvaluationFactory()

    response = browser.get(f"/admin/calls/evaluation/{evaluation.pk}/change/", follow=True)

    assert response.redirect_chain == [(f"/admin/quality/evaluation/{evaluation.pk}/change/", 308)]
    assert response.status_code == 200
    assert response.context["original"] == evaluation


def test_a_form_posted_to_an_old_url_keeps_its_method(browser):
    response = browser.post("/admin/calls/scorecard/add/", {"name": "x"})

    assert response.status_code == 308  # a 308 makes the browser re-POST, body and all
    assert response["Location"] == "/admin/quality/scorecard/add/"


def test_the_calls_own_admin_urls_are_not_redirected(browser):
    assert browser.get("/admin/calls/call/").status_code == 200
    assert browser.get("/admin/calls/contact/").status_code == 200
    assert browser.get("/admin/calls/").status_code == 200


def test_the_redirect_needs_no_login_but_the_target_does(db):
    anonymous = BrowserClient()

    response = anonymous.get("/admin/calls/evaluation/", follow=True)

    assert response.redirect_chain[0] == ("/admin/quality/evaluation/", 308)
    assert response.redirect_chain[-1][0].startswith(
        "/admin/login/?next=/admin/quality/evaluation/"
    )
