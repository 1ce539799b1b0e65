"""Load the public SupplyGraph benchmark (an FMCG manufacturer) into the domain model.

Mapping (SupplyGraph -> supplynet):

- product (41 series; ``POP001L12P`` and ``POP001L12P.1`` are distinct series) -> ``Sku``;
  category = product sub-group (e.g. ``SOS``), weight from the weight/unit signal ratio.
- plant (``Plant`` column) -> ``Supplier`` ``PL<code>``; it makes the products listed for it.
- storage location -> ``Warehouse`` ``SL<code>``.
- each distinct (plant, storage location, product) row -> a ``SupplyLane`` and an
  ``InventoryPosition`` at the storage location.
- the distributors who place sales orders -> one aggregate ``Store`` ``DISTRIBUTORS``,
  served by every storage location; the daily ``Sales Order`` signal (units) is its demand.

What the dataset lacks, and how the gaps are filled (so nothing pretends to be data):
coordinates (0, 0), costs and prices (0), lead times (0 days), stock on hand (0), store
level demand (one aggregate store), supplier delivery records (none), substitutions (none).
The other daily signals (production, delivery to distributors, factory issue) are kept
in ``signals`` for analysis and model features.

The data come from Bangladesh, so every location's ``country`` (``COUNTRY``) is ``BD``:
the network's holiday calendar (``Network.country``), which every model of an import
uses unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.history import DEMAND, check
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
from supplynet.graph.store import GraphStore

AGGREGATE_STORE = "DISTRIBUTORS"
COUNTRY = "BD"
"""ISO code of the country the data come from (its holiday calendar)."""
BASE = Path("Raw Dataset") / "Homogenoeus"
TEMPORAL = BASE / "Temporal Data"
SIGNALS: dict[str, str] = {
    "sales_order": "Sales Order.csv",
    "production": "Production .csv",
    "delivery_to_distributor": "Delivery To distributor.csv",
    "factory_issue": "Factory Issue.csv",
}


@dataclass(frozen=True)
class SupplyGraphData:
    """The SupplyGraph network, its demand (sales orders) and the other daily signals.

    ``signals`` columns: date, sku_id, signal (a key of ``SIGNALS``), quantity (units).
    """

    network: Network
    demand: pd.DataFrame
    signals: pd.DataFrame

    @property
    def country(self) -> str | None:
        """The holiday calendar of the data's country (``BD``), as the network records it."""
        return self.network.country


def load_supplygraph(root: Path) -> SupplyGraphData:
    """Read a SupplyGraph checkout (the folder holding ``Raw Dataset``).

    Raises
    ------
    ValidationFailed
        When an expected file is missing or unreadable.
    """
    expected = [
        BASE / "Nodes" / "Node Types (Product Group and Subgroup).csv",
        BASE / "Nodes" / "Nodes Type (Plant & Storage).csv",
        TEMPORAL / "Weight" / "Sales Order .csv",
        *(TEMPORAL / "Unit" / name for name in SIGNALS.values()),
    ]
    missing = [
        Problem(str(path), "missing file") for path in expected if not (root / path).exists()
    ]
    if missing:
        raise ValidationFailed(missing, f"SupplyGraph folder {root}")
    signals = _signals(root)
    sales = signals[signals["signal"] == "sales_order"]
    sku_ids = sorted(sales["sku_id"].unique())
    network = _network(root, sku_ids, _unit_weights(root, sales))
    demand = pd.DataFrame(
        {
            "date": sales["date"],
            "store_id": AGGREGATE_STORE,
            "sku_id": sales["sku_id"],
            "quantity": sales["quantity"].round(6),
            "price": 0.0,
            "promo": False,
        }
    )
    return SupplyGraphData(network, check(demand, DEMAND), signals.reset_index(drop=True))


def _signals(root: Path) -> pd.DataFrame:
    frames = []
    for signal, name in SIGNALS.items():
        wide = pd.read_csv(root / TEMPORAL / "Unit" / name)
        long = wide.melt(id_vars="Date", var_name="sku_id", value_name="quantity")
        long["date"] = pd.to_datetime(long.pop("Date")).dt.normalize()
        long["signal"] = signal
        frames.append(long)
    frame = pd.concat(frames, ignore_index=True)
    frame["quantity"] = frame["quantity"].astype(float).fillna(0.0)
    return frame[["date", "sku_id", "signal", "quantity"]].sort_values(
        ["signal", "sku_id", "date"], kind="stable"
    )


