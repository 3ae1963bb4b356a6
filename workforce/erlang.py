"""Erlang C and Erlang A staffing (SPEC section 6): plain functions over numbers, no Django.

Every function takes scalars or array-likes that broadcast together (one value per
interval) and answers with numpy arrays, so a week of 15-minute intervals is one call.
Nothing here uses factorials: Erlang B comes from its recursion
``B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1))``, which stays within [0, 1] for any
traffic, and the Erlang A queue is summed in log space. docs/erlang.md derives the
formulas, the Erlang A service level in particular.

Conventions: ``traffic`` is in Erlangs (A = calls * aht / interval), ``agents`` (N) are
whole agents, times are seconds. Where a quantity is unbounded (the mean wait of a queue
that grows forever, N <= A in Erlang C) it is ``inf``; where it is undefined (the mean
wait of answered calls when none is answered) it is ``nan``. The API shows both as null.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

# One value per interval. Inputs may be scalars or any array-like that broadcasts.
Array = npt.NDArray[Any]
ArrayLike = npt.ArrayLike

# Float noise allowance when comparing a computed service level, wait probability or
# occupancy with its target: 0.8 computed as 0.7999999999999999 still meets 0.8.
TOLERANCE = 1e-9
# Work limits: the B recursion costs one step per agent, the Erlang A queue one term per
# waiting caller. Inputs past these are refused (ErlangInputError) rather than computed
# for minutes; they are far beyond any real contact center interval.
MAX_TRAFFIC_ERLANGS = 10_000.0
MAX_AGENTS = 20_000
MAX_QUEUE_TERMS = 2_000_000
# Input bounds of the calculators (API and admin page alike).
MAX_INTERVALS = 10_000
MAX_CALLS_PER_INTERVAL = 1_000_000
MAX_ERLANG_A_TOTAL_TRAFFIC = 1_000_000  # Erlangs summed over a request's intervals
MAX_SECONDS = 86_400  # a day: longer intervals, handle times or patience are not a queue
# Queue states held in memory at once (intervals x states), about 4 MB per array.
BATCH_STATES = 500_000
# The Erlang A queue is truncated where the rest of it weighs below this share of the
# whole distribution (a bound, not an estimate: see _erlang_a_at).
QUEUE_TRUNCATION = 1e-16


class ErlangInputError(ValueError):
    """The inputs ask for more work than the limits allow; ``field`` names the culprit."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class QueueMetrics:
    """The queue at a given staffing, one value per interval."""

    agents: Array
    service_level: Array
    probability_of_waiting: Array
    asa_seconds: Array
    occupancy: Array
    probability_of_abandon: Array | None = None  # Erlang A only


@dataclass(frozen=True)
class Staffing:
    """The answer of the staffing endpoints: traffic, agents and the queue at those agents."""

    traffic_erlangs: Array
    agents: Array
    scheduled_agents: Array
    metrics: QueueMetrics


# --- Inputs --------------------------------------------------------------------------------


def _floats(*values: ArrayLike) -> tuple[Array, ...]:
    return tuple(np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in values)))


def traffic_erlangs(calls: ArrayLike, aht_seconds: ArrayLike, interval_seconds: ArrayLike) -> Array:
    """Offered load A = calls * aht / interval, in Erlangs."""
    calls, aht, interval = _floats(calls, aht_seconds, interval_seconds)
    return calls * aht / interval


def scheduled_agents(agents: ArrayLike, shrinkage: ArrayLike) -> Array:
    """ceil(agents / (1 - shrinkage)), the quotient first snapped to a whole number when it
    is one up to float noise: 14 / (1 - 0.3) is 20.000000000000004 in floats, and 20."""
    agents, shrinkage = _floats(agents, shrinkage)
    quotient = agents / (1.0 - shrinkage)
    nearest = np.round(quotient)
    snapped = np.abs(quotient - nearest) <= TOLERANCE * np.maximum(1.0, quotient)
    return np.where(snapped, nearest, np.ceil(quotient)).astype(np.int64)


