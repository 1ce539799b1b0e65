"""Shared helpers of the replenishment tests and benchmarks.

``recent_forecast`` is a stand-in forecast made from history alone (mean and empirical
quantiles of each series' last weeks), so the planner can be tested and benchmarked
without waiting for a forecasting model; the demo itself uses the forecasting stage.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from conftest import SHARED_DATA

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.model import (
    InventoryPosition,
    OpenOrder,
    Sku,
    Store,
    Supplier,
    SupplyLane,
    SupplyLanePrice,
    TransportLane,
    Warehouse,
)
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment import PlanningProblem, ReplenishmentPlan
from supplynet.optimizer.replenishment.demand_models import DemandModel
from supplynet.optimizer.replenishment.policies import BaseStock, MinMax, Policy, ReorderQuantity
from supplynet.optimizer.replenishment.rolling import SingleStage


def recent_forecast(
    demand: pd.DataFrame, periods: int, period_days: int = 7, window_periods: int = 8
) -> DemandForecast:
    """Per store x SKU: mean, p10, p50, p90 of the last ``window_periods`` periods.

    Daily history is summed into periods of ``period_days`` ending on the last date; the
    forecast repeats the same numbers for ``periods`` periods starting the next day.
    """
    last = pd.Timestamp(demand["date"].max())
    start = last + pd.Timedelta(days=1)
    first = start - pd.Timedelta(days=period_days * window_periods)
    recent = demand[demand["date"] >= first]
    bucket = ((recent["date"] - first).dt.days // period_days).to_numpy()
    totals = (
        recent.assign(bucket=bucket)
        .groupby(["store_id", "sku_id", "bucket"], sort=False)["quantity"]
        .sum()
        .unstack(fill_value=0.0)
        .reindex(columns=range(window_periods), fill_value=0.0)
    )
    values = totals.to_numpy(float)
    stats = {
        "mean": values.mean(axis=1),
        "p10": np.quantile(values, 0.1, axis=1),
        "p50": np.quantile(values, 0.5, axis=1),
        "p90": np.quantile(values, 0.9, axis=1),
    }
    keys = totals.index.to_frame(index=False)
    dates = [start + pd.Timedelta(days=period_days * k) for k in range(periods)]
    frame = pd.DataFrame(
        {
            "location_id": np.tile(keys["store_id"].to_numpy(), periods),
            "sku_id": np.tile(keys["sku_id"].to_numpy(), periods),
            "period": np.repeat(pd.DatetimeIndex(dates), len(keys)),
            **{name: np.tile(v, periods) for name, v in stats.items()},
            "model": "recent_weeks",
        }
    )
    return DemandForecast(frame, "W" if period_days == 7 else "D")


def plan_start(demand: pd.DataFrame) -> dt.date:
    """The day after the last history date."""
    return (pd.Timestamp(demand["date"].max()) + pd.Timedelta(days=1)).date()


def chain_network(
    *,
    fixed_order_cost: float = 0.0,
    lead_time_days: float = 0.0,
    moq: float = 0.0,
    lot_size: float = 1.0,
    holding: float = 1.0,
    price: float = 10.0,
    stores: int = 1,
    warehouse_capacity: float | None = None,
    store_capacity: float | None = None,
    supply_capacity_per_day: float | None = None,
    store_on_hand: float = 0.0,
    in_transit: tuple[tuple[dt.date, float], ...] = (),
    shelf_life_days: float | None = None,
    unit_cost: float = 0.0,
) -> Network:
    """One supplier, one warehouse, ``stores`` stores and one SKU, next-day transfers;
    ``in_transit``: (due date, quantity) of orders on their way to the warehouse."""
    here = {"latitude": 50.0, "longitude": 8.0}
    return Network.build(
        suppliers=[Supplier(id="P1", **here)],
        warehouses=[Warehouse(id="W1", storage_capacity=warehouse_capacity, **here)],
        stores=[Store(id=f"S{i + 1}", **here) for i in range(stores)],
        skus=[
            Sku(
                id="K1",
                category="c",
                unit_weight_kg=1.0,
                unit_volume_m3=0.01,
                unit_cost=unit_cost,
                price=price,
                shelf_life_days=shelf_life_days,
            )
        ],
        supply_lanes=[
            SupplyLane(
                supplier_id="P1",
                warehouse_id="W1",
                sku_id="K1",
                lead_time_mean_days=lead_time_days,
                unit_cost=unit_cost,
                fixed_order_cost=fixed_order_cost,
                moq=moq,
                lot_size=lot_size,
                capacity_per_day=supply_capacity_per_day,
            )
        ],
        transport_lanes=[
            TransportLane(
                origin_id="W1", destination_id=f"S{i + 1}", distance_km=10.0, transit_time_days=0.0
            )
            for i in range(stores)
        ],
        inventory_positions=[
            InventoryPosition(
                location_id="W1", sku_id="K1", on_hand=0.0, holding_cost_per_day=holding
            ),
            *(
                InventoryPosition(
                    location_id=f"S{i + 1}",
                    sku_id="K1",
                    on_hand=store_on_hand,
                    storage_capacity=store_capacity,
                    holding_cost_per_day=holding,
                )
                for i in range(stores)
            ),
        ],
        open_orders=[
            OpenOrder(location_id="W1", sku_id="K1", quantity=q, due_date=due)
            for due, q in in_transit
        ],
    )


def fixed_forecast(
    values: dict[str, list[float]], start: dt.date, period_days: int, spread: float = 0.0
) -> DemandForecast:
    """A forecast with the given means per store and quantiles ``mean -/+ spread``."""
    rows = [
        {
            "location_id": store,
            "sku_id": "K1",
            "period": pd.Timestamp(start) + pd.Timedelta(days=period_days * t),
            "mean": v,
            "p10": max(v - spread, 0.0),
            "p50": v,
            "p90": v + spread,
            "model": "fixed",
        }
        for store, series in values.items()
        for t, v in enumerate(series)
    ]
    return DemandForecast(pd.DataFrame(rows), "D" if period_days == 1 else "W")


def wagner_whitin_case(
    start: dt.date, path: Path | None = None
) -> tuple[dict[str, Any], Network, DemandForecast]:
    """A lot-sizing anchor (default Snyder & Shen ex. 3.9) as one store with daily
    periods: the data, network and forecast."""
    path = path or SHARED_DATA / "inventory" / "ww_lot_sizing_snyder_shen_ex3_9.json"
    data = json.loads(path.read_text())
    stage = data["network"]["stages"][0]
    network = chain_network(
        fixed_order_cost=stage["fixed_order_cost"], holding=stage["holding_cost"], price=1e4
    )
    forecast = fixed_forecast({"S1": data["demand"]["store"]["values"]}, start, 1)
    return data, with_prices(network, data.get("prices", {}).get("store"), start), forecast


def with_prices(network: Network, prices: dict[str, Any] | None, start: dt.date) -> Network:
    """The chain's lane priced as an anchor's ``prices.store`` says (daily periods from
    ``start``): its base ``unit_cost`` and its schedule of ``SupplyLanePrice`` rows."""
    if prices is None:
        return network
    (lane,) = network.supply_lanes
    schedule = [
        SupplyLanePrice(
            supplier_id=lane.supplier_id,
            warehouse_id=lane.warehouse_id,
            sku_id=lane.sku_id,
            from_date=start + dt.timedelta(days=row["from_period"]),
            min_quantity=row["min_quantity"],
            unit_cost=row["unit_cost"],
        )
        for row in prices["schedule"]
    ]
    priced = lane.model_copy(update={"unit_cost": float(prices["unit_cost"])})
    patch = Network.build(
        check_references=False, supply_lanes=[priced], supply_lane_prices=schedule
    )
    return network.merge(patch)


def balance_residual(problem: PlanningProblem, plan: ReplenishmentPlan) -> float:
    """Largest violation of stock balance in any node and period, recomputed from the lines.

    stock[t] = stock[t-1] + open orders due + arrivals - transfers out - (demand - shortage)

    With backorders the shortage is the backlog, and net stock (stock - shortage)
    balances against the whole demand.
    """
    horizon = problem.horizon
    index = pd.MultiIndex.from_frame(problem.nodes[["location_id", "sku_id"]])
    flow = np.zeros((len(index), horizon))
    for frame in (plan.orders, plan.transfers):
        dest = index.get_indexer(pd.MultiIndex.from_frame(frame[["destination_id", "sku_id"]]))
        inside = frame["arrival_period"].to_numpy() < horizon
        np.add.at(
            flow,
            (dest[inside], frame["arrival_period"].to_numpy()[inside]),
            frame["quantity"].to_numpy()[inside],
        )
    origin = index.get_indexer(pd.MultiIndex.from_frame(plan.transfers[["origin_id", "sku_id"]]))
    np.subtract.at(
        flow, (origin, plan.transfers["order_period"].to_numpy()), plan.transfers["quantity"]
    )
    inv = plan.inventory
    stock = inv["stock"].to_numpy().reshape(len(index), horizon)
    short = inv["shortage"].to_numpy().reshape(len(index), horizon)
    demand = inv["demand"].to_numpy().reshape(len(index), horizon)
    if problem.backorders:
        # The shortage is the backlog: net stock carries it from period to period.
        net = stock - short
        opening = problem.nodes["on_hand"].to_numpy() - problem.nodes["backlog"].to_numpy()
        before = np.column_stack([opening, net[:, :-1]])
        return float(np.abs(net - (before + problem.receipts + flow - demand)).max())
    before = np.column_stack([problem.nodes["on_hand"].to_numpy(), stock[:, :-1]])
    residual = stock - (before + problem.receipts + flow - (demand - short))
    return float(np.abs(residual).max())


def anchor_single_stage(data: dict[str, Any]) -> tuple[SingleStage, Policy, float]:
    """A single-stage ``inventory-anchor/v1`` file as an instance, its optimal policy and
    the simulation step in the file's time unit.

    Periodic files place orders at the end of a period with lead time ``L``: the
    evaluator's start-of-period lead time is ``L - 1``. Continuous-review files are
    reviewed every ``time.simulation_step`` (0.1 by default) time units, with costs and
    demand per step.
    """
    (stage,) = data["network"]["stages"]
    expected = data["expected"]
    decisions = expected["decisions"]
    continuous = data["time"]["review"] == "continuous"
    step = float(data["time"].get("simulation_step", 0.1)) if continuous else 1.0
    demand = DemandModel.from_anchor(data["demand"][stage["id"]])
    lead = float(stage["lead_time"])
    instance = SingleStage(
        demand=demand.scaled(step) if continuous else demand,
        lead_time=round(lead / step) if continuous else int(lead) - 1,
        holding=stage["holding_cost"] * step,
        backorder_cost=stage["stockout_cost"] * step,
        fixed_cost=stage.get("fixed_order_cost", 0.0),
    )
    policy: Policy
    if "order_quantity" in decisions:
        policy = ReorderQuantity(decisions["reorder_point"], decisions["order_quantity"])
    elif "order_up_to" in decisions:
        policy = MinMax(decisions["reorder_point"], decisions["order_up_to"])
    else:
        policy = BaseStock(decisions["base_stock_level"][stage["id"]])
    return instance, policy, step
