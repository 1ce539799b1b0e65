"""The portfolio router: the best engine that can express the problem, on every core.

Measured on Solomon and Gehring-Homberger instances, PyVRP beats every OR-Tools search
wherever it can model the problem, and an OR-Tools run beside it only halves its CPU.
So the engine follows from the problem's features (``default_portfolio``): PyVRP with a
different seed on each core where it can model the problem, OR-Tools' differently
configured searches where it cannot (driver breaks, stops tied to one of several
depots). The first search is the one-core run itself (same seed, same time), so more
cores only add; on days of more than ``COOPERATE_ABOVE_STOPS`` stops the other PyVRP
members restart from its best as it goes instead of searching on their own. The
independent evaluator (never a solver's own objective) picks the result: fewest
unserved stops, then lowest cost. A search that fails is recorded with its
reason; if none returns a solution, every stop says why.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.optimizer.routing.engine import EngineRun, SearchConfig
from supplynet.optimizer.routing.evaluator import Evaluation, evaluate
from supplynet.optimizer.routing.matrix import IntegerModel, integer_model, travel_matrix
from supplynet.optimizer.routing.ortools_engine import solve_ortools
from supplynet.optimizer.routing.parts import merge, split_by_depot
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.pyvrp_engine import (
    Cooperation,
    SharedBest,
    pyvrp_supports,
    solve_pyvrp,
)
from supplynet.optimizer.routing.reasons import (
    left_out_reasons,
    no_solution_reason,
    unservable_reasons,
)
from supplynet.optimizer.routing.schedule import (
    RouteSchedule,
    SearchRun,
    SolverStats,
    build_schedule,
)
from supplynet.optimizer.workers import (
    WorkerContext,
    start_worker,
    stop_worker,
    worker_context,
)

_ORTOOLS_PORTFOLIO = (
    SearchConfig("ortools", "PARALLEL_CHEAPEST_INSERTION"),
    SearchConfig("ortools", "SAVINGS"),
    SearchConfig("ortools", "LOCAL_CHEAPEST_INSERTION"),
    SearchConfig("ortools", "PATH_CHEAPEST_ARC"),
    SearchConfig("ortools", "CHRISTOFIDES"),
    SearchConfig("ortools", "PARALLEL_CHEAPEST_INSERTION", "TABU_SEARCH"),
)

COOPERATE_ABOVE_STOPS = 200
"""Up to here one PyVRP run nearly converges in the limit (Gehring-Homberger 200: 0.2%
from the best known at 30 s), and independent seeds are what the Solomon and 200-stop
figures were measured with; beyond (1,000: 2% at 60 s) a second member that restarts
from the leader's best works where the leader is (``bench/routing_large.py``)."""

_RESERVE_S = 0.25
"""Seconds kept back from the searches for process start-up, evaluation and the result."""
_RESERVE_PER_NODE_S = 5e-4
"""More kept back per node: a 1,000-stop day's evaluation and schedule took ~0.5 s."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """One portfolio member's run and how the evaluator judged it."""

    run: EngineRun
    evaluation: Evaluation | None


def engines_for(model: IntegerModel) -> tuple[str, ...]:
    """Engines that can express the problem, strongest first.

    Multi-trip needs PyVRP (OR-Tools has no reloads); breaks and depot-tied stops need
    OR-Tools; ``RoutingProblem.build`` rejects a vehicle that needs both.
    """
    if not pyvrp_supports(model):
        return ("ortools",)
    if model.multi_trip():
        return ("pyvrp",)
    return ("pyvrp", "ortools")


def default_portfolio(problem: RoutingProblem, workers: int) -> tuple[SearchConfig, ...]:
    """The searches to run on ``workers`` cores: the strongest engine, diversified.

    PyVRP with seeds 0, 1, ... where it can model the problem (one core: PyVRP alone,
    the same run as calling it directly); otherwise OR-Tools' first-solution strategies,
    strongest first.
    """
    return _portfolio_for(integer_model(problem), workers)


