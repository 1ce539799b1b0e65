"""What a location will have on the shelf on a date: today's stock plus planned arrivals.

A substitute is only worth offering if the store has it when the shopper needs it, so
recommendations filter on this at request time. Stock comes from the network's
inventory positions; arrivals from the latest replenishment plan's order and transfer
lines (their ``arrival_date``), counted when they arrive on or before the need date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan

FloatArray = npt.NDArray[np.float64]
IN_STOCK_UNITS = 1.0
"""Fewer units than this on the need date count as out of stock."""


@dataclass(frozen=True)
class Arrivals:
    """Planned arrivals at one location: SKU index, day (numpy ``datetime64[D]``), units."""

    sku: npt.NDArray[np.int64]
    day: npt.NDArray[np.datetime64]
    units: FloatArray


@dataclass(frozen=True, eq=False)
class ShelfStock:
    """Units per location and SKU on a date, from stock on hand and a plan's arrivals.

    ``on_hand`` is ``[locations, skus]`` in the order of ``locations`` and ``skus``; a
    location without a position for a SKU holds none of it.
    """

    locations: dict[str, int]
    skus: dict[str, int]
    on_hand: FloatArray
    arrivals: dict[str, Arrivals]
    plan_id: str | None = None

    @classmethod
    def build(cls, network: Network, plan: StoredPlan | None = None) -> ShelfStock:
        """Stock of every warehouse and store, with the arrivals of ``plan`` when given."""
        locations = {loc.id: i for i, loc in enumerate((*network.warehouses, *network.stores))}
        skus = {sku.id: i for i, sku in enumerate(network.skus)}
        on_hand = np.zeros((len(locations), len(skus)))
        for p in network.inventory_positions:
            on_hand[locations[p.location_id], skus[p.sku_id]] = p.on_hand
        arrivals: dict[str, Arrivals] = {}
        lines = pd.DataFrame(list(plan.lines) if plan is not None else [])
        if not lines.empty:
            lines = lines[lines["destination_id"].isin(locations) & lines["sku_id"].isin(skus)]
            for location, rows in lines.groupby("destination_id", sort=True):
                arrivals[str(location)] = Arrivals(
                    sku=rows["sku_id"].map(skus).to_numpy(dtype=np.int64),
                    day=pd.to_datetime(rows["arrival_date"]).to_numpy().astype("datetime64[D]"),
                    units=rows["quantity"].to_numpy(dtype=np.float64),
                )
        return cls(locations, skus, on_hand, arrivals, plan.id if plan is not None else None)

    def units_on(self, location_id: str, on: dt.date) -> FloatArray:
        """Shapes: ``[skus]`` units at ``location_id`` on ``on`` (stock + arrivals by then)."""
        units: FloatArray = self.on_hand[self.locations[location_id]].copy()
        planned = self.arrivals.get(location_id)
        if planned is not None:
            due = planned.day <= np.datetime64(on, "D")
            np.add.at(units, planned.sku[due], planned.units[due])
        return units

    def in_stock(self, location_id: str, sku_ids: Sequence[str], on: dt.date) -> list[bool]:
        """Whether each SKU has at least ``IN_STOCK_UNITS`` at the location on the date."""
        units = self.units_on(location_id, on)
        return [units[self.skus[k]] >= IN_STOCK_UNITS for k in sku_ids]