def _unit_weights(root: Path, sales: pd.DataFrame) -> dict[str, float]:
    """kg per unit from the weight signal (tonnes) divided by the unit signal."""
    wide = pd.read_csv(root / TEMPORAL / "Weight" / "Sales Order .csv")
    weight = wide.melt(id_vars="Date", var_name="sku_id", value_name="tonnes")
    units = sales.groupby("sku_id")["quantity"].sum()
    tonnes = weight.groupby("sku_id")["tonnes"].sum()
    ratio = (tonnes / units.reindex(tonnes.index)).where(units.reindex(tonnes.index) > 0)
    return {sku: round(float(value) * 1000, 4) for sku, value in ratio.dropna().items()}


def _network(root: Path, sku_ids: list[str], weights: dict[str, float]) -> Network:
    groups = pd.read_csv(root / BASE / "Nodes" / "Node Types (Product Group and Subgroup).csv")
    subgroup = dict(zip(groups["Node"], groups["Sub-Group"], strict=True))
    homes = pd.read_csv(root / BASE / "Nodes" / "Nodes Type (Plant & Storage).csv", dtype=str)
    homes = homes.dropna(subset=["Plant", "Storage Location"])
    homes["plant"] = "PL" + homes["Plant"].str.strip()
    homes["storage"] = "SL" + homes["Storage Location"].str.strip().str.removesuffix(".0")
    # The duplicated product code names two series; both share the code's plants.
    product_of = {sku: sku.split(".")[0] for sku in sku_ids}
    rows = [
        (plant, storage, sku)
        for sku in sku_ids
        for plant, storage in homes.loc[homes["Node"] == product_of[sku], ["plant", "storage"]]
        .drop_duplicates()
        .itertuples(index=False)
    ]
    lanes = sorted(set(rows))
    plants = sorted({p for p, _, _ in lanes} | set(homes["plant"]))
    storages = sorted({s for _, s, _ in lanes})
    return Network.build(
        suppliers=[
            Supplier(id=p, name=f"Plant {p[2:]}", latitude=0, longitude=0, country=COUNTRY)
            for p in plants
        ],
        warehouses=[
            Warehouse(
                id=s, name=f"Storage location {s[2:]}", latitude=0, longitude=0, country=COUNTRY
            )
            for s in storages
        ],
        stores=[
            Store(
                id=AGGREGATE_STORE,
                name="All distributors",
                latitude=0,
                longitude=0,
                country=COUNTRY,
            )
        ],
        skus=[
            Sku(
                id=sku,
                name=sku,
                category=str(subgroup.get(product_of[sku], "unknown")),
                unit_weight_kg=weights.get(sku, 0.0),
                unit_volume_m3=0,
                unit_cost=0,
                price=0,
            )
            for sku in sku_ids
        ],
        supply_lanes=[
            SupplyLane(supplier_id=p, warehouse_id=s, sku_id=k, lead_time_mean_days=0, unit_cost=0)
            for p, s, k in lanes
        ],
        transport_lanes=[
            TransportLane(
                origin_id=s, destination_id=AGGREGATE_STORE, distance_km=0, transit_time_days=0
            )
            for s in storages
        ],
        inventory_positions=[
            *(
                InventoryPosition(location_id=s, sku_id=k, on_hand=0, holding_cost_per_day=0)
                for s, k in sorted({(s, k) for _, s, k in lanes})
            ),
            *(
                InventoryPosition(
                    location_id=AGGREGATE_STORE, sku_id=k, on_hand=0, holding_cost_per_day=0
                )
                for k in sku_ids
            ),
        ],
    )


def import_supplygraph(store: GraphStore, root: Path) -> SupplyGraphData:
    """Load a SupplyGraph checkout and write its network and demand as one import.

    ``GraphStore.import_bundle`` makes it all-or-nothing: a killed or failed import
    leaves the store as it was.
    """
    data = load_supplygraph(root)
    store.import_bundle(data.network, data.demand, None)
    return data
