"""Solve a planning problem: split it where nothing is shared, solve the parts in parallel.

Stocking points are joined when a transfer links them, when they share a limited
transport lane, or when they share a limited warehouse; every connected part is
independent. Single-warehouse parts go to the fast path first (an exact pooled bound
and a replayed plan, on worker processes); the other parts, and fast-path parts above
the gap while the plan as a whole is, are MIPs solved by a pool of threads (the solver
releases the GIL), alone or packed into batches, under one wall-clock deadline. The
plan's cost and bound are the sums over its parts, so its gap is honest whichever
path planned a part.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.stats import norm

from supplynet.forecasting.forecast import DemandForecast
from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.deadline import Clock, Deadline
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment import stochastic_dp
from supplynet.optimizer.replenishment.assembly import plan_assembly
from supplynet.optimizer.replenishment.explain import Flows, explain
from supplynet.optimizer.replenishment.fast_path import qualifies
from supplynet.optimizer.replenishment.fast_workers import Planned, chunk_count, plan_fast
from supplynet.optimizer.replenishment.model import (
    Batch,
    BatchSolution,
    order_nothing,
    solve_batch,
    stock_costs,
    unsolved,
)
from supplynet.optimizer.replenishment.plan import ORDER_COLUMNS, ReplenishmentPlan, Status
from supplynet.optimizer.replenishment.problem import PlanningProblem, PlanSettings, build_problem

IntArray = npt.NDArray[np.int64]
MIN_BATCH_SECONDS = 0.05
MIN_USEFUL_S = 2.0
"""A batch gets at least this long (within the deadline): a fair share too short to
solve anything would leave every batch without a plan; this way the batches solved
first are solved well and only the last ones may go without."""
ASSEMBLY_RESERVE = 0.1
MIN_RESERVE_S = 0.3
ASSEMBLY_S_PER_VALUE = 4e-6
"""Time kept back from the solvers: they overrun their limit by up to ~0.1 s, and joining
the batches into a plan takes about 3 us per node and period (measured on ``large``)."""


@dataclass(frozen=True)
class Progress:
    """Reported after each batch: how far the solve is and what it has found so far."""

    batches_done: int
    batches: int
    elapsed_s: float
    objective: float
    bound: float


ProgressCallback = Callable[[Progress], None]


def components(problem: PlanningProblem) -> IntArray:
    """Label of the independent part each node belongs to."""
    nodes = problem.nodes
    count = len(nodes)
    pairs = [problem.transfers[["origin", "node"]].to_numpy()]
    lane_cap = problem.lanes["capacity"].to_numpy(float)
    limited = problem.transfers[np.isfinite(lane_cap[problem.transfers["lane"].to_numpy()])]
    pairs.append(_chain(limited["lane"].to_numpy(), limited["node"].to_numpy()))
    finite = problem.warehouses.loc[np.isfinite(problem.warehouses["capacity"]), "warehouse_id"]
    stocked = nodes[(nodes["kind"] == "warehouse") & nodes["location_id"].isin(finite)]
    codes = pd.factorize(stocked["location_id"])[0]
    pairs.append(_chain(codes, stocked.index.to_numpy()))
    edges = np.concatenate([p.reshape(-1, 2) for p in pairs]).astype(np.int64)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(count, count))
    labels: IntArray = connected_components(graph, directed=False)[1]
    return labels


def _chain(group: npt.NDArray[np.int64], node: npt.NDArray[np.int64]) -> IntArray:
    """Edges linking consecutive members of each group."""
    order = np.argsort(group, kind="stable")
    g, n = group[order], node[order]
    same = g[1:] == g[:-1]
    return np.column_stack([n[:-1][same], n[1:][same]])


def parts(problem: PlanningProblem) -> list[Batch]:
    """Every independent part on its own."""
    labels = components(problem)
    count = int(labels.max()) + 1 if len(labels) else 0
    return _group(
        count,
        labels,
        labels[problem.supply["node"].to_numpy()],
        labels[problem.transfers["node"].to_numpy()],
    )


def _group(count: int, nodes: IntArray, supply: IntArray, transfers: IntArray) -> list[Batch]:
    """Indices of the items in each of ``count`` groups, given each item's group."""

    def split(group: IntArray) -> list[IntArray]:
        order = np.argsort(group, kind="stable")
        return np.split(order, np.searchsorted(group[order], np.arange(1, count)))

    return [
        Batch(nodes=n, supply=s, transfers=t)
        for n, s, t in zip(split(nodes), split(supply), split(transfers), strict=True)
    ]


