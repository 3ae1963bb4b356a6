"""Staffing-plan benchmark: a week of 15-minute intervals for 20 projects, dedicated and
pooled, beside pyworkforce's ErlangC on the same inputs.

    .venv/bin/python bench/staffing_plan.py              # 20 projects x 672 intervals
    .venv/bin/python bench/staffing_plan.py --projects 20 --runs 30 --pyworkforce-runs 3

No database: the forecasts are synthetic (seeded), one per project, each a daily wave
peaking at its own hour (so pooling has something to gain), weekends at 60 %, 5 to 120
calls per interval at the peak, AHT 150-420 s, 80/20 or 90/30 targets, max occupancy
0.85, shrinkage 0.3. Timed:

1. ``workforce.staffing.plan``: the dedicated staffing (one vectorised Erlang C over the
   projects x intervals array, each project with its own AHT and target) and the pooled
   one (one Erlang C over the summed traffic, strictest target): median and best of
   ``--runs``. The target is under 200 ms.
2. ``pyworkforce``: ``ErlangC(...).required_positions(sl, max_occupancy)`` interval by
   interval for the same dedicated and pooled inputs (intervals with no call are 0 agents:
   pyworkforce refuses 0 transactions), median of ``--pyworkforce-runs``.
3. Agreement: the agents per interval of both (pyworkforce's ``raw_positions``, before
   shrinkage). A disagreement is explained by evaluating both answers with
   ``workforce.erlang.erlang_c``: which one is the least N meeting the target.

Without pyworkforce installed (``.venv/bin/pip install pyworkforce``, for the bench only)
it compares against a plain scalar loop of the textbook formula instead.
bench/README.md says what was measured.
"""

import argparse
import math
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from workforce import erlang, staffing

INTERVALS = 672
INTERVAL_SECONDS = 900
SHRINKAGE = 0.3
MAX_OCCUPANCY = 0.85


