"""Reads of the QA room: the QA score of projects and operators over a period.

What counts: evaluations ``submitted`` or ``final``, of calls offered in ``[from, to)`` (a
call's quality belongs to the period of its ``offered_at``, like its KPIs). A ``disputed``
evaluation is left out until its dispute is resolved, and drafts never count. The average
is the plain mean of the stored scores (each call weighs the same), rounded half-up to
hundredths (``quality.scoring.average``); written as a decimal string, ``null`` when nothing
counts. Days, weeks (Monday first) and months are local to each project.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from agents.models import Operator
from projects.models import Project
from quality import scoring
from quality.models import Evaluation

GROUP_BY = ("operator", "day", "week", "month")
COUNTED = (Evaluation.Status.SUBMITTED, Evaluation.Status.FINAL)
MAX_DAYS = 3700


def counted_evaluations(
    *, projects: Iterable[Project], start: dt.datetime, end: dt.datetime
) -> QuerySet[Evaluation]:
    """The evaluations that count, of ``projects``' calls offered in [start, end)."""
    return Evaluation.objects.filter(
        status__in=COUNTED,
        call__project__in=projects,
        call__offered_at__gte=start,
        call__offered_at__lt=end,
    )


def _rows(queryset):
    return queryset.values_list(
        "score",
        "critical_failed",
        "call__offered_at",
        "call__operator__code",
        "call__project__code",
        "call__project__timezone",
    ).order_by("call__offered_at", "id")


def _summary(rows):
    scores = [row[0] for row in rows]
    average = scoring.average(scores)
    return {
        "evaluations": len(rows),
        "average_score": None if average is None else str(average),
        "critical_failures": sum(1 for row in rows if row[1]),
    }


def _bucket_key(row, group_by):
    if group_by == "operator":
        return row[3] or ""
    day = row[2].astimezone(ZoneInfo(row[5])).date()
    if group_by == "week":
        day -= dt.timedelta(days=day.weekday())
    elif group_by == "month":
        day = day.replace(day=1)
    return day.isoformat()


def project_qa(
    *, project: Project, start: dt.datetime, end: dt.datetime, group_by: str = "operator"
) -> dict[str, Any]:
    """``GET projects/{code}/qa/``: totals and one bucket per operator, day, week or month
    that has counted evaluations, in key order."""
    rows = list(_rows(counted_evaluations(projects=[project], start=start, end=end)))
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        groups.setdefault(_bucket_key(row, group_by), []).append(row)
    return {
        "project": project.code,
        "group_by": group_by,
        "buckets": [{"key": key, **_summary(groups[key])} for key in sorted(groups)],
        "totals": _summary(rows),
    }


def operator_qa(
    *, operator: Operator, projects: QuerySet[Project], start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """``GET operators/{code}/qa/``: the operator's totals over the projects in scope, and
    per project."""
    rows = list(
        _rows(
            counted_evaluations(projects=projects, start=start, end=end).filter(
                call__operator=operator
            )
        )
    )
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        groups.setdefault(row[4], []).append(row)
    return {
        "operator": operator.code,
        "projects": [{"project": code, **_summary(groups[code])} for code in sorted(groups)],
        "totals": _summary(rows),
    }
