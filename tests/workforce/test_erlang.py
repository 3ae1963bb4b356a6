"""Erlang C and Erlang A (workforce.erlang), without a database: the published cases of
../shared/data/erlang_vectors.json to their published precision, stability at thousands of
agents, the vectorised path against the scalar one, and Erlang A against Erlang C (infinite
patience) and against a Monte Carlo simulation of the M/M/N+M queue."""

import heapq
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from workforce import erlang

# The published cases (../shared/data/erlang_vectors.json), copied beside the tests so the
# suite runs from a clone alone; test_the_copy_matches_the_published_file checks it.
VECTORS_FILE = Path(__file__).resolve().parent / "data" / "erlang_vectors.json"
PUBLISHED_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / VECTORS_FILE.name
VECTORS = json.loads(VECTORS_FILE.read_text())


@pytest.mark.skipif(not PUBLISHED_FILE.exists(), reason="../shared is not beside this clone")
def test_the_copy_matches_the_published_file():
    assert json.loads(PUBLISHED_FILE.read_text()) == VECTORS


def _decimals(value):
    """The published precision of a number: 0.88835 has 5 decimals, 7.836 has 3."""
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def _case_id(case):
    return case["source"]


def _staff(case):
    return erlang.staff_erlang_c(
        case["calls"],
        interval_seconds=case["interval_seconds"],
        aht_seconds=case["aht_seconds"],
        threshold_seconds=case["threshold_seconds"],
        target_service_level=case["target_service_level"],
        shrinkage=case["shrinkage"],
        max_occupancy=case["max_occupancy"],
    )


def _answer(staffing):
    metrics = staffing.metrics
    return {
        "traffic_erlangs": float(staffing.traffic_erlangs),
        "agents": int(staffing.agents),
        "scheduled_agents": int(staffing.scheduled_agents),
        "service_level": float(metrics.service_level),
        "probability_of_waiting": float(metrics.probability_of_waiting),
        "asa_seconds": float(metrics.asa_seconds),
        "occupancy": float(metrics.occupancy),
    }


# --- Erlang C: the published vectors -------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["erlang_c"], ids=_case_id)
def test_erlang_c_matches_the_published_case(case):
    answer = _answer(_staff(case))
    for name, expected in case["expect"].items():
        if isinstance(expected, int):
            assert answer[name] == expected, name
        else:
            assert round(answer[name], _decimals(expected)) == pytest.approx(expected), name


def test_the_callcentrehelper_case_in_full():
    answer = _answer(_staff(VECTORS["erlang_c"][0]))
    assert answer == {
        "traffic_erlangs": 10.0,
        "agents": 14,
        "scheduled_agents": 20,  # ceil(14 / 0.7): 20, though 14 / 0.7 is 20.000000000000004
        "service_level": pytest.approx(0.88835, abs=5e-6),
        "probability_of_waiting": pytest.approx(0.17413, abs=5e-6),
        "asa_seconds": pytest.approx(7.836, abs=5e-4),
        "occupancy": pytest.approx(0.71429, abs=5e-6),
    }


TIJMS = [
    pytest.param(
        row["traffic_erlangs"], float(alpha), agents, id=f"A={row['traffic_erlangs']}-{alpha}"
    )
    for row in VECTORS["erlang_c_least_n_for_wait_probability"]["rows"]
    for alpha, agents in row["alpha"].items()
]


@pytest.mark.parametrize(("traffic", "alpha", "agents"), TIJMS)
def test_least_agents_for_a_wait_probability_matches_tijms(traffic, alpha, agents):
    assert int(erlang.erlang_c_agents_for_wait_probability(traffic, alpha)) == agents


def test_the_tijms_table_in_one_vectorised_call():
    traffic = np.array([row.values[0] for row in TIJMS])
    alpha = np.array([row.values[1] for row in TIJMS])
    expected = [row.values[2] for row in TIJMS]
    assert erlang.erlang_c_agents_for_wait_probability(traffic, alpha).tolist() == expected