def _portfolio_for(model: IntegerModel, workers: int) -> tuple[SearchConfig, ...]:
    cores = max(1, workers)
    if engines_for(model)[0] == "pyvrp":
        return tuple(SearchConfig("pyvrp", seed=i) for i in range(cores))
    return _ORTOOLS_PORTFOLIO[:cores]


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
    *,
    deadline: Deadline | None = None,
) -> RouteSchedule:
    """Route a validated problem within ``time_limit_s`` seconds of wall time.

    Parameters
    ----------
    problem : built with ``RoutingProblem.build``.
    time_limit_s : budget of the whole call.
    workers : processes to run in parallel; default: all available cores.
    portfolio : searches to run, one per worker; default ``default_portfolio``. Searches
        whose engine cannot express the problem are left out (and listed in the stats).
    deadline : the request's deadline; the budget is the smaller of ``time_limit_s``
        and ``deadline.solver_limit()``.

    A day whose stops are each tied to one of several depots is solved depot by depot
    (``parts.split_by_depot``), each part with a share of the time by its stops.

    Returns
    -------
    RouteSchedule
        Routes, totals, unserved stops with reasons, warnings and per-search statistics.

    Raises
    ------
    ValidationFailed
        If ``time_limit_s`` is not positive or a search names an unknown engine.
    """
    if time_limit_s <= 0:
        raise ValidationFailed([Problem("time_limit_s", "must be positive")], "routing request")
    limit = time_limit_s if deadline is None else min(time_limit_s, deadline.solver_limit())
    budget = Deadline.after(limit) if deadline is None else Deadline.after(limit, deadline.clock)
    cores = workers or available_cores()
    parts = split_by_depot(problem)
    if len(parts) == 1:
        return _solve_within(problem, limit, budget, cores, portfolio)
    schedules = []
    weights = [len(p.stops) if p.vehicles else 0 for p in parts]  # vehicle-less: no search
    left = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        if not part.stops:
            continue
        share = budget.remaining() * weight / left if weight else 0.0
        left -= weight
        part_budget = Deadline.after(share, budget.clock)
        schedules.append(_solve_within(part, share, part_budget, cores, portfolio))
    return merge(schedules, time_limit_s=limit)


def _solve_within(
    problem: RoutingProblem,
    limit: float,
    budget: Deadline,
    cores: int,
    portfolio: Sequence[SearchConfig] | None,
) -> RouteSchedule:
    """``solve`` for a problem that does not split: the portfolio until ``budget``."""
    started = budget.clock()
    model = integer_model(problem)
    configs = tuple(portfolio) if portfolio else _portfolio_for(model, cores)
    bad = [i for i, c in enumerate(configs) if c.engine not in ("ortools", "pyvrp")]
    if bad:
        problems = [Problem(f"portfolio[{i}].engine", "unknown engine") for i in bad]
        raise ValidationFailed(problems, "routing request")
    stop_ids = [s.id for s in problem.stops]
    reasons = unservable_reasons(problem, model)
    skip = frozenset(reasons)
    usable = engines_for(model)
    left_out = [
        EngineRun(c, (), False, 0.0, "engine cannot express this problem")
        for c in configs
        if c.engine not in usable
    ]
    configs = tuple(c for c in configs if c.engine in usable)
    if not configs:
        configs = _portfolio_for(model, 1)
    reserve = min(0.05 * limit, _RESERVE_S + _RESERVE_PER_NODE_S * model.n_nodes)
    # stops no vehicle can serve are left out of the searches; with none left, none runs
    runs = (
        run_portfolio(model, configs[: max(1, cores)], budget.remaining() - reserve, skip)
        if len(skip) < len(stop_ids)
        else []
    )
    outcomes = [Outcome(r, evaluate(model, r.routes, stop_ids) if r.found else None) for r in runs]
    feasible = [o for o in outcomes if o.evaluation is not None and o.evaluation.feasible]
    best = min(
        feasible, key=lambda o: o.evaluation.key() if o.evaluation else (0, 0.0), default=None
    )
    if best is None:
        failures = "; ".join(f"{o.run.config.name}: {_why_not(o)}" for o in outcomes)
        reasons = {**{s: no_solution_reason(failures) for s in range(len(stop_ids))}, **reasons}
    evaluation = best.evaluation if best is not None else evaluate(model, (), stop_ids)
    assert evaluation is not None
    if best is not None:
        reasons = {**left_out_reasons(model, evaluation, stop_ids, limit), **reasons}
    stats = SolverStats(
        time_limit_s=limit,
        wall_s=budget.clock() - started,
        winner=best.run.config.name if best is not None else "",
        runs=tuple(
            (o.run.config.name, o.run.found, o.evaluation.cost if o.evaluation else None)
            for o in outcomes
        ),
        searches=tuple(_search(o) for o in outcomes)
        + tuple(SearchRun(r.config.name, False, None, 0.0, r.detail) for r in left_out),
    )
    schedule = build_schedule(problem, model, evaluation, reasons, stats)
    if schedule.unserved:
        _log.warning("%s", schedule.warnings[0])
    return schedule


