"""Assembly planning from a bill of materials: a known MRP answer, the rolled planner against
Rosling's optimum, and bad bills named by field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.model import (
    BomLine,
    InventoryPosition,
    Sku,
    Store,
    Supplier,
    SupplyLane,
    TransportLane,
    Warehouse,
)
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment import PlanSettings, build_problem, plan_replenishment
from supplynet.optimizer.replenishment.assembly import plan_assembly, run_anchor

START = dt.date(2025, 1, 6)
ANCHOR = (
    Path(__file__).resolve().parents[1]
    / "bench/data/inventory/assembly3_rosling_snyder_shen_ex6_1.json"
)


def plant_network(*, lanes: tuple[str, ...] = ("A", "B")) -> Network:
    """Plant W1 assembles F from 2 A (bought in 3 days, 5 on hand) and 1 B (1 day) in 1 day."""
    here = {"latitude": 50.0, "longitude": 8.0}
    lead = {"A": 3.0, "B": 1.0}
    return Network.build(
        suppliers=[Supplier(id="P1", **here)],
        warehouses=[Warehouse(id="W1", **here)],
        stores=[Store(id="S1", **here)],
        skus=[
            Sku(id=k, category="c", unit_weight_kg=1, unit_volume_m3=0.01, unit_cost=1, price=9)
            for k in ("F", "A", "B")
        ],
        supply_lanes=[
            SupplyLane(
                supplier_id="P1", warehouse_id="W1", sku_id=k, lead_time_mean_days=lead[k],
                unit_cost=1,
            )
            for k in lanes
        ],
        transport_lanes=[
            TransportLane(origin_id="W1", destination_id="S1", distance_km=1, transit_time_days=0)
        ],
        inventory_positions=[
            InventoryPosition(
                location_id=loc, sku_id=k, on_hand=5.0 if k == "A" else 0.0,
                holding_cost_per_day=0.05 if k == "F" else 0.01,
            )
            for loc, k in (("W1", "F"), ("W1", "A"), ("W1", "B"), ("S1", "F"))
        ],
        bill_of_materials=[
            BomLine(plant_id="W1", sku_id="F", component_id="A", quantity_per_unit=2,
                    assembly_lead_time_days=1),
            BomLine(plant_id="W1", sku_id="F", component_id="B", quantity_per_unit=1,
                    assembly_lead_time_days=1),
        ],
    )  # fmt: skip


def forecast(days: int) -> DemandForecast:
    """10 units a day of F at S1 from day 5 on, known exactly (no spread)."""
    demand = np.where(np.arange(days) >= 5, 10.0, 0.0)
    frame = pd.DataFrame(
        {
            "location_id": "S1",
            "sku_id": "F",
            "period": pd.date_range(START, periods=days, freq="D"),
            "mean": demand,
            "p10": demand,
            "p50": demand,
            "p90": demand,
            "model": "known",
        }
    )
    return DemandForecast(frame, "D")


def test_components_are_ordered_by_lead_time_in_demand_times_quantity_net_of_stock() -> None:
    network = plant_network()
    settings = PlanSettings(horizon=8, period_days=1, backorders=True)
    problem = build_problem(network, forecast(8), settings)
    plan = plan_assembly(network, problem, settings)
    orders = plan.orders.sort_values(["order_period", "sku_id"]).reset_index(drop=True)
    first = orders.groupby("sku_id").first()
    # A (3 days) is ordered 2 days before B (1 day); assembly starts the day before demand.
    assert first.loc["A", ["order_period", "arrival_period", "quantity"]].tolist() == [1, 4, 15.0]
    assert first.loc["B", ["order_period", "arrival_period", "quantity"]].tolist() == [3, 4, 10.0]
    assert orders[orders["sku_id"] == "A"]["quantity"].tolist() == [15.0] + [20.0] * 6
    assert set(orders["origin_id"]) == {"P1"} and set(orders["destination_id"]) == {"W1"}
    assert orders.loc[0, "arrival_date"] == START + dt.timedelta(days=4)
    made = plan.assemblies
    assert made[["start_period", "finish_period", "quantity"]].iloc[0].tolist() == [4, 5, 10.0]
    assert (made["quantity"] == 10.0).all() and (made["plant_id"] == "W1").all()
    fed = plan.feed(problem)
    node = problem.nodes.index[
        (problem.nodes["location_id"] == "W1") & (problem.nodes["sku_id"] == "F")
    ][0]
    assert fed.receipts[node, 5] == 10.0


def test_the_planner_lists_component_orders_and_assemblies_and_ships_their_output() -> None:
    network = plant_network()
    settings = PlanSettings(horizon=8, period_days=1, backorders=True, workers=1)
    plan = plan_replenishment(network, forecast(8), settings)
    components = plan.orders[plan.orders["sku_id"].isin(["A", "B"])]
    assert components.groupby("sku_id")["order_period"].min().to_dict() == {"A": 1, "B": 3}
    assert plan.assemblies["start_period"].min() == 4
    shipped = plan.transfers[plan.transfers["sku_id"] == "F"]
    assert shipped["quantity"].sum() == pytest.approx(30.0)
    stored = plan.to_stored_plan("p1")
    assert {line["line_type"] for line in stored.lines} == {"order", "transfer", "assembly"}


def test_a_plant_without_a_position_for_its_output_says_so() -> None:
    network = plant_network()
    network = Network.build(
        **{name: network.table(name) for name in ("suppliers", "warehouses", "stores", "skus")},
        supply_lanes=network.supply_lanes,
        transport_lanes=network.transport_lanes,
        inventory_positions=[p for p in network.inventory_positions if p.key() != ("W1", "F")],
        bill_of_materials=network.bill_of_materials,
    )
    settings = PlanSettings(horizon=8, period_days=1)
    problem = build_problem(network, forecast(8), settings)
    plan = plan_assembly(network, problem, settings)
    assert plan.assemblies.empty and plan.orders.empty
    assert plan.feed(problem).warnings[-1] == (
        "plant W1 assembles F but has no inventory position for it: nothing is assembled"
    )


def test_a_component_without_a_supply_lane_is_named() -> None:
    network = plant_network(lanes=("A",))
    settings = PlanSettings(horizon=8, period_days=1)
    problem = build_problem(network, forecast(8), settings)
    with pytest.raises(ValidationFailed) as info:
        plan_assembly(network, problem, settings)
    assert "bill_of_materials[1].component_id: no supply lane for 'B' at 'W1'" in str(info.value)


@pytest.mark.parametrize(
    ("anchor", "finished_level", "part_levels"),
    [
        (ANCHOR, 6.499, [12.028, 22.705]),
        # the serial Poisson anchor through Rosling: the planner's normal levels, Poisson demand
        (ANCHOR.with_name("assembly3_poisson_rosling_ex6_1.json"), 8.334, [14.533, 25.890]),
    ],
    ids=["normal", "poisson"],
)
def test_rolled_planner_is_within_one_percent_of_rosling_optimum(
    anchor: Path, finished_level: float, part_levels: list[float]
) -> None:
    """Assembly anchors: Rosling's serial equivalents of Snyder & Shen Ex. 6.1."""
    data = json.loads(anchor.read_text())
    run = run_anchor(data, trials=20, periods=300, seed=3)
    gap, error = run.ours.paired_gap(run.best)
    assert abs(gap) < 0.01 and error < 0.005
    assert run.best.mean_cost == pytest.approx(
        data["expected"]["expected_cost_per_period"], rel=0.02
    )
    finished, parts = run.planner.levels()
    assert finished == pytest.approx(finished_level, abs=0.05)
    assert parts == pytest.approx(part_levels, abs=0.1)
