"""The portfolio router: differently configured searches on all cores, the best one wins.

Measured on Solomon: no single first-solution strategy wins everywhere, and PATH_CHEAPEST
_ARC may find nothing on tight windows, while PARALLEL_CHEAPEST_INSERTION always does. So
each core runs a different search for the whole time limit, and the independent evaluator
(never a solver's own objective) picks the result: fewest unserved stops, then lowest cost.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.optimizer.routing.engine import EngineRun, SearchConfig
from supplynet.optimizer.routing.evaluator import Evaluation, evaluate
from supplynet.optimizer.routing.matrix import IntegerModel, integer_model, travel_matrix
from supplynet.optimizer.routing.ortools_engine import solve_ortools
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.pyvrp_engine import pyvrp_supports, solve_pyvrp
from supplynet.optimizer.routing.reasons import unservable_reasons
from supplynet.optimizer.routing.schedule import RouteSchedule, SolverStats, build_schedule
from supplynet.optimizer.workers import start_worker, stop_worker, worker_context

_ORTOOLS_PORTFOLIO = (
    SearchConfig("ortools", "PARALLEL_CHEAPEST_INSERTION"),
    SearchConfig("ortools", "SAVINGS"),
    SearchConfig("ortools", "LOCAL_CHEAPEST_INSERTION"),
    SearchConfig("ortools", "PATH_CHEAPEST_ARC"),
    SearchConfig("ortools", "CHRISTOFIDES"),
    SearchConfig("ortools", "PARALLEL_CHEAPEST_INSERTION", "TABU_SEARCH"),
)

_RESERVE_S = 0.25
"""Seconds kept back from the searches for process start-up, evaluation and the result."""


@dataclass(frozen=True)
class Outcome:
    """One portfolio member's run and how the evaluator judged it."""

    run: EngineRun
    evaluation: Evaluation | None


def default_portfolio(problem: RoutingProblem, workers: int) -> tuple[SearchConfig, ...]:
    """The searches to run on ``workers`` cores, best first.

    One core: OR-Tools alone (it always returns a solution, dropping what it must). Where
    PyVRP cannot model the problem (breaks, stops tied to one of several depots): OR-Tools
    starts only. Otherwise PyVRP (strongest on plain VRPTW, but all or nothing) and the
    strongest OR-Tools search share the first two cores, then the two alternate.
    """
    if not pyvrp_supports(integer_model(problem)) or workers == 1:
        return _ORTOOLS_PORTFOLIO[: max(1, workers)]
    mixed: list[SearchConfig] = []
    for i, config in enumerate(_ORTOOLS_PORTFOLIO):
        mixed += [SearchConfig("pyvrp", seed=i), config]
    return tuple(mixed[:workers])


def fewest_vehicles(problem: RoutingProblem) -> RoutingProblem:
    """The same problem with every vehicle's fixed cost raised above any distance saving.

    The added cost (twice the longest arc at the highest per-km rate, times the number of
    stops) exceeds the cost of any set of routes, so one vehicle fewer always pays:
    solvers then minimise the fleet first and cost second.
    """
    dist, _ = travel_matrix(problem)
    rate = max(v.cost_per_km for v in problem.vehicles)
    extra = math.ceil(2 * float(dist.max()) * max(rate, 1.0) * max(1, len(problem.stops)))
    vehicles = [v.model_copy(update={"fixed_cost": v.fixed_cost + extra}) for v in problem.vehicles]
    return dataclasses.replace(problem, vehicles=tuple(vehicles))


def available_cores() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0))


