"""The staffing plan: dedicated teams against one shared pool, and the pooling gain.

Per 15-minute interval, from each project's forecast (``workforce.forecast``):

- **dedicated**: each project staffed on its own, Erlang C with its own service-level
  threshold and target and its own AHT (``workforce.erlang``, one vectorised call over a
  projects x intervals array);
- **pooled**: one Erlang C on the summed traffic, with the calls-weighted AHT (so the
  pooled traffic is exactly the sum of the projects' traffic) and the *strictest* target
  among the projects: the shortest threshold and the highest target service level. Every
  project then gets at least the service it asked for on the pool's average call; a
  looser choice (say, a calls-weighted target) would buy part of the gain by serving some
  client worse than their contract, which is not the outsourcer's claim.

The gain is dedicated minus pooled, counted in scheduled agents (agents grossed up by
shrinkage, the hours actually paid): in agent-intervals, operator-hours (an interval is
a quarter hour) and money at an hourly cost. Per month is the average day x 365.25 / 12.
Money is Decimal, rounded half-up to cents once, at the end (``money``).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from contactcenter.money import money
from workforce import erlang

INTERVAL_SECONDS = 900
INTERVALS_PER_HOUR = 3600 // INTERVAL_SECONDS
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
CENT = Decimal("0.01")
# A slot with calls forecast but no answered call in its history has no AHT of its own:
# the project's overall AHT is used, and this when the project has none at all.
DEFAULT_AHT_SECONDS = 180.0


def hours(agent_intervals):
    """Operator-hours of a count of agent-intervals, exact (quarter hours)."""
    return Decimal(int(agent_intervals)) / INTERVALS_PER_HOUR


@dataclass(frozen=True)
class Plan:
    """Agents per interval: ``dedicated`` (P, T), the rest (T,)."""

    traffic: np.ndarray  # (P, T) Erlangs
    dedicated: np.ndarray  # (P, T) agents
    dedicated_scheduled: np.ndarray  # (P, T)
    pooled: np.ndarray  # (T,)
    pooled_scheduled: np.ndarray  # (T,)
    pooled_threshold_seconds: float
    pooled_target_service_level: float

    @property
    def dedicated_total(self):
        return self.dedicated.sum(axis=0)

    @property
    def dedicated_scheduled_total(self):
        return self.dedicated_scheduled.sum(axis=0)

    @property
    def dedicated_occupancy(self):
        """Each project's A / N (0 where it needs nobody)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.dedicated > 0, self.traffic / self.dedicated, 0.0)

    @property
    def dedicated_pool_occupancy(self):
        """All dedicated teams together: summed traffic / summed agents."""
        total = self.dedicated_total
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, self.traffic.sum(axis=0) / total, 0.0)

    @property
    def pooled_occupancy(self):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.pooled > 0, self.traffic.sum(axis=0) / self.pooled, 0.0)

    @property
    def gain_agent_intervals(self):
        return int(self.dedicated_total.sum() - self.pooled.sum())

    @property
    def gain_scheduled_intervals(self):
        return int(self.dedicated_scheduled_total.sum() - self.pooled_scheduled.sum())


