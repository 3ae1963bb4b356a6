"""The QA models' move from calls to quality (issue 14) on a database holding QA rows.

The database is taken back to the schema before the move (calls 0012, no quality app), QA
rows are written there through the historical models, and the database is migrated to
the new layout: every row is still there, field for field, reachable through the new
models, and the permissions, group grants and admin log entries still point at it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from calls.models import Call
from projects.roles import QA_EVALUATORS, ROLE_PERMISSIONS, roles_setup
from quality.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    QaSample,
    Scorecard,
    ScorecardCriterion,
)

BEFORE = [("quality", None), ("calls", "0012_schedule_caller_retention")]
QA_MODELS = [
    Scorecard,
    ScorecardCriterion,
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    QaSample,
]
UTC = dt.UTC
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def _migrate(targets):
    """Migrate to ``targets``; return the historical apps of what is then applied."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor = MigrationExecutor(connection)  # reloads the applied set
    return executor.loader.project_state(list(executor.loader.applied_migrations), at_end=True).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _rows(apps_or_models, label):
    model = apps_or_models.get_model(*label.split(".")) if label else apps_or_models
    return {row["id"]: row for row in model._default_manager.order_by("pk").values()}


def _old_qa_rows(old):
    """Two projects' worth of QA history written with the pre-move models."""
    User = old.get_model("auth", "User")
    evaluator = User.objects.create(username="qa-eva", is_staff=True)
    supervisor = User.objects.create(username="sup-sam", is_staff=True)
    resolver = User.objects.create(username="pm-pat", is_staff=True)
    client = old.get_model("projects", "Client").objects.create(
        code="acme", legal_name="OOO Acme", tax_id="7701234560", currency="RUB"
    )
    project = old.get_model("projects", "Project").objects.create(
        code="hotline", name="Hotline", client=client, timezone="Europe/Moscow"
    )
    operator = old.get_model("agents", "Operator").objects.create(
        code="op1",
        full_name="Anna",
        status="active",
        hired_on=dt.date(2025, 1, 10),
        hourly_cost=Decimal("450.00"),
    )
    OldCall = old.get_model("calls", "Call")
    calls = [
        OldCall.objects.create(
            project=project,
            external_id=f"cdr-{n}",
            operator=operator,
            offered_at=T0 + dt.timedelta(minutes=n),
            answered_at=T0 + dt.timedelta(minutes=n, seconds=12),
            ended_at=T0 + dt.timedelta(minutes=n, seconds=162),
        )
        for n in range(2)
    ]
    card = old.get_model("calls", "Scorecard").objects.create(
        project=project, name="Inbound", version=1, valid_from=dt.date(2026, 10, 1)
    )
    Criterion = old.get_model("calls", "ScorecardCriterion")
    greeting = Criterion.objects.create(scorecard=card, name="Greeting", weight=30, order=1)
    solution = Criterion.objects.create(
        scorecard=card, name="Solution", weight=70, is_critical=True, order=2
    )
    OldEvaluation = old.get_model("calls", "Evaluation")
    scored = OldEvaluation.objects.create(
        call=calls[0],
        scorecard=card,
        evaluator=evaluator,
        status="disputed",
        score=Decimal("30.00"),
        submitted_at=T0 + dt.timedelta(hours=1),
        comment="Solution missed",
    )
    draft = OldEvaluation.objects.create(call=calls[1], scorecard=card, evaluator=evaluator)
    Answer = old.get_model("calls", "EvaluationAnswer")
    Answer.objects.create(evaluation=scored, criterion=greeting, answer="met")
    Answer.objects.create(evaluation=scored, criterion=solution, answer="not_met", comment="no")
    old.get_model("calls", "EvaluationDispute").objects.create(
        evaluation=scored,
        raised_by=supervisor,
        reason="The caller hung up first",
        status="upheld",
        score_before=Decimal("30.00"),
        score_after=Decimal("30.00"),
        resolved_by=resolver,
        resolution_comment="Listened again",
        resolved_at=T0 + dt.timedelta(days=1),
    )
    old.get_model("calls", "QaSample").objects.create(
        call=calls[1],
        project=project,
        operator=operator,
        week_start=dt.date(2026, 10, 5),
        reason="random",
        seed="42",
        assigned_to=evaluator,
        evaluation=draft,
    )
    return {"scored": scored.pk, "draft": draft.pk, "evaluator": evaluator.pk}