def _check_traffic(traffic: Array) -> None:
    if np.any(traffic > MAX_TRAFFIC_ERLANGS):
        worst = float(np.max(traffic))
        raise ErlangInputError(
            _("Interval traffic is %(traffic)s Erlangs; at most %(most)s can be computed.")
            % {"traffic": f"{worst:.6g}", "most": f"{MAX_TRAFFIC_ERLANGS:g}"},
            field="calls",
        )


def _check_agents(agents: Array, field: str = "agents") -> None:
    if np.any(agents > MAX_AGENTS):
        raise ErlangInputError(
            _("%(agents)s agents in an interval; at most %(most)s can be computed.")
            % {"agents": int(np.max(agents)), "most": MAX_AGENTS},
            field=field,
        )


# --- Erlang B and C ------------------------------------------------------------------------


def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> Array:
    """Blocking probability B(N, A) by the recursion, vectorised over intervals.

    The intervals are sorted by N; step n updates only those with N >= n, a shrinking
    tail of the sorted arrays, so the cost is max(N) steps over ever fewer intervals.
    """
    traffic, agents = _floats(traffic, agents)
    agents = agents.astype(np.int64)
    _check_agents(agents)
    flat_agents = agents.ravel()
    order = np.argsort(flat_agents, kind="stable")
    sorted_agents = flat_agents[order]
    load = traffic.ravel()[order]
    blocking = np.ones_like(load)
    top = int(sorted_agents[-1]) if sorted_agents.size else 0
    starts = np.searchsorted(sorted_agents, np.arange(1, top + 1), side="left")
    for n, start in zip(range(1, top + 1), starts, strict=True):
        carried = load[start:] * blocking[start:]
        blocking[start:] = carried / (n + carried)
    result = np.empty_like(blocking)
    result[order] = blocking
    return result.reshape(traffic.shape)


def _wait_probability_c(traffic: Array, agents: Array, blocking: Array) -> Array:
    """Erlang C P(wait) = N B / (N - A (1 - B)) for N > A, 1 when N <= A."""
    stable = agents > traffic
    with np.errstate(divide="ignore", invalid="ignore"):
        value = agents * blocking / (agents - traffic * (1.0 - blocking))
    return np.where(stable, value, 1.0)


def _metrics_c(
    traffic: Array, agents: Array, blocking: Array, aht: Array, threshold: Array
) -> QueueMetrics:
    stable = agents > traffic
    idle = traffic == 0
    wait = np.where(idle, 0.0, _wait_probability_c(traffic, agents, blocking))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        margin = agents - traffic
        service_level = np.where(stable, 1.0 - wait * np.exp(-margin * threshold / aht), 0.0)
        asa = np.where(stable, wait * aht / margin, np.inf)
        occupancy = np.where(agents > 0, np.minimum(traffic / agents, 1.0), 1.0)
    return QueueMetrics(
        agents=agents.astype(np.int64),
        service_level=np.where(idle, 1.0, service_level),
        probability_of_waiting=wait,
        asa_seconds=np.where(idle, 0.0, asa),
        occupancy=np.where(idle, 0.0, occupancy),
    )


def erlang_c(
    traffic: ArrayLike, agents: ArrayLike, *, aht_seconds: ArrayLike, threshold_seconds: ArrayLike
) -> QueueMetrics:
    """The Erlang C queue with N agents: service level within T, P(wait), ASA, occupancy.

    SL = 1 - P(wait) exp(-(N - A) T / aht); ASA = P(wait) aht / (N - A); occupancy A / N.
    With N <= A the queue grows without bound: P(wait) 1, SL 0, ASA inf, occupancy 1.
    """
    traffic, agents, aht, threshold = _floats(traffic, agents, aht_seconds, threshold_seconds)
    _check_traffic(traffic)
    return _metrics_c(traffic, agents, erlang_b(traffic, agents), aht, threshold)


def _first_agents(traffic: Array, max_occupancy: Array) -> Array:
    """The least N worth testing: above the traffic (N > A) and within A / N <= max."""
    above = np.floor(traffic) + 1.0
    # A / max_occupancy is 10.000000000000002 for 7 / 0.7: the tolerance makes it 10.
    occupancy_floor = np.ceil(traffic / max_occupancy * (1.0 - TOLERANCE))
    return np.where(traffic == 0, 0.0, np.maximum(above, occupancy_floor))


def _search_c(
    traffic: Array,
    aht: Array,
    threshold: Array,
    target: Array,
    max_occupancy: Array,
    max_wait: Array | None,
) -> tuple[Array, QueueMetrics]:
    """The least N meeting every target, by stepping N upwards from ``_first_agents``.

    B is carried from step to step (B(N+1) from B(N)), so each step costs one update
    for the intervals still short of their target.
    """
    _check_traffic(traffic)
    agents = _first_agents(traffic, max_occupancy)
    _check_agents(agents, field="max_occupancy")
    blocking = erlang_b(traffic, agents)
    active = traffic > 0
    while True:
        metrics = _metrics_c(traffic, agents, blocking, aht, threshold)
        ok = metrics.service_level >= target - TOLERANCE
        if max_wait is not None:
            ok &= metrics.probability_of_waiting <= max_wait + TOLERANCE
        active &= ~ok
        if not active.any():
            return agents.astype(np.int64), metrics
        agents = np.where(active, agents + 1.0, agents)
        _check_agents(agents, field="target_service_level")
        carried = traffic * blocking
        with np.errstate(invalid="ignore"):  # 0 / 0 on the finished idle intervals
            blocking = np.where(active, carried / (agents + carried), blocking)


def erlang_c_agents(
    traffic: ArrayLike,
    *,
    aht_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    target_service_level: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> Array:
    """Least N with Erlang C service level >= target and A / N <= max_occupancy."""
    traffic, aht, threshold, target, occupancy = _floats(
        traffic, aht_seconds, threshold_seconds, target_service_level, max_occupancy
    )
    return _search_c(traffic, aht, threshold, target, occupancy, None)[0]


def erlang_c_agents_for_wait_probability(
    traffic: ArrayLike, max_wait_probability: ArrayLike
) -> Array:
    """Least N with Erlang C P(wait) <= alpha (Tijms, table 5.3.2)."""
    traffic, alpha = _floats(traffic, max_wait_probability)
    ones = np.ones_like(traffic)
    return _search_c(traffic, ones, 0.0 * ones, 0.0 * ones, ones, alpha)[0]


def staff_erlang_c(
    calls: ArrayLike,
    *,
    interval_seconds: ArrayLike,
    aht_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    target_service_level: ArrayLike,
    shrinkage: ArrayLike = 0.0,
    max_occupancy: ArrayLike = 1.0,
    agents: ArrayLike | None = None,
) -> Staffing:
    """SPEC section 6, Erlang C: the least staffing per interval (or the given one)."""
    traffic = traffic_erlangs(calls, aht_seconds, interval_seconds)
    traffic, aht, threshold, target, occupancy, shrink = _floats(
        traffic, aht_seconds, threshold_seconds, target_service_level, max_occupancy, shrinkage
    )
    if agents is None:
        found, metrics = _search_c(traffic, aht, threshold, target, occupancy, None)
    else:
        found = np.broadcast_to(np.asarray(agents, dtype=float), traffic.shape)
        metrics = erlang_c(traffic, found, aht_seconds=aht, threshold_seconds=threshold)
    return Staffing(
        traffic_erlangs=traffic,
        agents=metrics.agents,
        scheduled_agents=scheduled_agents(found, shrink),
        metrics=metrics,
    )


# --- Erlang A (M/M/N+M) --------------------------------------------------------------------


def _erlang_a_at(
    traffic: Array, agents: Array, aht: Array, patience: Array, threshold: Array
) -> QueueMetrics:
    """The M/M/N+M queue with N agents, per interval (1-D arrays of equal length).

    The stationary law is taken relative to the states 0..N, whose total is 1 and whose
    state N weighs B(N, A) (Erlang B). Above N, state N+j weighs B * r_j with
    r_j = prod_{i=1..j} lambda / (N mu + i theta). Everything is held as logarithms and
    rescaled by the largest, so neither a long queue (N << A) nor a tiny B overflows.

    The queue is summed to ``terms`` states, doubled for the intervals whose dropped
    rest could still weigh QUEUE_TRUNCATION of the whole.
    """
    count = traffic.size
    fields = {name: np.empty(count) for name in _A_FIELDS}
    blocking = erlang_b(traffic, agents)
    pending = np.arange(count)
    terms = 32
    while pending.size:
        if terms > MAX_QUEUE_TERMS:
            raise ErlangInputError(
                _(
                    "The queue this staffing lets build up is too long to compute: "
                    "add agents or shorten the patience."
                ),
                field="patience_seconds",
            )
        # Rows at a time, so that one batch holds a bounded number of queue states.
        rows = max(1, BATCH_STATES // terms)
        unfinished = []
        for first in range(0, pending.size, rows):
            batch = pending[first : first + rows]
            done, values = _erlang_a_batch(
                traffic[batch],
                agents[batch],
                aht[batch],
                patience[batch],
                threshold[batch],
                blocking[batch],
                terms,
            )
            for name, value in values.items():
                fields[name][batch[done]] = value
            unfinished.append(batch[~done])
        pending = np.concatenate(unfinished)
        terms *= 2
    return QueueMetrics(agents=agents.astype(np.int64), **fields)


_A_FIELDS = (
    "service_level",
    "probability_of_waiting",
    "asa_seconds",
    "occupancy",
    "probability_of_abandon",
)


def _erlang_a_batch(
    traffic: Array,
    agents: Array,
    aht: Array,
    patience: Array,
    threshold: Array,
    blocking: Array,
    terms: int,
) -> tuple[Array, dict[str, Array]]:
    """Erlang A for a batch of intervals with the queue cut at ``terms`` states above N.

    Answers (done, values): ``done`` marks the intervals whose cut is provably harmless.
    """
    mu = 1.0 / aht
    theta = 1.0 / patience
    lam = traffic * mu
    busy_rate = agents * mu  # N mu: the rate at which agents free up while all are busy
    j = np.arange(terms, dtype=float)
    stage_rates = busy_rate[:, None] + (j[None, :] + 1.0) * theta[:, None]  # N mu + (j+1) theta
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_blocking = np.log(blocking)
        log_ratio = np.log(lam)[:, None] - np.log(stage_rates)  # lambda / (N mu + i theta)
        # log of B r_j for j = 0..terms-1 (j = 0: state N itself, r_0 = 1).
        log_weight = np.empty_like(log_ratio)
        log_weight[:, 0] = log_blocking
        log_weight[:, 1:] = log_blocking[:, None] + np.cumsum(log_ratio[:, :-1], axis=1)
        # Past the peak the ratios only fall, so all that follows the last state kept
        # weighs at most a geometric series of the next ratio: a bound on what is cut.
        ratio_next = np.exp(log_ratio[:, -1])
        last = log_weight[:, -1]
        scale = np.maximum(0.0, log_weight.max(axis=1))
        bound = last + np.log(ratio_next) - np.log1p(-ratio_next)
        done = (
            (lam == 0)
            | (last == -np.inf)
            | ((ratio_next < 1.0) & (bound - scale < math.log(QUEUE_TRUNCATION)))
        )
    if not done.any():
        return done, {}
    if not done.all():  # the rest is computed again with a longer queue
        traffic, agents, theta, threshold, blocking, lam, busy_rate = (
            v[done] for v in (traffic, agents, theta, threshold, blocking, lam, busy_rate)
        )
        stage_rates, log_weight, scale = stage_rates[done], log_weight[done], scale[done]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        weight = np.exp(log_weight - scale[:, None])  # B r_j, scaled
        below = (1.0 - blocking) * np.exp(-scale)  # states 0..N-1, scaled alike
        total = below + weight.sum(axis=1)
        queue = weight / total[:, None]  # P(an arrival finds N + j in the system)
        served = busy_rate[:, None] / stage_rates  # q_j: reaches an agent before abandoning
        mean_wait = np.cumsum(1.0 / stage_rates, axis=1)  # E[wait | served], from N + j
        within = _served_within(busy_rate, theta, threshold, terms)  # F_j(T)

        p_below = below / total
        p_wait = queue.sum(axis=1)
        p_served = p_below + (queue * served).sum(axis=1)
        service_level = p_below + (queue * served * within).sum(axis=1)
        asa = (queue * served * mean_wait).sum(axis=1) / p_served
        occupancy = traffic * p_served / agents
    idle = lam == 0
    nobody = agents == 0
    values = {
        "service_level": np.where(idle, 1.0, np.where(nobody, 0.0, service_level)),
        "probability_of_waiting": np.where(idle, 0.0, np.where(nobody, 1.0, p_wait)),
        "asa_seconds": np.where(idle, 0.0, np.where(nobody, np.nan, asa)),
        "occupancy": np.where(idle, 0.0, np.where(nobody, 1.0, occupancy)),
        "probability_of_abandon": np.where(idle, 0.0, np.clip(1.0 - p_served, 0.0, 1.0)),
    }
    return done, values


def _served_within(busy_rate: Array, theta: Array, threshold: Array, terms: int) -> Array:
    """F_j(T): P(a caller who finds j others waiting reaches an agent within T | served).

    Given that the caller is served, the wait is a sum of exponential stages of rates
    N mu + i theta, i = 1..j+1, which is distributed as -ln(U) / theta with
    U ~ Beta(N mu / theta + 1, j + 1) (docs/erlang.md). With an integer second parameter,
    F_j(T) = P(U >= x), x = exp(-theta T), is one minus a negative binomial sum of
    positive terms w_i = C(alpha + i - 1, i) x^alpha (1 - x)^i, alpha = N mu / theta + 1,
    summed in log space: no cancellation between large terms.
    """
    alpha = busy_rate / theta + 1.0
    i = np.arange(terms, dtype=float)
    x_log = -theta * threshold  # log x
    with np.errstate(divide="ignore", invalid="ignore"):
        one_minus_x_log = np.log(-np.expm1(x_log))  # log(1 - x), -inf when T = 0
        growth = np.log((alpha[:, None] + i[None, 1:] - 1.0) / i[None, 1:])
        log_w = (
            np.concatenate([np.zeros((alpha.size, 1)), np.cumsum(growth, axis=1)], axis=1)
            + alpha[:, None] * x_log[:, None]
        )
        log_w[:, 1:] += i[None, 1:] * one_minus_x_log[:, None]
    within = 1.0 - np.cumsum(np.exp(log_w), axis=1)
    within = np.clip(within, 0.0, 1.0)
    return np.where((threshold > 0)[:, None], within, 0.0)


def erlang_a(
    traffic: ArrayLike,
    agents: ArrayLike,
    *,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
) -> QueueMetrics:
    """The Erlang A queue with N agents: SL (share of all offered calls answered within T),
    P(wait), P(abandon), ASA of answered calls, occupancy (carried load / N)."""
    traffic, agents, aht, patience, threshold = _floats(
        traffic, agents, aht_seconds, patience_seconds, threshold_seconds
    )
    _check_traffic(traffic)
    _check_agents(agents)
    shape = traffic.shape
    flat = _erlang_a_at(*(np.ravel(v) for v in (traffic, agents, aht, patience, threshold)))
    return QueueMetrics(
        **{name: getattr(flat, name).reshape(shape) for name in QueueMetrics.__dataclass_fields__}
    )


def _search_a(
    traffic: Array,
    aht: Array,
    patience: Array,
    threshold: Array,
    target: Array,
    max_occupancy: Array,
) -> tuple[Array, QueueMetrics]:
    """Least N meeting the targets under Erlang A, by a galloping search per interval.

    Both conditions only get easier with more agents (service level rises, occupancy
    falls), so the feasible N form a ray and a bracket [infeasible, feasible] narrows to
    the answer. Below target * A agents the target is out of reach (answered calls are at
    most N / A of the offered ones): the bracket's lower end. The upper end starts at
    Erlang C's answer, moved up until feasible; the search then gallops down and bisects.
    """
    _check_traffic(traffic)
    values = [np.ravel(v) for v in (traffic, aht, patience, threshold, target, max_occupancy)]
    traffic, aht, patience, threshold, target, max_occupancy = values

    def feasible(agents: Array) -> tuple[Array, QueueMetrics]:
        metrics = _erlang_a_at(traffic, agents, aht, patience, threshold)
        ok = (metrics.service_level >= target - TOLERANCE) & (
            metrics.occupancy <= max_occupancy + TOLERANCE
        )
        return (ok & (agents > 0)) | (traffic == 0), metrics

    low = np.maximum(0.0, np.ceil(target * traffic) - 2.0)
    # Erlang C's answer for the same targets is a close first guess in practice.
    guess, _ = _search_c(traffic, aht, threshold, target, max_occupancy, None)
    high = np.maximum(low + 1.0, guess)
    ok, _ = feasible(high)
    step = np.ones_like(high)
    while not ok.all():  # gallop upwards
        low = np.where(ok, low, high)
        high = np.where(ok, high, high + step)
        step *= 2.0
        _check_agents(high, field="target_service_level")
        ok, _ = feasible(high)
    # Gallop downwards while feasible (the answer is usually a few agents below), then bisect.
    step = np.ones_like(high)
    galloping = high - low > 1
    while galloping.any():
        probe = np.where(galloping, np.maximum(low + 1.0, high - step), high)
        ok, _ = feasible(probe)
        high = np.where(galloping & ok, probe, high)
        low = np.where(galloping & ~ok, probe, low)
        galloping &= ok & (high - low > 1)
        step *= 2.0
    while np.any(high - low > 1):
        middle = np.where(high - low > 1, np.floor((low + high) / 2.0), high)
        ok, _ = feasible(middle)
        high = np.where(ok, middle, high)
        low = np.where(ok, low, middle)
    agents = np.where(traffic == 0, 0.0, high)
    return agents, _erlang_a_at(traffic, agents, aht, patience, threshold)


def erlang_a_agents(
    traffic: ArrayLike,
    *,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    target_service_level: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> Array:
    """Least N with Erlang A service level >= target and occupancy <= max_occupancy."""
    arrays = _floats(
        traffic,
        aht_seconds,
        patience_seconds,
        threshold_seconds,
        target_service_level,
        max_occupancy,
    )
    agents, _ = _search_a(*arrays)
    return agents.astype(np.int64).reshape(arrays[0].shape)


def staff_erlang_a(  # noqa: PLR0913  SPEC section 6: one keyword per input of the API
    calls: ArrayLike,
    *,
    interval_seconds: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
    target_service_level: ArrayLike,
    shrinkage: ArrayLike = 0.0,
    max_occupancy: ArrayLike = 1.0,
    agents: ArrayLike | None = None,
) -> Staffing:
    """SPEC section 6, Erlang A: the least staffing per interval (or the given one)."""
    traffic = traffic_erlangs(calls, aht_seconds, interval_seconds)
    traffic, aht, patience, threshold, target, occupancy, shrink = _floats(
        traffic,
        aht_seconds,
        patience_seconds,
        threshold_seconds,
        target_service_level,
        max_occupancy,
        shrinkage,
    )
    shape = traffic.shape
    if agents is None:
        found, flat = _search_a(traffic, aht, patience, threshold, target, occupancy)
        found = found.reshape(shape)
        metrics = QueueMetrics(
            **{
                name: getattr(flat, name).reshape(shape)
                for name in QueueMetrics.__dataclass_fields__
            }
        )
    else:
        found = np.broadcast_to(np.asarray(agents, dtype=float), shape)
        metrics = erlang_a(
            traffic, found, aht_seconds=aht, patience_seconds=patience, threshold_seconds=threshold
        )
    return Staffing(
        traffic_erlangs=traffic,
        agents=metrics.agents,
        scheduled_agents=scheduled_agents(found, shrink),
        metrics=metrics,
    )