# --- Erlang C: edges and stability ---------------------------------------------------------


def test_zero_calls_need_zero_agents():
    staffing = erlang.staff_erlang_c(
        0,
        interval_seconds=1800,
        aht_seconds=180,
        threshold_seconds=20,
        target_service_level=0.8,
        shrinkage=0.3,
    )
    assert _answer(staffing) == {
        "traffic_erlangs": 0.0,
        "agents": 0,
        "scheduled_agents": 0,
        "service_level": 1.0,
        "probability_of_waiting": 0.0,
        "asa_seconds": 0.0,
        "occupancy": 0.0,
    }


def test_too_few_agents_make_an_unbounded_queue():
    metrics = erlang.erlang_c([10, 10], [10, 0], aht_seconds=180, threshold_seconds=20)
    assert metrics.probability_of_waiting.tolist() == [1.0, 1.0]
    assert metrics.service_level.tolist() == [0.0, 0.0]
    assert metrics.asa_seconds.tolist() == [math.inf, math.inf]
    assert metrics.occupancy.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("agents", "shrinkage", "scheduled"),
    [(14, 0.3, 20), (15, 0.3, 22), (7, 0.3, 10), (10, 0.0, 10), (1, 0.5, 2), (0, 0.9, 0)],
)
def test_scheduled_agents_round_up_but_not_on_float_noise(agents, shrinkage, scheduled):
    assert int(erlang.scheduled_agents(agents, shrinkage)) == scheduled


def test_max_occupancy_exactly_met_is_allowed():
    # A = 7, max occupancy 0.7: 10 agents make exactly 0.7 (7 / 0.7 is 10.000000000000002).
    agents = erlang.erlang_c_agents(
        7, aht_seconds=180, threshold_seconds=20, target_service_level=0.0, max_occupancy=0.7
    )
    assert int(agents) == 10


def _scalar_erlang_b(traffic, agents):
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


@pytest.mark.parametrize("traffic", [1000, 5000])
def test_thousands_of_agents_are_stable(traffic):
    agents = erlang.erlang_c_agents_for_wait_probability(traffic, 0.2)
    metrics = erlang.erlang_c(traffic, agents, aht_seconds=180, threshold_seconds=20)
    fewer = erlang.erlang_c(traffic, agents - 1, aht_seconds=180, threshold_seconds=20)
    assert metrics.probability_of_waiting <= 0.2 < fewer.probability_of_waiting
    assert 0 < float(metrics.service_level) < 1
    assert np.isfinite(metrics.asa_seconds)
    # The vectorised recursion is the plain one, digit for digit.
    assert float(erlang.erlang_b(traffic, agents)) == _scalar_erlang_b(traffic, int(agents))


def test_far_more_agents_than_traffic_underflow_gracefully():
    metrics = erlang.erlang_c(1, 400, aht_seconds=180, threshold_seconds=20)
    assert float(metrics.probability_of_waiting) == 0.0
    assert float(metrics.service_level) == 1.0


def test_vectorised_equals_scalar():
    rng = np.random.default_rng(20261005)
    calls = rng.uniform(0, 400, 96).round(1)
    calls[[0, 50]] = 0
    params = {
        "interval_seconds": 900,
        "aht_seconds": 240,
        "threshold_seconds": 20,
        "target_service_level": 0.8,
        "shrinkage": 0.35,
        "max_occupancy": 0.85,
    }
    together = erlang.staff_erlang_c(calls, **params)
    for index, load in enumerate(calls):
        alone = erlang.staff_erlang_c(float(load), **params)
        assert int(together.agents[index]) == int(alone.agents)
        assert int(together.scheduled_agents[index]) == int(alone.scheduled_agents)
        for name in ("service_level", "probability_of_waiting", "asa_seconds", "occupancy"):
            assert getattr(together.metrics, name)[index] == getattr(alone.metrics, name)