@pytest.mark.django_db(transaction=True)
def test_the_move_to_quality_keeps_every_qa_row_and_what_points_at_it():
    try:
        old = _migrate(BEFORE)
        # The roles as production has them today, and an admin log entry on an evaluation.
        roles_counts_before = _roles_setup_before(old)
        ids = _old_qa_rows(old)
        OldContentType = old.get_model("contenttypes", "ContentType")
        old_ct = OldContentType.objects.get(app_label="calls", model="evaluation")
        tables = {
            model._meta.db_table: _rows(old, f"calls.{model.__name__}") for model in QA_MODELS
        }
        assert [len(rows) for rows in tables.values()] == [1, 2, 2, 2, 1, 1]
        old.get_model("admin", "LogEntry").objects.create(
            user_id=ids["evaluator"],
            content_type_id=old_ct.pk,
            object_id=str(ids["scored"]),
            object_repr="evaluation",
            action_flag=CHANGE,
            change_message="[]",
            action_time=T0,
        )

        _migrate(_latest())
        ContentType.objects.clear_cache()

        # Every row, field for field, through the new models (same tables).
        for model in QA_MODELS:
            assert _rows(model, None) == tables[model._meta.db_table], model.__name__
        # Reachable through the relations, both ways.
        scored = Evaluation.objects.get(pk=ids["scored"])
        assert scored.call.external_id == "cdr-0"
        assert [a.answer for a in scored.answers.all()] == ["met", "not_met"]
        assert scored.dispute.status == "upheld"
        assert scored.dispute.resolved_by.username == "pm-pat"
        assert Call.objects.get(external_id="cdr-1").qa_sample.evaluation_id == ids["draft"]
        assert list(
            Call.objects.get(external_id="cdr-0").evaluations.values_list("pk", flat=True)
        ) == [ids["scored"]]
        # The content type kept its id under the new label; nothing is left under calls.
        assert ContentType.objects.get_for_model(Evaluation).pk == old_ct.pk
        assert not ContentType.objects.filter(
            app_label="calls", model__in=[m._meta.model_name for m in QA_MODELS]
        ).exists()
        # The admin log entry still opens the evaluation.
        entry = LogEntry.objects.get(object_id=str(ids["scored"]))
        assert entry.get_edited_object() == scored
        # The groups kept their grants: an evaluator may change evaluations as before.
        evaluator = get_user_model().objects.get(pk=ids["evaluator"])
        evaluator.groups.add(Group.objects.get(name=QA_EVALUATORS))
        assert evaluator.has_perm("quality.change_evaluation")
        assert evaluator.has_perm("quality.view_qasample")
        assert roles_setup() == roles_counts_before
    finally:
        _migrate(_latest())


def _roles_setup_before(old):
    """The role groups as ``setup_roles`` made them before the move (calls.* QA grants)."""
    OldGroup = old.get_model("auth", "Group")
    Permission = old.get_model("auth", "Permission")
    ContentType = old.get_model("contenttypes", "ContentType")
    counts = {}
    for name, granted in ROLE_PERMISSIONS.items():
        group, _ = OldGroup.objects.get_or_create(name=name)
        permissions = []
        for app_label, models in granted.items():
            label = "calls" if app_label == "quality" else app_label  # where they were
            for model, actions in models.items():
                content_type, _ = ContentType.objects.get_or_create(app_label=label, model=model)
                for action in actions:
                    permission, _ = Permission.objects.get_or_create(
                        content_type=content_type,
                        codename=f"{action}_{model}",
                        defaults={"name": f"Can {action} {model}"},
                    )
                    permissions.append(permission)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts
