"""``TwinWorld``: the fixed shape of a simulated network as index arrays.

The twin tracks stock per position: every store x SKU the network stocks, then every
warehouse x SKU that stocks or is supplied. Each store position is replenished from
one warehouse (its cheapest inbound transport lane), each warehouse position from its
supply lanes. Everything a simulated day needs (costs, prices, shelf lives, lanes) is an
array over positions or lanes, built once per network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment.problem import DEFAULT_HOLDING_RATE

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DURABLE = np.inf
"""Shelf life of SKUs that never expire."""


@dataclass(frozen=True, eq=False)
class TwinWorld:
    """Positions, lanes and the demand history the simulated days continue.

    Arrays over positions ``[positions]`` (stores first, ``n_store`` of them):
    ``location_id``, ``sku_id``, ``source`` (the warehouse position a store position is
    replenished from, -1 for warehouses), ``transit_days`` (from that warehouse, at least
    1; 0 for warehouses), ``unit_cost``, ``price`` (regular list price),
    ``holding_per_day``, ``shelf_life`` (days, ``inf`` if durable), ``weight_kg``,
    ``volume_m3``. ``lanes``: one row per supply lane with ``position`` (warehouse
    position), ``lead_days`` (promised, whole days), ``lead_sd_days``, ``unit_cost``,
    ``fixed_cost``, ``moq``, ``lot``. ``history``: daily demand ``[days, n_store]`` up
    to the day before ``start``.
    """

    network: Network
    start: dt.date
    n_store: int
    location_id: npt.NDArray[np.str_]
    sku_id: npt.NDArray[np.str_]
    source: IntArray
    transit_days: IntArray
    unit_cost: FloatArray
    price: FloatArray
    holding_per_day: FloatArray
    shelf_life: FloatArray
    weight_kg: FloatArray
    volume_m3: FloatArray
    initial_on_hand: FloatArray
    lanes: pd.DataFrame
    history: FloatArray

    @property
    def n_positions(self) -> int:
        return len(self.location_id)

    @property
    def store_slice(self) -> slice:
        return slice(0, self.n_store)

    def date(self, day: int) -> dt.date:
        """The calendar date of simulated day ``day`` (0 is the first day after history)."""
        return self.start + dt.timedelta(days=int(day))

    def position_index(self) -> pd.Series:
        """Position number by ``(location_id, sku_id)``."""
        return pd.Series(
            np.arange(self.n_positions),
            index=pd.MultiIndex.from_arrays([self.location_id, self.sku_id]),
        )


def build_world(network: Network, demand: pd.DataFrame) -> TwinWorld:
    """Index a network and its demand history (``history.DEMAND`` rows, daily or weekly).

    Weekly history is spread evenly over its seven days, so the twin runs daily either way.

    Raises
    ------
    ValidationFailed
        ``history`` when there is no demand history, ``network`` when no store position
        has a warehouse that supplies it.
    """
    if demand.empty:
        raise ValidationFailed([Problem("history", "the network has no demand history")], "twin")
    stores = {s.id for s in network.stores}
    warehouses = {w.id for w in network.warehouses}
    positions = network.frame("inventory_positions")
    transport = network.frame("transport_lanes")
    home_lanes = (
        transport[
            transport["origin_id"].isin(warehouses) & transport["destination_id"].isin(stores)
        ]
        .sort_values(["cost_per_unit", "distance_km", "origin_id"])
        .drop_duplicates("destination_id")
        .set_index("destination_id")
    )
    home = home_lanes["origin_id"]
    series = demand[["store_id", "sku_id"]].drop_duplicates()
    store_rows = pd.concat(
        [
            positions.loc[positions["location_id"].isin(stores), ["location_id", "sku_id"]],
            series.rename(columns={"store_id": "location_id"}),
        ]
    ).drop_duplicates()
    store_rows = store_rows[store_rows["location_id"].isin(home.index)]
    store_rows = store_rows.sort_values(["location_id", "sku_id"], ignore_index=True)
    if store_rows.empty:
        raise ValidationFailed(
            [Problem("network.transport_lanes", "no store is supplied by a warehouse")], "twin"
        )
    lanes = network.frame("supply_lanes")
    wh_rows = pd.concat(
        [
            positions.loc[positions["location_id"].isin(warehouses), ["location_id", "sku_id"]],
            lanes[["warehouse_id", "sku_id"]].rename(columns={"warehouse_id": "location_id"}),
            pd.DataFrame(
                {
                    "location_id": home.loc[store_rows["location_id"]].to_numpy(),
                    "sku_id": store_rows["sku_id"].to_numpy(),
                }
            ),
        ]
    ).drop_duplicates()
    wh_rows = wh_rows.sort_values(["location_id", "sku_id"], ignore_index=True)
    rows = pd.concat([store_rows, wh_rows], ignore_index=True)
    key = pd.MultiIndex.from_frame(rows)
    index = pd.Series(np.arange(len(rows)), index=key)
    n_store = len(store_rows)
    source = np.full(len(rows), -1, dtype=np.int64)
    source[:n_store] = index.loc[
        list(zip(home.loc[store_rows["location_id"]], store_rows["sku_id"], strict=True))
    ].to_numpy()
    transit = np.zeros(len(rows), dtype=np.int64)
    transit[:n_store] = np.maximum(
        1, np.round(home_lanes.loc[store_rows["location_id"], "transit_time_days"].to_numpy(float))
    )
    skus = network.frame("skus").set_index("id").loc[rows["sku_id"]]
    unit_cost = skus["unit_cost"].to_numpy(float)
    held = positions.set_index(["location_id", "sku_id"]).reindex(key)
    holding = held["holding_cost_per_day"].astype(float).to_numpy()
    holding = np.where(np.isfinite(holding), holding, unit_cost * DEFAULT_HOLDING_RATE / 365)
    lane_frame = pd.DataFrame(
        {
            "supplier_id": lanes["supplier_id"].astype(str),
            "position": index.reindex(
                pd.MultiIndex.from_frame(lanes[["warehouse_id", "sku_id"]])
            ).to_numpy(),
            "lead_days": np.round(lanes["lead_time_mean_days"].to_numpy(float)).astype(np.int64),
            "lead_sd_days": lanes["lead_time_std_days"].to_numpy(float),
            "unit_cost": lanes["unit_cost"].to_numpy(float),
            "fixed_cost": lanes["fixed_order_cost"].to_numpy(float),
            "moq": lanes["moq"].to_numpy(float),
            "lot": lanes["lot_size"].to_numpy(float),
        }
    )
    start, history = _daily_history(demand, store_rows)
    return TwinWorld(
        network=network,
        start=start,
        n_store=n_store,
        location_id=rows["location_id"].to_numpy(str),
        sku_id=rows["sku_id"].to_numpy(str),
        source=source,
        transit_days=transit,
        unit_cost=unit_cost,
        price=np.maximum(skus["price"].to_numpy(float), unit_cost),
        holding_per_day=holding,
        shelf_life=skus["shelf_life_days"].astype(float).fillna(DURABLE).to_numpy(),
        weight_kg=skus["unit_weight_kg"].to_numpy(float),
        volume_m3=skus["unit_volume_m3"].to_numpy(float),
        initial_on_hand=held["on_hand"].astype(float).fillna(0.0).to_numpy(),
        lanes=lane_frame,
        history=history,
    )


def _daily_history(demand: pd.DataFrame, store_rows: pd.DataFrame) -> tuple[dt.date, FloatArray]:
    """Demand per day and store position; the first day after the history's last period."""
    dates = pd.DatetimeIndex(pd.to_datetime(demand["date"]).unique()).sort_values()
    step = int((dates[1] - dates[0]).days) if len(dates) > 1 else 1
    wide = demand.pivot_table(
        index="date", columns=["store_id", "sku_id"], values="quantity", aggfunc="sum"
    )
    wide = wide.reindex(index=dates, columns=pd.MultiIndex.from_frame(store_rows)).fillna(0.0)
    values = np.repeat(wide.to_numpy(float) / step, step, axis=0)
    start = (dates[-1] + pd.Timedelta(days=step)).date()
    return start, values
