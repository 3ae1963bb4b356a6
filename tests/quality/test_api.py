"""The QA API: scores of a project and an operator, exact on a small set; evaluations
created and submitted; bad input named; and the dispute flow from the supervisor to the
resolution."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from quality.models import Evaluation, EvaluationAnswer, EvaluationDispute, Scorecard
from tests.conftest import _client_for
from tests.factories import (
    CallFactory,
    CertificationFactory,
    IntegrationAccountFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
)
from tests.factories.quality import CriterionFactory, EvaluationFactory, ScorecardFactory

MSK = ZoneInfo("Europe/Moscow")
RANGE = {"from": "2026-10-01T00:00:00+03:00", "to": "2026-11-01T00:00:00+03:00"}


def _local(day, hour):
    return dt.datetime(2026, 10, day, hour, tzinfo=MSK)


@pytest.fixture
def scores(db, pm_api, pm_project):
    """Evaluations of the PM's project (Moscow): four count, three do not."""
    anna, boris = OperatorFactory(code="anna"), OperatorFactory(code="boris")
    for operator in (anna, boris):
        CertificationFactory(operator=operator, project=pm_project)
    scorecard = ScorecardFactory(project=pm_project)

    def evaluation(operator, offered, status, score, critical=False):
        call = CallFactory(project=pm_project, operator=operator, offered_at=offered)
        return EvaluationFactory(
            call=call,
            scorecard=scorecard,
            status=status,
            score=None if score is None else Decimal(score),
            critical_failed=critical,
            submitted_at=None if status == "draft" else offered,
        )

    evaluation(anna, _local(5, 10), "submitted", "76.47")
    evaluation(anna, _local(6, 11), "final", "100.00")
    evaluation(anna, _local(6, 15), "submitted", "0.00", critical=True)
    # 02:00 Moscow on Monday 5 October is Sunday 23:00 UTC: a local Monday.
    evaluation(boris, _local(5, 2), "submitted", "50.00")
    evaluation(boris, _local(7, 9), "disputed", "20.00")  # waits for its resolution
    evaluation(anna, _local(8, 9), "draft", None)  # never counts
    evaluation(anna, dt.datetime(2026, 11, 2, 9, tzinfo=MSK), "submitted", "10.00")  # after
    # Anna on a project the PM does not see.
    foreign = ProjectFactory(code="foreign-line")
    call = CallFactory(project=foreign, operator=anna, offered_at=_local(5, 12))
    EvaluationFactory(
        call=call,
        scorecard=ScorecardFactory(project=foreign),
        status="final",
        score=Decimal("90.00"),
        submitted_at=_local(5, 13),
    )
    return pm_project


def _summary(count, average, critical):
    return {"evaluations": count, "average_score": average, "critical_failures": critical}


def test_project_qa_by_operator_is_exact(scores, pm_api):
    response = pm_api.get(f"/api/v1/projects/{scores.code}/qa/", RANGE)

    assert response.status_code == 200
    assert response.json() == {
        "project": "pm-hotline",
        "group_by": "operator",
        "buckets": [
            # (76.47 + 100.00 + 0.00) / 3 = 58.823... -> 58.82
            {"key": "anna", **_summary(3, "58.82", 1)},
            {"key": "boris", **_summary(1, "50.00", 0)},
        ],
        # (76.47 + 100 + 0 + 50) / 4 = 56.6175 -> 56.62
        "totals": _summary(4, "56.62", 1),
    }


@pytest.mark.parametrize(
    ("group_by", "buckets"),
    [
        (
            "day",
            [
                {"key": "2026-10-05", **_summary(2, "63.24", 0)},  # (76.47 + 50) / 2 = 63.235
                {"key": "2026-10-06", **_summary(2, "50.00", 1)},
            ],
        ),
        ("week", [{"key": "2026-10-05", **_summary(4, "56.62", 1)}]),
        ("month", [{"key": "2026-10-01", **_summary(4, "56.62", 1)}]),
    ],
)
def test_project_qa_by_local_day_week_and_month(scores, pm_api, group_by, buckets):
    response = pm_api.get(f"/api/v1/projects/{scores.code}/qa/", {**RANGE, "group_by": group_by})
    assert response.json()["buckets"] == buckets