def solve(
    problem: RoutingProblem,
    time_limit_s: float = 10.0,
    workers: int | None = None,
    portfolio: Sequence[SearchConfig] | None = None,
) -> RouteSchedule:
    """Route a validated problem within ``time_limit_s`` seconds of wall time.

    Parameters
    ----------
    problem : built with ``RoutingProblem.build``.
    time_limit_s : wall-clock budget of the whole call.
    workers : processes to run in parallel; default: all available cores.
    portfolio : searches to run, one per worker; default ``default_portfolio``.

    Returns
    -------
    RouteSchedule
        Routes, totals, unserved stops with reasons and per-search statistics.

    Raises
    ------
    ValidationFailed
        If ``time_limit_s`` is not positive or a search names an unknown engine.
    """
    started = time.monotonic()
    if time_limit_s <= 0:
        raise ValidationFailed([Problem("time_limit_s", "must be positive")], "routing request")
    cores = workers or available_cores()
    configs = tuple(portfolio) if portfolio else default_portfolio(problem, cores)
    bad = [i for i, c in enumerate(configs) if c.engine not in ("ortools", "pyvrp")]
    if bad:
        problems = [Problem(f"portfolio[{i}].engine", "unknown engine") for i in bad]
        raise ValidationFailed(problems, "routing request")
    model = integer_model(problem)
    stop_ids = [s.id for s in problem.stops]
    reasons = unservable_reasons(problem, model)
    skip = frozenset(reasons)
    if not pyvrp_supports(model):
        configs = tuple(c for c in configs if c.engine != "pyvrp") or (_ORTOOLS_PORTFOLIO[0],)
    budget = time_limit_s - (time.monotonic() - started) - _RESERVE_S * min(1.0, time_limit_s / 4)
    runs = run_portfolio(model, configs[: max(1, cores)], budget, skip)
    outcomes = [Outcome(r, evaluate(model, r.routes, stop_ids) if r.found else None) for r in runs]
    feasible = [o for o in outcomes if o.evaluation is not None and o.evaluation.feasible]
    best = min(
        feasible, key=lambda o: o.evaluation.key() if o.evaluation else (0, 0.0), default=None
    )
    evaluation = best.evaluation if best is not None else evaluate(model, (), stop_ids)
    stats = SolverStats(
        time_limit_s=time_limit_s,
        wall_s=time.monotonic() - started,
        winner=best.run.config.name if best is not None else "",
        runs=tuple(
            (o.run.config.name, o.run.found, o.evaluation.cost if o.evaluation else None)
            for o in outcomes
        ),
    )
    assert evaluation is not None
    return build_schedule(problem, model, evaluation, reasons, stats)


def run_portfolio(
    model: IntegerModel, configs: Sequence[SearchConfig], seconds: float, skip: frozenset[int]
) -> list[EngineRun]:
    """Run each configuration for ``seconds``: the first in this process, the rest in workers.

    Workers are forked from this process when it has a single thread (instant: the
    engines are already imported); a multi-threaded caller such as the demo's progress
    bar gets them from a forkserver instead, which is safe but slow to start. A worker
    that has not answered shortly after the deadline is stopped and counts as not found,
    so the time limit holds either way.
    """
    seconds = max(0.05, seconds)
    deadline = time.time() + seconds
    if len(configs) == 1:
        return [run_one(model, configs[0], seconds, skip)]
    context = worker_context("supplynet.optimizer.routing.solver")
    workers = [
        (config, *start_worker(context, _worker, model, config, deadline, skip))
        for config in configs[1:]
    ]
    runs = [_run_until(model, configs[0], deadline, skip)]
    grace = min(0.5, 0.05 * seconds)
    for config, process, receive in workers:
        if receive.poll(max(0.0, deadline + grace - time.time())):
            runs.append(receive.recv())
        else:
            runs.append(EngineRun(config, (), False, seconds, "stopped at the deadline"))
        stop_worker(process, receive)
    return runs


def _worker(
    send: Connection,
    model: IntegerModel,
    config: SearchConfig,
    deadline: float,
    skip: frozenset[int],
) -> None:
    send.send(_run_until(model, config, deadline, skip))
    send.close()


def run_one(
    model: IntegerModel, config: SearchConfig, seconds: float, skip: frozenset[int]
) -> EngineRun:
    """Run a single configured search in this process."""
    engine = solve_pyvrp if config.engine == "pyvrp" else solve_ortools
    return engine(model, config, seconds, skip)


def _run_until(
    model: IntegerModel, config: SearchConfig, deadline: float, skip: frozenset[int]
) -> EngineRun:
    return run_one(model, config, deadline - time.time(), skip)