def batches(problem: PlanningProblem, max_variables: int) -> list[Batch]:
    """Pack the independent parts into batches of at most about ``max_variables``."""
    labels = components(problem)
    horizon = problem.horizon
    supply_of = labels[problem.supply["node"].to_numpy()]
    transfer_of = labels[problem.transfers["node"].to_numpy()]
    size = 3 * np.bincount(labels) + 2 * np.bincount(supply_of, minlength=labels.max() + 1)
    size = (size + np.bincount(transfer_of, minlength=labels.max() + 1)) * horizon
    bin_of = np.zeros(len(size), dtype=np.int64)
    current, used = 0, 0
    for part in np.argsort(-size, kind="stable"):
        if used and used + size[part] > max_variables:
            current, used = current + 1, 0
        bin_of[part] = current
        used += int(size[part])
    return _group(current + 1, bin_of[labels], bin_of[supply_of], bin_of[transfer_of])


def solve(
    problem: PlanningProblem,
    settings: PlanSettings,
    progress: ProgressCallback | None = None,
    *,
    deadline: Deadline | None = None,
) -> ReplenishmentPlan:
    """Plan orders and transfers within ``min(settings.time_limit_s,
    deadline.solver_limit())`` seconds, on the deadline's clock.

    Single-chain parts with backorders are planned by the exact stochastic dynamic
    program (``stochastic_dp``); parts the fast path qualifies are planned by it first
    (``fast_path``); the MIP then
    takes every other part, and the fast-path parts whose gap exceeds
    ``settings.relative_gap``, largest gap first, while the deadline allows and the
    fast-path parts together are not yet within that gap. A part keeps the cheaper of its
    plans and the higher of its bounds. The plan is ``optimal`` when every part is
    solved and its total gap is within ``settings.relative_gap``.
    Deterministic given its inputs when no part hits the time limit.
    """
    limit = settings.time_limit_s
    if deadline is not None:
        limit = min(limit, deadline.solver_limit())
    size = len(problem.nodes) * problem.horizon
    reserve = max(limit * ASSEMBLY_RESERVE, MIN_RESERVE_S + size * ASSEMBLY_S_PER_VALUE)
    clock = deadline.clock if deadline is not None else Deadline().clock
    started = clock()
    solvers = Deadline.after(max(limit - reserve, 0.0), clock)
    every = parts(problem)
    report = _Reporter(progress, started, clock)
    fast = _fast(problem, every, settings, solvers, report)
    for i in np.flatnonzero(stochastic_dp.qualifies(problem, every)):
        fast[i] = stochastic_dp.plan_part(problem, every[i])
    poor = [
        i
        for i, f in enumerate(fast)
        if f is not None and f.objective - f.bound > settings.relative_gap * abs(f.objective)
    ]
    queue = [i for i, f in enumerate(fast) if f is None]
    queue += sorted(poor, key=lambda i: -_gap(fast[i]))
    groups = _pack(problem, every, queue, settings.batch_variables)
    report.expect(len(groups))

    def run(index: int) -> BatchSolution | None:
        members = groups[index]
        if all(fast[i] is not None for i in members) and report.within(settings.relative_gap):
            return None
        batch = _join(every, members)
        remaining = solvers.remaining()
        if remaining < MIN_BATCH_SECONDS:
            return unsolved(problem, batch)
        waiting = max(1, len(groups) - index)
        share = max(remaining * min(1.0, settings.workers / waiting), MIN_USEFUL_S)
        return solve_batch(
            problem, batch, settings.solver, solvers.earlier(share), settings.relative_gap
        )

    done: list[BatchSolution] = []
    taken: set[int] = set()
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        for members, mip in zip(groups, pool.map(run, range(len(groups))), strict=True):
            taken.update(members)
            before = [fast[i] for i in members]
            chosen = _better(mip, before, settings.relative_gap)
            done.extend(chosen)
            report.step(chosen, before)
    done += [f for i, f in enumerate(fast) if f is not None and i not in taken]
    objective = sum(d.objective for d in done)
    if all(d.found for d in done) and objective - sum(d.bound for d in done) <= (
        settings.relative_gap * abs(objective) + 1e-9
    ):
        done = [dataclasses.replace(d, optimal=True) for d in done]
    return assemble(problem, done, clock() - started, limit)


