"""The ``supplynet`` arm, and the ``oracle`` built from it: the service's own pipeline.

At every review (default weekly) the policy forecasts each store series with a
forecaster from ``forecasting.registry`` (default ``seasonal_average``: the weekday
profile of the last four weeks with its own error quantiles, the cheapest model that
sees the weekly cycle), snapshots the network with today's stock, open orders at their
promised dates and goods on the road, and calls ``plan_replenishment``; perishable
stock and storage are stated as freshness allows (``freshness.py``: the planner has no
shelf life). Between reviews
it executes the plan's lines as their ship dates come. Shipments are routed by the
routing solver (``solver.solve``).

The ``oracle`` is the same pipeline with perfect foresight: the forecast is the true
future demand (no spread, so no safety stock) and each supply lane's lead time is the
true one for an order placed today. Its gap to ``supplynet`` is the value of knowing the
future; it needs the scenario, so it runs only where the simulator grants foresight.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.registry import VALUE_FORECASTERS
from supplynet.graph.deadline import Deadline
from supplynet.graph.model import InventoryPosition, OpenOrder
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment import PlanSettings, ReplenishmentPlan, plan_replenishment
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.twin.freshness import perishable_capacity, position_rate, usable_stock
from supplynet.optimizer.twin.policy import Decision, Observation, Routes
from supplynet.optimizer.twin.routers import solver_routes
from supplynet.optimizer.twin.world import FloatArray, TwinWorld

DEFAULT_SETTINGS = PlanSettings(horizon=6, period_days=7, time_limit_s=30.0, workers=1)
"""Six weekly periods (beyond the longest promised lead time of ``demo``), one worker
process: replications already fill the cores."""
FIT_DAYS = 56


class SupplynetPolicy:
    """Forecast, plan and route every ``review_days``; execute the plan in between."""

    def __init__(
        self,
        world: TwinWorld,
        review_days: int = 7,
        settings: PlanSettings = DEFAULT_SETTINGS,
        forecaster: str = "seasonal_average",
        route_cap_s: float = 10.0,
        foresight: bool = False,
    ) -> None:
        self.world = world
        self.review_days = review_days
        self.settings = settings
        self.forecaster = forecaster
        self.route_cap_s = route_cap_s
        self.clairvoyant = foresight
        self.name = "oracle" if foresight else "supplynet"
        self.plan: ReplenishmentPlan | None = None
        self.seconds: list[float] = []
        self.owed = np.zeros(world.n_store)
        lanes = world.network.frame("supply_lanes")
        self.lane_of = pd.Series(
            np.arange(len(lanes)),
            index=pd.MultiIndex.from_frame(lanes[["supplier_id", "warehouse_id", "sku_id"]]),
        )
        self.position_of = world.position_index()

    def decide(self, observation: Observation) -> Decision:
        """Re-plan on review days; ship the plan's lines due today plus what is still owed.

        The planner counts receipts due within a period as available at its start, so a
        warehouse often cannot fill a transfer on its ship date; the rest is owed to the
        store and requested again each evening until the next review re-plans it.
        """
        owed = np.maximum(self.owed - observation.delivered_yesterday, 0.0)
        if observation.day % self.review_days == 0 or self.plan is None:
            started = time.monotonic()
            self.plan = self._plan(observation)
            self.seconds.append(time.monotonic() - started)
            owed = np.zeros(self.world.n_store)
        ship = self.world.date(observation.day + 1)
        orders = self.plan.orders[self.plan.orders["ship_date"] == ship]
        transfers = self.plan.transfers[self.plan.transfers["ship_date"] == ship]
        lane = self.lane_of.reindex(
            pd.MultiIndex.from_frame(orders[["origin_id", "destination_id", "sku_id"]])
        ).to_numpy()
        position = self.position_of.reindex(
            pd.MultiIndex.from_frame(transfers[["destination_id", "sku_id"]])
        ).to_numpy()
        ok_lane, ok_position = np.isfinite(lane), np.isfinite(position)
        np.add.at(
            owed,
            position[ok_position].astype(np.int64),
            transfers["quantity"].to_numpy(float)[ok_position],
        )
        self.owed = owed
        stores = np.flatnonzero(owed > 1e-9)
        return Decision(
            order_lane=lane[ok_lane].astype(np.int64),
            order_quantity=orders["quantity"].to_numpy(float)[ok_lane],
            transfer_position=stores.astype(np.int64),
            transfer_quantity=owed[stores],
        )

    def route(self, problem: RoutingProblem) -> Routes:
        return solver_routes(problem, Deadline.after(self.route_cap_s))

    def planning_seconds(self) -> Sequence[float]:
        return tuple(self.seconds)

    def _plan(self, observation: Observation) -> ReplenishmentPlan:
        days = self.settings.horizon * self.settings.period_days
        start = self.world.date(observation.day + 1)
        if self.clairvoyant:
            future = observation.foresee()
            mean = _padded(future.demand, days)
            low = high = mean
            lead_extra = future.delays_today
        else:
            mean, low, high = self._forecast(observation.demand_history, days)
            lead_extra = np.zeros(len(self.world.lanes), dtype=np.int64)
        mean = mean.copy()
        mean[0] += observation.backlog
        forecast = _forecast_frame(self.world, start, mean, low, high, self.name)
        rate = position_rate(self.world, mean.mean(axis=0))
        capacity = perishable_capacity(self.world, rate)
        usable = usable_stock(observation.stock_by_life, rate)
        network = _snapshot(self.world, observation, lead_extra, capacity, usable)
        return plan_replenishment(network, forecast, self.settings)

    def _forecast(
        self, history: FloatArray, days: int
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``[days, n_store]`` mean, p10 and p90 of the registry's forecaster, per series."""
        fitted = history[-FIT_DAYS:]
        paths = [
            VALUE_FORECASTERS[self.forecaster]().fit_values(fitted[:, i], 7).predict_values(days)
            for i in range(fitted.shape[1])
        ]
        return tuple(
            np.stack([getattr(p, q) for p in paths], axis=1) for q in ("mean", "p10", "p90")
        )  # type: ignore[return-value]