def test_the_search_answers_the_least_agents():
    rng = np.random.default_rng(7)
    traffic = rng.uniform(0.5, 300, 50)
    agents = erlang.erlang_c_agents(
        traffic, aht_seconds=180, threshold_seconds=20, target_service_level=0.9
    )
    meets = erlang.erlang_c(traffic, agents, aht_seconds=180, threshold_seconds=20)
    short = erlang.erlang_c(traffic, agents - 1, aht_seconds=180, threshold_seconds=20)
    assert (meets.service_level >= 0.9).all()
    assert (short.service_level < 0.9).all()


def test_a_week_of_15_minute_intervals_takes_milliseconds():
    calls = np.random.default_rng(1).uniform(0, 300, 672)
    params = {
        "interval_seconds": 900,
        "aht_seconds": 180,
        "threshold_seconds": 20,
        "target_service_level": 0.8,
        "shrinkage": 0.3,
    }
    erlang.staff_erlang_c(calls, **params)  # warm
    started = time.perf_counter()
    erlang.staff_erlang_c(calls, **params)
    assert time.perf_counter() - started < 0.1  # a few ms; generous for a loaded CI machine


def test_work_beyond_the_limits_is_refused_by_field():
    with pytest.raises(erlang.ErlangInputError) as caught:
        erlang.staff_erlang_c(
            1e6,
            interval_seconds=1,
            aht_seconds=86400,
            threshold_seconds=20,
            target_service_level=0.8,
        )
    assert caught.value.field == "calls"
    with pytest.raises(erlang.ErlangInputError) as caught:
        erlang.staff_erlang_c(
            100,
            interval_seconds=1800,
            aht_seconds=180,
            threshold_seconds=20,
            target_service_level=0.8,
            max_occupancy=1e-9,
        )
    assert caught.value.field == "max_occupancy"


# --- Erlang A ------------------------------------------------------------------------------


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c = erlang.erlang_c(10, 14, aht_seconds=180, threshold_seconds=20)
    gaps = []
    for patience in (1e4, 1e6, 1e8):
        a = erlang.erlang_a(
            10, 14, aht_seconds=180, patience_seconds=patience, threshold_seconds=20
        )
        gaps.append(abs(float(a.service_level - c.service_level)))
        assert float(a.probability_of_abandon) < 10 * 180 / patience
    assert gaps[0] > gaps[1] > gaps[2]
    a = erlang.erlang_a(10, 14, aht_seconds=180, patience_seconds=1e8, threshold_seconds=20)
    for name in ("service_level", "probability_of_waiting", "asa_seconds", "occupancy"):
        assert float(getattr(a, name)) == pytest.approx(float(getattr(c, name)), rel=1e-5)


def test_erlang_a_abandons_agree_with_littles_law():
    """P(abandon) from the callers' own race (1 - served) equals theta E[queue] / lambda."""
    traffic, agents, aht, patience = 12.0, 11, 200.0, 90.0
    lam, mu, theta = traffic / aht, 1 / aht, 1 / patience
    # The chain itself, summed directly from state 0 (fine at this size).
    weights = [1.0]
    for k in range(1, 400):
        death = min(k, agents) * mu + max(k - agents, 0) * theta
        weights.append(weights[-1] * lam / death)
    total = sum(weights)
    queue = sum(max(k - agents, 0) * w for k, w in enumerate(weights)) / total
    waiting = sum(w for k, w in enumerate(weights) if k >= agents) / total
    metrics = erlang.erlang_a(
        traffic, agents, aht_seconds=aht, patience_seconds=patience, threshold_seconds=20
    )
    assert float(metrics.probability_of_abandon) == pytest.approx(theta * queue / lam, rel=1e-9)
    assert float(metrics.probability_of_waiting) == pytest.approx(waiting, rel=1e-9)
    busy = sum(min(k, agents) * w for k, w in enumerate(weights)) / total
    assert float(metrics.occupancy) == pytest.approx(busy / agents, rel=1e-9)


