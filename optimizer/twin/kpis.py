"""The outcomes a retailer is judged on, computed from one ``TwinRun``.

Definitions (also in ``docs/twin.md``); "store-days" are store x SKU x day:

- ``stockout_rate``: store-days with demand on which some demand went unserved, over
  store-days with demand;
- ``fill_rate``: units served on the day they were demanded over units demanded;
- ``lost_sales``: units demanded and not served that day (lost, or backordered in a
  backorder run);
- ``inventory_turns``: cost of goods sold per year over the average inventory value
  (stores and warehouses, end-of-day stock at unit cost);
- ``days_of_supply``: average inventory value over cost of goods sold per day;
- ``slow_moving_share``: over store positions holding stock, the share whose cover
  exceeds 8 weeks (stock over the last 28 days' mean daily sales) or that sold nothing
  in the last 4 weeks; averaged over the days from day 28 on;
- ``waste_rate``: expired units of perishable SKUs (anywhere) over the perishable
  units the network had to sell: its starting stock plus what suppliers delivered;
- ``delivery_km``, ``vehicle_days``, ``delivery_cost`` (driven routes: fixed plus per
  km), ``delivery_cost_per_unit`` (over units delivered to stores);
- ``holding_cost`` (end-of-day stock times the position's daily rate),
  ``ordering_cost`` (fixed cost per supplier order line), ``shortage_cost`` (unserved
  units times their unit margin at list price);
- ``gross_margin``: revenue less cost of goods sold and of expired stock;
  ``profit``: gross margin less holding, ordering and delivery cost;
- ``bullwhip_store`` / ``bullwhip_warehouse``: variance of the daily units ordered by
  that echelon (transfers requested by stores, supplier orders by warehouses) over the
  variance of daily store demand, both summed over the echelon;
- ``planning_seconds``: mean wall time of a review (not reproducible: machine load).
"""

from __future__ import annotations

import numpy as np

from supplynet.optimizer.twin.simulator import TwinRun
from supplynet.optimizer.twin.world import TwinWorld

SLOW_COVER_DAYS = 56
SLOW_WINDOW_DAYS = 28
KPI_NAMES = (
    "stockout_rate",
    "fill_rate",
    "lost_sales",
    "inventory_turns",
    "days_of_supply",
    "slow_moving_share",
    "waste_rate",
    "delivery_km",
    "vehicle_days",
    "delivery_cost",
    "delivery_cost_per_unit",
    "holding_cost",
    "ordering_cost",
    "shortage_cost",
    "gross_margin",
    "profit",
    "bullwhip_store",
    "bullwhip_warehouse",
    "planning_seconds",
)
HEADLINE_KPIS = (
    "stockout_rate",
    "fill_rate",
    "inventory_turns",
    "slow_moving_share",
    "waste_rate",
    "delivery_cost_per_unit",
    "gross_margin",
    "profit",
)
"""What a comparison of policies shows first (the CLI's tables, the effects figure)."""


def kpis(world: TwinWorld, run: TwinRun) -> dict[str, float]:
    """Every KPI of ``KPI_NAMES`` for one run (see the module docstring)."""
    n = world.n_store
    demand, unmet = run.demand, run.unmet
    with_demand = demand > 0
    sold = run.sold[:, :n]
    cogs = float((sold * world.unit_cost[:n]).sum())
    inventory_value = float((run.on_hand * world.unit_cost).sum(axis=1).mean())
    expired_value = float((run.wasted * world.unit_cost).sum())
    perishable = np.isfinite(world.shelf_life)
    supplied = run.received[:, n:][:, perishable[n:]].sum()
    supplied += run.initial_on_hand[perishable].sum()
    holding = float((run.on_hand * world.holding_per_day).sum())
    delivery = float(run.route_cost.sum())
    ordering = float(run.order_fixed_cost.sum())
    margin = float(run.revenue.sum()) - cogs - expired_value
    demand_total = demand.sum(axis=1)
    demand_var = float(np.var(demand_total))
    return {
        "stockout_rate": _ratio((with_demand & (unmet > 1e-9)).sum(), with_demand.sum()),
        "fill_rate": 1.0 - _ratio(unmet.sum(), demand.sum()),
        "lost_sales": float(unmet.sum()),
        "inventory_turns": _ratio(cogs * 365.0 / run.days, inventory_value),
        "days_of_supply": _ratio(inventory_value, cogs / run.days),
        "slow_moving_share": _slow_share(run.on_hand[:, :n], sold),
        "waste_rate": _ratio(run.wasted[:, perishable].sum(), supplied),
        "delivery_km": float(run.route_km.sum()),
        "vehicle_days": float(run.vehicles.sum()),
        "delivery_cost": delivery,
        "delivery_cost_per_unit": _ratio(delivery, run.delivered_units.sum()),
        "holding_cost": holding,
        "ordering_cost": ordering,
        "shortage_cost": float((unmet * (world.price[:n] - world.unit_cost[:n])).sum()),
        "gross_margin": margin,
        "profit": margin - holding - ordering - delivery,
        "bullwhip_store": _ratio(np.var(run.ordered[:, :n].sum(axis=1)), demand_var),
        "bullwhip_warehouse": _ratio(np.var(run.ordered[:, n:].sum(axis=1)), demand_var),
        "planning_seconds": float(np.mean(run.planning_seconds)) if run.planning_seconds else 0.0,
    }


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def _slow_share(on_hand: np.ndarray, sold: np.ndarray) -> float:
    days = on_hand.shape[0]
    if days < SLOW_WINDOW_DAYS:
        return float("nan")
    cumulative = np.concatenate([np.zeros((1, sold.shape[1])), np.cumsum(sold, axis=0)])
    window = cumulative[SLOW_WINDOW_DAYS:] - cumulative[:-SLOW_WINDOW_DAYS]
    stock = on_hand[SLOW_WINDOW_DAYS - 1 :]
    rate = window / SLOW_WINDOW_DAYS
    holding = stock > 0
    slow = holding & ((window <= 0) | (stock > SLOW_COVER_DAYS * rate))
    return _ratio(slow.sum(), holding.sum())
