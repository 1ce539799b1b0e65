"""The day-by-day simulator: one policy, one scenario, every unit accounted for.

A simulated day, in order:

1. morning: perishable stock ages and what reaches the end of its shelf life expires
   (waste); supplier orders due today (promised lead time plus the scenario's delay)
   arrive at their warehouse with a full shelf life; yesterday's shipments arrive at
   their stores with the life they left the warehouse with, less the days on the road;
2. the store day: demand (plus backorders in a backorder run) is served first in first
   out; what cannot be served is lost or carried as a backorder (``mode``);
3. evening: the policy observes and decides; orders go to suppliers; transfers are cut
   to what each warehouse has (pro rata) and routed by the policy; the simulator drives
   only feasible routes and ships only what they deliver, oldest units first.

Per position and day ``received - sold - wasted - shipped = on_hand change`` holds by
construction and the tests check it. The result keeps the daily arrays the KPIs need.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.optimizer.twin.delivery import judge_routes, shipment_problem
from supplynet.optimizer.twin.policy import Decision, Observation, Policy
from supplynet.optimizer.twin.scenario import Scenario
from supplynet.optimizer.twin.stock import age, arrival_column, life_columns, take
from supplynet.optimizer.twin.world import FloatArray, IntArray, TwinWorld

Mode = Literal["lost_sales", "backorders"]


@dataclass(frozen=True, eq=False)
class TwinRun:
    """Daily record of one policy on one scenario.

    Shapes
    ------
    received, sold, wasted, shipped, on_hand (end of day), ordered (supplier orders at
    warehouse positions, requested transfers at store positions): ``[days, positions]``;
    demand, unmet (demand not served that day), backlog (end of day), revenue, delivered
    (units the day's routes took to each store position): ``[days, n_store]``;
    order_lines, order_fixed_cost, purchase_cost, route_km, route_cost, vehicles,
    delivered_units: ``[days]``.
    """

    policy: str
    seed: int
    mode: Mode
    received: FloatArray
    sold: FloatArray
    wasted: FloatArray
    shipped: FloatArray
    on_hand: FloatArray
    ordered: FloatArray
    demand: FloatArray
    unmet: FloatArray
    backlog: FloatArray
    revenue: FloatArray
    delivered: FloatArray
    order_lines: FloatArray
    order_fixed_cost: FloatArray
    purchase_cost: FloatArray
    route_km: FloatArray
    route_cost: FloatArray
    vehicles: FloatArray
    delivered_units: FloatArray
    initial_on_hand: FloatArray
    planning_seconds: tuple[float, ...]
    wall_seconds: float

    @property
    def days(self) -> int:
        return int(self.demand.shape[0])


@dataclass
class _Pipeline:
    """Open supplier orders and transfers on the road ``(arrival day, days on the road,
    store positions, units per life column)``."""

    lane: IntArray
    quantity: FloatArray
    promised: IntArray
    arrival: IntArray
    transfers: list[tuple[int, int, IntArray, FloatArray]]

    def keep(self, mask: np.ndarray) -> None:
        self.lane, self.quantity = self.lane[mask], self.quantity[mask]
        self.promised, self.arrival = self.promised[mask], self.arrival[mask]

    def add(
        self, lane: IntArray, quantity: FloatArray, promised: IntArray, arrival: IntArray
    ) -> None:
        self.lane = np.concatenate([self.lane, lane])
        self.quantity = np.concatenate([self.quantity, quantity])
        self.promised = np.concatenate([self.promised, promised])
        self.arrival = np.concatenate([self.arrival, arrival])


class _Books:
    """The daily arrays of a run, filled in place."""

    POSITION = ("received", "sold", "wasted", "shipped", "ordered", "on_hand")
    STORE = ("unmet", "backlog", "revenue", "delivered")
    DAY = (
        "order_lines",
        "order_fixed_cost",
        "purchase_cost",
        "route_km",
        "route_cost",
        "vehicles",
        "delivered_units",
    )

    def __init__(self, days: int, positions: int, stores: int) -> None:
        self.arrays: dict[str, FloatArray] = {k: np.zeros((days, positions)) for k in self.POSITION}
        self.arrays |= {k: np.zeros((days, stores)) for k in self.STORE}
        self.arrays |= {k: np.zeros(days) for k in self.DAY}

    def __getitem__(self, key: str) -> FloatArray:
        return self.arrays[key]


def simulate(
    world: TwinWorld, scenario: Scenario, policy: Policy, mode: Mode = "lost_sales"
) -> TwinRun:
    """Run ``policy`` through every day of ``scenario``.

    Raises
    ------
    ValidationFailed
        ``mode`` unknown, or a decision with unknown lanes or positions or with negative
        or non-finite quantities.
    PeekedAtFuture
        When a policy without foresight asks for the future.
    """
    if mode not in ("lost_sales", "backorders"):
        raise ValidationFailed([Problem("mode", f"unknown mode {mode!r}")], "twin")
    started = time.monotonic()
    days, n_store = scenario.days, world.n_store
    columns = life_columns(world.shelf_life)
    fresh = arrival_column(world.shelf_life, columns)
    perishable = np.isfinite(world.shelf_life)
    stock = np.zeros((world.n_positions, columns))
    stock[np.arange(world.n_positions), fresh] = world.initial_on_hand
    books = _Books(days, world.n_positions, n_store)
    pipeline = _initial_pipeline(world)
    backlog = np.zeros(n_store)
    history = np.concatenate([world.history, scenario.demand])
    lead = world.lanes["lead_days"].to_numpy()
    lane_position = world.lanes["position"].to_numpy()
    for t in range(days):
        books["wasted"][t] = age(stock, perishable)
        due = pipeline.arrival == t
        rows = lane_position[pipeline.lane[due]]
        np.add.at(books["received"][t], rows, pipeline.quantity[due])
        np.add.at(stock, (rows, fresh[rows]), pipeline.quantity[due])
        pipeline.keep(~due)
        for arrival, road_days, rows, profile in pipeline.transfers:
            if arrival == t:
                books["received"][t, rows] += profile.sum(axis=1)
                books["wasted"][t, rows] += age(profile, perishable[rows], road_days)
                stock[rows] += profile
        pipeline.transfers = [p for p in pipeline.transfers if p[0] != t]
        demand = scenario.demand[t]
        requested = demand + backlog
        sales = take(stock[:n_store], requested)
        stock[:n_store] -= sales
        sold = sales.sum(axis=1)
        short = requested - sold
        books["sold"][t, :n_store] = sold
        books["revenue"][t] = sold * scenario.price[t]
        backlog = short if mode == "backorders" else np.zeros(n_store)
        books["unmet"][t] = np.minimum(short, demand)
        books["backlog"][t] = backlog
        yesterday = books["delivered"][t - 1] if t > 0 else np.zeros(n_store)
        observation = _observe(
            world, scenario, policy, t, stock, backlog, history, pipeline, yesterday
        )
        decision = _checked(policy.decide(observation), world)
        placed = decision.order_quantity > 0
        lanes, quantity = decision.order_lane[placed], decision.order_quantity[placed]
        np.add.at(books["ordered"][t], lane_position[lanes], quantity)
        books["order_lines"][t] = len(lanes)
        books["order_fixed_cost"][t] = world.lanes["fixed_cost"].to_numpy()[lanes].sum()
        books["purchase_cost"][t] = (world.lanes["unit_cost"].to_numpy()[lanes] * quantity).sum()
        pipeline.add(lanes, quantity, t + lead[lanes], t + lead[lanes] + scenario.delays[t, lanes])
        _ship(world, policy, t, decision, stock, books, pipeline)
        books["on_hand"][t] = stock.sum(axis=1)
    return TwinRun(
        policy=policy.name,
        seed=scenario.seed,
        mode=mode,
        demand=scenario.demand.copy(),
        initial_on_hand=world.initial_on_hand.copy(),
        planning_seconds=tuple(policy.planning_seconds()),
        wall_seconds=time.monotonic() - started,
        **books.arrays,
    )


def _initial_pipeline(world: TwinWorld) -> _Pipeline:
    """The network's open orders, due on their dates, booked on the position's cheapest lane."""
    orders = world.network.frame("open_orders")
    empty = np.zeros(0, dtype=np.int64)
    pipeline = _Pipeline(empty, np.zeros(0), empty, empty, [])
    if orders.empty:
        return pipeline
    lanes = world.lanes.reset_index(names="lane").sort_values(["unit_cost", "lead_days", "lane"])
    cheapest = lanes.drop_duplicates("position").set_index("position")["lane"]
    index = world.position_index()
    position = index.reindex(pd.MultiIndex.from_frame(orders[["location_id", "sku_id"]]))
    lane = cheapest.reindex(position.to_numpy()).to_numpy()
    due = (pd.to_datetime(orders["due_date"]) - pd.Timestamp(world.start)).dt.days.to_numpy()
    keep = np.isfinite(lane)
    day = np.maximum(due[keep], 0).astype(np.int64)
    pipeline.add(lane[keep].astype(np.int64), orders["quantity"].to_numpy(float)[keep], day, day)
    return pipeline


def _observe(
    world: TwinWorld,
    scenario: Scenario,
    policy: Policy,
    t: int,
    stock: FloatArray,
    backlog: FloatArray,
    history: FloatArray,
    pipeline: _Pipeline,
    delivered_yesterday: FloatArray,
) -> Observation:
    in_transit = np.zeros(world.n_positions)
    for _, _, rows, profile in pipeline.transfers:
        in_transit[rows] += profile.sum(axis=1)
    arrays = (
        stock.sum(axis=1),
        backlog.copy(),
        history[: len(world.history) + t + 1],
        pipeline.lane.copy(),
        pipeline.quantity.copy(),
        pipeline.promised.copy(),
        in_transit,
        delivered_yesterday.copy(),
        stock.copy(),
    )
    for array in arrays:
        array.flags.writeable = False
    return Observation(world, t, *arrays, _scenario=scenario if policy.clairvoyant else None)


def _checked(decision: Decision, world: TwinWorld) -> Decision:
    problems = []
    n_lanes = len(world.lanes)
    for name, index, bound in (
        ("order_lane", decision.order_lane, n_lanes),
        ("transfer_position", decision.transfer_position, world.n_store),
    ):
        if len(index) and (index.min() < 0 or index.max() >= bound):
            problems.append(Problem(f"decision.{name}", f"indices must lie in [0, {bound})"))
    for name, quantity, index in (
        ("order_quantity", decision.order_quantity, decision.order_lane),
        ("transfer_quantity", decision.transfer_quantity, decision.transfer_position),
    ):
        if len(quantity) != len(index):
            problems.append(Problem(f"decision.{name}", "one quantity per index"))
        elif not (np.isfinite(quantity).all() and (quantity >= 0).all()):
            problems.append(Problem(f"decision.{name}", "must be finite and non-negative"))
    if problems:
        raise ValidationFailed(problems, "policy decision")
    return decision


def _ship(
    world: TwinWorld,
    policy: Policy,
    t: int,
    decision: Decision,
    stock: FloatArray,
    books: _Books,
    pipeline: _Pipeline,
) -> None:
    """Cut transfers to warehouse stock, route them, and ship what the routes deliver."""
    requested = np.zeros(world.n_store)
    np.add.at(requested, decision.transfer_position, decision.transfer_quantity)
    books["ordered"][t, : world.n_store] = requested
    source = world.source[: world.n_store]
    wanted = np.zeros(world.n_positions)
    np.add.at(wanted, source, requested)
    available = stock.sum(axis=1)
    share = np.divide(available, wanted, out=np.ones_like(wanted), where=wanted > available)
    quantity = requested * share[source]
    position = np.flatnonzero(quantity > 1e-9)
    if len(position) == 0:
        return
    problem, stops = shipment_problem(world, t, position, quantity[position])
    outcome = judge_routes(problem, policy.route(problem), stops)
    books["route_km"][t] = outcome.distance_km
    books["route_cost"][t] = outcome.cost
    books["vehicles"][t] = outcome.vehicles
    position = position[outcome.delivered]
    if len(position) == 0:
        return
    quantity = quantity[position]
    origin = source[position]
    total = np.zeros(world.n_positions)
    np.add.at(total, origin, quantity)
    rows = np.flatnonzero(total)
    taken = take(stock[rows], total[rows])
    stock[rows] -= taken
    books["shipped"][t, rows] = total[rows]
    books["delivered_units"][t] = quantity.sum()
    books["delivered"][t, position] = quantity
    per_unit = np.zeros((world.n_positions, stock.shape[1]))
    per_unit[rows] = taken / total[rows, None]
    profile = per_unit[origin] * quantity[:, None]
    road = world.transit_days[position]
    for days in np.unique(road):
        mine = road == days
        pipeline.transfers.append((t + int(days), int(days), position[mine], profile[mine]))