def test_operator_qa_counts_only_the_projects_in_scope(scores, pm_api, admin_api):
    response = pm_api.get("/api/v1/operators/anna/qa/", RANGE)
    assert response.json() == {
        "operator": "anna",
        "projects": [{"project": "pm-hotline", **_summary(3, "58.82", 1)}],
        "totals": _summary(3, "58.82", 1),
    }
    everything = admin_api.get("/api/v1/operators/anna/qa/", RANGE).json()
    assert everything["projects"][0] == {"project": "foreign-line", **_summary(1, "90.00", 0)}
    # (76.47 + 100 + 0 + 90) / 4 = 66.6175 -> 66.62
    assert everything["totals"] == _summary(4, "66.62", 1)


def test_an_empty_period_has_a_null_average(scores, pm_api):
    response = pm_api.get(
        f"/api/v1/projects/{scores.code}/qa/",
        {"from": "2026-09-01T00:00:00Z", "to": "2026-09-02T00:00:00Z"},
    )
    assert response.json()["totals"] == _summary(0, None, 0)
    assert response.json()["buckets"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": RANGE["to"]}, "from"),
        ({**RANGE, "from": "2026-10-01T00:00:00"}, "from"),
        ({**RANGE, "group_by": "year"}, "group_by"),
        ({"from": RANGE["to"], "to": RANGE["from"]}, "to"),
    ],
)
def test_bad_report_input_is_a_400_naming_the_field(scores, pm_api, query, field):
    response = pm_api.get(f"/api/v1/projects/{scores.code}/qa/", query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


# --- Evaluations through the API ------------------------------------------------------------


@pytest.fixture
def qa(db):
    """A project with a five-criterion scorecard, two QA evaluators, a supervised operator."""
    project = ProjectFactory(code="qa-line", timezone="Europe/Moscow")
    scorecard = ScorecardFactory(project=project, name="Script")
    criteria = {
        name: CriterionFactory(
            scorecard=scorecard, name=name, weight=weight, is_critical=name == "verification"
        )
        for name, weight in [
            ("greeting", 10),
            ("verification", 20),
            ("solution", 30),
            ("tone", 25),
            ("upsell", 15),
        ]
    }
    first, second = UserFactory(username="qa-first"), UserFactory(username="qa-second")
    project.qa_evaluators.add(first, second)
    supervisor = UserFactory(username="team-lead")
    operator = OperatorFactory(code="olga", supervisor=supervisor)
    call = CallFactory(project=project, operator=operator, offered_at=_local(5, 10))
    return {
        "project": project,
        "scorecard": scorecard,
        "criteria": criteria,
        "call": call,
        "first": _client_for(first),
        "second": _client_for(second),
        "supervisor": _client_for(supervisor),
    }


def _rows(criteria, **answers):
    base = {"greeting": "met", "verification": "not_met", "solution": "met", "tone": "met"}
    base.update({"upsell": "na"}, **answers)
    return [{"criterion": criteria[name].pk, "answer": value} for name, value in base.items()]


def _submitted(qa):
    created = qa["first"].post("/api/v1/qa/evaluations/", {"call": qa["call"].pk}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    rows = _rows(qa["criteria"], verification="met")
    submitted = qa["first"].post(
        f"/api/v1/qa/evaluations/{pk}/submit/", {"answers": rows}, format="json"
    )
    assert submitted.status_code == 200, submitted.content
    return pk


def test_an_evaluator_creates_and_submits_an_evaluation(qa):
    created = qa["first"].post("/api/v1/qa/evaluations/", {"call": qa["call"].pk}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["evaluator"], body["scorecard"], body["score"]) == (
        "draft",
        "qa-first",
        qa["scorecard"].pk,
        None,
    )
    pk = body["id"]

    incomplete = [r for r in _rows(qa["criteria"]) if r["criterion"] != qa["criteria"]["tone"].pk]
    refused = qa["first"].post(
        f"/api/v1/qa/evaluations/{pk}/submit/", {"answers": incomplete}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"answers": ["Criterion 'tone' is not answered."]}
    in_russian = qa["first"].post(
        f"/api/v1/qa/evaluations/{pk}/submit/",
        {"answers": incomplete},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert in_russian.status_code == 400
    assert in_russian.json() == {
        "detail": "Нет ответа по критерию «tone».",
        "code": "invalid",
        "errors": {"answers": ["Нет ответа по критерию «tone»."]},
    }
    assert not EvaluationAnswer.objects.exists()
    assert Evaluation.objects.get(pk=pk).status == "draft"

    submitted = qa["first"].post(
        f"/api/v1/qa/evaluations/{pk}/submit/",
        {"answers": _rows(qa["criteria"]), "comment": "Skipped verification."},
        format="json",
    )
    assert submitted.status_code == 200
    body = submitted.json()
    # The worked example with verification critical and not met: zero.
    assert (body["status"], body["score"], body["critical_failed"]) == ("submitted", "0.00", True)
    assert [a["answer"] for a in body["answers"]] == ["met", "not_met", "met", "met", "na"]


def test_bad_evaluation_input_is_a_400_naming_the_field_and_stores_nothing(qa):
    api = qa["first"]
    for body, field in [
        ({}, "call"),
        ({"call": "x"}, "call"),
        ({"call": 987654321}, "call"),
        ({"call": qa["call"].pk, "scorecard": 987654321}, "scorecard"),
    ]:
        response = api.post("/api/v1/qa/evaluations/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["errors"], body
    bad_card = api.post(
        "/api/v1/qa/scorecards/",
        {
            "project": "qa-line",
            "name": "New",
            "valid_from": "2026-10-01",
            "criteria": [{"name": "A", "weight": 0}],
        },
        format="json",
    )
    assert bad_card.status_code == 400
    assert "criteria" in bad_card.json()["errors"]
    assert not Evaluation.objects.exists()
    assert Scorecard.objects.count() == 1


def test_the_dispute_flow(qa):
    pk = _submitted(qa)
    evaluation = Evaluation.objects.get(pk=pk)
    assert evaluation.score == Decimal("100.00")  # (85 / 85, upsell N/A)

    # The evaluator is no supervisor and no manager: 403. Nobody at all: 404.
    assert (
        qa["second"]
        .post(f"/api/v1/qa/evaluations/{pk}/dispute/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    stranger = _client_for(UserFactory(username="stranger"))
    assert (
        stranger.post(
            f"/api/v1/qa/evaluations/{pk}/dispute/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    # The operator's supervisor, with no role on the project, reads and disputes it.
    assert qa["supervisor"].get(f"/api/v1/qa/evaluations/{pk}/").status_code == 200
    empty = qa["supervisor"].post(
        f"/api/v1/qa/evaluations/{pk}/dispute/", {"reason": "  "}, format="json"
    )
    assert empty.status_code == 400
    assert "reason" in empty.json()["errors"]
    raised = qa["supervisor"].post(
        f"/api/v1/qa/evaluations/{pk}/dispute/",
        {"reason": "She verified the caller by the card number."},
        format="json",
    )
    assert raised.status_code == 201
    dispute = raised.json()
    assert (dispute["status"], dispute["score_before"], dispute["raised_by"]) == (
        "open",
        "100.00",
        "team-lead",
    )
    assert Evaluation.objects.get(pk=pk).status == "disputed"
    assert [d["id"] for d in qa["supervisor"].get("/api/v1/qa/disputes/").json()["results"]] == [
        dispute["id"]
    ]
    again = qa["supervisor"].post(
        f"/api/v1/qa/evaluations/{pk}/dispute/", {"reason": "Again."}, format="json"
    )
    assert again.status_code == 409

    # Disputed: out of the QA score until resolved.
    admin = _client_for(UserFactory(username="root-qa", is_superuser=True, is_staff=True))
    report = admin.get("/api/v1/projects/qa-line/qa/", RANGE).json()
    assert report["totals"]["evaluations"] == 0

    # The original evaluator may not resolve it; the other evaluator overturns it.
    resolve = f"/api/v1/qa/disputes/{dispute['id']}/resolve/"
    body = {
        "outcome": "overturned",
        "resolution_comment": "Listened again: verification was skipped.",
        "answers": [{"criterion": qa["criteria"]["verification"].pk, "answer": "not_met"}],
    }
    assert qa["first"].post(resolve, body, format="json").status_code == 403
    missing = qa["second"].post(resolve, {**body, "resolution_comment": ""}, format="json")
    assert missing.status_code == 400
    assert "resolution_comment" in missing.json()["errors"]
    resolved = qa["second"].post(resolve, body, format="json")
    assert resolved.status_code == 200
    assert {
        k: resolved.json()[k] for k in ("status", "score_before", "score_after", "resolved_by")
    } == {
        "status": "overturned",
        "score_before": "100.00",
        "score_after": "0.00",
        "resolved_by": "qa-second",
    }
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.score, evaluation.critical_failed) == (
        "final",
        Decimal("0.00"),
        True,
    )
    assert EvaluationDispute.objects.get().resolved_at is not None
    assert qa["second"].post(resolve, body, format="json").status_code == 409
    report = admin.get("/api/v1/projects/qa-line/qa/", RANGE).json()
    assert report["totals"] == _summary(1, "0.00", 1)


def test_an_upheld_dispute_keeps_the_score(qa):
    pk = _submitted(qa)
    manager = UserFactory(username="qa-manager")
    qa["project"].managers.add(manager)
    manager_api = _client_for(manager)
    raised = manager_api.post(
        f"/api/v1/qa/evaluations/{pk}/dispute/", {"reason": "Check the tone."}, format="json"
    )
    assert raised.status_code == 201
    resolved = qa["second"].post(
        f"/api/v1/qa/disputes/{raised.json()['id']}/resolve/",
        {"outcome": "upheld", "resolution_comment": "The tone was fine."},
        format="json",
    )
    assert resolved.status_code == 200
    assert (resolved.json()["score_after"], Evaluation.objects.get(pk=pk).status) == (
        "100.00",
        "final",
    )


def test_an_integration_reads_quality_without_names_and_writes_nothing(qa):
    pk = _submitted(qa)
    bot = IntegrationAccountFactory(
        user=UserFactory(username="crm-qa"), client=qa["project"].client
    ).user
    api = _client_for(bot)

    detail = api.get(f"/api/v1/qa/evaluations/{pk}/")
    assert detail.status_code == 200
    assert (detail.json()["evaluator"], detail.json()["score"]) == (None, "100.00")
    assert "qa-first" not in detail.content.decode()
    assert api.get("/api/v1/projects/qa-line/qa/", RANGE).json()["totals"] == _summary(
        1, "100.00", 0
    )
    refused = api.post(f"/api/v1/qa/evaluations/{pk}/dispute/", {"reason": "x"}, format="json")
    assert refused.status_code == 403
    assert api.post("/api/v1/qa/evaluations/", {"call": qa["call"].pk}).status_code == 403


def test_the_evaluations_list_has_a_fixed_query_count(qa, django_assert_num_queries):
    for n in range(3):
        call = CallFactory(project=qa["project"], offered_at=_local(6, 9 + n))
        evaluation = EvaluationFactory(call=call, scorecard=qa["scorecard"])
        for criterion in qa["criteria"].values():
            EvaluationAnswer.objects.create(
                evaluation=evaluation, criterion=criterion, answer="met"
            )
    # Token and user, integration binding, count, page, answers with their criteria.
    with django_assert_num_queries(5):
        response = qa["first"].get("/api/v1/qa/evaluations/")
    assert len(response.json()["results"]) == 3


def test_the_dashboard_shows_the_qa_score_beside_service_level(scores, pm_api, client):
    client.force_login(pm_api.user)
    response = client.get(
        "/admin/dashboard/",
        {
            "project": "pm-hotline",
            "date_from": "2026-10-01",
            "date_to": "2026-10-31",
            "granularity": "day",
        },
    )
    html = response.content.decode()
    api = pm_api.get("/api/v1/projects/pm-hotline/qa/", RANGE).json()["totals"]
    assert api == _summary(4, "56.62", 1)
    tile = (
        'data-qa="average_score" data-value="&quot;56.62&quot;" data-evaluations="4" '
        'data-critical-failures="1"'
    )
    assert tile in html
    # Beside service level: the next tile after it.
    assert (
        html.index('data-kpi="service_level"')
        < html.index(tile)
        < html.index('data-kpi="asa_seconds"')
    )
    assert "4 evaluations scored, 1 critical failure" in html


def test_the_scorecards_list_has_a_fixed_query_count(qa, django_assert_num_queries):
    for n in range(3):
        card = ScorecardFactory(project=qa["project"], name=f"Card {n}")
        CriterionFactory(scorecard=card)
    EvaluationFactory(call=qa["call"], scorecard=qa["scorecard"])
    # Token and user, integration binding, count, page ("frozen" a subquery), criteria.
    with django_assert_num_queries(5):
        response = qa["first"].get("/api/v1/qa/scorecards/")
    frozen = {row["name"]: row["frozen"] for row in response.json()["results"]}
    assert frozen == {"Script": True, "Card 0": False, "Card 1": False, "Card 2": False}
