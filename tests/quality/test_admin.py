"""The QA admin: an evaluation page with the call's facts and its recording player, answers
inline and a submit button; frozen scorecard versions; disputes resolved in the admin."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import Client as BrowserClient
from django.test import RequestFactory
from django.urls import reverse

from quality.admin import CriterionInline
from quality.models import Evaluation, EvaluationDispute, Scorecard
from tests.factories import CallFactory, OperatorFactory, ProjectFactory, UserFactory
from tests.factories.quality import (
    CriterionFactory,
    EvaluationFactory,
    ScorecardFactory,
    qa_evaluators_group,
)

RECORDING = "https://records.example.com/2026/10/05/cdr-1.mp3"


@pytest.fixture
def page(db):
    project = ProjectFactory(code="adm-line", name="Admin hotline")
    scorecard = ScorecardFactory(project=project)
    criteria = [
        CriterionFactory(scorecard=scorecard, name="Greeting", weight=40, order=1),
        CriterionFactory(scorecard=scorecard, name="Verification", weight=60, order=2),
    ]
    call = CallFactory(
        project=project,
        operator=OperatorFactory(code="olga", full_name="Olga Petrova"),
        recording_url=RECORDING,
        disposition="billing-question",
    )
    evaluator = UserFactory(username="adm-evaluator", is_staff=True)
    evaluator.groups.add(qa_evaluators_group())
    project.qa_evaluators.add(evaluator)
    browser = BrowserClient()
    browser.force_login(evaluator)
    evaluation = EvaluationFactory(call=call, scorecard=scorecard, evaluator=evaluator)
    return {"evaluation": evaluation, "criteria": criteria, "browser": browser, "user": evaluator}


def _change_url(evaluation):
    return reverse("admin:quality_evaluation_change", args=[evaluation.pk])


def test_the_evaluation_page_plays_the_recording_beside_the_calls_facts(page):
    response = page["browser"].get(_change_url(page["evaluation"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<audio controls preload="none" src="{RECORDING}"' in html
    call = page["evaluation"].call
    for fact in (
        "Admin hotline",
        "olga (Olga Petrova)",
        "billing-question",
        str(call.talk_seconds),
    ):
        assert fact in html, fact
    assert "Greeting" in html
    assert "Verification" in html
    assert 'name="_submit_evaluation"' in html


def test_a_call_without_a_recording_says_so(page):
    call = page["evaluation"].call
    type(call).objects.filter(pk=call.pk).update(recording_url="")
    html = page["browser"].get(_change_url(page["evaluation"])).content.decode()
    assert "No recording for this call." in html
    assert "<audio" not in html


def _form(page, answers):
    data = {
        "comment": "Heard it twice.",
        "answers-TOTAL_FORMS": str(len(answers)),
        "answers-INITIAL_FORMS": "0",
        "answers-MIN_NUM_FORMS": "0",
        "answers-MAX_NUM_FORMS": "1000",
        "_submit_evaluation": "Save and submit",
    }
    for index, (criterion, answer) in enumerate(answers):
        data[f"answers-{index}-criterion"] = str(criterion.pk)
        data[f"answers-{index}-answer"] = answer
        data[f"answers-{index}-comment"] = ""
    return data


def test_answers_inline_and_submit_compute_the_score(page):
    greeting, verification = page["criteria"]
    response = page["browser"].post(
        _change_url(page["evaluation"]),
        _form(page, [(greeting, "not_met"), (verification, "met")]),
        follow=True,
    )
    assert response.status_code == 200
    evaluation = Evaluation.objects.get(pk=page["evaluation"].pk)
    assert (evaluation.status, evaluation.score, evaluation.comment) == (
        "submitted",
        Decimal("60.00"),
        "Heard it twice.",
    )
    assert "Submitted: score 60.00." in response.content.decode()
    # Submitted: the page is read-only, no submit button any more.
    html = page["browser"].get(_change_url(evaluation)).content.decode()
    assert 'name="_submit_evaluation"' not in html


def test_submitting_with_a_criterion_unanswered_says_which(page):
    greeting, _verification = page["criteria"]
    response = page["browser"].post(
        _change_url(page["evaluation"]), _form(page, [(greeting, "met")]), follow=True
    )
    assert "Criterion &#x27;Verification&#x27; is not answered." in response.content.decode()
    assert Evaluation.objects.get(pk=page["evaluation"].pk).status == "draft"


def test_a_scorecard_with_evaluations_is_frozen_and_copied_into_a_new_version(page):
    scorecard = page["evaluation"].scorecard
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root-adm", is_superuser=True, is_staff=True)
    inline = CriterionInline(Scorecard, site)
    assert not inline.has_change_permission(request, scorecard)
    assert not inline.has_add_permission(request, scorecard)
    assert inline.has_change_permission(request, ScorecardFactory(name="Fresh"))

    response = page["browser"].post(
        reverse("admin:quality_scorecard_changelist"),
        {"action": "make_new_version", "_selected_action": [scorecard.pk]},
        follow=True,
    )
    assert response.status_code == 200
    versions = Scorecard.objects.filter(project=scorecard.project, name=scorecard.name)
    assert sorted(versions.values_list("version", "is_active")) == [(1, False), (2, True)]
    assert [c.name for c in versions.get(version=2).criteria.all()] == ["Greeting", "Verification"]


def test_a_dispute_is_resolved_in_the_admin_by_another_evaluator(page):
    evaluation = page["evaluation"]
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status="disputed", score=Decimal("40.00"), submitted_at="2026-10-05T10:00Z"
    )
    dispute = EvaluationDispute.objects.create(
        evaluation=evaluation,
        raised_by=UserFactory(username="lead"),
        reason="Verification was done.",
        score_before=Decimal("40.00"),
    )
    url = reverse("admin:quality_evaluationdispute_change", args=[dispute.pk])
    body = {"outcome": "upheld", "resolution_comment": "Listened again: it stands."}

    own = page["browser"].post(url, body)
    assert own.status_code == 200  # the form again, with the refusal
    assert "Another evaluator resolves" in own.content.decode()

    other = UserFactory(username="adm-second", is_staff=True)
    other.groups.add(qa_evaluators_group())
    evaluation.call.project.qa_evaluators.add(other)
    browser = BrowserClient()
    browser.force_login(other)
    assert browser.post(url, body).status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.score_after, dispute.resolved_by) == (
        "upheld",
        Decimal("40.00"),
        other,
    )
    assert Evaluation.objects.get(pk=evaluation.pk).status == "final"
