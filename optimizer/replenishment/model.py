"""The replenishment MIP of one batch of stocking points, built as arrays and solved by MathOpt.

Variables per period ``t``: order lots ``n`` (integer) and order switches ``y`` (binary)
on supply lanes, transfers ``x`` on warehouse -> store lanes, end-of-period stock ``I``,
unmet demand ``u`` and shortfall below the safety stock target ``b`` per node.

    I[i,t] = I[i,t-1] + receipts + lot * n[a,t-L_a] + x[r,t-L_r] - x[r',t] - (d[i,t] - u[i,t])
    I[i,t] + b[i,t] >= target[i]
    with backorders: u is the backlog, carried over (-u[i,t-1] joins the balance), and a
    store's holding and backorder cost is its expected cost e[i,t] >= each tangent line
    of the newsvendor cost of I - u (``expected_cost.py``), with no targets
    moq * y <= lot * n <= M * y          (M: all downstream demand and targets)
    sum x on a lane <= lane capacity;  sum I in a warehouse <= warehouse capacity;
    I[i,t] <= position capacity and, for perishables, what sells while fresh
    (``PlanningProblem.fresh_cap``; the rest is thrown away, ``w`` joins the balance
    at the unit's replacement cost);  lot * n <= supply lane capacity

The objective adds purchase, fixed order, transport, holding, shortage and target
penalties (per period: ``PlanningProblem.shortage_costs`` and ``below_target_costs``);
with backorders, stock left at the end is credited at its replacement cost (what it
saves buying later), so the horizon's end is not drained.
The model is a ``ModelProto`` assembled with numpy (no per-variable Python objects),
which keeps building a million-variable batch to about a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    parameters_pb2,
    result_pb2,
)
from ortools.math_opt.core.python import solver as core_solver

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.replenishment.expected_cost import Tangents, exposed_sd, tangents
from supplynet.optimizer.replenishment.problem import PlanningProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SOLVERS = {
    "scip": parameters_pb2.SOLVER_TYPE_GSCIP,
    "highs": parameters_pb2.SOLVER_TYPE_HIGHS,
}


@dataclass(frozen=True)
class Batch:
    """The indices of one independent part of a problem: nodes, supply arcs, transfers."""

    nodes: IntArray
    supply: IntArray
    transfers: IntArray


@dataclass(frozen=True)
class BatchSolution:
    """Values of one solved batch, ``[items, horizon]`` each; empty when nothing was found."""

    batch: Batch
    lots: FloatArray
    switches: FloatArray
    transfers: FloatArray
    stock: FloatArray
    short: FloatArray
    below: FloatArray
    found: bool
    optimal: bool
    objective: float
    bound: float
    seconds: float
    time_limit_hit: bool
    waste: FloatArray | None = None
    """Units thrown away because they would expire unsold (perishable nodes)."""


class _Columns:
    """Consecutive blocks of variable ids, one ``[items, horizon]`` block per kind."""

    def __init__(self, horizon: int) -> None:
        self.horizon = horizon
        self.count = 0

    def single(self, items: int) -> IntArray:
        """One variable per item (not per period)."""
        ids = np.arange(self.count, self.count + items)
        self.count += items
        return ids

    def block(self, items: int) -> IntArray:
        ids = np.arange(self.count, self.count + items * self.horizon).reshape(items, self.horizon)
        self.count += items * self.horizon
        return ids


class _Rows:
    """Constraint triplets collected as arrays."""

    def __init__(self) -> None:
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.count = 0

    def new(self, lower: FloatArray, upper: FloatArray) -> IntArray:
        ids = np.arange(self.count, self.count + lower.size).reshape(lower.shape)
        self.count += lower.size
        self.lower.append(lower.ravel())
        self.upper.append(upper.ravel())
        return ids

    def add(self, rows: IntArray, cols: IntArray, vals: FloatArray | float) -> None:
        rows, cols = np.broadcast_arrays(rows, cols)
        self.rows.append(rows.ravel())
        self.cols.append(cols.ravel())
        self.vals.append(np.broadcast_to(np.asarray(vals, float), rows.shape).ravel())


def unsolved(problem: PlanningProblem, batch: Batch) -> BatchSolution:
    """The answer for a batch without a solution; ``solve.assemble`` gives its stocking
    points the ``order_nothing`` stock and shortages (all such batches at once)."""
    lots = np.zeros((len(batch.supply), problem.horizon))
    nodes = np.zeros((len(batch.nodes), problem.horizon))
    return BatchSolution(
        batch=batch,
        lots=lots,
        switches=lots,
        transfers=np.zeros((len(batch.transfers), problem.horizon)),
        stock=nodes,
        short=nodes,
        below=nodes,
        found=False,
        optimal=False,
        objective=float("inf"),
        bound=0.0,
        seconds=0.0,
        time_limit_hit=True,
    )


def solve_batch(
    problem: PlanningProblem, batch: Batch, solver: str, deadline: Deadline, relative_gap: float
) -> BatchSolution:
    """Build and solve the MIP of one batch; the solver stops at ``deadline``, whatever
    building the model took."""
    started = deadline.clock()
    horizon = problem.horizon
    nodes = problem.nodes.iloc[batch.nodes]
    supply = problem.supply.iloc[batch.supply]
    transfers = problem.transfers.iloc[batch.transfers]
    local = {int(n): i for i, n in enumerate(batch.nodes)}
    to_local = np.vectorize(local.__getitem__, otypes=[np.int64])
    s_node = to_local(supply["node"].to_numpy()) if len(supply) else np.zeros(0, np.int64)
    r_dest = to_local(transfers["node"].to_numpy()) if len(transfers) else np.zeros(0, np.int64)
    r_orig = to_local(transfers["origin"].to_numpy()) if len(transfers) else np.zeros(0, np.int64)
    demand = problem.demand[batch.nodes]
    receipts = problem.receipts[batch.nodes]
    backlog = nodes["backlog"].to_numpy(float)
    priced = priced_nodes(problem, batch.nodes)
    target = np.where(priced, 0.0, nodes["target"].to_numpy(float))
    lot = supply["lot"].to_numpy(float)
    moq = supply["moq"].to_numpy(float)
    fixed = supply["fixed_cost"].to_numpy(float)
    s_lead = supply["lead"].to_numpy(np.int64)
    r_lead = transfers["lead"].to_numpy(np.int64)

    cols = _Columns(horizon)
    n_var, y_var = cols.block(len(supply)), cols.block(len(supply))
    x_var = cols.block(len(transfers))
    i_var, u_var, b_var = cols.block(len(nodes)), cols.block(len(nodes)), cols.block(len(nodes))
    e_var = cols.block(int(priced.sum()))
    fresh_nodes = np.flatnonzero(problem.perishable()[batch.nodes])
    w_var = cols.block(len(fresh_nodes))
    k_var = cols.single(0 if problem.backorders else len(nodes))
    big_m = _big_m(demand, target + backlog, s_node, s_lead, r_orig, r_dest, moq, lot)
    lot_cap = np.floor(supply["capacity"].to_numpy(float) / lot + 1e-9)
    n_upper = np.minimum(lot_cap[:, None], np.ceil(big_m / lot[:, None]))
    lower = np.zeros(cols.count)
    upper = np.full(cols.count, np.inf)
    integer = np.zeros(cols.count, dtype=bool)
    upper[n_var] = n_upper
    upper[y_var] = np.where(
        (fixed[:, None] > 0) | (moq[:, None] > 0), np.minimum(n_upper, 1.0), 0.0
    )
    integer[n_var] = True
    integer[y_var] = True
    idle_stock, idle_short = order_nothing(
        nodes["on_hand"].to_numpy(float), receipts, demand, backlog if problem.backorders else None
    )
    # the shelf-life cap never goes below stock already committed: no new infeasibility
    fresh = np.maximum(problem.fresh_cap()[batch.nodes], idle_stock)
    upper[i_var] = np.minimum(nodes["capacity"].to_numpy(float)[:, None], fresh)
    upper[u_var] = backlog[:, None] + np.cumsum(demand, axis=1) if problem.backorders else demand
    upper[b_var] = target[:, None]
    upper[k_var] = problem.terminal_room()[batch.nodes][: len(k_var)]
    cost = np.zeros(cols.count)
    cost[n_var] = lot[:, None] * problem.prices()[batch.supply]
    cost[y_var] = fixed[:, None]
    cost[x_var] = transfers["unit_cost"].to_numpy(float)[:, None]
    cost[i_var] = nodes["holding"].to_numpy(float)[:, None]
    cost[u_var] = problem.shortage_costs()[batch.nodes]
    cost[b_var] = problem.below_target_costs()[batch.nodes]
    cost[k_var] = -nodes["replacement"].to_numpy(float)[: len(k_var)]
    cost[w_var] = nodes["replacement"].to_numpy(float)[fresh_nodes, None]
    lines = expected_cost_lines(problem, batch.nodes[priced])
    if problem.backorders:
        cost[u_var] = nodes["backorder_cost"].to_numpy(float)[:, None]
        cost[i_var[priced]] = 0.0
        cost[u_var[priced]] = 0.0
        cost[e_var] = 1.0
        credit = nodes["replacement"].to_numpy(float)
        cost[i_var[:, -1]] -= credit
        cost[u_var[:, -1]] += credit

    rows = _Rows()
    rhs = receipts - demand
    rhs[:, 0] += nodes["on_hand"].to_numpy(float) - backlog
    balance = rows.new(rhs, rhs)
    rows.add(balance, i_var, 1.0)
    rows.add(balance[:, 1:], i_var[:, :-1], -1.0)
    rows.add(balance, u_var, -1.0)
    rows.add(balance[fresh_nodes], w_var, 1.0)
    credited = rows.new(np.full(len(k_var), -np.inf), np.zeros(len(k_var)))
    rows.add(credited, k_var, 1.0)
    rows.add(credited, i_var[: len(k_var), -1], -1.0)
    if problem.backorders:
        rows.add(balance[:, 1:], u_var[:, :-1], 1.0)
        _add_expected_cost(rows, lines, e_var, i_var[priced], u_var[priced])
    _add_arrivals(rows, balance, s_node, n_var, s_lead, -lot[:, None])
    _add_arrivals(rows, balance, r_dest, x_var, r_lead, -1.0)
    rows.add(balance[r_orig], x_var, 1.0)
    with_target = np.flatnonzero(target > 0)
    cover = rows.new(
        np.repeat(target[with_target, None], horizon, 1),
        np.full((len(with_target), horizon), np.inf),
    )
    rows.add(cover, i_var[with_target], 1.0)
    rows.add(cover, b_var[with_target], 1.0)
    switched = np.flatnonzero((fixed > 0) | (moq > 0))
    minimum = rows.new(
        np.zeros((len(switched), horizon)), np.full((len(switched), horizon), np.inf)
    )
    rows.add(minimum, n_var[switched], lot[switched, None])
    rows.add(minimum, y_var[switched], -moq[switched, None])
    maximum = rows.new(
        np.full((len(switched), horizon), -np.inf), np.zeros((len(switched), horizon))
    )
    rows.add(maximum, n_var[switched], lot[switched, None])
    rows.add(maximum, y_var[switched], -(n_upper[switched] * lot[switched, None]))
    _add_shared_capacities(rows, problem, batch, x_var, i_var)
    breaks = _add_discounts(problem, batch, cols, rows, n_var, lot * n_upper.max(axis=1, initial=0))
    lower, upper, integer, cost = _extended(lower, upper, integer, cost, cols.count, breaks)

    model = _model_proto(lower, upper, integer, cost, rows)
    hint = np.zeros(cols.count)
    hint[i_var], hint[u_var] = idle_stock, idle_short
    hint[b_var] = np.maximum(target[:, None] - hint[i_var], 0.0)
    hint[e_var] = lines.cost(hint[i_var[priced]] - hint[u_var[priced]])
    hint[k_var] = np.minimum(hint[i_var[: len(k_var), -1]], upper[k_var])
    result = _solve(model, solver, deadline.remaining(), relative_gap, hint)
    found = len(result.solutions) > 0 and result.solutions[0].HasField("primal_solution")
    if not found:
        return unsolved(problem, batch)
    values = np.zeros(cols.count)
    sparse = result.solutions[0].primal_solution.variable_values
    values[np.asarray(sparse.ids, dtype=np.int64)] = np.asarray(sparse.values)
    reason = result.termination.reason
    bounds = result.termination.objective_bounds
    stock, short = np.maximum(values[i_var], 0.0), np.maximum(values[u_var], 0.0)
    if problem.backorders:
        # Only net stock is priced at a store: report it as on hand or backordered.
        stock, short = np.maximum(stock - short, 0.0), np.maximum(short - stock, 0.0)
    return BatchSolution(
        batch=batch,
        lots=np.round(values[n_var]),
        switches=np.round(values[y_var]),
        transfers=np.maximum(values[x_var], 0.0),
        stock=stock,
        short=short,
        below=np.maximum(values[b_var], 0.0),
        waste=_scattered(np.maximum(values[w_var], 0.0), fresh_nodes, len(nodes)),
        found=True,
        optimal=reason == result_pb2.TERMINATION_REASON_OPTIMAL,
        objective=float(bounds.primal_bound),
        bound=float(bounds.dual_bound),
        seconds=deadline.clock() - started,
        time_limit_hit=result.termination.limit == result_pb2.LIMIT_TIME,
    )


@dataclass(frozen=True)
class _Breaks:
    """Discount columns: quantity ``z`` bought at a break's price, binary ``w`` choosing it."""

    z: IntArray
    w: IntArray
    bound: FloatArray
    saving: FloatArray


def _add_discounts(
    problem: PlanningProblem,
    batch: Batch,
    cols: _Columns,
    rows: _Rows,
    n_var: IntArray,
    most: FloatArray,
) -> _Breaks:
    """All-units discounts as one binary per break and period: an order reaching break
    ``j`` may move its quantity ``z_j <= lot * n`` to the break's price (the objective
    gains ``(price_j - base) * z_j``), and ``min_j * w_j <= z_j <= M * w_j``,
    ``sum_j w_j <= 1`` per lane and period."""
    horizon = problem.horizon
    if problem.breaks is None or problem.break_prices is None or not len(problem.breaks):
        empty = np.zeros((0, horizon), np.int64)
        return _Breaks(empty, empty, np.zeros((0, horizon)), np.zeros((0, horizon)))
    local = {int(a): i for i, a in enumerate(batch.supply)}
    lanes = problem.breaks["supply"].to_numpy(int)
    mine = np.flatnonzero([int(a) in local for a in lanes])
    lane = np.array([local[int(a)] for a in lanes[mine]], dtype=np.int64)
    minimum = problem.breaks["min_quantity"].to_numpy(float)[mine]
    z, w = cols.block(len(mine)), cols.block(len(mine))
    bound = np.repeat(np.maximum(most[lane], minimum)[:, None], horizon, axis=1)
    saving = problem.break_prices[mine] - problem.prices()[batch.supply][lane]
    low = rows.new(np.zeros((len(mine), horizon)), np.full((len(mine), horizon), np.inf))
    rows.add(low, z, 1.0)
    rows.add(low, w, -minimum[:, None])
    high = rows.new(np.full((len(mine), horizon), -np.inf), np.zeros((len(mine), horizon)))
    rows.add(high, z, 1.0)
    rows.add(high, w, -bound)
    owners = np.unique(lane)
    slot = np.searchsorted(owners, lane)
    within = rows.new(np.full((len(owners), horizon), -np.inf), np.zeros((len(owners), horizon)))
    lot = problem.supply["lot"].to_numpy(float)[batch.supply][owners]
    rows.add(within[slot], z, 1.0)
    rows.add(within, n_var[owners], -lot[:, None])
    one = rows.new(np.full((len(owners), horizon), -np.inf), np.ones((len(owners), horizon)))
    rows.add(one[slot], w, 1.0)
    return _Breaks(z, w, bound, saving)


