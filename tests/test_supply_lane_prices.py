"""Price schedules on supply lanes: price changes and all-units discounts in the planner,
the CSV layout and the embedded store, and bad schedules named by field."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from replenishment_support import wagner_whitin_case

from supplynet.graph.csv_layout import read_csv_dir, write_csv_dir
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.model import SupplyLanePrice
from supplynet.graph.network import Network
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.replenishment import PlanSettings, plan_replenishment

ANCHORS = Path(__file__).resolve().parents[1] / "bench" / "data" / "inventory"
START = dt.date(2025, 1, 6)
SETTINGS = PlanSettings(horizon=4, period_days=1, relative_gap=0.0)


def planned(path: Path) -> list[tuple[Any, ...]]:
    """Orders, objective and purchase cost of an anchor, with the fast path allowed and
    by the MIP alone."""
    data, network, forecast = wagner_whitin_case(START, path)
    found = []
    for fast in (True, False):
        plan = plan_replenishment(network, forecast, replace(SETTINGS, fast_path=fast))
        orders = np.zeros(len(data["demand"]["store"]["values"]))
        orders[plan.orders["order_period"]] = plan.orders["quantity"]
        found.append((orders.tolist(), plan.objective, plan.costs["purchase"]))
    return found


def rescheduled(name: str, schedule: list[dict[str, Any]], folder: Path) -> Path:
    """A copy of an anchor with another price schedule."""
    data = json.loads((ANCHORS / f"{name}.json").read_text())
    data["prices"]["store"]["schedule"] = schedule
    target = folder / f"{name}.json"
    target.write_text(json.dumps(data))
    return target


def test_the_plan_buys_ahead_of_a_price_increase() -> None:
    """10 -> 15 from period 2 at holding 2: periods 2 and 3 are bought in period 1."""
    data = json.loads((ANCHORS / "lot_sizing_price_increase_ww3_9.json").read_text())
    expected = data["expected"]
    for orders, objective, purchase in planned(ANCHORS / "lot_sizing_price_increase_ww3_9.json"):
        assert orders == expected["decisions"]["order_quantities"] == [90, 270, 0, 0]
        assert objective == pytest.approx(expected["total_cost"])
        assert purchase == pytest.approx(expected["cost_breakdown"]["purchase"])


def test_a_discount_break_is_taken_only_when_it_pays(tmp_path: Path) -> None:
    name = "lot_sizing_all_units_discount_ww3_9"
    for orders, objective, _ in planned(ANCHORS / f"{name}.json"):
        assert orders == [360, 0, 0, 0]
        assert objective == pytest.approx(4360.0)
    # at 9.9 the break costs more than the extra holding saves: Wagner-Whitin's plan at 10
    no_deal = [{"from_period": 0, "min_quantity": 300, "unit_cost": 9.9}]
    for orders, objective, purchase in planned(rescheduled(name, no_deal, tmp_path)):
        assert orders == [210, 0, 150, 0]
        assert objective == pytest.approx(4980.0)
        assert purchase == pytest.approx(3600.0)


def test_fast_path_and_mip_agree_in_real_cost_on_a_priced_lane(tmp_path: Path) -> None:
    """The fast path hands priced parts to the MIP: both settings pay the same."""
    schedule = [
        {"from_period": 1, "min_quantity": 0, "unit_cost": 12.0},
        {"from_period": 1, "min_quantity": 200, "unit_cost": 11.0},
    ]
    fast, alone = planned(rescheduled("lot_sizing_price_increase_ww3_9", schedule, tmp_path))
    assert fast == alone


def priced(network: Network) -> Network:
    """``network`` with a price change and a discount on its first supply lane."""
    lane = network.supply_lanes[0]
    ids = {"supplier_id": lane.supplier_id, "warehouse_id": lane.warehouse_id}
    rows = [
        SupplyLanePrice(**ids, sku_id=lane.sku_id, from_date=dt.date(2025, 3, 1), unit_cost=9.5),
        SupplyLanePrice(
            **ids,
            sku_id=lane.sku_id,
            from_date=dt.date(2025, 3, 1),
            min_quantity=500.0,
            unit_cost=8.25,
        ),
    ]
    return network.merge(Network.build(check_references=False, supply_lane_prices=rows))


def test_csv_and_embedded_store_round_trip_the_schedule(
    tmp_path: Path, tiny: SyntheticDataset
) -> None:
    network = priced(tiny.network)
    write_csv_dir(tmp_path / "csv", network, tiny.demand.head(5), tiny.deliveries.head(5))
    assert len(pd.read_csv(tmp_path / "csv" / "supply_lane_prices.csv")) == 2
    assert read_csv_dir(tmp_path / "csv").network == network
    (tmp_path / "csv" / "supply_lane_prices.csv").unlink()  # optional: older folders import
    assert read_csv_dir(tmp_path / "csv").network == tiny.network
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_network(network)
    assert store.snapshot() == network
    store.close()


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        ({"unit_cost": "-1"}, "line 2 column unit_cost", "greater than or equal to 0"),
        ({"from_date": "2025-13-01"}, "line 2 column from_date", "valid date"),
        ({"min_quantity": "500"}, "line 3", "duplicate key"),
        ({"unit_cost": "8"}, "line 3 column unit_cost", "above 8 for smaller ones"),
    ],
)
def test_a_bad_schedule_names_the_field(
    tmp_path: Path, tiny: SyntheticDataset, change: dict[str, str], where: str, reason: str
) -> None:
    folder = tmp_path / "csv"
    write_csv_dir(folder, priced(tiny.network), tiny.demand.head(5), tiny.deliveries.head(5))
    rows = pd.read_csv(folder / "supply_lane_prices.csv", dtype=str)
    for column, value in change.items():
        rows.loc[0, column] = value
    rows.to_csv(folder / "supply_lane_prices.csv", index=False)
    with pytest.raises(ValidationFailed) as caught:
        read_csv_dir(folder)
    assert any(
        where in p.path and reason in p.reason
        for p in caught.value.problems
        if p.path.startswith("supply_lane_prices.csv")
    ), caught.value.problems
