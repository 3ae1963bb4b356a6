"""A QA evaluator reaches the calls and the quality of the projects they evaluate, and
nothing else: not another project's calls, and no invoice at all (API and admin)."""

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from billing.models import Invoice
from calls.models import Call
from quality.models import Evaluation
from tests.admin_pages import rows
from tests.conftest import _client_for
from tests.factories import (
    CallFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ProjectFactory,
    UserFactory,
)
from tests.factories.quality import EvaluationFactory, ScorecardFactory, qa_evaluators_group

RANGE = {"from": "2026-10-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}


@pytest.fixture
def scope(db):
    ours = ProjectFactory(code="eval-line")
    theirs = ProjectFactory(code="other-line")
    evaluator = UserFactory(username="evaluator", is_staff=True)
    evaluator.groups.add(qa_evaluators_group())
    ours.qa_evaluators.add(evaluator)
    calls = {
        "ours": CallFactory(project=ours, external_id="our-cdr"),
        "theirs": CallFactory(project=theirs, external_id="their-cdr"),
    }
    evaluations = {
        side: EvaluationFactory(call=call, scorecard=ScorecardFactory(project=call.project))
        for side, call in calls.items()
    }
    invoice = InvoiceFactory(client=ours.client)
    InvoiceLineFactory(invoice=invoice, project=ours)
    browser = BrowserClient()
    browser.force_login(evaluator)
    return {
        "ours": ours,
        "theirs": theirs,
        "calls": calls,
        "evaluations": evaluations,
        "invoice": invoice,
        "api": _client_for(evaluator),
        "browser": browser,
    }


def test_the_calls_api_shows_only_the_evaluated_projects_calls(scope):
    api = scope["api"]
    listed = api.get("/api/v1/calls/").json()["results"]
    assert [row["external_id"] for row in listed] == ["our-cdr"]
    assert api.get(f"/api/v1/calls/{scope['calls']['ours'].pk}/").status_code == 200
    assert api.get(f"/api/v1/calls/{scope['calls']['theirs'].pk}/").status_code == 404
    assert api.get("/api/v1/calls/", {"project": "other-line"}).json()["results"] == []


def test_an_evaluator_cannot_send_calls(scope):
    count = Call.objects.count()
    response = scope["api"].post(
        "/api/v1/calls/",
        {
            "external_id": "eval-sent",
            "project": "eval-line",
            "offered_at": "2026-10-05T10:00:00Z",
            "ended_at": "2026-10-05T10:01:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "project" in str(response.json()["errors"])
    assert Call.objects.count() == count


def test_the_qa_api_shows_only_the_evaluated_projects(scope):
    api = scope["api"]
    ours, theirs = scope["evaluations"]["ours"], scope["evaluations"]["theirs"]
    assert [r["id"] for r in api.get("/api/v1/qa/evaluations/").json()["results"]] == [ours.pk]
    assert api.get(f"/api/v1/qa/evaluations/{ours.pk}/").status_code == 200
    assert api.get(f"/api/v1/qa/evaluations/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/qa/evaluations/{theirs.pk}/submit/").status_code in (404, 405)
    assert [r["id"] for r in api.get("/api/v1/qa/scorecards/").json()["results"]] == [
        ours.scorecard_id
    ]
    assert api.get("/api/v1/projects/eval-line/qa/", RANGE).status_code == 200
    assert api.get("/api/v1/projects/other-line/qa/", RANGE).status_code == 404
    refused = api.post(
        "/api/v1/qa/evaluations/", {"call": scope["calls"]["theirs"].pk}, format="json"
    )
    assert refused.status_code == 400
    assert "call" in refused.json()["errors"]


def test_an_evaluator_sees_no_invoice_in_the_api(scope):
    api = scope["api"]
    pk = scope["invoice"].pk
    refused = {"detail": "QA evaluators and trainers have no access to billing."}
    for response in (
        api.get("/api/v1/invoices/"),
        api.get(f"/api/v1/invoices/{pk}/"),
        api.get(f"/api/v1/invoices/{pk}/export/", {"format": "csv"}),
        api.get(f"/api/v1/invoices/{pk}/export/", {"format": "detail"}),
        api.get("/api/v1/invoices/archive/", {"period": "2026-10"}),
        api.get("/api/v1/tariffs/"),
        api.post(f"/api/v1/invoices/{pk}/issue/"),
    ):
        assert response.status_code == 403
        assert {"detail": response.json()["detail"]} == refused
    assert Invoice.objects.get(pk=pk).status == "draft"
    # Nor the managers' reports: KPIs stay a manager's room.
    assert (
        api.get("/api/v1/projects/eval-line/kpis/", {**RANGE, "granularity": "day"}).status_code
        == 404
    )


def test_the_admin_lists_only_the_evaluated_projects_calls(scope):
    browser = scope["browser"]
    response = browser.get(reverse("admin:calls_call_changelist"))
    assert response.status_code == 200
    assert [call.external_id for call in rows(response)] == ["our-cdr"]
    searched = browser.get(reverse("admin:calls_call_changelist"), {"q": "their-cdr"})
    assert rows(searched) == []
    assert b"other-line" not in searched.content
    their_call = browser.get(reverse("admin:calls_call_change", args=[scope["calls"]["theirs"].pk]))
    assert their_call.status_code == 302  # "does not exist": back to the index
    evaluations = browser.get(reverse("admin:quality_evaluation_changelist"))
    assert rows(evaluations) == [scope["evaluations"]["ours"]]


def test_the_admin_refuses_every_billing_page(scope):
    browser = scope["browser"]
    for name in ("billing_invoice_changelist", "billing_tariff_changelist"):
        assert browser.get(reverse(f"admin:{name}")).status_code == 403, name
    change = reverse("admin:billing_invoice_change", args=[scope["invoice"].pk])
    assert browser.get(change).status_code in (302, 403)
    index = browser.get(reverse("admin:index")).content.decode()
    assert "/admin/billing/" not in index


def test_the_evaluator_cannot_add_calls_in_the_admin(scope):
    assert scope["browser"].get(reverse("admin:calls_call_add")).status_code == 403


def test_the_admin_refuses_to_evaluate_another_projects_call(scope):
    count = Evaluation.objects.count()
    response = scope["browser"].post(
        reverse("admin:quality_evaluation_add"),
        {
            "call": scope["calls"]["theirs"].pk,
            "comment": "",
            "answers-TOTAL_FORMS": "0",
            "answers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again
    assert "call" in response.context["adminform"].form.errors
    assert Evaluation.objects.count() == count
