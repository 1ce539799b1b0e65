"""The fast path for single-warehouse parts: pooled lot sizing, then a replay of its orders.

Parts qualify when they hold one warehouse stocking point without demand of its own,
its stores are fed by same-period transfers, and nothing limits them but store
positions (no lane, warehouse or supply capacity, no shelf life that binds within the
horizon; whole-unit lot sizes). For each, the
exact pooled optimum (``pooled.solve_pooled``) is a lower bound on its cost and gives
the orders; ``replay`` moves the arriving stock to the stores period by period (demand
first, then safety targets) for all parts at once. The part's gap is the honest
distance from that plan's cost to the bound; parts above the tolerance are handed to
the MIP by ``solve``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.replenishment.model import Batch, BatchSolution
from supplynet.optimizer.replenishment.pooled import Arc, PooledPart, Slots, solve_pooled
from supplynet.optimizer.replenishment.problem import PlanningProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def qualifies(problem: PlanningProblem, parts: list[Batch]) -> npt.NDArray[np.bool_]:
    """Which parts the fast path can plan, one flag per part (none with backorders: the
    pooled relaxation prices shortages as lost sales; none buying on a lane with a price
    schedule)."""
    if problem.backorders:
        return np.zeros(len(parts), dtype=bool)
    nodes, supply, transfers = problem.nodes, problem.supply, problem.transfers
    warehouse = (nodes["kind"] == "warehouse").to_numpy()
    house_cap = (
        problem.warehouses.set_index("warehouse_id")["capacity"]
        .reindex(nodes["location_id"])
        .to_numpy(float)
    )
    lane_cap = problem.lanes["capacity"].to_numpy(float)[transfers["lane"].to_numpy()]
    bad_transfer = (transfers["lead"].to_numpy() != 0) | np.isfinite(lane_cap)
    lot = supply["lot"].to_numpy(float)
    # A price schedule (price changes, discounts) is the MIP's: the fast path prices at
    # the lane's unit cost, and would tie plans whose real costs differ.
    bad_arc = (
        np.isfinite(supply["capacity"].to_numpy(float))
        | (lot < 1)
        | (lot != np.round(lot))
        | supply["priced"].to_numpy(bool)
    )
    inbound = np.bincount(transfers["node"].to_numpy(), minlength=len(nodes))
    bad_node = (
        np.where(
            warehouse,
            np.isfinite(house_cap) | (problem.demand.sum(axis=1) > 0),
            inbound != 1,
        )
        | problem.perishable()
    )
    flags = np.zeros(len(parts), dtype=bool)
    for i, part in enumerate(parts):
        flags[i] = (
            int(warehouse[part.nodes].sum()) == 1
            and not bad_node[part.nodes].any()
            and not bad_arc[part.supply].any()
            and not bad_transfer[part.transfers].any()
        )
    return flags


@dataclass(frozen=True)
class Arrays:
    """Plain arrays of the problem, read once (pandas lookups per part are slow)."""

    warehouse: npt.NDArray[np.bool_]
    on_hand: FloatArray
    capacity: FloatArray
    holding: FloatArray
    target: FloatArray
    shortage: FloatArray
    below: FloatArray
    credit: FloatArray
    terminal: FloatArray
    lead: IntArray
    unit: FloatArray
    fixed: FloatArray
    lot: FloatArray
    moq: FloatArray
    rate: FloatArray


def arrays(problem: PlanningProblem) -> Arrays:
    """Read the arrays the fast path uses, once per problem."""
    nodes, supply = problem.nodes, problem.supply
    return Arrays(
        warehouse=(nodes["kind"] == "warehouse").to_numpy(),
        on_hand=nodes["on_hand"].to_numpy(float),
        capacity=nodes["capacity"].to_numpy(float),
        holding=nodes["holding"].to_numpy(float),
        target=nodes["target"].to_numpy(float),
        shortage=problem.shortage_costs(),
        below=problem.below_target_costs(),
        credit=nodes["replacement"].to_numpy(float),
        terminal=problem.terminal_room(),
        lead=supply["lead"].to_numpy(np.int64),
        unit=supply["unit_cost"].to_numpy(float),
        fixed=supply["fixed_cost"].to_numpy(float),
        lot=supply["lot"].to_numpy(float),
        moq=supply["moq"].to_numpy(float),
        rate=problem.transfers["unit_cost"].to_numpy(float),
    )


def pooled_part(problem: PlanningProblem, part: Batch, a: Arrays) -> PooledPart:
    """The pooled relaxation of one qualifying part."""
    horizon = problem.horizon
    nodes = part.nodes
    stores = nodes[~a.warehouse[nodes]]
    rate = float(a.rate[part.transfers].min()) if len(part.transfers) else 0.0
    shortage = a.shortage[stores].min(axis=0) - rate if len(stores) else np.zeros(horizon)
    capacity = a.capacity[nodes]
    room = np.minimum(a.target[nodes], capacity)
    kept = np.minimum(np.maximum(a.terminal[nodes], room), capacity) - room
    length = np.concatenate([room, kept, capacity - room - kept])

    def slots(t: int) -> Slots:
        last = t == horizon - 1
        extra = np.where(a.warehouse[nodes], 0.0, rate) if last else 0.0
        credit = a.credit[nodes] if last else np.zeros(len(nodes))
        holding = a.holding[nodes] + extra - credit
        return Slots(
            length=length,
            slope=np.concatenate([holding - a.below[nodes, t], holding, holding + credit]),
            empty=float((a.below[nodes, t] * a.target[nodes]).sum()),
        )

    # Every period but the last prices stock alike (the last credits the terminal value).
    inner = slots(0)
    arcs = tuple(
        Arc(
            lead=int(a.lead[s]),
            unit=float(a.unit[s]),
            fixed=float(a.fixed[s]),
            lot=int(a.lot[s]),
            smallest=int(a.lot[s] * max(1.0, np.ceil(a.moq[s] / a.lot[s] - 1e-9))),
        )
        for s in part.supply
    )
    return PooledPart(
        start_stock=float(a.on_hand[nodes].sum()),
        receipts=problem.receipts[nodes].sum(axis=0),
        demand=problem.demand[stores].sum(axis=0),
        shortage=shortage,
        slots=(*[inner] * (horizon - 1), slots(horizon - 1)),
        arcs=arcs,
        transfer=rate,
        store_stock=float(a.on_hand[stores].sum() + problem.receipts[stores].sum()),
    )


def plan_parts(
    problem: PlanningProblem, parts: list[Batch], deadline: Deadline, a: Arrays | None = None
) -> list[BatchSolution | None]:
    """Pooled orders and bounds for qualifying ``parts``, replayed into solutions.

    Parts not reached before ``deadline`` or whose pooled
    relaxation does not meet the greedy-shortage condition get ``None``.
    """
    a = a or arrays(problem)
    lots = np.zeros((len(problem.supply), problem.horizon))
    planned: list[tuple[int, float, float]] = []
    for i, part in enumerate(parts):
        if deadline.expired():
            break
        started = deadline.clock()
        pooled = pooled_part(problem, part, a)
        if pooled.demand.sum() > 0 and not pooled.greedy_shortage_is_optimal():
            continue
        plan = solve_pooled(pooled)
        for row, s in enumerate(part.supply):
            lead = int(a.lead[s])
            lots[s, : problem.horizon - lead] = plan.arrivals[row, lead:] / a.lot[s]
        planned.append((i, plan.bound, deadline.clock() - started))
    out: list[BatchSolution | None] = [None] * len(parts)
    if planned:
        flows = replay(problem, [parts[i] for i, _, _ in planned], lots, a)
        for i, bound, seconds in planned:
            out[i] = flows.solution(parts[i], bound, seconds, a)
    return out


@dataclass(frozen=True)
class _Flows:
    """Replayed flows of some parts; ``node_row`` and ``move_row`` give the row of each
    of the problem's nodes and transfers (-1 where not replayed)."""

    lots: FloatArray
    transfers: FloatArray
    stock: FloatArray
    short: FloatArray
    below: FloatArray
    node_row: IntArray
    move_row: IntArray

    def solution(self, part: Batch, bound: float, seconds: float, a: Arrays) -> BatchSolution:
        nodes, supply, moves = part.nodes, part.supply, part.transfers
        local, local_moves = self.node_row[nodes], self.move_row[moves]
        lots = self.lots[supply]
        switches = (lots > 0).astype(float)
        stock, short, below = self.stock[local], self.short[local], self.below[local]
        transfers = self.transfers[local_moves]
        cost = float(
            (lots * (a.lot[supply] * a.unit[supply])[:, None]).sum()
            + (switches * a.fixed[supply, None]).sum()
            + (transfers * a.rate[moves, None]).sum()
            + (stock * a.holding[nodes, None]).sum()
            + (short * a.shortage[nodes]).sum()
            + (below * a.below[nodes]).sum()
            - (np.minimum(stock[:, -1], a.terminal[nodes]) * a.credit[nodes]).sum()
        )
        return BatchSolution(
            batch=part,
            lots=lots,
            switches=switches,
            transfers=transfers,
            stock=stock,
            short=short,
            below=below,
            found=True,
            optimal=False,
            objective=cost,
            bound=min(bound, cost),
            seconds=seconds,
            time_limit_hit=False,
        )


