"""The rolling-horizon evaluator: the planner run as a policy, beside fixed policies.

A planner is used by planning, living one period and planning again. ``roll`` does
exactly that on a textbook single-stage instance (a supplier, a warehouse and a store
next to it): every period, after its arrivals, the policy decides what to order and
move; then demand comes, and holding, backorder (or lost sale), fixed and purchase costs
are charged on what the period ends with. ``PlannerPolicy`` gives the state to the
planner's own ``solve`` (on the problem ``build_problem`` made of the instance's network
and forecast) and carries out the first period of the plan.

Common random numbers: demand depends only on ``seed``, trials and periods, never on
the policy, so ``SimulationResult.paired_gap`` compares policies on the same demand.
Timing: an order placed at the start of period ``t`` arrives at the start of period
``t + lead_time`` (at once for 0) and serves that period's demand; an anchor whose
orders are placed at the end of a period with lead time ``L`` has ``lead_time = L - 1``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem
from supplynet.graph.model import (
    InventoryPosition,
    Sku,
    Store,
    Supplier,
    SupplyLane,
    TransportLane,
    Warehouse,
)
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment.demand_models import DemandModel
from supplynet.optimizer.replenishment.policies import Decision, Policy, State
from supplynet.optimizer.replenishment.problem import PlanningProblem, PlanSettings, build_problem
from supplynet.optimizer.replenishment.solve import solve
from supplynet.optimizer.replenishment.tally import Tally, check_run
from supplynet.optimizer.simulation import SimulationResult

FloatArray = npt.NDArray[np.float64]
Z90 = 1.2815515655446004
START = dt.date(2025, 1, 6)


@dataclass(frozen=True)
class SingleStage:
    """A single-stage instance: costs per unit and period, lead time in whole periods.

    ``backorders`` False: demand not met is lost at ``lost_sale_cost`` per unit.
    """

    demand: DemandModel
    lead_time: int
    holding: float
    backorder_cost: float
    fixed_cost: float = 0.0
    unit_cost: float = 0.0
    backorders: bool = True
    lost_sale_cost: float = 0.0

    def problems(self) -> list[Problem]:
        found = []
        if self.lead_time < 0:
            found.append(Problem("lead_time", "must not be negative"))
        if self.holding <= 0:
            found.append(Problem("holding", "must be positive"))
        if self.backorders and self.backorder_cost <= 0:
            found.append(Problem("backorder_cost", "must be positive with backorders"))
        if not self.backorders and self.lost_sale_cost <= 0:
            found.append(Problem("lost_sale_cost", "must be positive with lost sales"))
        return found


def stage_network(stage: SingleStage, settings: PlanSettings) -> Network:
    """The instance as a network: supplier P1 -> warehouse W1 -> store S1 (same day).

    Costs per period become the network's daily rates; the SKU price carries the
    backorder cost (``settings.backorder_daily_rate``) or the lost-sale cost
    (``settings.shortage_factor``).
    """
    days = settings.period_days
    if stage.backorders:
        price = stage.backorder_cost / (settings.backorder_daily_rate * days)
    else:
        price = stage.lost_sale_cost / settings.shortage_factor
    here = {"latitude": 50.0, "longitude": 8.0}
    daily = stage.holding / days
    return Network.build(
        suppliers=[Supplier(id="P1", **here)],
        warehouses=[Warehouse(id="W1", **here)],
        stores=[Store(id="S1", **here)],
        skus=[
            Sku(
                id="K1",
                category="c",
                unit_weight_kg=1.0,
                unit_volume_m3=0.01,
                unit_cost=stage.unit_cost,
                price=price,
            )
        ],
        supply_lanes=[
            SupplyLane(
                supplier_id="P1",
                warehouse_id="W1",
                sku_id="K1",
                lead_time_mean_days=stage.lead_time * days,
                unit_cost=stage.unit_cost,
                fixed_order_cost=stage.fixed_cost,
                lot_size=1.0,
            )
        ],
        transport_lanes=[
            TransportLane(
                origin_id="W1", destination_id="S1", distance_km=1.0, transit_time_days=0.0
            )
        ],
        inventory_positions=[
            InventoryPosition(location_id=s, sku_id="K1", on_hand=0.0, holding_cost_per_day=daily)
            for s in ("W1", "S1")
        ],
    )


def stage_forecast(demand: DemandModel, periods: int, period_days: int) -> DemandForecast:
    """A stationary forecast: the mean, and 10% / 90% quantiles that encode the standard
    deviation (kept ``2 * 1.2816 * sd`` apart, moved up where the lower one would be
    negative)."""
    low = max(demand.mean - Z90 * demand.std, 0.0)
    frame = pd.DataFrame(
        {
            "location_id": "S1",
            "sku_id": "K1",
            "period": [pd.Timestamp(START) + pd.Timedelta(days=period_days * t) for t in
                       range(periods)],
            "mean": demand.mean,
            "p10": low,
            "p50": demand.mean,
            "p90": low + 2 * Z90 * demand.std,
            "model": "instance",
        }
    )  # fmt: skip
    return DemandForecast(frame, "D" if period_days == 1 else "W")


class PlannerPolicy:
    """The planner as a policy: plan from the state, carry out the first period.

    The forecast is the same every period (the instances have i.i.d. demand), so the
    plan depends on the state alone and is remembered per state: a state seen again is
    not planned again (the planner is deterministic given its inputs).
    """

    name = "planner (rolled)"

    def __init__(
        self, stage: SingleStage, settings: PlanSettings, deadline: Deadline | None = None
    ) -> None:
        settings = dataclasses.replace(settings, backorders=stage.backorders)
        network = stage_network(stage, settings)
        forecast = stage_forecast(stage.demand, settings.horizon, settings.period_days)
        self.problem: PlanningProblem = build_problem(network, forecast, settings, start=START)
        self.settings = settings
        self.deadline = deadline
        self.plans = 0
        self._decisions: dict[tuple[float, ...], tuple[float, float]] = {}
        kind = self.problem.nodes["kind"].to_numpy()
        self._store = int(np.flatnonzero(kind == "store")[0])
        self._warehouse = int(np.flatnonzero(kind == "warehouse")[0])

    def observed(self) -> tuple[FloatArray, FloatArray]:
        """Inventory position and order of every state planned so far: the planner's
        effective policy (e.g. the largest position it orders at is its reorder point)."""
        keys = list(self._decisions)
        position = np.array([sum(k) for k in keys], dtype=float)
        order = np.array([self._decisions[k][0] for k in keys], dtype=float)
        return position, order

    def decide(self, state: State) -> Decision:
        trials = len(state.store)
        order, transfer = np.zeros(trials), np.zeros(trials)
        for i in range(trials):
            key = (
                round(float(state.warehouse[i]), 6),
                round(float(state.store[i]), 6),
                *np.round(state.pipeline[:, i], 6).tolist(),
            )
            if key not in self._decisions:
                self._decisions[key] = self._plan(
                    state.warehouse[i], state.store[i], state.pipeline[:, i]
                )
            order[i], transfer[i] = self._decisions[key]
        return Decision(order=order, transfer=transfer)

    def _plan(self, warehouse: float, store: float, pipeline: FloatArray) -> tuple[float, float]:
        problem = self.problem
        on_hand = np.zeros(len(problem.nodes))
        on_hand[self._warehouse] = warehouse
        on_hand[self._store] = max(store, 0.0)
        backlog = np.zeros(len(problem.nodes))
        backlog[self._store] = max(-store, 0.0)
        receipts = np.zeros_like(problem.receipts)
        due = min(len(pipeline), problem.horizon - 1)
        receipts[self._warehouse, 1 : due + 1] = pipeline[:due]
        nodes = problem.nodes.assign(on_hand=on_hand, backlog=backlog, capacity=np.inf)
        plan = solve(
            dataclasses.replace(problem, nodes=nodes, receipts=receipts),
            self.settings,
            deadline=self.deadline,
        )
        self.plans += 1
        first = plan.orders["order_period"] == 0
        moved = plan.transfers["order_period"] == 0
        return (
            float(plan.orders.loc[first, "quantity"].sum()),
            float(plan.transfers.loc[moved, "quantity"].sum()),
        )


def roll(
    stage: SingleStage,
    policy: Policy,
    *,
    trials: int = 20,
    periods: int = 300,
    warmup: int = 30,
    seed: int = 0,
) -> SimulationResult:
    """Run ``policy`` on ``stage`` for ``periods`` periods in each of ``trials`` trials.

    Costs are per period, averaged after ``warmup`` periods, per trial. Trials start
    with one lead time and period of mean demand in the store (in whole units when
    demand comes in whole units, so positions stay whole).

    Raises
    ------
    ValidationFailed
        For a bad instance or run length.
    """
    check_run(stage.problems(), periods, warmup, "rolling evaluation")
    demand = stage.demand.sample(np.random.default_rng(seed), (periods, trials))
    lead = stage.lead_time
    warehouse = np.zeros(trials)
    stock = stage.demand.mean * (lead + 1)
    store = np.full(trials, round(stock) if stage.demand.whole_units else stock, dtype=float)
    pipeline = np.zeros((max(lead, 1), trials))
    tally = Tally(trials)
    for t in range(periods):
        decision = policy.decide(State(warehouse.copy(), store.copy(), pipeline.copy()))
        order = np.maximum(decision.order, 0.0)
        if lead == 0:
            warehouse += order
        else:
            pipeline[lead - 1] += order
        move = np.clip(decision.transfer, 0.0, warehouse)
        warehouse -= move
        store += move
        met = np.minimum(np.maximum(store, 0.0), demand[t])
        lost = np.zeros(trials)
        if stage.backorders:
            store -= demand[t]
        else:
            lost = demand[t] - met
            store -= met
        if t >= warmup:
            cost = (
                stage.holding * (warehouse + np.maximum(store, 0.0))
                + stage.backorder_cost * np.maximum(-store, 0.0) * stage.backorders
                + stage.lost_sale_cost * lost
                + stage.fixed_cost * (order > 1e-9)
                + stage.unit_cost * order
            )
            tally.add(cost, demand[t], met)
        warehouse += pipeline[0]
        pipeline = np.vstack([pipeline[1:], np.zeros((1, trials))])
    return tally.result(periods, warmup)
