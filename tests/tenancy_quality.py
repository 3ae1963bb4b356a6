"""Tenancy matrix entries for the quality routes: scorecards, evaluations, disputes (calls).

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist
(``ListRoute``, ``DetailRoute``, ``CreateRoute``...), so it imports them lazily.

The QA room opens to a project's QA evaluators and managers (the matrix's PM manages A's
project, so holds every role there); an integration reads its client's scorecards,
evaluations, disputes and QA scores (without the QA staff's names) and writes none (403,
refused before any lookup). QA evaluators themselves are tested in
tests/calls/test_evaluator_scope.py.
"""

from decimal import Decimal

from django.utils import timezone

from quality.models import Evaluation, EvaluationDispute, Scorecard
from tests.factories import UserFactory
from tests.factories.quality import CriterionFactory, ScorecardFactory

CRITERIA = (("Greeting", 40, False), ("Verification", 60, True))


def side_scorecard(world, side):
    """The side's project's scorecard (made once), with two criteria."""
    project = world[side].project
    scorecard = Scorecard.objects.filter(project=project, name="Script").first()
    if scorecard is None:
        scorecard = ScorecardFactory(project=project, name="Script")
        for order, (name, weight, critical) in enumerate(CRITERIA):
            CriterionFactory(
                scorecard=scorecard, name=name, weight=weight, is_critical=critical, order=order
            )
    return scorecard


def side_evaluation(world, side, status="draft"):
    """An evaluation of the side's call (made once), in ``status``."""
    scorecard = side_scorecard(world, side)
    evaluation, _ = Evaluation.objects.get_or_create(call=world[side].call, scorecard=scorecard)
    if status != "draft" and evaluation.status == "draft":
        Evaluation.objects.filter(pk=evaluation.pk).update(
            status=status, score=Decimal("40.00"), submitted_at=timezone.now()
        )
    return evaluation


def side_dispute(world, side):
    evaluation = side_evaluation(world, side, status="disputed")
    dispute, _ = EvaluationDispute.objects.get_or_create(
        evaluation=evaluation,
        defaults={
            # A supervisor of neither user: the PM must not reach B's dispute as its author.
            "raised_by": UserFactory(username=f"supervisor-{side}"),
            "reason": "Verification was done before the transfer.",
            "score_before": Decimal("40.00"),
        },
    )
    return dispute


def qa_query(world, side):
    return {"from": "2026-10-01T00:00:00+03:00", "to": "2026-11-01T00:00:00+03:00"}