def _extended(
    lower: FloatArray,
    upper: FloatArray,
    integer: npt.NDArray[np.bool_],
    cost: FloatArray,
    count: int,
    breaks: _Breaks,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], FloatArray]:
    """The column arrays grown to ``count`` with the discount columns' bounds and costs."""
    grow = count - len(cost)
    lower = np.concatenate([lower, np.zeros(grow)])
    upper = np.concatenate([upper, np.zeros(grow)])
    integer = np.concatenate([integer, np.zeros(grow, dtype=bool)])
    cost = np.concatenate([cost, np.zeros(grow)])
    upper[breaks.z], cost[breaks.z] = breaks.bound, breaks.saving
    upper[breaks.w], integer[breaks.w] = 1.0, True
    return lower, upper, integer, cost


def _scattered(values: FloatArray, rows: IntArray, count: int) -> FloatArray:
    """``values`` of ``rows`` in a ``[count, horizon]`` array of zeros."""
    full = np.zeros((count, values.shape[1]))
    full[rows] = values
    return full


def stock_costs(
    problem: PlanningProblem,
    nodes: IntArray,
    stock: FloatArray,
    short: FloatArray,
    below: FloatArray,
) -> dict[str, float]:
    """Holding, shortage and target costs of ``nodes``' stock, as the objective counts them.

    Lost sales: holding, penalties per unit short and per unit below target, and the
    terminal value of the stock left at the end (``terminal_room``). Backorders:
    the expected (newsvendor) cost of stores' net stock, holding elsewhere, and the
    terminal value of the net stock left at the end (a credit, so negative).
    """
    frame = problem.nodes.iloc[nodes]
    holding = stock * frame["holding"].to_numpy(float)[:, None]
    if not problem.backorders:
        kept = np.minimum(stock[:, -1], problem.terminal_room()[nodes])
        return {
            "holding": float(holding.sum()),
            "shortage_penalty": float((short * problem.shortage_costs()[nodes]).sum()),
            "target_penalty": float((below * problem.below_target_costs()[nodes]).sum()),
            "terminal_value": -float((kept * frame["replacement"].to_numpy(float)).sum()),
        }
    priced = priced_nodes(problem, nodes)
    waiting = short * frame["backorder_cost"].to_numpy(float)[:, None]
    net = stock - short
    expected = expected_cost_lines(problem, nodes[priced]).cost(net[priced])
    holding[priced] = 0.0
    waiting[priced] = 0.0
    return {
        "holding": float(holding.sum()),
        "backorder_penalty": float(waiting.sum()),
        "expected_stock_cost": float(expected.sum()),
        "terminal_value": -float((net[:, -1] * frame["replacement"].to_numpy(float)).sum()),
    }