def _why_not(outcome: Outcome) -> str:
    """Why a search did not give a usable solution, in a few words."""
    if outcome.evaluation is None:
        return outcome.run.detail or "no solution"
    return "infeasible: " + "; ".join(outcome.evaluation.violations[:2])


def _search(outcome: Outcome) -> SearchRun:
    ev = outcome.evaluation
    usable = ev is not None and ev.feasible
    return SearchRun(
        name=outcome.run.config.name,
        found=usable,
        cost=ev.cost if ev is not None else None,
        wall_s=outcome.run.wall_s,
        detail=outcome.run.detail if usable else _why_not(outcome),
    )


def run_portfolio(
    model: IntegerModel, configs: Sequence[SearchConfig], seconds: float, skip: frozenset[int]
) -> list[EngineRun]:
    """Run each configuration for ``seconds``: the first in this process, the rest in workers.

    The first search gets the whole ``seconds`` whatever the number of workers: on one
    core it is the whole portfolio, so the portfolio never has less search than its
    one-core run. Beyond ``COOPERATE_ABOVE_STOPS`` stops, PyVRP members share: the first
    publishes its best as it goes and the others restart from it (``Cooperation``).

    Workers are forked from this process when it has a single thread (instant: the
    engines are already imported); a multi-threaded caller such as the demo's progress
    bar gets them from a forkserver instead, which is safe but slow to start. A worker
    that has not answered shortly after the deadline is stopped and counts as not found,
    so the time limit holds either way.
    """
    seconds = max(0.05, seconds)
    deadline = Deadline.after(seconds)
    if len(configs) == 1:
        return [_run_until(model, configs[0], deadline, skip)]
    context = worker_context("supplynet.optimizer.routing.solver")
    roles = portfolio_roles(context, model, configs, seconds)
    workers = [
        (config, *start_worker(context, _worker, model, config, deadline, skip, role))
        for config, role in zip(configs[1:], roles[1:], strict=True)
    ]
    runs = [_run_until(model, configs[0], deadline, skip, roles[0])]
    grace = min(0.5, 0.05 * seconds)
    for config, process, receive in workers:
        if receive.poll(deadline.remaining() + grace):
            runs.append(receive.recv())
        else:
            code = process.exitcode
            why = "stopped at the deadline" if code is None else f"worker exited with code {code}"
            runs.append(EngineRun(config, (), False, seconds, why))
        stop_worker(process, receive)
    return runs


def portfolio_roles(
    context: WorkerContext, model: IntegerModel, configs: Sequence[SearchConfig], seconds: float
) -> list[Cooperation | None]:
    """Each search's part in a ``seconds`` run: beyond ``COOPERATE_ABOVE_STOPS`` stops the
    PyVRP members cooperate, led by the first search (when it is PyVRP); else none."""
    pyvrp = [c.engine == "pyvrp" for c in configs]
    stops = model.n_nodes - model.n_depots
    if stops <= COOPERATE_ABOVE_STOPS or not pyvrp[0] or sum(pyvrp) < 2:
        return [None] * len(configs)
    shared = SharedBest(context, model.n_nodes)
    return [
        Cooperation.for_search(shared, i == 0, seconds) if p else None for i, p in enumerate(pyvrp)
    ]


def _worker(
    send: Connection,
    model: IntegerModel,
    config: SearchConfig,
    deadline: Deadline,
    skip: frozenset[int],
    role: Cooperation | None,
) -> None:
    """A member in its own process. A follower runs under SCHED_IDLE: where cores are
    short (a loaded machine, where a portfolio's processes share one CPU slice under
    Linux autogroups) it yields to its leader, which keeps the CPU PyVRP alone would
    get; on a free core it runs at full speed. (At nice +10 it kept ~12% of the share.)"""
    if role is not None and not role.lead and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    send.send(_run_until(model, config, deadline, skip, role))
    send.close()


def run_one(
    model: IntegerModel, config: SearchConfig, seconds: float, skip: frozenset[int]
) -> EngineRun:
    """Run a single configured search in this process for ``seconds``."""
    return _run_until(model, config, Deadline.after(seconds), skip)


def _run_until(
    model: IntegerModel,
    config: SearchConfig,
    deadline: Deadline,
    skip: frozenset[int],
    role: Cooperation | None = None,
) -> EngineRun:
    """One search until ``deadline``; an engine error becomes a failed run with its reason."""
    try:
        if config.engine == "pyvrp":
            return solve_pyvrp(model, config, deadline, skip, role)
        return solve_ortools(model, config, deadline, skip)
    except Exception as exc:  # any engine failure is a result to report, not a crash
        return EngineRun(config, (), False, 0.0, f"failed: {type(exc).__name__}: {exc}")