def entries():
    from tests import test_tenancy_matrix as m

    @m.dataclass(frozen=True)
    class QaListRoute(m.ListRoute):
        """A QA list: each side first gets its row (``make``)."""

        make: m.Callable | None = None

        def prepare(self, world, side):
            for tenant_side in (m.OURS, m.THEIRS):
                self.make(world, tenant_side)
            return None, None

    def pk_of(make):
        # ListRoute.key_of takes a Tenant: find the side's row through the tenant's project.
        def key_of(tenant):
            return make.model.objects.get(**{make.path: tenant.project}).pk

        return key_of

    class Rows:
        def __init__(self, model, path):
            self.model, self.path = model, path

    scorecards = Rows(Scorecard, "project")
    evaluations = Rows(Evaluation, "call__project")
    disputes = Rows(EvaluationDispute, "evaluation__call__project")
    reads = {m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: (200, 404)}

    def submit_body(world, side):
        scorecard = side_scorecard(world, side)
        return {
            "answers": [{"criterion": c.pk, "answer": "met"} for c in scorecard.criteria.all()],
            "comment": "Good call.",
        }

    return {
        ("qa/scorecards/", "GET"): QaListRoute(
            key="id",
            key_of=pk_of(scorecards),
            sees=m.EVERYONE_SEES_OURS,
            make=side_scorecard,
        ),
        ("qa/scorecards/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "project": w[side].project.code,
                "name": "New script",
                "valid_from": "2026-10-01",
                "criteria": [{"name": "Greeting", "weight": 10, "is_critical": False}],
            },
            field="project",
            expect={m.SUPERUSER: 201, m.PM: (201, 400), m.INTEGRATION: 403},
            stored=lambda w, side: Scorecard.objects.filter(
                project=w[side].project, name="New script"
            ).exists(),
        ),
        ("qa/scorecards/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_scorecard(w, side).pk, key="id", expect=reads
        ),
        ("qa/scorecards/{pk}/revise/", "POST"): m.DetailRoute(
            target=lambda w, side: side_scorecard(w, side).pk,
            body=lambda w, side: {"criteria": [{"name": "Tone", "weight": 5}]},
            expect={m.SUPERUSER: 201, m.PM: (201, 404), m.INTEGRATION: 403},
            applied=lambda w, side, role, lookup: Scorecard.objects.filter(
                project=w[side].project, name="Script", version=2, is_active=True
            ).exists(),
        ),
        ("qa/evaluations/", "GET"): QaListRoute(
            key="id",
            key_of=pk_of(evaluations),
            sees=m.EVERYONE_SEES_OURS,
            make=side_evaluation,
        ),
        ("qa/evaluations/", "POST"): m.CreateRoute(
            body=lambda w, side: (side_scorecard(w, side), {"call": w[side].call.pk})[1],
            field="call",
            expect={m.SUPERUSER: 201, m.PM: (201, 400), m.INTEGRATION: 403},
            stored=lambda w, side: Evaluation.objects.filter(call=w[side].call).exists(),
        ),
        ("qa/evaluations/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_evaluation(w, side).pk, key="id", expect=reads
        ),
        ("qa/evaluations/{pk}/submit/", "POST"): m.DetailRoute(
            target=lambda w, side: side_evaluation(w, side).pk,
            body=submit_body,
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: 403},
            applied=lambda w, side, role, lookup: (
                Evaluation.objects.get(pk=lookup).score == Decimal("100.00")
            ),
        ),
        # The PM manages A's project, so may dispute its scores; B's evaluation is a 404.
        ("qa/evaluations/{pk}/dispute/", "POST"): m.DetailRoute(
            target=lambda w, side: side_evaluation(w, side, status="submitted").pk,
            body=lambda w, side: {"reason": "The caller refused verification."},
            expect={m.SUPERUSER: 201, m.PM: (201, 404), m.INTEGRATION: 403},
            applied=lambda w, side, role, lookup: (
                Evaluation.objects.get(pk=lookup).status == "disputed"
            ),
        ),
        ("qa/disputes/", "GET"): QaListRoute(
            key="id",
            key_of=pk_of(disputes),
            sees=m.EVERYONE_SEES_OURS,
            make=side_dispute,
        ),
        ("qa/disputes/{pk}/", "GET"): m.DetailRoute(
            target=lambda w, side: side_dispute(w, side).pk, key="id", expect=reads
        ),
        ("qa/disputes/{pk}/resolve/", "POST"): m.DetailRoute(
            target=lambda w, side: side_dispute(w, side).pk,
            body=lambda w, side: {"outcome": "upheld", "resolution_comment": "Listened again."},
            expect={m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: 403},
            applied=lambda w, side, role, lookup: (
                EvaluationDispute.objects.get(pk=lookup).status == "upheld"
            ),
        ),
        # QA scores: a project's follow the project's scope; an operator's, the operators
        # certified on the projects in scope (no shared pool here: scores are per project).
        ("projects/{code}/qa/", "GET"): m.DetailRoute(
            target=lambda w, side: (side_evaluation(w, side, "submitted"), w[side].project.code)[1],
            key="project",
            body=qa_query,
            expect=reads,
        ),
        ("operators/{code}/qa/", "GET"): m.DetailRoute(
            target=lambda w, side: (side_evaluation(w, side, "submitted"), w[side].operator.code)[
                1
            ],
            key="operator",
            body=qa_query,
            expect=reads,
        ),
    }
