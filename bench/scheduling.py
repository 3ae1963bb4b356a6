"""Scheduling benchmark: one week of the demo's pool (67 operators, 6 projects in 4 zones,
12 pool templates) solved by CP-SAT with the new solver and with main's code before issue 19
(``bench/_scheduling_baseline.py``), in one process.

    .venv/bin/python bench/scheduling.py                  # 20 s limit each, 8 CP-SAT workers
    .venv/bin/python bench/scheduling.py --limit 10

No database: the pool is ``scenarios/demo_month.json``'s (each group's projects; its days
off the operators' preferred days off), contracts at the center's defaults (40 hours, no
overtime, 12 hours' rest, 6 days in a row at most). The requirement is the scenario's
calls per hour in each project's local time (weekend factor on its local Saturday and
Sunday, a quarter of the hour per 15 minutes, its AHT), staffed by Erlang C at 80/20 with
30 % shrinkage and 85 % maximum occupancy (``workforce.staffing.plan``), on the Moscow week.
Templates: ``demo.schedule`` (Moscow starts). Both solvers get the same requirement, pool and
templates (main's reads the template times as UTC: Moscow has no DST, so it is the same
problem shifted by three hours); main's lacks the contract rules (consecutive days,
preferred days off), so the new model is larger. Reported: wall time, CP-SAT status, the
uncovered agent-intervals and the paid hours of each.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
import types
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402  (the solvers' modules import models; no query is made)

django.setup()

from bench import _scheduling_baseline as baseline  # noqa: E402
from demo.schedule import DEMO_ZONE, demo_template_fields  # noqa: E402
from workforce import scheduling, staffing  # noqa: E402
from workforce.schedules import _serve  # noqa: E402

SCENARIO = ROOT / "scenarios" / "demo_month.json"
WEEK = dt.date(2026, 11, 2)  # a Monday
SHRINKAGE, MAX_OCCUPANCY = 0.3, 0.85


def demo_requirements(scenario):
    """{project: 672 scheduled agents} on the Moscow week from WEEK."""
    start = scheduling.week_start_instant(WEEK, DEMO_ZONE)
    offered, aht, codes = [], [], []
    for project in scenario["projects"]:
        zone = ZoneInfo(project["timezone"])
        row = []
        for index in range(scheduling.WEEK_INTERVALS):
            local = (start + dt.timedelta(minutes=15 * index)).astimezone(zone)
            weekend = project.get("weekend_factor", 1.0) if local.weekday() >= 5 else 1.0
            row.append(project["calls_per_hour"][local.hour] / 4 * weekend)
        offered.append(row)
        aht.append([float(project["aht_seconds"])] * scheduling.WEEK_INTERVALS)
        codes.append(project["code"])
    plan = staffing.plan(
        offered=np.array(offered),
        aht_seconds=np.array(aht),
        threshold_seconds=[20.0] * len(codes),
        target_service_level=[0.8] * len(codes),
        shrinkage=SHRINKAGE,
        max_occupancy=MAX_OCCUPANCY,
    )
    return {code: [int(n) for n in plan.dedicated_scheduled[i]] for i, code in enumerate(codes)}


def demo_pool(scenario, module):
    operators, number = [], 0
    for group in scenario["operators"]:
        for _ in range(group["count"]):
            number += 1
            fields = {
                "id": number,
                "code": f"op{number:03d}",
                "projects": frozenset(group["projects"]),
            }
            if module is scheduling:
                fields |= {
                    "max_hours": 40.0,
                    "min_rest_hours": 12.0,
                    "max_consecutive_days": 6,
                    "preferred_days_off": frozenset(group.get("days_off", [])),
                }
            operators.append(module.PoolOperator(**fields))
    return operators


def templates():
    return [types.SimpleNamespace(project_id=None, **fields) for fields in demo_template_fields()]


def flow_uncovered(result, pool, requirements):
    """Agent-intervals the chosen shifts leave uncovered, by max-flow of the operators on
    shift to the projects they serve (``workforce.schedules._serve``): the schedule's real
    coverage, whatever slack a FEASIBLE solution left in the solver's own counters."""
    certified = {op.id: op.projects for op in pool}
    on = [{} for _ in range(scheduling.WEEK_INTERVALS)]
    for shift in result.shifts:
        key = frozenset(certified[shift.operator_id] & set(requirements))
        if getattr(shift, "project", None):
            key = key & {shift.project}
        first = int((shift.starts_at - result.week_start).total_seconds() // 60)
        last = int((shift.ends_at - result.week_start).total_seconds() // 60)
        for index in scheduling._covered_intervals(first, last):
            on[index][key] = on[index].get(key, 0) + 1
    short = 0
    for index in range(scheduling.WEEK_INTERVALS):
        need = {code: values[index] for code, values in requirements.items()}
        served = _serve(need, on[index]) if any(need.values()) else {}
        short += sum(need.values()) - sum(served.values())
    return short


def solve(module, scenario, requirements, limit):
    kwargs = {"zone": DEMO_ZONE} if module is scheduling else {"min_rest_hours": 12}
    pool = demo_pool(scenario, module)
    began = time.perf_counter()
    result = module.schedule_week(
        start=WEEK,
        requirements=requirements,
        operators=pool,
        templates=templates(),
        time_limit_seconds=limit,
        **kwargs,
    )
    return {
        "seconds": time.perf_counter() - began,
        "status": result.status,
        "uncovered": flow_uncovered(result, pool, requirements),
        "paid_hours": result.paid_minutes / 60,
        "shifts": len(result.shifts),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=20.0, help="CP-SAT seconds per solve")
    args = parser.parse_args(argv)
    scenario = json.loads(SCENARIO.read_text())
    requirements = demo_requirements(scenario)
    found = {
        "required_agent_intervals": sum(sum(v) for v in requirements.values()),
        "new": solve(scheduling, scenario, requirements, args.limit),
        "main": solve(baseline, scenario, requirements, args.limit),
        "limit": args.limit,
    }
    print(json.dumps(found, indent=2))
    return found


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows: the new solve beside main's, same week, same limit."""
    found = main(["--limit", "10"] if quick else [])
    new, old = found["new"], found["main"]
    note = (
        f"{found['required_agent_intervals']:,} agent-intervals required; uncovered new "
        f"{new['uncovered']:,} ({new['status']}, {new['paid_hours']:,.0f} paid h), main "
        f"{old['uncovered']:,} ({old['status']}, {old['paid_hours']:,.0f} paid h); "
        f"limit {found['limit']:.0f} s"
    )
    return [
        {
            "benchmark": "scheduling",
            "measure": "CP-SAT week, demo pool (67 operators, 6 projects)",
            "value": round(new["seconds"], 2),
            "unit": "s",
            "baseline": "main's solver (before issue 19)",
            "baseline_value": round(old["seconds"], 2),
            "ratio": round(new["seconds"] / old["seconds"], 3),
            "note": note,
        },
        {
            "benchmark": "scheduling",
            "measure": "uncovered agent-intervals at that limit",
            "value": new["uncovered"],
            "unit": "agent-intervals",
            "baseline": "main's solver (before issue 19)",
            "baseline_value": old["uncovered"],
            "ratio": round(new["uncovered"] / max(old["uncovered"], 1), 3),
            "note": "max-flow of the chosen shifts to the projects; the pool's 2,680 contract "
            "hours cannot cover the whole requirement (lower bound 13,048)",
        },
    ]


if __name__ == "__main__":
    main()