def synthetic(projects, seed=2026):
    """(offered (P, T), aht (P, T), threshold (P,), target (P,))."""
    rng = np.random.default_rng(seed)
    slot = np.arange(INTERVALS)
    hour = (slot % 96) / 4.0
    weekend = np.where(slot // 96 >= 5, 0.6, 1.0)
    offered, aht = [], []
    for _ in range(projects):
        peak_hour = rng.uniform(8, 22)
        width = rng.uniform(2, 5)
        peak = rng.uniform(5, 120)
        distance = np.minimum(np.abs(hour - peak_hour), 24 - np.abs(hour - peak_hour))
        wave = peak * np.exp(-0.5 * (distance / width) ** 2) * weekend
        noise = rng.normal(1.0, 0.08, INTERVALS).clip(0.7, 1.3)
        offered.append(np.round(wave * noise, 2))
        aht.append(np.full(INTERVALS, rng.uniform(150, 420)) * rng.normal(1, 0.03, INTERVALS))
    threshold = rng.choice([20.0, 30.0], projects)
    target = np.where(threshold == 20.0, 0.8, 0.9)
    return np.array(offered), np.array(aht), threshold, target


def pooled_inputs(offered, aht, threshold, target):
    calls = offered.sum(axis=0)
    pooled_aht = np.where(calls > 0, (offered * aht).sum(axis=0) / np.maximum(calls, 1e-12), 180)
    return calls, pooled_aht, float(threshold.min()), float(target.max())


def ours(offered, aht, threshold, target):
    return staffing.plan(
        offered=offered,
        aht_seconds=aht,
        threshold_seconds=threshold,
        target_service_level=target,
        shrinkage=SHRINKAGE,
        max_occupancy=MAX_OCCUPANCY,
    )


def _pyworkforce_agents(calls, aht, threshold, target):
    from pyworkforce.queuing import ErlangC

    if calls <= 0:
        return 0
    model = ErlangC(
        transactions=calls,
        aht=aht / 60,
        asa=threshold / 60,  # its "asa" is the answer-time threshold, in minutes
        interval=INTERVAL_SECONDS / 60,
        shrinkage=SHRINKAGE,
    )
    return model.required_positions(service_level=target, max_occupancy=MAX_OCCUPANCY)[
        "raw_positions"
    ]


def _textbook_agents(calls, aht, threshold, target):
    """The scalar textbook loop: N from floor(A) + 1 up, B by the recursion, SL formula."""
    if calls <= 0:
        return 0
    traffic = calls * aht / INTERVAL_SECONDS
    n = math.floor(traffic) + 1
    blocking = 1.0
    for k in range(1, n + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    while True:
        wait = n * blocking / (n - traffic * (1 - blocking))
        level = 1 - wait * math.exp(-(n - traffic) * threshold / aht)
        if level >= target - 1e-9 and traffic / n <= MAX_OCCUPANCY + 1e-9:
            return n
        n += 1
        blocking = traffic * blocking / (n + traffic * blocking)


def reference(agents_of, offered, aht, threshold, target):
    dedicated = np.array(
        [
            [agents_of(offered[p, t], aht[p, t], threshold[p], target[p]) for t in range(INTERVALS)]
            for p in range(offered.shape[0])
        ]
    )
    calls, pooled_aht, strict_threshold, strict_target = pooled_inputs(
        offered, aht, threshold, target
    )
    pooled = np.array(
        [
            agents_of(calls[t], pooled_aht[t], strict_threshold, strict_target)
            for t in range(INTERVALS)
        ]
    )
    return dedicated, pooled


def _least(traffic, aht, threshold, target, agents):
    """Does ``agents`` meet the targets, and does agents - 1 fail them?"""

    def meets(n):
        if n <= 0:
            return traffic == 0
        sl = float(
            erlang.erlang_c(traffic, n, aht_seconds=aht, threshold_seconds=threshold).service_level
        )
        return sl >= target - erlang.TOLERANCE and traffic / n <= MAX_OCCUPANCY + erlang.TOLERANCE

    return meets(agents), meets(agents - 1) if agents > 0 else False


def explain(name, ours_agents, theirs, offered, aht, threshold, target, limit=5):
    diff = np.argwhere(ours_agents != theirs)
    lines = []
    for index in diff[:limit]:
        index = tuple(int(i) for i in index)
        p = index[0] if len(index) == 2 else None
        calls = offered[index]
        handle = aht[index]
        thr = threshold[p] if p is not None else threshold
        tgt = target[p] if p is not None else target
        traffic = calls * handle / INTERVAL_SECONDS
        mine_ok, mine_less = _least(traffic, handle, thr, tgt, int(ours_agents[index]))
        their_ok, _ = _least(traffic, handle, thr, tgt, int(theirs[index]))
        lines.append(
            f"  {name} {index}: A={traffic:.3f} ours {int(ours_agents[index])} (meets "
            f"{mine_ok}, one fewer meets {mine_less}) vs {int(theirs[index])} (meets {their_ok})"
        )
    return len(diff), lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pyworkforce-runs", type=int, default=3)
    args = parser.parse_args(argv)

    offered, aht, threshold, target = synthetic(args.projects)
    ours(offered, aht, threshold, target)  # warm-up (imports, allocations)
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        plan = ours(offered, aht, threshold, target)
        timings.append(time.perf_counter() - began)

    try:
        import pyworkforce  # noqa: F401

        name, agents_of = "pyworkforce ErlangC", _pyworkforce_agents
    except ImportError:
        name, agents_of = "textbook scalar loop", _textbook_agents
    their_timings = []
    for _ in range(args.pyworkforce_runs):
        began = time.perf_counter()
        dedicated, pooled = reference(agents_of, offered, aht, threshold, target)
        their_timings.append(time.perf_counter() - began)
    textbook_began = time.perf_counter()
    text_dedicated, text_pooled = reference(_textbook_agents, offered, aht, threshold, target)
    textbook_seconds = time.perf_counter() - textbook_began

    calls, pooled_aht, strict_threshold, strict_target = pooled_inputs(
        offered, aht, threshold, target
    )
    cells = offered.size
    print(
        f"{args.projects} projects x {INTERVALS} intervals = {cells} dedicated + {INTERVALS} "
        f"pooled Erlang C searches; peak traffic {plan.traffic.max():.1f} Erl per project, "
        f"{plan.traffic.sum(axis=0).max():.1f} pooled"
    )
    print()
    print(f"| {'implementation':<30} | {'median ms':>10} | {'best ms':>9} | runs |")
    print(f"|{'-' * 32}|{'-' * 12}|{'-' * 11}|------|")
    rows = [
        ("workforce.staffing.plan (numpy)", timings),
        (name, their_timings),
    ]
    if name != "textbook scalar loop":
        rows.append(("textbook scalar loop", [textbook_seconds]))
    for label, values in rows:
        print(
            f"| {label:<30} | {statistics.median(values) * 1000:>10.1f} | "
            f"{min(values) * 1000:>9.1f} | {len(values):>4} |"
        )
    print()
    speedup = statistics.median(their_timings) / statistics.median(timings)
    print(
        f"speed-up over {name}: {speedup:.0f}x; target < 200 ms: "
        f"{'met' if statistics.median(timings) < 0.2 else 'MISSED'}"
    )
    print()
    for label, (ded, pool) in (
        (name, (dedicated, pooled)),
        ("textbook scalar loop", (text_dedicated, text_pooled)),
    ):
        n_ded, lines_ded = explain(
            "dedicated", plan.dedicated, ded, offered, aht, threshold, target
        )
        n_pool, lines_pool = explain(
            "pooled", plan.pooled, pool, calls, pooled_aht, strict_threshold, strict_target
        )
        print(
            f"agreement with {label}: dedicated {cells - n_ded}/{cells}, "
            f"pooled {INTERVALS - n_pool}/{INTERVALS} intervals with the same agents"
        )
        for line in lines_ded + lines_pool:
            print(line)
    print()
    print(
        f"gain: dedicated {int(plan.dedicated_total.sum())} vs pooled {int(plan.pooled.sum())} "
        f"agent-intervals; scheduled {int(plan.dedicated_scheduled_total.sum())} vs "
        f"{int(plan.pooled_scheduled.sum())}: {staffing.hours(plan.gain_scheduled_intervals)} "
        "operator-hours a week"
    )
    return {
        "projects": args.projects,
        "ours": timings,
        "reference": name,
        "theirs": their_timings,
        "textbook": textbook_seconds,
    }


def run(quick: bool = False) -> list[dict]:
    """bench/run_all.py's rows: the plan's median beside the reference's, same inputs."""
    found = main(["--runs", "10", "--pyworkforce-runs", "1"] if quick else [])
    ours_ms = statistics.median(found["ours"]) * 1000
    rows = []
    references = [(found["reference"], statistics.median(found["theirs"]) * 1000)]
    if found["reference"] != "textbook scalar loop":
        references.append(("textbook scalar loop", found["textbook"] * 1000))
    for name, ms in references:
        rows.append(
            {
                "benchmark": "staffing_plan",
                "measure": f"workforce.staffing.plan, {found['projects']} projects x {INTERVALS}"
                " intervals",
                "value": round(ours_ms, 3),
                "unit": "ms",
                "baseline": f"{name}, per interval",
                "baseline_value": round(ms, 3),
                "ratio": round(ours_ms / ms, 4),
                "note": f"median of {len(found['ours'])}; target under 200 ms",
            }
        )
    return rows


if __name__ == "__main__":
    main()
