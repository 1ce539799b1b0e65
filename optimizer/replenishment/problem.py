"""The planning problem: a network, a forecast and risk scores as arrays over periods.

Built once (``build_problem``) and never changed. Stocking points ("nodes") are
warehouse x SKU and store x SKU pairs; orders flow on supply lanes into warehouse nodes
and transfers on warehouse -> store transport lanes into store nodes. Daily rates of
the network become per-period rates; lead times become whole periods by date: an order
placed on a period's first day arrives in the period that holds its arrival date.

Stock already on hand or on order is never an infeasibility: a storage capacity below
it is raised to it (the plan can only avoid adding to it).

Perishable SKUs (``Sku.shelf_life_days``, with ``PlanSettings.shelf_life``): stock on
hand and on order is aged first in first out against the forecast, and what would
expire before it sells is taken out of the receipts in the period it expires
(``expiring``; costed at its unit value as
``waste``); new stock is capped at what sells within its remaining life (``fresh_cap``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment.safety_stock import (
    sd_from_quantiles,
    two_echelon_targets,
    widened_lead_time,
    z_value,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DEFAULT_HOLDING_RATE = 0.2
"""Yearly holding cost as a share of unit cost where a position gives none."""


@dataclass(frozen=True)
class PlanSettings:
    """What to plan and how hard to try.

    ``shortage_factor`` times the SKU price is the penalty per unit of unmet forecast
    demand (a lost sale and more); the penalty per unit below a safety stock target is
    the shortage cost a service level implies, ``h * SL / (1 - SL)``.
    ``batch_variables`` packs independent parts into one solver call up to that many
    variables; the default 1 solves every part alone, which measured fastest with SCIP
    (300 parts of ``large``: 44 s alone vs. 55 s in 5k-variable batches, and a batch cut
    by the time limit loses only its own parts). ``fast_path`` plans single-warehouse
    parts by pooled lot sizing first (``fast_path.py``) and leaves the MIP the rest.

    ``backorders``: demand not met waits for later stock instead of being lost. A
    backordered unit costs ``backorder_daily_rate`` times the SKU price per day it waits,
    and stores are planned on their expected holding and backorder cost under forecast
    uncertainty (``expected_cost.py``: the newsvendor cost) instead of safety stock
    targets, so no shortfall is charged twice. A horizon shorter than the longest lead
    time plus one review period is extended to it, and the plan says so in ``warnings``.
    """

    horizon: int = 8
    period_days: int = 7
    service_level: float = 0.95
    time_limit_s: float = 60.0
    relative_gap: float = 0.01
    workers: int = 2
    solver: str = "scip"
    shortage_factor: float = 3.0
    batch_variables: int = 1
    fast_path: bool = True
    backorders: bool = False
    backorder_daily_rate: float = 0.05
    order_review_periods: int = 1
    """Periods between the runs that place supplier orders (a weekly plan in daily
    periods: 7); warehouse safety targets cover lead time plus this review period."""
    shelf_life: bool = False
    """Plan perishable SKUs by their shelf life: age stock on hand and on order, cap stock
    at what sells while fresh, cost waste (see the module's docstring). Off by default:
    parts whose shelf life binds within the horizon leave the fast path for the MIP,
    which on ``large`` in weekly periods made 25 SKUs take 12.9 s instead of 1.0 s."""

    def problems(self) -> list[Problem]:
        found = []
        if self.horizon < 1:
            found.append(Problem("horizon", f"must be at least 1 (got {self.horizon})"))
        if self.period_days < 1:
            found.append(Problem("period_days", f"must be at least 1 (got {self.period_days})"))
        if not 0.0 < self.service_level < 1.0:
            found.append(
                Problem("service_level", f"must be within (0, 1) (got {self.service_level})")
            )
        if self.time_limit_s <= 0:
            found.append(Problem("time_limit_s", f"must be positive (got {self.time_limit_s})"))
        if self.relative_gap < 0:
            found.append(Problem("relative_gap", "must not be negative"))
        if self.workers < 1:
            found.append(Problem("workers", "must be at least 1"))
        if self.order_review_periods < 1:
            found.append(Problem("order_review_periods", "must be at least 1"))
        if self.backorder_daily_rate <= 0:
            found.append(Problem("backorder_daily_rate", "must be positive"))
        if self.solver not in ("scip", "highs"):
            found.append(Problem("solver", f"unknown solver {self.solver!r}"))
        return found


@dataclass(frozen=True, eq=False)
class PlanningProblem:
    """Arrays of one planning problem.

    Frames
    ------
    nodes: location_id, sku_id, kind (warehouse|store), on_hand, backlog (units owed to
        customers at the start), capacity (units, inf for none), holding, shortage_cost,
        shortage_step, target, target_cost, backorder_cost (costs per period), value
        (unit cost of the SKU), replacement (cheapest cost to bring one more unit there);
        see ``shortage_costs`` and ``below_target_costs`` for how they apply per period
    supply: supplier_id, node, lead_days, lead, unit_cost, fixed_cost, moq, lot,
        capacity (units per period), priced (the lane has a price schedule)
    breaks: supply (row of ``supply``), min_quantity: the all-units discount breaks of
        priced lanes, ascending per lane
    transfers: origin, node (destination), lane, lead_days, lead, unit_cost
    lanes: origin_id, destination_id, capacity (units per period over all SKUs)
    warehouses: warehouse_id, capacity (units over all SKUs)

    Shapes
    ------
    demand, demand_sd, receipts, expiring: [nodes, horizon]; ``receipts`` are open
    orders net of ``expiring``, the units of stock on hand or on order that expire unsold
    when sold first in first out at the forecast (perishable nodes only)
    unit_prices: [supply, horizon], the unit cost of an order placed in each period
    below every break (``unit_cost`` where the lane has no schedule); break_prices:
    [breaks, horizon], the unit cost of an order reaching the break, on all its units
    """

    start: dt.date
    period_days: int
    horizon: int
    nodes: pd.DataFrame
    demand: FloatArray
    demand_sd: FloatArray
    receipts: FloatArray
    supply: pd.DataFrame
    transfers: pd.DataFrame
    lanes: pd.DataFrame
    warehouses: pd.DataFrame
    expiring: FloatArray | None = None
    backorders: bool = False
    warnings: tuple[str, ...] = ()
    unit_prices: FloatArray | None = None
    breaks: pd.DataFrame | None = None
    break_prices: FloatArray | None = None

    def prices(self) -> FloatArray:
        """Unit purchase cost per supply lane and order period, below every break."""
        if self.unit_prices is not None:
            return self.unit_prices
        unit = self.supply["unit_cost"].to_numpy(float)
        return np.repeat(unit[:, None], self.horizon, axis=1)

    def purchase_costs(self, ordered: FloatArray) -> FloatArray:
        """What orders (units per supply lane and order period) really cost: each pays,
        on all its units, the cheapest price it reaches that period."""
        price = self.prices().copy()
        if self.breaks is not None and self.break_prices is not None:
            for row, (lane, minimum) in enumerate(
                self.breaks[["supply", "min_quantity"]].itertuples(index=False)
            ):
                reached = ordered[lane] >= minimum - 1e-9
                price[lane] = np.where(
                    reached, np.minimum(price[lane], self.break_prices[row]), price[lane]
                )
        result: FloatArray = ordered * price
        return result

    def perishable(self) -> npt.NDArray[np.bool_]:
        """Nodes whose stock may expire within the horizon: new stock can wait fewer
        periods than the horizon has (``window``); other stock sells long before."""
        flags: npt.NDArray[np.bool_] = self.nodes["window"].to_numpy(float) < self.horizon
        return flags

    def fresh_cap(self) -> FloatArray:
        """Most stock worth holding at the end of each period, ``[nodes, horizon]``.

        Sold first in first out, a unit arriving with ``life`` days left sells in time
        if the stock ahead of it at the end of a period is at most the demand of the
        next ``life / period_days - 1`` periods (its stores' demand at a warehouse,
        which keeps half of the stores' window). Other nodes: ``inf``.
        """
        cap = np.full((len(self.nodes), self.horizon), np.inf)
        rows = np.flatnonzero(self.perishable())
        if not len(rows):
            return cap
        windows = self.nodes["window"].to_numpy(float)[rows]
        need = self.nodes_demand()[rows]
        tail = np.repeat(need[:, -1:], self.horizon, axis=1)
        ahead = np.cumsum(np.concatenate([need, tail], axis=1), axis=1)
        t = np.arange(self.horizon)
        last = np.minimum(t[None, :] + windows[:, None].astype(np.int64), 2 * self.horizon - 1)
        sells = np.where(
            windows[:, None] > 0, ahead[np.arange(len(rows))[:, None], last] - ahead[:, t], 0.0
        )
        cap[rows] = sells
        return cap

    def nodes_demand(self) -> FloatArray:
        """Demand each node serves per period: its own, plus at a warehouse the demand of
        the stores it mainly feeds."""
        served = self.demand.copy()
        main = self.transfers.sort_values(["unit_cost", "lead"]).drop_duplicates("node")
        np.add.at(served, main["origin"].to_numpy(), self.demand[main["node"].to_numpy()])
        return served

    def shortage_costs(self) -> FloatArray:
        """Penalty per unit of unmet demand, ``[nodes, horizon]``.

        A unit short earlier costs ``shortage_step`` (the SKU's largest target penalty)
        more per period of earliness, so the plan serves demand from the shelf before it
        holds stock for a safety target: with a flat penalty, being short now and keeping
        the unit as cover until a later shortage cost the same and saved target penalties.
        """
        nodes = self.nodes
        earlier = np.arange(self.horizon)[::-1].astype(float)
        costs: FloatArray = (
            nodes["shortage_cost"].to_numpy(float)[:, None]
            + nodes["shortage_step"].to_numpy(float)[:, None] * earlier[None, :]
        )
        return costs

    def below_target_costs(self) -> FloatArray:
        """Penalty per unit below the safety stock target, ``[nodes, horizon]``."""
        return np.repeat(self.nodes["target_cost"].to_numpy(float)[:, None], self.horizon, 1)

    def terminal_room(self) -> FloatArray:
        """Units of stock left at the end that count at their replacement cost (lost
        sales): the target and the demand until an order placed after the horizon can
        arrive. Stock the next periods need must be bought back otherwise, so without
        this credit a unit bought to hold as cover cost more than it saved, and plans
        drew stock down to nothing at the end (a lot that would end above the target
        was worth nothing beyond it)."""
        room: FloatArray = self.nodes["target"].to_numpy(float) + self.nodes[
            "terminal_cover"
        ].to_numpy(float)
        return room

    def period_start(self, period: int) -> dt.date:
        return self.start + dt.timedelta(days=self.period_days * period)

    def period_of(self, date: dt.date) -> int:
        return (date - self.start).days // self.period_days


def build_problem(
    network: Network,
    forecast: DemandForecast,
    settings: PlanSettings,
    risk: RiskScores | None = None,
    start: dt.date | None = None,
    stock_life: pd.DataFrame | None = None,
) -> PlanningProblem:
    """Aggregate a network and forecast into a planning problem.

    The plan starts at ``start`` (default: the forecast's first period). Series whose
    forecast ends before the horizon repeat their average over the covered periods.
    ``stock_life`` (location_id, sku_id, days_left, quantity) dates the perishable stock
    on hand, as expiry dates do; stock it does not date is taken as fresh on arrival.

    Raises
    ------
    ValidationFailed
        For bad settings, or a forecast that does not cover the first period.
    """
    problems = settings.problems()
    if problems:
        raise ValidationFailed(problems, "plan settings")
    if forecast.frame.empty:
        raise ValidationFailed([Problem("forecast", "is empty")], "plan input")
    begin = start or pd.Timestamp(forecast.frame["period"].min()).date()
    days = settings.period_days
    horizon, warnings = covering_horizon(network, settings)
    nodes, demand, demand_sd = _nodes(network, forecast, begin, horizon, days)
    if not np.isfinite(demand).any() and (nodes["kind"] == "store").any():
        raise ValidationFailed([Problem("forecast", f"no rows from {begin} on")], "plan input")
    key = pd.MultiIndex.from_frame(nodes[["location_id", "sku_id"]])
    supply = _supply(network, key, days, risk)
    unit_prices, breaks, break_prices = _price_schedules(network, supply, key, begin, horizon, days)
    supply["priced"] = np.isin(np.arange(len(supply)), _priced_rows(network, supply, key))
    lanes, transfers = _transfers(network, key, nodes, days)
    receipts = _receipts(network, key, begin, horizon, days)
    warehouses = network.frame("warehouses")[["id", "storage_capacity"]].rename(
        columns={"id": "warehouse_id", "storage_capacity": "capacity"}
    )
    nodes = _with_targets(nodes, demand, demand_sd, supply, transfers, settings)
    nodes["replacement"], nodes["lead"] = _replacement(nodes, supply, transfers)
    nodes["terminal_cover"] = _terminal_cover(nodes, demand, transfers)
    nodes["life"], nodes["window"] = _shelf_life(network, nodes, transfers, days)
    if not settings.shelf_life:
        nodes["life"], nodes["window"] = np.inf, np.inf
    expiring = _expiring(nodes, demand, receipts, transfers, days, stock_life)
    receipts = receipts - expiring
    committed = nodes["on_hand"] + receipts.sum(axis=1)
    nodes["capacity"] = np.maximum(nodes["capacity"], committed)
    in_house = committed[nodes["kind"] == "warehouse"].groupby(nodes["location_id"]).sum()
    warehouses["capacity"] = np.maximum(
        warehouses["capacity"].astype(float).fillna(np.inf).to_numpy(),
        in_house.reindex(warehouses["warehouse_id"]).fillna(0.0).to_numpy(),
    )
    return PlanningProblem(
        start=begin,
        period_days=days,
        horizon=horizon,
        nodes=nodes,
        demand=demand,
        demand_sd=demand_sd,
        receipts=receipts,
        supply=supply,
        transfers=transfers,
        lanes=lanes,
        warehouses=warehouses,
        expiring=expiring,
        backorders=settings.backorders,
        warnings=warnings,
        unit_prices=unit_prices,
        breaks=breaks,
        break_prices=break_prices,
    )


def covering_horizon(network: Network, settings: PlanSettings) -> tuple[int, tuple[str, ...]]:
    """The planning horizon: ``settings.horizon``, extended to the longest supply plus
    transfer lead time and two periods (the arrival of an order placed now, and of one
    placed a review period later) when it is shorter, with a warning that says so.
    A shorter horizon would see no order arrive and call an empty plan optimal."""
    days = settings.period_days
    supply = network.frame("supply_lanes")["lead_time_mean_days"].to_numpy(float)
    transport = network.frame("transport_lanes")["transit_time_days"].to_numpy(float)
    lead = (np.round(supply) // days).max(initial=0) + (np.round(transport) // days).max(initial=0)
    needed = int(lead) + 2
    if settings.horizon >= needed:
        return settings.horizon, ()
    return needed, (
        f"horizon extended from {settings.horizon} to {needed} periods to cover the longest "
        f"lead time ({int(lead)} periods) and a review period",
    )


def _nodes(
    network: Network, forecast: DemandForecast, start: dt.date, horizon: int, days: int
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    stores = {s.id for s in network.stores}
    warehouses = {w.id for w in network.warehouses}
    positions = network.frame("inventory_positions")
    skus = network.frame("skus").set_index("id")
    lanes = network.frame("supply_lanes")
    frame = pd.concat(
        [
            positions[["location_id", "sku_id"]],
            lanes[["warehouse_id", "sku_id"]].rename(columns={"warehouse_id": "location_id"}),
            forecast.frame.loc[
                forecast.frame["location_id"].isin(stores), ["location_id", "sku_id"]
            ],
        ]
    ).drop_duplicates(ignore_index=True)
    frame = frame[frame["sku_id"].isin(skus.index)]
    frame = frame[frame["location_id"].isin(stores | warehouses)].reset_index(drop=True)
    frame = frame.merge(
        positions[["location_id", "sku_id", "on_hand", "storage_capacity", "holding_cost_per_day"]],
        on=["location_id", "sku_id"],
        how="left",
    )
    unit_cost = skus.loc[frame["sku_id"], "unit_cost"].to_numpy(float)
    price = skus.loc[frame["sku_id"], "price"].to_numpy(float)
    default_holding = unit_cost * DEFAULT_HOLDING_RATE / 365.0
    nodes = pd.DataFrame(
        {
            "location_id": frame["location_id"].astype(str),
            "sku_id": frame["sku_id"].astype(str),
            "kind": np.where(frame["location_id"].isin(stores), "store", "warehouse"),
            "on_hand": frame["on_hand"].astype(float).fillna(0.0).to_numpy(),
            "backlog": 0.0,
            "capacity": frame["storage_capacity"].astype(float).fillna(np.inf).to_numpy(),
            "holding": frame["holding_cost_per_day"]
            .astype(float)
            .fillna(pd.Series(default_holding))
            .to_numpy()
            * days,
            "price": np.maximum(price, unit_cost),
            "value": unit_cost,
        }
    ).sort_values(["kind", "location_id", "sku_id"], ignore_index=True)
    f = forecast.frame
    index = ((pd.to_datetime(f["period"]) - pd.Timestamp(start)).dt.days // days).to_numpy()
    keep = (index >= 0) & (index < horizon)
    rows = pd.DataFrame(
        {
            "location_id": f["location_id"].to_numpy()[keep],
            "sku_id": f["sku_id"].to_numpy()[keep],
            "t": index[keep],
            "mean": f["mean"].to_numpy(float)[keep],
            "var": sd_from_quantiles(f["p10"].to_numpy(float), f["p90"].to_numpy(float))[keep] ** 2,
        }
    )
    grouped = rows.groupby(["location_id", "sku_id", "t"], sort=False)[["mean", "var"]].sum()
    node_of = pd.Series(
        np.arange(len(nodes)), index=pd.MultiIndex.from_frame(nodes[["location_id", "sku_id"]])
    )
    at = grouped.index.droplevel("t")
    present = at.isin(node_of.index)
    row = node_of.loc[at[present]].to_numpy()
    col = grouped.index.get_level_values("t").to_numpy()[present]
    demand = np.full((len(nodes), horizon), np.nan)
    variance = np.full((len(nodes), horizon), np.nan)
    demand[row, col] = grouped["mean"].to_numpy()[present]
    variance[row, col] = grouped["var"].to_numpy()[present]
    demand, variance = _fill(demand), _fill(variance)
    return nodes, demand, np.sqrt(variance)


def _fill(values: FloatArray) -> FloatArray:
    """Missing periods repeat the series' average; series with no rows have none."""
    covered = np.isfinite(values)
    count = covered.sum(axis=1, keepdims=True)
    mean = np.where(covered, values, 0.0).sum(axis=1, keepdims=True) / np.maximum(count, 1)
    return np.where(covered, values, mean)


def _supply(
    network: Network, key: pd.MultiIndex, days: int, risk: RiskScores | None
) -> pd.DataFrame:
    lanes = network.frame("supply_lanes")
    node = key.get_indexer(pd.MultiIndex.from_frame(lanes[["warehouse_id", "sku_id"]]))
    late, delay = _lane_risk(lanes, risk)
    lead_mean, lead_sd = widened_lead_time(
        lanes["lead_time_mean_days"].to_numpy(float),
        lanes["lead_time_std_days"].to_numpy(float),
        late,
        delay,
    )
    lead_days = lanes["lead_time_mean_days"].to_numpy(float)
    capacity = lanes["capacity_per_day"].astype(float).fillna(np.inf).to_numpy() * days
    supply = pd.DataFrame(
        {
            "supplier_id": lanes["supplier_id"].astype(str),
            "node": node,
            "lead_days": np.round(lead_days).astype(int),
            "lead": (np.round(lead_days) // days).astype(int),
            "risk_lead": lead_mean / days,
            "risk_lead_sd": lead_sd / days,
            "unit_cost": lanes["unit_cost"].to_numpy(float),
            "fixed_cost": lanes["fixed_order_cost"].to_numpy(float),
            "moq": lanes["moq"].to_numpy(float),
            "lot": lanes["lot_size"].to_numpy(float),
            "capacity": capacity,
        }
    )
    return supply[supply["node"] >= 0].reset_index(drop=True)


def _priced_rows(network: Network, supply: pd.DataFrame, key: pd.MultiIndex) -> IntArray:
    """Rows of ``supply`` whose lane has a price schedule."""
    prices = network.frame("supply_lane_prices")
    if prices.empty:
        return np.zeros(0, np.int64)
    node = key.get_indexer(pd.MultiIndex.from_frame(prices[["warehouse_id", "sku_id"]]))
    lanes = pd.MultiIndex.from_arrays([supply["supplier_id"], supply["node"]])
    rows = lanes.get_indexer(pd.MultiIndex.from_arrays([prices["supplier_id"].astype(str), node]))
    return np.unique(rows[rows >= 0]).astype(np.int64)


def _price_schedules(
    network: Network,
    supply: pd.DataFrame,
    key: pd.MultiIndex,
    begin: dt.date,
    horizon: int,
    days: int,
) -> tuple[FloatArray, pd.DataFrame, FloatArray]:
    """Unit prices per lane and period below every break, the breaks and their prices
    (``SupplyLanePrice``: the rows with the latest ``from_date`` on or before a period's
    first day are in force; the lane's ``unit_cost`` where none is)."""
    unit = supply["unit_cost"].to_numpy(float)
    prices = np.repeat(unit[:, None], horizon, axis=1)
    table = network.frame("supply_lane_prices")
    rows = _priced_rows(network, supply, key)
    if table.empty or not len(rows):
        return prices, pd.DataFrame({"supply": [], "min_quantity": []}), np.zeros((0, horizon))
    node = key.get_indexer(pd.MultiIndex.from_frame(table[["warehouse_id", "sku_id"]]))
    lanes = pd.MultiIndex.from_arrays([supply["supplier_id"], supply["node"]])
    table = table.assign(
        supply=lanes.get_indexer(
            pd.MultiIndex.from_arrays([table["supplier_id"].astype(str), node])
        )
    )
    table = table[table["supply"] >= 0]
    starts = [begin + dt.timedelta(days=days * t) for t in range(horizon)]
    levels = (
        table[table["min_quantity"] > 0][["supply", "min_quantity"]]
        .drop_duplicates()
        .sort_values(["supply", "min_quantity"])
        .reset_index(drop=True)
    )
    break_prices = np.full((len(levels), horizon), np.inf)
    for lane, rows_of_lane in table.groupby("supply"):
        for t, day in enumerate(starts):
            past = rows_of_lane[rows_of_lane["from_date"] <= day]
            if past.empty:
                continue
            in_force = past[past["from_date"] == past["from_date"].max()]
            base = in_force.loc[in_force["min_quantity"] <= 0, "unit_cost"]
            prices[int(lane), t] = float(base.min()) if len(base) else unit[int(lane)]
            mine = np.flatnonzero(levels["supply"].to_numpy() == lane)
            for row in mine:
                reached = in_force["min_quantity"] <= levels["min_quantity"].iloc[row]
                costs = in_force.loc[reached, "unit_cost"].to_numpy(float)
                break_prices[row, t] = float(np.min(costs, initial=np.inf))
    break_prices = np.minimum(break_prices, prices[levels["supply"].to_numpy(int)])
    return prices, levels, break_prices


def _lane_risk(lanes: pd.DataFrame, risk: RiskScores | None) -> tuple[FloatArray, FloatArray]:
    if risk is None or risk.frame.empty:
        return np.zeros(len(lanes)), np.zeros(len(lanes))
    f = risk.frame
    cols = ["supplier_id", "warehouse_id", "sku_id"]
    lane_rows = f[f["entity_type"] == "supply_lane"].drop_duplicates(cols)
    supplier_rows = f[f["entity_type"] == "supplier"].drop_duplicates("supplier_id")
    merged = lanes[cols].merge(
        lane_rows[[*cols, "late_probability", "expected_delay_days"]], on=cols, how="left"
    )
    fallback = lanes[["supplier_id"]].merge(
        supplier_rows[["supplier_id", "late_probability", "expected_delay_days"]],
        on="supplier_id",
        how="left",
    )
    late = merged["late_probability"].fillna(fallback["late_probability"]).fillna(0.0)
    delay = merged["expected_delay_days"].fillna(fallback["expected_delay_days"]).fillna(0.0)
    return late.to_numpy(float), delay.to_numpy(float)


def _transfers(
    network: Network, key: pd.MultiIndex, nodes: pd.DataFrame, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    stores = {s.id for s in network.stores}
    warehouses = {w.id for w in network.warehouses}
    t = network.frame("transport_lanes")
    t = t[t["origin_id"].isin(warehouses) & t["destination_id"].isin(stores)].reset_index(drop=True)
    lanes = pd.DataFrame(
        {
            "origin_id": t["origin_id"].astype(str),
            "destination_id": t["destination_id"].astype(str),
            "capacity": t["capacity_per_day"].astype(float).fillna(np.inf).to_numpy() * days,
        }
    )
    store_nodes = nodes[nodes["kind"] == "store"]
    pairs = (
        t[["origin_id", "destination_id", "transit_time_days", "cost_per_unit"]]
        .assign(lane=np.arange(len(t)))
        .merge(
            store_nodes[["location_id", "sku_id"]].reset_index(names="node"),
            left_on="destination_id",
            right_on="location_id",
        )
    )
    origin = key.get_indexer(pd.MultiIndex.from_frame(pairs[["origin_id", "sku_id"]]))
    transit = np.round(pairs["transit_time_days"].to_numpy(float))
    transfers = pd.DataFrame(
        {
            "origin": origin,
            "node": pairs["node"].to_numpy(),
            "lane": pairs["lane"].to_numpy(),
            "lead_days": transit.astype(int),
            "lead": (transit // days).astype(int),
            "unit_cost": pairs["cost_per_unit"].to_numpy(float),
        }
    )
    return lanes, transfers[transfers["origin"] >= 0].reset_index(drop=True)


def _receipts(
    network: Network, key: pd.MultiIndex, start: dt.date, horizon: int, days: int
) -> FloatArray:
    receipts = np.zeros((len(key), horizon))
    orders = network.frame("open_orders")
    if orders.empty:
        return receipts
    node = key.get_indexer(pd.MultiIndex.from_frame(orders[["location_id", "sku_id"]]))
    due = (pd.to_datetime(orders["due_date"]) - pd.Timestamp(start)).dt.days.to_numpy()
    period = np.clip(due // days, 0, None)
    keep = (node >= 0) & (period < horizon)
    np.add.at(receipts, (node[keep], period[keep]), orders["quantity"].to_numpy(float)[keep])
    return receipts


def _with_targets(
    nodes: pd.DataFrame,
    demand: FloatArray,
    demand_sd: FloatArray,
    supply: pd.DataFrame,
    transfers: pd.DataFrame,
    settings: PlanSettings,
) -> pd.DataFrame:
    """Safety stock targets by two-echelon guaranteed-service placement.

    Each store is buffered against its main warehouse (its cheapest inbound transfer);
    each warehouse against its cheapest supply lane, with lead time widened by risk.
    Review periods add one period to every replenishment time, ``order_review_periods``
    to a warehouse's.
    """
    z = z_value(settings.service_level)
    n = len(nodes)
    mean = demand.mean(axis=1)
    sd = np.sqrt((demand_sd**2).mean(axis=1))
    main = transfers.sort_values(["unit_cost", "lead"]).drop_duplicates("node")
    store_node = main["node"].to_numpy()
    tree_of_node = -np.ones(n, dtype=np.int64)
    parents = np.unique(main["origin"].to_numpy())
    tree_of_node[parents] = np.arange(len(parents))
    best = supply.sort_values(["unit_cost", "lead"]).drop_duplicates("node").set_index("node")
    lane_time = best["risk_lead"].reindex(parents).fillna(0.0).to_numpy() + float(
        settings.order_review_periods
    )
    lane_sd = best["risk_lead_sd"].reindex(parents).fillna(0.0).to_numpy()
    holding = nodes["holding"].to_numpy(float)
    targets = two_echelon_targets(
        z,
        tree_of_node[main["origin"].to_numpy()],
        mean[store_node],
        sd[store_node],
        main["lead_days"].to_numpy(float) / settings.period_days + 1.0,
        holding[store_node],
        lane_time,
        lane_sd,
        holding[parents],
    )
    target = np.zeros(n)
    target[store_node] = targets.store
    target[parents] = targets.warehouse
    service = settings.service_level
    target_cost = holding * service / (1.0 - service)
    step = pd.Series(target_cost).groupby(nodes["sku_id"].to_numpy()).transform("max")
    out = nodes.assign(
        target=target,
        target_cost=target_cost,
        shortage_cost=settings.shortage_factor * nodes["price"].to_numpy(float),
        shortage_step=step.to_numpy(float),
        backorder_cost=settings.backorder_daily_rate
        * settings.period_days
        * nodes["price"].to_numpy(float),
    )
    return out.drop(columns="price")


def _replacement(
    nodes: pd.DataFrame, supply: pd.DataFrame, transfers: pd.DataFrame
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Per node, the cheapest cost of one more unit and the shortest time to get one.

    Cost: the cheapest supply lane, or for a store its cheapest inbound transfer plus
    the origin's; the SKU's unit cost without either (stock left at the horizon's end
    is worth this much: the terminal value). Time: the shortest supply lead, or for a
    store the shortest transfer plus origin lead, in periods.
    """
    value = nodes["value"].to_numpy(float).copy()
    lead = np.zeros(len(nodes), dtype=np.int64)
    bought = supply.groupby("node").agg(cost=("unit_cost", "min"), lead=("lead", "min"))
    value[bought.index.to_numpy()] = bought["cost"].to_numpy()
    lead[bought.index.to_numpy()] = bought["lead"].to_numpy()
    origin = transfers["origin"].to_numpy()
    moved = (
        transfers.assign(
            cost=transfers["unit_cost"].to_numpy(float) + value[origin],
            total=transfers["lead"].to_numpy() + lead[origin],
        )
        .groupby("node")
        .agg(cost=("cost", "min"), total=("total", "min"))
    )
    value[moved.index.to_numpy()] = moved["cost"].to_numpy()
    lead[moved.index.to_numpy()] = moved["total"].to_numpy()
    return value, lead


def _terminal_cover(nodes: pd.DataFrame, demand: FloatArray, transfers: pd.DataFrame) -> FloatArray:
    """Demand met after the horizon before an order placed then arrives: each store's
    last-period rate over its lead time and one period, counted at the warehouse that
    mainly feeds it (cover is held upstream, where the plan keeps stock beyond the
    stores' targets); a store without an inbound transfer counts its own."""
    lead = nodes["lead"].to_numpy(float)
    rate = demand[:, -1] if demand.shape[1] else np.zeros(len(nodes))
    need = rate * (lead + 1.0)
    main = transfers.sort_values(["unit_cost", "lead"]).drop_duplicates("node")
    fed = main["node"].to_numpy()
    cover = need.copy()
    cover[fed] = 0.0
    np.add.at(cover, main["origin"].to_numpy(), need[fed])
    result: FloatArray = cover
    return result


def _shelf_life(
    network: Network, nodes: pd.DataFrame, transfers: pd.DataFrame, days: int
) -> tuple[FloatArray, FloatArray]:
    """Per node, the days of life new stock has on arrival (a store's main transfer eats
    its transit days; ``inf`` for durable SKUs) and the periods after arrival a unit may
    wait and still sell: ``life / period_days - 1`` at a store, half that at a warehouse
    (its units must still sell at a store), never below 0."""
    skus = network.frame("skus").set_index("id")["shelf_life_days"].astype(float)
    life = skus.reindex(nodes["sku_id"]).fillna(np.inf).to_numpy(float, copy=True)
    main = transfers.sort_values(["unit_cost", "lead"]).drop_duplicates("node")
    life[main["node"].to_numpy()] -= main["lead_days"].to_numpy(float)
    store = (nodes["kind"] == "store").to_numpy()
    window = np.where(store, np.floor(life / days) - 1.0, np.floor(life / (2.0 * days)))
    return life, np.where(np.isfinite(life), np.maximum(window, 0.0), np.inf)


def _expiring(
    nodes: pd.DataFrame,
    demand: FloatArray,
    receipts: FloatArray,
    transfers: pd.DataFrame,
    days: int,
    stock_life: pd.DataFrame | None,
) -> FloatArray:
    """Units of stock on hand or on order that expire unsold, per node and period.

    Selling first in first out, older units sell before any the plan adds, so what
    expires of today's stock does not depend on the plan: age each node's batches
    (on hand by ``stock_life``, undated stock and open orders fresh on arrival) against
    the demand it serves (a warehouse: its stores') and collect what reaches its end.
    A batch with ``d`` days left sells in the periods before ``d / period_days``.
    """
    horizon = demand.shape[1]
    expiring = np.zeros_like(demand)
    life = nodes["life"].to_numpy(float)
    dated: dict[int, list[tuple[float, float]]] = {}
    if stock_life is not None and not stock_life.empty:
        key = pd.MultiIndex.from_frame(nodes[["location_id", "sku_id"]])
        node = key.get_indexer(pd.MultiIndex.from_frame(stock_life[["location_id", "sku_id"]]))
        left = stock_life["days_left"].to_numpy(float)
        quantity = stock_life["quantity"].to_numpy(float)
        for i, d, q in zip(node, left, quantity, strict=True):
            if i >= 0 and np.isfinite(life[i]) and d < horizon * days:
                dated.setdefault(int(i), []).append((d, q))
    rows = sorted(set(np.flatnonzero(life < horizon * days).tolist()) | set(dated))
    if not rows:
        return expiring
    served = demand.copy()
    main = transfers.sort_values(["unit_cost", "lead"]).drop_duplicates("node")
    np.add.at(served, main["origin"].to_numpy(), demand[main["node"].to_numpy()])
    on_hand = nodes["on_hand"].to_numpy(float)
    for i in rows:
        batches = dated.get(i, [])
        undated = on_hand[i] - sum(q for _, q in batches)
        # [expiry period, arrival period, units], oldest first
        queue = [[d / days, 0.0, q] for d, q in batches]
        if undated > 1e-9:
            queue.append([life[i] / days, 0.0, undated])
        queue += [
            [t + life[i] / days, float(t), float(receipts[i, t])]
            for t in np.flatnonzero(receipts[i])
        ]
        queue.sort()
        for t in range(horizon):
            want = served[i, t]
            for batch in queue:
                if batch[1] <= t < batch[0] and want > 1e-12:
                    sold = min(batch[2], want)
                    batch[2] -= sold
                    want -= sold
                if batch[2] > 1e-12 and batch[0] <= t + 1 + 1e-9:
                    expiring[i, t] += batch[2]
                    batch[2] = 0.0
    return expiring
