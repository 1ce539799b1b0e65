"""A hand-built network whose recommendations are known, shared by the recommend tests.

Two store groups: s1-s3 sell a1, a2 and b1; s4-s6 sell a3, b2 and b3; s3 has never sold
b1 (so a listing for s3 should offer it). a1 and a2 are declared substitutes. Supplier
p1 delivers a1 to w1 and is risky; p2 delivers a1 too and p3 delivers a2.
"""

from __future__ import annotations

import pandas as pd

from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.model import (
    InventoryPosition,
    Sku,
    Store,
    Substitution,
    Supplier,
    SupplyLane,
    TransportLane,
    Warehouse,
)
from supplynet.graph.network import Network

GROUP_A = ("s1", "s2", "s3")
GROUP_B = ("s4", "s5", "s6")
SKUS = {"a1": "C1", "a2": "C1", "a3": "C1", "b1": "C2", "b2": "C2", "b3": "C2"}
SOLD = {store: ("a1", "a2", "b1") for store in GROUP_A} | {
    store: ("a3", "b2", "b3") for store in GROUP_B
}
SOLD["s3"] = ("a1", "a2")


def known_network(empty: frozenset[tuple[str, str]] = frozenset()) -> Network:
    """Every store holds 5 units of every SKU except the (store, SKU) pairs in ``empty``."""
    stores = [Store(id=s, latitude=50.0, longitude=8.0 + i / 10) for i, s in enumerate(SOLD)]
    return Network.build(
        suppliers=[Supplier(id=p, latitude=51.0, longitude=9.0) for p in ("p1", "p2", "p3")],
        warehouses=[Warehouse(id="w1", latitude=50.5, longitude=8.5)],
        stores=stores,
        skus=[
            Sku(id=k, category=c, unit_weight_kg=1.0, unit_volume_m3=0.01, unit_cost=2.0, price=3.0)
            for k, c in SKUS.items()
        ],
        supply_lanes=[
            SupplyLane(
                supplier_id=p, warehouse_id="w1", sku_id=k, lead_time_mean_days=d, unit_cost=2.0
            )
            for p, k, d in (("p1", "a1", 3.0), ("p2", "a1", 5.0), ("p3", "a2", 4.0))
        ],
        transport_lanes=[
            TransportLane(origin_id="w1", destination_id=s.id, distance_km=10, transit_time_days=1)
            for s in stores
        ],
        inventory_positions=[
            InventoryPosition(
                location_id=s.id,
                sku_id=k,
                on_hand=0.0 if (s.id, k) in empty else 5.0,
                holding_cost_per_day=0.01,
            )
            for s in stores
            for k in SKUS
        ],
        substitutions=[
            Substitution(sku_id="a1", substitute_id="a2", strength=0.5),
            Substitution(sku_id="a2", substitute_id="a1", strength=0.5),
        ],
    )


def known_demand(days: int = 14) -> pd.DataFrame:
    """Daily sales of 3 units for every pair in ``SOLD``."""
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    rows = [
        {"date": d, "store_id": s, "sku_id": k, "quantity": 3.0, "price": 3.0, "promo": False}
        for s, skus in SOLD.items()
        for k in skus
        for d in dates
    ]
    return pd.DataFrame(rows)


def known_risk() -> RiskScores:
    """p1 is late 60% of the time, p2 10%, p3 20%."""
    return RiskScores(
        pd.DataFrame(
            {
                "entity_type": "supplier",
                "supplier_id": ["p1", "p2", "p3"],
                "warehouse_id": "",
                "sku_id": "",
                "late_probability": [0.6, 0.1, 0.2],
                "expected_delay_days": [3.0, 0.5, 1.0],
                "model": "test",
            }
        )
    )
