"""The weekly QA sample: which calls of each operator QA listens to (docs/quality.md).

For every project and every operator who answered its calls in a week (Monday 00:00 to the
next Monday 00:00 in the project's time zone), in this order:

1. the longest call (most talk seconds; ties: the earliest offered) - ``longest``;
2. up to ``short_after_answer`` calls abandoned after answer: answered inbound calls whose
   talk is under ``QA_SHORT_AFTER_ANSWER_SECONDS`` (the caller hung up right after the
   greeting, or the operator did) - ``short_after_answer``;
3. ``random`` answered calls among the rest - ``random``;

capped at ``total`` per operator (the random picks go first). Draws come from
``random.Random(f"{seed}:{project}:{operator}:{week}")`` over the candidates ordered by id,
so the same seed and data give the same calls. A call already sampled or evaluated is
never a candidate, and a week already sampled for an operator on a project is left as it
is: re-running adds nothing. Each sampled call gets a draft evaluation against the
project's scorecard in force, assigned round-robin to the project's QA evaluators (no
scorecard: the sample waits in the queue without one).
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agents.models import Operator
from calls.models import Call
from projects.models import Project
from quality.models import Evaluation, QaSample
from quality.services import scorecard_for_call


@dataclass(frozen=True)
class Quotas:
    random: int = 3
    longest: int = 1
    short_after_answer: int = 1
    total: int = 5
    short_talk_seconds: int = 10

    @classmethod
    def from_settings(cls):
        return cls(
            random=getattr(settings, "QA_SAMPLE_RANDOM", cls.random),
            longest=getattr(settings, "QA_SAMPLE_LONGEST", cls.longest),
            short_after_answer=getattr(
                settings, "QA_SAMPLE_SHORT_AFTER_ANSWER", cls.short_after_answer
            ),
            total=getattr(settings, "QA_SAMPLE_MAX_PER_OPERATOR", cls.total),
            short_talk_seconds=getattr(
                settings, "QA_SHORT_AFTER_ANSWER_SECONDS", cls.short_talk_seconds
            ),
        )


@dataclass
class SampleResult:
    samples: int = 0
    evaluations: int = 0
    skipped_operators: int = 0  # weeks already sampled
    weeks: dict = field(default_factory=dict)  # project code -> week start (ISO)

    def as_dict(self):
        return {
            "samples": self.samples,
            "evaluations": self.evaluations,
            "skipped_operators": self.skipped_operators,
            "weeks": self.weeks,
        }


def week_start(day):
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_window(monday, tz_name):
    """[Monday 00:00, next Monday 00:00) local, as aware instants (DST included)."""
    tz = ZoneInfo(tz_name)
    start = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=tz)
    return start, end


def last_complete_week(project, now=None):
    """The Monday of the last week that has ended in the project's time zone."""
    today = timezone.localtime(now or timezone.now(), ZoneInfo(project.timezone)).date()
    return week_start(today) - dt.timedelta(days=7)


def pick_calls(calls, *, rng, quotas):
    """[(call, reason)] for one operator's week: ``calls`` are its candidates (answered,
    not sampled before) with ``id``, ``talk_seconds``, ``offered_at``, ``direction``."""
    by_id = sorted(calls, key=lambda c: c.id)
    picks = []
    longest = sorted(by_id, key=lambda c: (-c.talk_seconds, c.offered_at, c.id))
    picks += [(c, QaSample.Reason.LONGEST) for c in longest[: quotas.longest]]
    taken = {c.id for c, _ in picks}
    short = [
        c
        for c in by_id
        if c.id not in taken
        and c.direction == Call.Direction.INBOUND
        and c.talk_seconds < quotas.short_talk_seconds
    ]
    short_picks = rng.sample(short, min(quotas.short_after_answer, len(short)))
    picks += [(c, QaSample.Reason.SHORT_AFTER_ANSWER) for c in sorted(short_picks, key=_id)]
    taken |= {c.id for c in short_picks}
    rest = [c for c in by_id if c.id not in taken]
    random_picks = rng.sample(rest, min(quotas.random, len(rest)))
    picks += [(c, QaSample.Reason.RANDOM) for c in sorted(random_picks, key=_id)]
    return picks[: quotas.total]


def _id(call):
    return call.id


class Candidate(NamedTuple):
    """One answered call that may be sampled: what the picking and the scorecard read."""

    id: int
    talk_seconds: int
    offered_at: dt.datetime
    direction: str
    project_id: int
    project: Project


def _candidates(project, start, end):
    """The project's answered calls of the window with an operator, never sampled or
    evaluated, grouped by operator (ordered by operator code).

    Plain rows, not model instances: a busy line's week holds hundreds of thousands of
    calls. Measured on the demo's busiest line (36,162 candidates): 1.14-1.24 s as ``Call``
    instances with their operator and project, 0.28-0.36 s as these rows."""
    rows = (
        Call.objects.filter(
            project=project,
            offered_at__gte=start,
            offered_at__lt=end,
            answered_at__isnull=False,
            operator__isnull=False,
        )
        .exclude(Exists(QaSample.objects.filter(call=OuterRef("pk"))))
        .exclude(Exists(Evaluation.objects.filter(call=OuterRef("pk"))))
        .order_by("operator_id", "id")
        .values_list("operator_id", "id", "talk_seconds", "offered_at", "direction")
    )
    by_operator = {}
    for operator_id, *fields in rows.iterator(chunk_size=10_000):
        by_operator.setdefault(operator_id, []).append(
            Candidate(*fields, project_id=project.pk, project=project)
        )
    operators = Operator.objects.filter(pk__in=by_operator).order_by("code")
    return {operator: by_operator[operator.pk] for operator in operators}


@transaction.atomic
def qa_sample_week(*, week=None, seed="0", projects=None, quotas=None, now=None):
    """Sample the week holding ``week`` (a date) for ``projects`` (default: every active
    project); without ``week``, each project's last complete local week."""
    quotas = quotas or Quotas.from_settings()
    result = SampleResult()
    projects = projects if projects is not None else Project.objects.filter(is_active=True)
    for project in projects.order_by("code") if hasattr(projects, "order_by") else projects:
        monday = week_start(week) if week else last_complete_week(project, now)
        result.weeks[project.code] = monday.isoformat()
        start, end = week_window(monday, project.timezone)
        evaluators = list(project.qa_evaluators.order_by("pk"))
        turn = QaSample.objects.filter(project=project).count()  # round-robin continues
        done = set(
            QaSample.objects.filter(project=project, week_start=monday).values_list(
                "operator_id", flat=True
            )
        )
        for operator, calls in _candidates(project, start, end).items():
            if operator.pk in done:
                result.skipped_operators += 1
                continue
            # Reproducible on purpose (same seed, same picks): not a secret.
            rng = random.Random(f"{seed}:{project.code}:{operator.code}:{monday}")  # noqa: S311
            for call, reason in pick_calls(calls, rng=rng, quotas=quotas):
                assignee = evaluators[turn % len(evaluators)] if evaluators else None
                turn += 1
                scorecard = scorecard_for_call(call)
                evaluation = (
                    Evaluation.objects.create(
                        call_id=call.id, scorecard=scorecard, evaluator=assignee
                    )
                    if scorecard
                    else None
                )
                QaSample.objects.create(
                    call_id=call.id,
                    project=project,
                    operator=operator,
                    week_start=monday,
                    reason=reason,
                    seed=str(seed),
                    assigned_to=assignee,
                    evaluation=evaluation,
                )
                result.samples += 1
                result.evaluations += evaluation is not None
    return result