def _simulate(*, traffic, agents, aht, patience, threshold, customers, seed):
    """FCFS M/M/N+M: each caller takes the earliest free agent unless their patience runs
    out first. Answers (answered within T, waited, abandoned) as shares of all callers."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(aht / traffic, customers)).tolist()
    services = rng.exponential(aht, customers).tolist()
    patiences = rng.exponential(patience, customers).tolist()
    free = [0.0] * agents  # when each agent is next free, a heap
    within = waited = abandoned = 0
    for arrival, service, limit in zip(arrivals, services, patiences, strict=True):
        wait = max(0.0, free[0] - arrival)
        waited += wait > 0
        if wait > limit:
            abandoned += 1
            continue
        within += wait <= threshold
        heapq.heapreplace(free, arrival + wait + service)
    return within / customers, waited / customers, abandoned / customers


@pytest.mark.parametrize(
    ("traffic", "agents", "aht", "patience", "threshold"),
    [(5.0, 5, 60.0, 60.0, 20.0), (10.0, 9, 180.0, 120.0, 30.0), (8.0, 10, 120.0, 300.0, 20.0)],
)
def test_erlang_a_agrees_with_a_monte_carlo_simulation(traffic, agents, aht, patience, threshold):
    within, waited, abandoned = _simulate(
        traffic=traffic,
        agents=agents,
        aht=aht,
        patience=patience,
        threshold=threshold,
        customers=200_000,
        seed=42,
    )
    metrics = erlang.erlang_a(
        traffic, agents, aht_seconds=aht, patience_seconds=patience, threshold_seconds=threshold
    )
    assert float(metrics.service_level) == pytest.approx(within, abs=0.01)
    assert float(metrics.probability_of_waiting) == pytest.approx(waited, abs=0.01)
    assert float(metrics.probability_of_abandon) == pytest.approx(abandoned, abs=0.01)


def test_erlang_a_service_level_rises_and_occupancy_falls_with_agents():
    agents = np.arange(1, 40)
    metrics = erlang.erlang_a(
        20, agents, aht_seconds=180, patience_seconds=60, threshold_seconds=20
    )
    assert (np.diff(metrics.service_level) > 0).all()
    assert (np.diff(metrics.occupancy) < 0).all()


def test_erlang_a_search_answers_the_least_agents():
    rng = np.random.default_rng(3)
    traffic = rng.uniform(0.5, 200, 40)
    params = {"aht_seconds": 180, "patience_seconds": 90, "threshold_seconds": 20}
    agents = erlang.erlang_a_agents(traffic, target_service_level=0.8, max_occupancy=0.9, **params)
    meets = erlang.erlang_a(traffic, agents, **params)
    short = erlang.erlang_a(traffic, agents - 1, **params)
    assert ((meets.service_level >= 0.8) & (meets.occupancy <= 0.9)).all()
    assert ((short.service_level < 0.8) | (short.occupancy > 0.9)).all()


def test_erlang_a_at_thousands_of_agents_and_with_nobody():
    metrics = erlang.erlang_a(
        [1000, 1000, 1000, 5],
        [1000, 900, 1040, 0],
        aht_seconds=180,
        patience_seconds=120,
        threshold_seconds=20,
    )
    assert np.isfinite(metrics.service_level).all()
    assert (np.diff(metrics.service_level[[1, 0, 2]]) > 0).all()
    # Fewer agents than traffic is a stable queue here: the surplus abandons.
    assert float(metrics.probability_of_abandon[1]) == pytest.approx(0.1, abs=0.02)
    assert metrics.service_level[3] == 0.0
    assert metrics.probability_of_abandon[3] == 1.0


def test_erlang_a_zero_calls_need_zero_agents():
    staffing = erlang.staff_erlang_a(
        [0, 100],
        interval_seconds=1800,
        aht_seconds=180,
        patience_seconds=120,
        threshold_seconds=20,
        target_service_level=0.8,
    )
    assert staffing.agents[0] == 0
    assert staffing.metrics.service_level[0] == 1.0
    assert staffing.metrics.probability_of_abandon[0] == 0.0
    assert staffing.agents[1] > 0