def priced_nodes(problem: PlanningProblem, nodes: IntArray) -> npt.NDArray[np.bool_]:
    """Which of ``nodes`` pay the expected (newsvendor) cost: with backorders, those with
    demand of their own."""
    if not problem.backorders:
        return np.zeros(len(nodes), dtype=bool)
    flags: npt.NDArray[np.bool_] = problem.demand[nodes].sum(axis=1) > 0
    return flags


def expected_cost_lines(problem: PlanningProblem, nodes: IntArray) -> Tangents:
    """Tangents of the expected cost of ``nodes``' projected net stock, per period."""
    frame = problem.nodes.iloc[nodes]
    return tangents(
        exposed_sd(problem.demand_sd[nodes], frame["lead"].to_numpy(np.int64)),
        frame["holding"].to_numpy(float),
        frame["backorder_cost"].to_numpy(float),
    )


def _add_expected_cost(
    rows: _Rows, lines: Tangents, e_var: IntArray, i_var: IntArray, u_var: IntArray
) -> None:
    """``e >= slope * (I - u) + intercept`` for every line."""
    count = lines.slopes.shape[-1]
    cut = rows.new(lines.intercepts, np.full(lines.intercepts.shape, np.inf))
    rows.add(cut, np.repeat(e_var[..., None], count, -1), 1.0)
    rows.add(cut, np.repeat(i_var[..., None], count, -1), -lines.slopes)
    rows.add(cut, np.repeat(u_var[..., None], count, -1), lines.slopes)