def _fast(
    problem: PlanningProblem,
    every: list[Batch],
    settings: PlanSettings,
    deadline: Deadline,
    report: _Reporter,
) -> list[BatchSolution | None]:
    """Fast-path solutions of the qualifying parts (``None`` for the others)."""
    out: list[BatchSolution | None] = [None] * len(every)
    if not settings.fast_path or not every:
        return out
    chosen = [(int(i), every[i]) for i in np.flatnonzero(qualifies(problem, every))]
    report.expect(chunk_count(len(chosen)))

    def take(planned: Planned) -> None:
        for i, solution in planned:
            within = _gap(solution) <= settings.relative_gap * abs(solution.objective)
            out[i] = dataclasses.replace(solution, optimal=within)
        report.step([s for _, s in planned], [])

    plan_fast(problem, chosen, deadline, settings.workers, take)
    return out


def _gap(solution: BatchSolution | None) -> float:
    return 0.0 if solution is None else solution.objective - solution.bound


def _better(
    mip: BatchSolution | None, fast: list[BatchSolution | None], relative_gap: float
) -> list[BatchSolution]:
    """The cheaper of a MIP batch and the fast-path plans of its parts, each with the
    higher of the two bounds (both bound the same parts); no MIP: the fast plans."""
    kept = [f for f in fast if f is not None]
    if mip is None:
        return kept
    if len(kept) < len(fast):
        return [mip]
    objective = sum(f.objective for f in kept)
    bound = sum(f.bound for f in kept)
    if mip.found and mip.objective < objective:
        best = max(mip.bound, bound)
        within = mip.objective - best <= relative_gap * abs(mip.objective) + 1e-9
        return [dataclasses.replace(mip, bound=best, optimal=within)]
    if mip.found and mip.bound > bound:
        # One part keeps the whole improvement; the sum is what the plan reports.
        raised = dataclasses.replace(kept[0], bound=kept[0].bound + mip.bound - bound)
        kept = [raised, *kept[1:]]
    within = objective - max(bound, mip.bound) <= relative_gap * abs(objective) + 1e-9
    return [dataclasses.replace(f, optimal=within, time_limit_hit=mip.time_limit_hit) for f in kept]


def _pack(
    problem: PlanningProblem, every: list[Batch], queue: list[int], max_variables: int
) -> list[list[int]]:
    """Consecutive parts of ``queue`` grouped up to about ``max_variables`` each."""
    horizon = problem.horizon
    groups: list[list[int]] = []
    used = 0
    for i in queue:
        part = every[i]
        size = (3 * len(part.nodes) + 2 * len(part.supply) + len(part.transfers)) * horizon
        if not groups or used + size > max_variables:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += size
    return groups


def _join(every: list[Batch], members: list[int]) -> Batch:
    if len(members) == 1:
        return every[members[0]]
    return Batch(
        nodes=np.concatenate([every[i].nodes for i in members]),
        supply=np.concatenate([every[i].supply for i in members]),
        transfers=np.concatenate([every[i].transfers for i in members]),
    )