def replay(problem: PlanningProblem, parts: list[Batch], lots: FloatArray, a: Arrays) -> _Flows:
    """Move the arriving stock of every part to its stores, period by period.

    Each period a warehouse first covers what its stores would otherwise miss, then
    fills their targets (up to their room), both in proportion to need when stock is
    short, and keeps the rest: the order of the pooled relaxation's cheapest slots.
    """
    horizon = problem.horizon
    nodes = np.concatenate([p.nodes for p in parts])
    moves = np.concatenate([p.transfers for p in parts])
    arcs = np.concatenate([p.supply for p in parts])
    node_row = np.full(len(problem.nodes), -1, dtype=np.int64)
    node_row[nodes] = np.arange(len(nodes))
    move_row = np.full(len(problem.transfers), -1, dtype=np.int64)
    move_row[moves] = np.arange(len(moves))
    origin = node_row[problem.transfers["origin"].to_numpy()[moves]]
    store = node_row[problem.transfers["node"].to_numpy()[moves]]
    count = len(nodes)
    houses = np.flatnonzero(a.warehouse[nodes])
    arrive = np.zeros((count, horizon))
    ordered = lots[arcs] * a.lot[arcs, None]
    into = node_row[problem.supply["node"].to_numpy()[arcs]]
    for t in range(horizon):
        sent = t - a.lead[arcs]
        ok = sent >= 0
        np.add.at(arrive[:, t], into[ok], ordered[ok, sent[ok]])
    room = np.minimum(a.target, a.capacity)[nodes][store]
    demand, receipts = problem.demand[nodes], problem.receipts[nodes]
    stock = np.zeros((count, horizon))
    short = np.zeros((count, horizon))
    flow = np.zeros((len(moves), horizon))
    level = a.on_hand[nodes].copy()
    for t in range(horizon):
        have = level + receipts[:, t] + arrive[:, t]
        need = np.maximum(demand[store, t] - have[store], 0.0)
        fill = np.maximum(room - np.maximum(have[store] - demand[store, t], 0.0), 0.0)
        sent = np.zeros(len(moves))
        for want in (need, fill):
            total = np.bincount(origin, want, minlength=count)
            free = np.maximum(have - np.bincount(origin, sent, minlength=count), 0.0)
            share = np.divide(free, total, out=np.ones(count), where=total > 0)
            sent = sent + want * np.minimum(share, 1.0)[origin]
        flow[:, t] = sent
        have[store] += sent
        have[houses] -= np.bincount(origin, sent, minlength=count)[houses]
        have = np.maximum(have, 0.0)
        met = np.minimum(have, demand[:, t])
        short[:, t] = demand[:, t] - met
        level = have - met
        stock[:, t] = level
    below = np.maximum(a.target[nodes][:, None] - stock, 0.0)
    return _Flows(
        lots=lots,
        transfers=flow,
        stock=stock,
        short=short,
        below=below,
        node_row=node_row,
        move_row=move_row,
    )
