"""Writes of the QA room: scorecard versions, evaluations and their answers, disputes.

Every rule lives here so the API, the admin, the sampling job and the management command
share it. Who may do what beyond the tenancy (which projects a user reaches at all) is
decided here too: a dispute is raised by the operator's supervisor or a manager of the
project, and resolved by a QA evaluator of the project other than the original one, or by
a manager. Refusals are ``DomainError``s naming the field (403 for a forbidden actor).
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from contactcenter.errors import ConflictError, DomainError
from projects.models import Project
from quality import scoring
from quality.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationDispute,
    Scorecard,
    ScorecardCriterion,
)

# --- Who holds which role on a project ------------------------------------------------------


def is_manager(user: User, project: Project) -> bool:
    return user.is_superuser or project.managers.filter(pk=user.pk).exists()


def is_qa_evaluator(user: User, project: Project) -> bool:
    return is_manager(user, project) or project.qa_evaluators.filter(pk=user.pk).exists()


def _status_word(row: Evaluation | EvaluationDispute) -> str:
    """A row's status as a word of the sentence: ``submitted`` (en), ``отправлена`` (ru)."""
    return str(row.get_status_display()).lower()


def _evaluation_is(evaluation: Evaluation) -> str:
    return _("The evaluation is %(status)s.") % {"status": _status_word(evaluation)}


def _forbidden(message):
    return DomainError(message, status=403, code="permission_denied")


# --- Scorecards -----------------------------------------------------------------------------


def _criteria_rows(criteria):
    """Check the criteria given as dicts (name, weight, is_critical, description, order)."""
    if not criteria:
        raise DomainError(
            _("A scorecard needs at least one criterion."),
            details={"criteria": [_("Give at least one criterion.")]},
        )
    names, errors = set(), {}
    for index, row in enumerate(criteria):
        problems = {}
        name = (row.get("name") or "").strip()
        if not name:
            problems["name"] = [_("Required.")]
        elif name in names:
            problems["name"] = [_("Criterion '%(name)s' is listed twice.") % {"name": name}]
        names.add(name)
        weight = row.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            problems["weight"] = [_("A positive whole number.")]
        if problems:
            errors[index] = problems
    if errors:
        raise DomainError(_("Invalid criteria."), details={"criteria": errors})


@transaction.atomic
def scorecard_create(
    *, project: Project, name: str, valid_from: dt.date, criteria: Iterable[Mapping[str, Any]]
) -> Scorecard:
    """A scorecard of ``project``; if one of that name exists, its next version, which
    becomes the active one (the previous versions stay, with their evaluations)."""
    _criteria_rows(criteria)
    name = name.strip()
    if not name:
        raise DomainError(_("A scorecard needs a name."), details={"name": [_("Required.")]})
    scorecard = Scorecard.objects.create(
        project=project,
        name=name,
        version=scorecard_next_version(project=project, name=name),
        is_active=True,
        valid_from=valid_from,
    )
    ScorecardCriterion.objects.bulk_create(
        ScorecardCriterion(
            scorecard=scorecard,
            name=row["name"].strip(),
            description=row.get("description", ""),
            weight=row["weight"],
            is_critical=bool(row.get("is_critical", False)),
            order=row.get("order", index),
        )
        for index, row in enumerate(criteria)
    )
    return scorecard


def scorecard_next_version(*, project: Project, name: str) -> int:
    """Make room for a new version of ``name`` (the live one retires); its number."""
    versions = Scorecard.objects.select_for_update().filter(project=project, name=name.strip())
    latest = versions.order_by("-version").first()
    versions.filter(is_active=True).update(is_active=False)
    return latest.version + 1 if latest else 1


def scorecard_revise(
    *,
    scorecard: Scorecard,
    criteria: Iterable[Mapping[str, Any]],
    valid_from: dt.date | None = None,
) -> Scorecard:
    """The next version of ``scorecard`` with ``criteria``: history is never rewritten."""
    return scorecard_create(
        project=scorecard.project,
        name=scorecard.name,
        valid_from=valid_from or timezone.localdate(),
        criteria=criteria,
    )


def scorecard_is_frozen(scorecard: Scorecard) -> bool:
    """A version that has evaluations cannot change: they were scored against it."""
    return scorecard.evaluations.exists()