class _Reporter:
    """Progress over fast-path chunks and MIP batches, with the plan's running totals."""

    def __init__(self, callback: ProgressCallback | None, started: float, clock: Clock) -> None:
        self.callback = callback
        self.started = started
        self.clock = clock
        self.total = 0
        self.count = 0
        self.objective = 0.0
        self.bound = 0.0

    def expect(self, steps: int) -> None:
        self.total += steps

    def within(self, relative_gap: float) -> bool:
        """Whether what is planned so far is within ``relative_gap`` of its bound."""
        return self.objective - self.bound <= relative_gap * abs(self.objective)

    def step(self, added: list[BatchSolution], dropped: list[BatchSolution | None]) -> None:
        """One chunk or batch done: ``added`` replaces the ``dropped`` solutions."""
        for s in added:
            self.objective += s.objective
            self.bound += s.bound
        for d in dropped:
            if d is not None:
                self.objective -= d.objective
                self.bound -= d.bound
        self.count += 1
        if self.callback is not None:
            self.callback(
                Progress(
                    batches_done=self.count,
                    batches=self.total,
                    elapsed_s=self.clock() - self.started,
                    objective=self.objective,
                    bound=self.bound,
                )
            )


def assemble(
    problem: PlanningProblem, solutions: list[BatchSolution], seconds: float, limit: float
) -> ReplenishmentPlan:
    """Join batch solutions into one plan with its frames, costs and explanations;
    ``limit`` is the solver's time limit, ``seconds`` the time it took."""
    horizon, nodes = problem.horizon, problem.nodes
    lots = np.zeros((len(problem.supply), horizon))
    switches = np.zeros_like(lots)
    moves = np.zeros((len(problem.transfers), horizon))
    stock = np.zeros((len(nodes), horizon))
    short = np.zeros_like(stock)
    below = np.zeros_like(stock)
    waste = np.zeros_like(stock)
    for s in solutions:
        if s.waste is not None:
            waste[s.batch.nodes] = s.waste
        lots[s.batch.supply], switches[s.batch.supply] = s.lots, s.switches
        moves[s.batch.transfers] = s.transfers
        stock[s.batch.nodes], short[s.batch.nodes], below[s.batch.nodes] = s.stock, s.short, s.below
    unsolved_nodes = [s.batch.nodes for s in solutions if not s.found]
    if unsolved_nodes:
        idle = np.concatenate(unsolved_nodes)
        backlog = nodes["backlog"].to_numpy(float)[idle] if problem.backorders else None
        stock[idle], short[idle] = order_nothing(
            nodes["on_hand"].to_numpy(float)[idle],
            problem.receipts[idle],
            problem.demand[idle],
            backlog,
        )
        below[idle] = np.maximum(nodes["target"].to_numpy(float)[idle, None] - stock[idle], 0.0)
    supply, transfers = problem.supply, problem.transfers
    ordered = lots * supply["lot"].to_numpy(float)[:, None]
    flows = Flows(orders=ordered, transfers=moves, stock=stock, short=short, below=below)
    costs = {
        "purchase": float(problem.purchase_costs(ordered).sum()),
        "fixed_order": float((switches * supply["fixed_cost"].to_numpy(float)[:, None]).sum()),
        "transport": float((moves * transfers["unit_cost"].to_numpy(float)[:, None]).sum()),
        **stock_costs(problem, np.arange(len(nodes)), stock, short, below),
    }
    expired = 0.0
    if problem.expiring is not None and problem.expiring.any():
        # stock on hand or on order that expires whatever the plan does: a constant
        expired = float((problem.expiring.sum(axis=1) * nodes["value"].to_numpy()).sum())
        costs["waste"] = expired
    if waste.any():
        costs["waste"] = expired + float(
            (waste.sum(axis=1) * nodes["replacement"].to_numpy()).sum()
        )
    solved = sum(s.found for s in solutions)
    status: Status = (
        "no_solution"
        if solved == 0
        else "partial"
        if solved < len(solutions)
        else "optimal"
        if all(s.optimal for s in solutions)
        else "feasible"
    )
    demand = problem.demand
    total = float(demand.sum())
    sd = np.maximum(problem.demand_sd, 1e-9)
    expected_short = short + np.where(demand > 0, sd * _loss(stock / sd), 0.0)
    return ReplenishmentPlan(
        start=problem.start,
        period_days=problem.period_days,
        horizon=horizon,
        orders=_lines(
            problem, supply["supplier_id"].to_numpy(), supply["node"].to_numpy(), supply, ordered
        ),
        transfers=_lines(
            problem,
            nodes["location_id"].to_numpy()[transfers["origin"].to_numpy()],
            transfers["node"].to_numpy(),
            transfers,
            moves,
        ),
        inventory=_inventory(problem, stock, short, below),
        costs=costs,
        planned_fill_rate=1.0 - float(short.sum()) / total if total > 0 else 1.0,
        expected_fill_rate=1.0 - float(np.minimum(expected_short, demand).sum()) / total
        if total > 0
        else 1.0,
        explanations=explain(problem, flows, unsolved_nodes),
        status=status,
        objective=sum(costs.values()),
        bound=sum(s.bound for s in solutions) + expired,
        solve_seconds=seconds,
        time_limit_s=limit,
        time_limit_hit=any(s.time_limit_hit for s in solutions),
        subproblems=len(solutions),
        solved_subproblems=solved,
        warnings=problem.warnings,
    )


