"""Bench strength: a project's certified active operators against the heads its staffing
plan needs, so a shortage shows before it bites (docs/people.md).

The rule, per project, over the planning horizon (``days`` local days from ``start_date``):

- ``peak_agents``: the most agents the project needs at once on its own (the plan's
  dedicated Erlang C agents, ``workforce.staffing``), at its busiest 15-minute interval;
- ``heads_needed`` = ceil(peak_agents / (1 - shrinkage) x rota_factor). Shrinkage grosses
  the peak up to the operators who must be on shift to have that many taking calls; the
  **rota factor** grosses a shift position up to people: a line open 7 days a week
  staffed by people working 5 days a week needs 7 / 5 = 1.4 people per position
  (``BENCH_ROTA_FACTOR``, default 1.4, or the ``rota_factor`` parameter);
- ``shortage`` = heads_needed - certified active operators, when positive.

The dedicated figure is used, not the pooled one: the pool lends operators across
projects, but only operators certified on a project can take its calls, so each project
must be covered by its own certified bench at its own peak. An operator certified on two
projects counts on both. Arithmetic is in ``Fraction``: 7 / 0.7 x 1.4 is 14, not 14.000...2.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings

from agents import turnover
from agents.models import TrainingEnrolment

DEFAULT_ROTA_FACTOR = "1.4"  # 7 open days / 5 working days per operator
DEFAULT_SHRINKAGE = "0.3"


def rota_factor_setting():
    return Decimal(str(getattr(settings, "BENCH_ROTA_FACTOR", DEFAULT_ROTA_FACTOR)))


@dataclass(frozen=True)
class BenchRow:
    project: str
    peak_agents: int
    heads_needed: int
    certified_active: int
    in_training: int

    @property
    def shortage(self):
        return max(0, self.heads_needed - self.certified_active)

    @property
    def short(self):
        return self.shortage > 0

    def as_dict(self):
        return {
            "project": self.project,
            "peak_agents": self.peak_agents,
            "heads_needed": self.heads_needed,
            "certified_active": self.certified_active,
            "in_training": self.in_training,
            "shortage": self.shortage,
            "short": self.short,
        }


# --- Pure -------------------------------------------------------------------------------------


def heads_needed(peak_agents, *, shrinkage, rota_factor):
    """ceil(peak_agents / (1 - shrinkage) x rota_factor), exactly."""
    shrinkage, rota_factor = Fraction(str(shrinkage)), Fraction(str(rota_factor))
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    if rota_factor < 1:
        raise ValueError("rota_factor must be at least 1")
    return math.ceil(Fraction(int(peak_agents)) / (1 - shrinkage) * rota_factor)


def peak_agents_per_project(plan_answer):
    """{project code: the most dedicated agents in any interval} of a staffing plan."""
    peaks = dict.fromkeys(plan_answer["projects"], 0)
    for interval in plan_answer["intervals"]:
        for code, agents in interval["dedicated"].items():
            peaks[code] = max(peaks[code], int(agents))
    return peaks


# --- Database ---------------------------------------------------------------------------------


def bench_strength(*, projects, start_date, days=7, shrinkage=None, rota_factor=None):
    """One ``BenchRow`` per project (in the order given) over the horizon."""
    from workforce import staffing

    shrinkage = Fraction(str(DEFAULT_SHRINKAGE if shrinkage is None else shrinkage))
    rota_factor = rota_factor_setting() if rota_factor is None else Fraction(str(rota_factor))
    projects = list(projects)
    peaks = {}
    for project in projects:  # each on its own: its own time zone, its own peak
        answer = staffing.staffing_plan(
            projects=[project], start_date=start_date, days=days, tz=project.timezone
        )
        peaks.update(peak_agents_per_project(answer))
    certified = turnover.certified_active_counts(projects)
    in_training = dict.fromkeys((p.pk for p in projects), 0)
    trainees = (
        TrainingEnrolment.objects.filter(
            status=TrainingEnrolment.Status.ENROLLED, program__project__in=projects
        )
        .values_list("program__project_id", "operator_id")
        .distinct()
    )
    for project_id, _ in trainees:
        in_training[project_id] += 1
    return [
        BenchRow(
            project=project.code,
            peak_agents=peaks[project.code],
            heads_needed=heads_needed(
                peaks[project.code], shrinkage=shrinkage, rota_factor=rota_factor
            ),
            certified_active=certified[project.pk],
            in_training=in_training[project.pk],
        )
        for project in projects
    ]


def default_start(project):
    """Tomorrow in the project's time zone."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.now().astimezone(ZoneInfo(project.timezone)).date() + dt.timedelta(days=1)