def _big_m(
    demand: FloatArray,
    target: FloatArray,
    s_node: IntArray,
    s_lead: IntArray,
    r_orig: IntArray,
    r_dest: IntArray,
    moq: FloatArray,
    lot: FloatArray,
) -> FloatArray:
    """Most a supply lane can usefully bring per order period: the demand it feeds from the
    arrival period to the end of the horizon, the targets, and one lot or MOQ; 0 when an
    order would arrive after the horizon.

    Shapes
    ------
    [supply arcs, horizon]
    """
    horizon = demand.shape[1]
    need = demand.copy()
    np.add.at(need, r_orig, demand[r_dest])
    held = target.copy()
    np.add.at(held, r_orig, target[r_dest])
    remaining = np.cumsum(need[:, ::-1], axis=1)[:, ::-1]
    arrive = np.arange(horizon)[None, :] + s_lead[:, None]
    inside = arrive < horizon
    useful = np.where(inside, remaining[s_node[:, None], np.minimum(arrive, horizon - 1)], 0.0)
    extra = held[s_node] + np.maximum(moq, lot)
    return np.where(inside, useful + extra[:, None], 0.0)


def _add_arrivals(
    rows: _Rows, balance: IntArray, node: IntArray, var: IntArray, lead: IntArray, coef: object
) -> None:
    """Quantities sent in period ``t`` enter their node's balance in period ``t + lead``."""
    horizon = balance.shape[1]
    coefs = np.broadcast_to(np.asarray(coef, float), var.shape)
    sent = np.arange(horizon)[None, :]
    arrive = sent + lead[:, None]
    inside = arrive < horizon
    rows.add(
        balance[np.broadcast_to(node[:, None], var.shape)[inside], arrive[inside]],
        var[inside],
        coefs[inside],
    )


