"""Single-chain parts with backorders, planned by the exact stochastic dynamic program.

A part with one supply lane, one warehouse and the one store it feeds, nothing
limiting it, whole lots (any minimum order), and backorders, is the textbook single-item inventory
problem (Scarf 1960; Snyder & Shen ch. 4). Its optimal orders depend on uncertainty
in a way no plan on mean demand captures: with a fixed order cost, the option to
reorder early when demand runs high is worth several percent (an (s, S) policy), and
the MIP's newsvendor lines see only one demand path. So such parts are planned by
backward induction over the inventory position ``x`` (on hand minus backorders plus
everything on order), on whole units:

    V_t(x) = min over y of  K [y > x] + c (y - x) + G_t(y) + E V_{t+1}(y - D_t)
    G_t(y) = E[h (y - D_t..t+L)^+ + p (D_t..t+L - y)^+]          V_H(x) = -c x

over ``y = x`` and ``y = x + q`` for the quantities the lane allows (a minimum order,
then whole lots), where ``D_t..t+L`` is the demand from ``t`` through the arrival period of an order
placed at ``t`` (lead ``L``): the cost an order placed now can still change. Demand of a
period is a Poisson with the forecast's mean when its variance is at most the mean, else
a negative binomial with the forecast's mean and variance. The plan's orders follow
the policy along the mean demand path; the first is what a planner places today.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import nbinom, poisson

from supplynet.optimizer.replenishment.model import Batch, BatchSolution, stock_costs
from supplynet.optimizer.replenishment.problem import PlanningProblem

FloatArray = npt.NDArray[np.float64]
TAIL = 1e-7
"""Demand probabilities below this are left out (the rest is renormalised)."""


def qualifies(problem: PlanningProblem, parts: list[Batch]) -> npt.NDArray[np.bool_]:
    """Which parts are single chains the dynamic program plans exactly."""
    flags = np.zeros(len(parts), dtype=bool)
    if not problem.backorders:
        return flags
    nodes, supply, transfers = problem.nodes, problem.supply, problem.transfers
    lane_cap = problem.lanes["capacity"].to_numpy(float)
    house_cap = (
        problem.warehouses.set_index("warehouse_id")["capacity"]
        .reindex(nodes["location_id"])
        .to_numpy(float)
    )
    for i, part in enumerate(parts):
        if len(part.nodes) != 2 or len(part.supply) != 1 or len(part.transfers) != 1:
            continue
        arc = supply.iloc[part.supply[0]]
        move = transfers.iloc[part.transfers[0]]
        flags[i] = bool(
            float(arc["lot"]).is_integer()
            and not arc["priced"]
            and np.isinf(arc["capacity"])
            and np.isinf(lane_cap[int(move["lane"])])
            and np.isinf(nodes["capacity"].to_numpy(float)[part.nodes]).all()
            and np.isinf(house_cap[int(arc["node"])])
            and problem.demand[int(arc["node"])].sum() == 0
            and not problem.perishable()[part.nodes].any()
        )
    return flags


def _pmf(mean: float, variance: float, size: int) -> FloatArray:
    """Probabilities of demand 0..size-1 (Poisson or negative binomial by dispersion)."""
    k = np.arange(size)
    if mean <= 0:
        out = np.zeros(size)
        out[0] = 1.0
        return out
    if variance <= mean * (1 + 1e-9):
        p = poisson.pmf(k, mean)
    else:
        success = mean / variance
        p = nbinom.pmf(k, mean * success / (1 - success), success)
    p = np.where(p < TAIL, 0.0, p)
    result: FloatArray = p / p.sum()
    return result


def _support(mean: float, variance: float) -> int:
    return int(np.ceil(mean + 8 * np.sqrt(max(variance, mean, 1e-9)) + 5))


def plan_part(problem: PlanningProblem, part: Batch) -> BatchSolution:
    """The part's plan: the optimal policy's orders along the mean demand path (a
    position between whole units takes the decision of the nearest one)."""
    arc, move = int(part.supply[0]), int(part.transfers[0])
    house = int(problem.supply["node"].iloc[arc])
    store = int(problem.transfers["node"].iloc[move])
    nodes = problem.nodes
    horizon = problem.horizon
    lead = int(problem.supply["lead"].iloc[arc]) + int(problem.transfers["lead"].iloc[move])
    unit = float(problem.supply["unit_cost"].iloc[arc] + problem.transfers["unit_cost"].iloc[move])
    fixed = float(problem.supply["fixed_cost"].iloc[arc])
    lot = int(problem.supply["lot"].iloc[arc])
    smallest = lot * max(1, int(np.ceil(float(problem.supply["moq"].iloc[arc]) / lot - 1e-9)))
    holding = float(nodes["holding"].iloc[store])
    penalty = float(nodes["backorder_cost"].iloc[store])
    mean = np.concatenate([problem.demand[store], np.repeat(problem.demand[store, -1], lead)])
    var = np.concatenate(
        [problem.demand_sd[store] ** 2, np.repeat(problem.demand_sd[store, -1] ** 2, lead)]
    )
    on_order = problem.receipts[[house, store]].sum()
    start = float(
        nodes["on_hand"].iloc[[house, store]].sum() - nodes["backlog"].iloc[store] + on_order
    )
    step = [_pmf(mean[t], var[t], _support(mean[t], var[t])) for t in range(horizon)]
    lead_mean = np.array([mean[t : t + lead + 1].sum() for t in range(horizon)])
    lead_var = np.array([var[t : t + lead + 1].sum() for t in range(horizon)])
    low = int(np.floor(min(start, 0.0) - lead_mean.max() - 8 * np.sqrt(lead_var.max()) - 5))
    high = int(np.ceil(max(start, 0.0) + mean[:horizon].sum() + lead_mean.max() + 10))
    grid = np.arange(low, high + 1, dtype=float)
    value = -unit * grid
    quantities: list[FloatArray] = []
    orders: list[npt.NDArray[np.bool_]] = []
    for t in range(horizon - 1, -1, -1):
        size = _support(lead_mean[t], lead_var[t])
        demand = np.arange(size)
        lead_pmf = _pmf(lead_mean[t], lead_var[t], size)
        after = grid[:, None] - demand[None, :]
        g = (holding * np.maximum(after, 0.0) + penalty * np.maximum(-after, 0.0)) @ lead_pmf
        pmf = step[t]
        shifted = np.arange(len(grid))[:, None] - np.arange(len(pmf))[None, :]
        below = shifted < 0
        # Below the grid, each missing unit costs at least its purchase and a period's wait.
        future = np.where(
            below, value[0] + (unit + penalty) * (-shifted), value[np.maximum(shifted, 0)]
        )
        w = unit * grid + g + future @ pmf
        best, quantity = _cheapest_order(w, smallest, lot)
        order = fixed + best < w - 1e-9
        quantities.append(quantity)
        orders.append(order)
        value = np.where(order, fixed + best, w) - unit * grid
    quantities.reverse()
    orders.reverse()
    lots = np.zeros((1, horizon))
    position = start
    for t in range(horizon):
        at = int(np.clip(np.round(position) - low, 0, len(grid) - 1))
        if orders[t][at]:
            lots[0, t] = quantities[t][at] / lot
        position += lots[0, t] * lot - mean[t]
    return _solution(problem, part, lots, house, store)


def _solution(
    problem: PlanningProblem, part: Batch, lots: FloatArray, house: int, store: int
) -> BatchSolution:
    """The part's flows when every arrival at the warehouse moves on to the store at
    once, and their cost as the MIP counts it; the plan is optimal for its model."""
    horizon = problem.horizon
    arc, move = int(part.supply[0]), int(part.transfers[0])
    supply_lead = int(problem.supply["lead"].iloc[arc])
    transfer_lead = int(problem.transfers["lead"].iloc[move])
    arrive = np.zeros(horizon)
    arrive[supply_lead:] = lots[0, : horizon - supply_lead]
    moved = np.zeros((1, horizon))
    stock = np.zeros((len(part.nodes), horizon))
    short = np.zeros_like(stock)
    local_store = int(np.flatnonzero(part.nodes == store)[0])
    at_house = float(problem.nodes["on_hand"].iloc[house])
    net = float(problem.nodes["on_hand"].iloc[store] - problem.nodes["backlog"].iloc[store])
    for t in range(horizon):
        moved[0, t] = at_house + problem.receipts[house, t] + arrive[t]
        at_house = 0.0
        delivered = moved[0, t - transfer_lead] if t >= transfer_lead else 0.0
        net += problem.receipts[store, t] + delivered - problem.demand[store, t]
        stock[local_store, t] = max(net, 0.0)
        short[local_store, t] = max(-net, 0.0)
    switches = (lots > 0).astype(float)
    supply, transfers = problem.supply.iloc[part.supply], problem.transfers.iloc[part.transfers]
    cost = (
        float((lots * supply["unit_cost"].to_numpy(float)[:, None]).sum())
        + float((switches * supply["fixed_cost"].to_numpy(float)[:, None]).sum())
        + float((moved * transfers["unit_cost"].to_numpy(float)[:, None]).sum())
        + sum(stock_costs(problem, part.nodes, stock, short, np.zeros_like(stock)).values())
    )
    return BatchSolution(
        batch=part,
        lots=lots,
        switches=switches,
        transfers=moved,
        stock=stock,
        short=short,
        below=np.zeros_like(stock),
        found=True,
        optimal=True,
        objective=cost,
        bound=cost,
        seconds=0.0,
        time_limit_hit=False,
    )


def _cheapest_order(values: FloatArray, smallest: int, lot: int) -> tuple[FloatArray, FloatArray]:
    """For each position ``x``: the least ``values[x + q]`` over the quantities allowed
    (``smallest``, then ``lot`` more at a time) and the smallest ``q`` reaching it
    (``inf`` where none fits on the grid)."""
    count = len(values)
    best = np.full(count, np.inf)
    quantity = np.zeros(count)
    for x in range(count - 1, -1, -1):
        if x + smallest < count:
            best[x], quantity[x] = values[x + smallest], smallest
        if x + lot < count and best[x + lot] < best[x]:
            best[x], quantity[x] = best[x + lot], quantity[x + lot] + lot
    return best, quantity