def scorecard_for_call(call: Call) -> Scorecard | None:
    """The project's active scorecard in force on the call's local date (the latest
    ``valid_from`` on or before it), else ``None``."""
    local_day = timezone.localtime(call.offered_at, _zone(call.project)).date()
    return (
        Scorecard.objects.filter(
            project_id=call.project_id, is_active=True, valid_from__lte=local_day
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def _zone(project):
    return ZoneInfo(project.timezone)


# --- Evaluations ----------------------------------------------------------------------------


def evaluation_check(*, call: Call, scorecard: Scorecard | None = None) -> Scorecard:
    """The scorecard a new evaluation of ``call`` uses, or the ``DomainError`` refusing it."""
    if call.answered_at is None:
        raise DomainError(
            _("Only answered calls are evaluated."),
            details={"call": [_("This call was never answered: nothing to listen to.")]},
        )
    if scorecard is None:
        scorecard = scorecard_for_call(call)
        if scorecard is None:
            raise DomainError(
                _("The call's project has no active scorecard."),
                details={"scorecard": [_("The project has no active scorecard for this call.")]},
            )
    elif scorecard.project_id != call.project_id:
        raise DomainError(
            _("The scorecard belongs to another project."),
            details={"scorecard": [_("Not a scorecard of the call's project.")]},
        )
    if Evaluation.objects.filter(call=call, scorecard=scorecard).exists():
        raise _already_evaluated()
    return scorecard


def _already_evaluated() -> ConflictError:
    return ConflictError(
        _("This call is already evaluated with this scorecard."),
        details={"call": [_("Already evaluated with this scorecard.")]},
    )


@transaction.atomic
def evaluation_create(
    *, call: Call, evaluator: User | None = None, scorecard: Scorecard | None = None
) -> Evaluation:
    """A draft evaluation of an answered ``call`` against ``scorecard`` (default: the
    project's scorecard in force on the call's day)."""
    scorecard = evaluation_check(call=call, scorecard=scorecard)
    try:
        with transaction.atomic():
            return Evaluation.objects.create(call=call, scorecard=scorecard, evaluator=evaluator)
    except IntegrityError as exc:  # a concurrent create of the same pair
        raise _already_evaluated() from exc


def _write_answers(evaluation, answers):
    """Store ``answers`` ([{criterion: id or ScorecardCriterion, answer, comment}])."""
    criteria = {c.pk: c for c in evaluation.scorecard.criteria.all()}
    errors = {}
    rows = {}
    for index, row in enumerate(answers):
        criterion = row.get("criterion")
        criterion_id = getattr(criterion, "pk", criterion)
        if criterion_id not in criteria:
            errors[index] = {
                "criterion": [
                    _("Not a criterion of this scorecard: %(criterion)s.")
                    % {"criterion": repr(criterion)}
                ]
            }
            continue
        if row.get("answer") not in scoring.ANSWERS:
            errors[index] = {
                "answer": [_("One of %(answers)s.") % {"answers": ", ".join(scoring.ANSWERS)}]
            }
            continue
        if criterion_id in rows:
            errors[index] = {
                "criterion": [
                    _("'%(criterion)s' is answered twice.")
                    % {"criterion": criteria[criterion_id].name}
                ]
            }
            continue
        rows[criterion_id] = row
    if errors:
        raise DomainError(_("Invalid answers."), details={"answers": errors})
    # One upsert for the lot (the database's "answered once" constraint is the key).
    EvaluationAnswer.objects.bulk_create(
        [
            EvaluationAnswer(
                evaluation=evaluation,
                criterion_id=criterion_id,
                answer=row["answer"],
                comment=row.get("comment", ""),
            )
            for criterion_id, row in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["evaluation", "criterion"],
        update_fields=["answer", "comment"],
    )


@transaction.atomic
def evaluation_save(
    *,
    evaluation: Evaluation,
    answers: Iterable[Mapping[str, Any]] = (),
    comment: str | None = None,
) -> Evaluation:
    """Record answers (all or some) and the comment of a draft."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Evaluation.Status.DRAFT:
        raise DomainError(
            _("Only a draft evaluation is edited; a submitted one changes through a dispute."),
            details={"status": [_evaluation_is(evaluation)]},
        )
    _write_answers(evaluation, answers)
    if comment is not None:
        evaluation.comment = comment
        evaluation.save(update_fields=["comment"])
    return evaluation


def _compute(evaluation):
    """Score the stored answers; every criterion must be answered (the error names it)."""
    given = {a.criterion_id: a for a in evaluation.answers.all()}
    missing = [c.name for c in evaluation.scorecard.criteria.all() if c.pk not in given]
    if missing:
        unanswered = [
            _("Criterion '%(name)s' is not answered.") % {"name": name} for name in missing
        ]
        raise DomainError(unanswered[0], details={"answers": unanswered})
    try:
        return scoring.score(
            scoring.Answer(a.criterion.weight, a.criterion.is_critical, a.answer)
            for a in evaluation.answers.select_related("criterion")
        )
    except scoring.NothingApplies as exc:
        message = _("Every criterion is N/A: there is nothing to score.")
        raise DomainError(message, details={"answers": [message]}) from exc


@transaction.atomic
def evaluation_submit(
    *,
    evaluation: Evaluation,
    user: User,
    answers: Iterable[Mapping[str, Any]] = (),
    comment: str | None = None,
) -> Evaluation:
    """Store the last answers, compute and store the score: the evaluation counts."""
    evaluation = evaluation_save(evaluation=evaluation, answers=answers, comment=comment)
    result = _compute(evaluation)
    evaluation.status = Evaluation.Status.SUBMITTED
    evaluation.score = result.score
    evaluation.critical_failed = result.critical_failed
    evaluation.submitted_at = timezone.now()
    if evaluation.evaluator_id is None:
        evaluation.evaluator = user
    evaluation.save(
        update_fields=["status", "score", "critical_failed", "submitted_at", "evaluator"]
    )
    return evaluation


# --- Disputes -------------------------------------------------------------------------------


@transaction.atomic
def dispute_raise(*, evaluation: Evaluation, user: User, reason: str) -> EvaluationDispute:
    """The operator's supervisor or a manager of the project contests a submitted score."""
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("call__project", "call__operator")
        .get(pk=evaluation.pk)
    )
    project, operator = evaluation.call.project, evaluation.call.operator
    supervises = operator is not None and operator.supervisor_id == user.pk
    if not (supervises or is_manager(user, project)):
        raise _forbidden(
            _("Only the operator's supervisor or a manager of the project may dispute a score.")
        )
    if not (reason or "").strip():
        raise DomainError(_("Say why the score is wrong."), details={"reason": [_("Required.")]})
    if evaluation.status != Evaluation.Status.SUBMITTED:
        message = (
            _("Only a submitted evaluation is disputed, once.")
            if hasattr(evaluation, "dispute")
            else _("Only a submitted evaluation is disputed; this one is %(status)s.")
            % {"status": _status_word(evaluation)}
        )
        raise ConflictError(message, details={"status": [_evaluation_is(evaluation)]})
    dispute = EvaluationDispute.objects.create(  # type: ignore[misc]  # submitted: it has a score
        evaluation=evaluation, raised_by=user, reason=reason.strip(), score_before=evaluation.score
    )
    evaluation.status = Evaluation.Status.DISPUTED
    evaluation.save(update_fields=["status"])
    return dispute


@transaction.atomic
def dispute_resolve(
    *,
    dispute: EvaluationDispute,
    user: User,
    outcome: str,
    comment: str,
    answers: Iterable[Mapping[str, Any]] = (),
) -> EvaluationDispute:
    """Uphold the score, or overturn it with changed answers (the score is recomputed).

    The resolver is a QA evaluator of the project who did not score the call, or a
    manager of the project (a manager may resolve their own evaluation's dispute: on a
    small project they are the only reviewer). Either way the evaluation becomes final.
    """
    dispute = EvaluationDispute.objects.select_for_update().get(pk=dispute.pk)
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("call__project")
        .get(pk=dispute.evaluation_id)
    )
    dispute_check_resolve(
        dispute=dispute,
        evaluation=evaluation,
        user=user,
        outcome=outcome,
        comment=comment,
        answers=answers,
    )
    if outcome == EvaluationDispute.Status.OVERTURNED:
        if answers:
            _write_answers(evaluation, answers)
        result = _compute(evaluation)
        evaluation.score = result.score
        evaluation.critical_failed = result.critical_failed
    evaluation.status = Evaluation.Status.FINAL
    evaluation.save(update_fields=["status", "score", "critical_failed"])
    dispute.status = outcome
    dispute.score_after = evaluation.score
    dispute.resolved_by = user
    dispute.resolution_comment = comment.strip()
    dispute.resolved_at = timezone.now()
    dispute.save()
    return dispute


def dispute_check_resolve(
    *,
    dispute: EvaluationDispute,
    evaluation: Evaluation,
    user: User,
    outcome: str,
    comment: str,
    answers: Iterable[Mapping[str, Any]] = (),
) -> None:
    """The refusals of ``dispute_resolve``, first the actor, then the state, then the input."""
    project = evaluation.call.project
    if not is_qa_evaluator(user, project):
        raise _forbidden(_("Only a QA evaluator or a manager of the project resolves a dispute."))
    if evaluation.evaluator_id == user.pk and not is_manager(user, project):
        raise _forbidden(_("Another evaluator resolves a dispute of your own evaluation."))
    if dispute.status != EvaluationDispute.Status.OPEN:
        raise ConflictError(
            _("This dispute is resolved already."),
            details={
                "status": [_("The dispute is %(status)s.") % {"status": _status_word(dispute)}]
            },
        )
    errors = {}
    if outcome not in (EvaluationDispute.Status.UPHELD, EvaluationDispute.Status.OVERTURNED):
        errors["outcome"] = [_("One of upheld, overturned.")]
    if not (comment or "").strip():
        errors["resolution_comment"] = [_("Required: say why.")]
    if outcome == EvaluationDispute.Status.UPHELD and answers:
        errors["answers"] = [_("An upheld score keeps its answers; overturn it to change them.")]
    if errors:
        raise DomainError(_("Invalid resolution."), details=errors)


def call_for_evaluation(*, call_id: object, projects: QuerySet[Project]) -> Call:
    """The call ``call_id`` among ``projects``' calls, else the error of an unknown call."""
    call = (
        Call.objects.select_related("project", "operator")
        .filter(pk=call_id, project__in=projects)
        .first()
        if isinstance(call_id, int)
        else None
    )
    if call is None:
        raise DomainError(
            _("Unknown call."),
            details={"call": [_("Unknown call %(id)s.") % {"id": repr(call_id)}]},
        )
    return call