def _add_shared_capacities(
    rows: _Rows, problem: PlanningProblem, batch: Batch, x_var: IntArray, i_var: IntArray
) -> None:
    """Capacities shared across SKUs: per transport lane and per warehouse, each period."""
    horizon = problem.horizon
    lane_of = problem.transfers["lane"].to_numpy()[batch.transfers]
    lane_cap = problem.lanes["capacity"].to_numpy(float)
    limited = np.unique(lane_of[np.isfinite(lane_cap[lane_of])])
    if len(limited):
        lane_rows = rows.new(
            np.full((len(limited), horizon), -np.inf),
            np.repeat(lane_cap[limited, None], horizon, 1),
        )
        rows.add(
            lane_rows[np.searchsorted(limited, lane_of[np.isin(lane_of, limited)])],
            x_var[np.isin(lane_of, limited)],
            1.0,
        )
    caps = problem.warehouses.set_index("warehouse_id")["capacity"]
    batch_nodes = problem.nodes.iloc[batch.nodes]
    in_house = (batch_nodes["kind"] == "warehouse").to_numpy()
    where = batch_nodes["location_id"].to_numpy()[in_house]
    cap = caps.reindex(where).to_numpy(float)
    finite = np.isfinite(cap)
    names, slot = np.unique(where[finite], return_inverse=True)
    if len(names):
        house_cap = caps.reindex(names).to_numpy(float)
        house_rows = rows.new(
            np.full((len(names), horizon), -np.inf), np.repeat(house_cap[:, None], horizon, 1)
        )
        rows.add(house_rows[slot], i_var[np.flatnonzero(in_house)[finite]], 1.0)