def _padded(values: FloatArray, days: int) -> FloatArray:
    """The first ``days`` rows; past the scenario's end its last week repeats."""
    if len(values) >= days:
        return values[:days]
    tail = values[-7:] if len(values) else np.zeros((7, values.shape[1]))
    extra = tail[np.arange(days - len(values)) % len(tail)]
    return np.concatenate([values, extra])


def _forecast_frame(
    world: TwinWorld,
    start: dt.date,
    mean: FloatArray,
    low: FloatArray,
    high: FloatArray,
    model: str,
) -> DemandForecast:
    days, n = mean.shape
    periods = pd.date_range(start, periods=days, freq="D")
    frame = pd.DataFrame(
        {
            "location_id": np.tile(world.location_id[:n], days),
            "sku_id": np.tile(world.sku_id[:n], days),
            "period": np.repeat(periods.to_numpy(), n),
            "mean": mean.ravel(),
            "p10": np.minimum(low, mean).ravel(),
            "p50": mean.ravel(),
            "p90": np.maximum(high, mean).ravel(),
            "model": model,
        }
    )
    return DemandForecast(frame, "D")


def _snapshot(
    world: TwinWorld,
    observation: Observation,
    lead_extra: np.ndarray,
    capacity: FloatArray,
    on_hand: FloatArray,
) -> Network:
    """The network as it stands tonight: stock, open orders and goods on the road."""
    network = world.network
    given = {p.key(): p for p in network.inventory_positions}
    positions = []
    for i in range(world.n_positions):
        key = (str(world.location_id[i]), str(world.sku_id[i]))
        update: dict[str, float | None] = {"on_hand": float(on_hand[i])}
        if np.isfinite(capacity[i]):
            limit = given[key].storage_capacity if key in given else None
            update["storage_capacity"] = float(min(capacity[i], limit or np.inf))
        if key in given:
            positions.append(given[key].model_copy(update=update))
        else:
            positions.append(
                InventoryPosition(
                    location_id=key[0],
                    sku_id=key[1],
                    holding_cost_per_day=float(world.holding_per_day[i]),
                    **update,
                )
            )
    tomorrow = observation.day + 1
    due: dict[tuple[str, str, dt.date], float] = {}
    lane_position = world.lanes["position"].to_numpy()[observation.orders_lane]
    arrival = np.maximum(observation.orders_promised_day, tomorrow)
    for position, day, quantity in zip(
        lane_position, arrival, observation.orders_quantity, strict=True
    ):
        when = (str(world.location_id[position]), str(world.sku_id[position]), world.date(day))
        due[when] = due.get(when, 0.0) + float(quantity)
    for position in np.flatnonzero(observation.in_transit):
        when = (str(world.location_id[position]), str(world.sku_id[position]), world.date(tomorrow))
        due[when] = due.get(when, 0.0) + float(observation.in_transit[position])
    orders = [
        OpenOrder(location_id=loc, sku_id=sku, quantity=q, due_date=date)
        for (loc, sku, date), q in due.items()
    ]
    lanes = network.supply_lanes
    if lead_extra.any():
        lanes = tuple(
            lane.model_copy(
                update={
                    "lead_time_mean_days": lane.lead_time_mean_days + float(extra),
                    "lead_time_std_days": 0.0,
                }
            )
            for lane, extra in zip(lanes, lead_extra, strict=True)
        )
    tables = {name: network.table(name) for name in ("suppliers", "warehouses", "stores", "skus")}
    return Network.unchecked(
        {
            **tables,
            "supply_lanes": lanes,
            "transport_lanes": network.transport_lanes,
            "inventory_positions": positions,
            "open_orders": orders,
            "substitutions": network.substitutions,
        }
    )