def fill_aht(offered, aht):
    """AHT with the holes filled: a slot without its own AHT takes the project's overall
    (calls-weighted) AHT, else DEFAULT_AHT_SECONDS. Rows are projects."""
    offered = np.atleast_2d(np.asarray(offered, dtype=float))
    aht = np.atleast_2d(np.asarray(aht, dtype=float))
    known = ~np.isnan(aht) & (offered > 0)
    weight = np.where(known, offered, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = (weight * np.nan_to_num(aht)).sum(axis=1) / weight.sum(axis=1)
    overall = np.where(np.isfinite(overall), overall, DEFAULT_AHT_SECONDS)
    return np.where(np.isnan(aht) | (aht <= 0), overall[:, None], aht)


def plan(
    *,
    offered,
    aht_seconds,
    threshold_seconds,
    target_service_level,
    shrinkage=0.0,
    max_occupancy=1.0,
    interval_seconds=INTERVAL_SECONDS,
):
    """Dedicated and pooled Erlang C staffing for P projects over T intervals.

    ``offered``, ``aht_seconds``: (P, T) (AHT without holes, see ``fill_aht``);
    ``threshold_seconds``, ``target_service_level``: (P,) per project.
    """
    offered = np.atleast_2d(np.asarray(offered, dtype=float))
    aht = np.atleast_2d(np.asarray(aht_seconds, dtype=float))
    threshold = np.asarray(threshold_seconds, dtype=float).reshape(-1)
    target = np.asarray(target_service_level, dtype=float).reshape(-1)
    dedicated = erlang.staff_erlang_c(
        offered,
        interval_seconds=interval_seconds,
        aht_seconds=aht,
        threshold_seconds=threshold[:, None],
        target_service_level=target[:, None],
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
    )
    calls = offered.sum(axis=0)
    work = (offered * aht).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Calls-weighted AHT: the pooled traffic is then exactly the sum of the projects'.
        pooled_aht = np.where(
            calls > 0, work / np.where(calls > 0, calls, 1.0), DEFAULT_AHT_SECONDS
        )
    strictest_threshold = float(threshold.min())
    strictest_target = float(target.max())
    pooled = erlang.staff_erlang_c(
        calls,
        interval_seconds=interval_seconds,
        aht_seconds=pooled_aht,
        threshold_seconds=strictest_threshold,
        target_service_level=strictest_target,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
    )
    return Plan(
        traffic=dedicated.traffic_erlangs,
        dedicated=dedicated.agents,
        dedicated_scheduled=dedicated.scheduled_agents,
        pooled=pooled.agents,
        pooled_scheduled=pooled.scheduled_agents,
        pooled_threshold_seconds=strictest_threshold,
        pooled_target_service_level=strictest_target,
    )


def _ratio(value):
    return round(float(value), 4)


def _summary(dedicated_intervals, pooled_intervals, hourly_cost):
    dedicated_hours = hours(dedicated_intervals)
    pooled_hours = hours(pooled_intervals)
    gain_hours = dedicated_hours - pooled_hours
    return {
        "dedicated_hours": str(dedicated_hours.quantize(CENT)),
        "pooled_hours": str(pooled_hours.quantize(CENT)),
        "gain_hours": str(gain_hours.quantize(CENT)),
        "gain_money": str(money(gain_hours * hourly_cost)),
    }


def plan_report(*, plan_result, project_codes, starts, days, tz, hourly_cost):
    """The API's (and the admin page's) answer: per interval, per local day, the period.

    ``starts``: the UTC start of each interval; ``days``: the local date of each.
    Hours are scheduled (paid) operator-hours; money = gain hours x ``hourly_cost``.
    """
    result = plan_result
    hourly_cost = Decimal(hourly_cost)
    ded_sched = result.dedicated_scheduled_total
    occupancy = result.dedicated_occupancy
    intervals = [
        {
            "start": start,
            "traffic_erlangs": round(float(result.traffic[:, t].sum()), 4),
            "dedicated": {
                code: int(result.dedicated[p, t]) for p, code in enumerate(project_codes)
            },
            "dedicated_occupancy": {
                code: _ratio(occupancy[p, t]) for p, code in enumerate(project_codes)
            },
            "dedicated_total": int(result.dedicated_total[t]),
            "dedicated_scheduled": int(ded_sched[t]),
            "dedicated_total_occupancy": _ratio(result.dedicated_pool_occupancy[t]),
            "pooled": int(result.pooled[t]),
            "pooled_scheduled": int(result.pooled_scheduled[t]),
            "pooled_occupancy": _ratio(result.pooled_occupancy[t]),
        }
        for t, start in enumerate(starts)
    ]
    day_rows = []
    days = np.asarray(days)
    for day in sorted(set(days.tolist())):
        mask = days == day
        dedicated_intervals = int(ded_sched[mask].sum())
        pooled_intervals = int(result.pooled_scheduled[mask].sum())
        day_rows.append(
            {
                "date": day,
                "dedicated_agent_intervals": int(result.dedicated_total[mask].sum()),
                "pooled_agent_intervals": int(result.pooled[mask].sum()),
                **_summary(dedicated_intervals, pooled_intervals, hourly_cost),
            }
        )
    dedicated_intervals = int(ded_sched.sum())
    pooled_intervals = int(result.pooled_scheduled.sum())
    gain_hours = hours(dedicated_intervals - pooled_intervals)
    count = len(day_rows) or 1
    per_day = gain_hours / count
    return {
        "tz": tz,
        "interval_seconds": INTERVAL_SECONDS,
        "pooled_threshold_seconds": result.pooled_threshold_seconds,
        "pooled_target_service_level": result.pooled_target_service_level,
        "hourly_cost": str(money(hourly_cost)),
        "intervals": intervals,
        "days_totals": day_rows,
        "totals": {
            "dedicated_agent_intervals": int(result.dedicated_total.sum()),
            "pooled_agent_intervals": int(result.pooled.sum()),
            **_summary(dedicated_intervals, pooled_intervals, hourly_cost),
        },
        "gain": {
            "agent_intervals": result.gain_agent_intervals,
            "scheduled_agent_intervals": result.gain_scheduled_intervals,
            "hours": str(gain_hours.quantize(CENT)),
            "hours_per_day": str(per_day.quantize(CENT, rounding=ROUND_HALF_UP)),
            "hours_per_month": str(
                (per_day * DAYS_PER_MONTH).quantize(CENT, rounding=ROUND_HALF_UP)
            ),
            "money": str(money(gain_hours * hourly_cost)),
            "money_per_day": str(money(per_day * hourly_cost)),
            "money_per_month": str(money(per_day * DAYS_PER_MONTH * hourly_cost)),
        },
    }


# --- Database ------------------------------------------------------------------------------


def default_hourly_cost(operators=None):
    """The average hourly cost of the active operators in ``operators`` (all by default);
    0 when there are none."""
    from django.db.models import Avg

    from agents.models import Operator

    queryset = Operator.objects.all() if operators is None else operators
    average = queryset.filter(status=Operator.Status.ACTIVE).aggregate(avg=Avg("hourly_cost"))
    return money(average["avg"] or 0)


def staffing_plan(
    *,
    projects,
    start_date,
    days=7,
    tz="UTC",
    shrinkage=0.0,
    max_occupancy=1.0,
    hourly_cost=None,
    operators=None,
):
    """Forecast each project over ``days`` local days of ``tz`` from ``start_date`` and plan
    dedicated against pooled staffing. ``projects`` in the order of the answer."""
    from zoneinfo import ZoneInfo

    from workforce import forecast

    zone = ZoneInfo(tz)
    first = dt.datetime.combine(start_date, dt.time(), zone).astimezone(dt.UTC)
    last = dt.datetime.combine(start_date + dt.timedelta(days=days), dt.time(), zone)
    count = int((last.astimezone(dt.UTC) - first) / forecast.INTERVAL)
    starts = [first + i * forecast.INTERVAL for i in range(count)]
    forecasts = forecast.forecast_projects(projects=projects, targets=starts, start=first)
    offered = np.array([forecasts[p.pk]["offered"] for p in projects])
    aht = fill_aht(offered, np.array([forecasts[p.pk]["aht_seconds"] for p in projects]))
    result = plan(
        offered=offered,
        aht_seconds=aht,
        threshold_seconds=[p.sl_threshold_seconds for p in projects],
        target_service_level=[float(p.sl_target) for p in projects],
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
    )
    if hourly_cost is None:
        hourly_cost = default_hourly_cost(operators)
    report = plan_report(
        plan_result=result,
        project_codes=[p.code for p in projects],
        starts=starts,
        days=[start.astimezone(zone).date() for start in starts],
        tz=tz,
        hourly_cost=hourly_cost,
    )
    return {
        "projects": [p.code for p in projects],
        "from": start_date,
        "days": days,
        "shrinkage": shrinkage,
        "max_occupancy": max_occupancy,
        **report,
    }