def order_nothing(
    on_hand: FloatArray,
    receipts: FloatArray,
    demand: FloatArray,
    backlog: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Stock and shortages (lost sales; with a ``backlog``, the backlog carried) if
    nothing is ordered or moved: always feasible, since no capacity is below what is on
    hand and on order. Given to the solver as a start."""
    if backlog is not None:
        net = on_hand[:, None] - backlog[:, None] + np.cumsum(receipts - demand, axis=1)
        return np.maximum(net, 0.0), np.maximum(-net, 0.0)
    stock = np.zeros_like(demand)
    short = np.zeros_like(demand)
    level = on_hand.copy()
    for t in range(demand.shape[1]):
        level = level + receipts[:, t]
        met = np.minimum(level, demand[:, t])
        short[:, t] = demand[:, t] - met
        level = level - met
        stock[:, t] = level
    return stock, short


def _model_proto(
    lower: FloatArray,
    upper: FloatArray,
    integer: npt.NDArray[np.bool_],
    cost: FloatArray,
    rows: _Rows,
) -> model_pb2.ModelProto:
    model = model_pb2.ModelProto()
    count = len(lower)
    model.variables.ids.extend(np.arange(count).tolist())
    model.variables.lower_bounds.extend(lower.tolist())
    model.variables.upper_bounds.extend(upper.tolist())
    model.variables.integers.extend(integer.tolist())
    used = np.flatnonzero(cost)
    model.objective.linear_coefficients.ids.extend(used.tolist())
    model.objective.linear_coefficients.values.extend(cost[used].tolist())
    model.linear_constraints.ids.extend(range(rows.count))
    model.linear_constraints.lower_bounds.extend(np.concatenate(rows.lower).tolist())
    model.linear_constraints.upper_bounds.extend(np.concatenate(rows.upper).tolist())
    r = np.concatenate(rows.rows)
    c = np.concatenate(rows.cols)
    v = np.concatenate(rows.vals)
    order = np.lexsort((c, r))
    matrix = model.linear_constraint_matrix
    matrix.row_ids.extend(r[order].tolist())
    matrix.column_ids.extend(c[order].tolist())
    matrix.coefficients.extend(v[order].tolist())
    return model


def _solve(
    model: model_pb2.ModelProto,
    solver: str,
    time_limit_s: float,
    relative_gap: float,
    hint: FloatArray,
) -> result_pb2.SolveResultProto:
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromTimedelta(dt.timedelta(seconds=max(time_limit_s, 0.05)))
    params.relative_gap_tolerance = relative_gap
    params.absolute_gap_tolerance = 1e-6
    params.enable_output = False
    if solver == "scip":
        # On these lot-sizing batches SCIP reaches a 1% gap about twice as fast without
        # its root cutting planes (measured on the demo preset).
        params.cuts = parameters_pb2.EMPHASIS_OFF
    start = model_parameters_pb2.ModelSolveParametersProto()
    values = start.solution_hints.add().variable_values
    values.ids.extend(range(len(hint)))
    values.values.extend(hint.tolist())
    result: result_pb2.SolveResultProto = core_solver.solve(
        model,
        SOLVERS[solver],
        parameters_pb2.SolverInitializerProto(),
        params,
        start,
        None,
        callback_pb2.CallbackRegistrationProto(),
        None,
        None,
    )
    return result