def _loss(k: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Standard normal loss function ``E[(Z - k)+]``."""
    result: npt.NDArray[np.float64] = norm.pdf(k) - k * norm.sf(k)
    return result


def _lines(
    problem: PlanningProblem,
    origin: npt.NDArray[np.object_],
    node: IntArray,
    arcs: pd.DataFrame,
    quantity: npt.NDArray[np.float64],
) -> pd.DataFrame:
    arc, period = np.nonzero(quantity > 1e-6)
    ship = np.datetime64(problem.start, "D") + period * problem.period_days
    arrive = ship + arcs["lead_days"].to_numpy()[arc]
    frame = pd.DataFrame(
        {
            "origin_id": origin[arc].astype(str),
            "destination_id": problem.nodes["location_id"].to_numpy()[node[arc]].astype(str),
            "sku_id": problem.nodes["sku_id"].to_numpy()[node[arc]].astype(str),
            "quantity": np.round(quantity[arc, period], 6),
            "order_period": period.astype(int),
            "arrival_period": (period + arcs["lead"].to_numpy()[arc]).astype(int),
            "ship_date": ship.astype(object),
            "arrival_date": arrive.astype(object),
        },
        columns=list(ORDER_COLUMNS),
    )
    return frame.sort_values(
        ["order_period", "origin_id", "destination_id", "sku_id"], ignore_index=True
    )


def _inventory(
    problem: PlanningProblem,
    stock: npt.NDArray[np.float64],
    short: npt.NDArray[np.float64],
    below: npt.NDArray[np.float64],
) -> pd.DataFrame:
    count, horizon = stock.shape
    nodes = problem.nodes
    period = np.tile(np.arange(horizon), count)
    return pd.DataFrame(
        {
            "location_id": np.repeat(nodes["location_id"].to_numpy(), horizon),
            "sku_id": np.repeat(nodes["sku_id"].to_numpy(), horizon),
            "period": period,
            "period_start": [problem.period_start(int(t)) for t in range(horizon)] * count,
            "demand": problem.demand.ravel(),
            "stock": stock.ravel(),
            "shortage": short.ravel(),
            "target": np.repeat(nodes["target"].to_numpy(float), horizon),
            "below_target": below.ravel(),
        }
    )


def plan_replenishment(
    network: Network,
    forecast: DemandForecast,
    settings: PlanSettings | None = None,
    risk: RiskScores | None = None,
    progress: ProgressCallback | None = None,
    *,
    deadline: Deadline | None = None,
    stock_life: pd.DataFrame | None = None,
) -> ReplenishmentPlan:
    """Build the planning problem of a network and forecast and solve it, the solver
    within ``min(settings.time_limit_s, deadline.solver_limit())`` seconds;
    ``stock_life`` dates perishable stock on hand (``build_problem``)."""
    settings = settings or PlanSettings()
    problem = build_problem(network, forecast, settings, risk, stock_life=stock_life)
    if not network.bill_of_materials:
        return solve(problem, settings, progress, deadline=deadline)
    # Plants assemble first: their output is the finished SKUs' supply (``assembly.py``).
    assembly = plan_assembly(network, problem, settings)
    return assembly.attach(solve(assembly.feed(problem), settings, progress, deadline=deadline))
