"""The twin simulator: a hand-computed case, conservation, read-only and honest observations.

Properties: a three-day-shelf-life network with one store, scripted orders and known
demand gives exactly the stock, sales, waste and KPIs worked out by hand; on the tiny
preset every position balances every day (received - sold - wasted - shipped = on-hand
change); a policy without foresight that asks for the future raises ``PeekedAtFuture``;
observations cannot be written to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from supplynet.graph.errors import ValidationFailed
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
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.twin.baseline import BaselinePolicy
from supplynet.optimizer.twin.kpis import kpis
from supplynet.optimizer.twin.policy import Decision, Observation, PeekedAtFuture, Routes
from supplynet.optimizer.twin.routers import nearest_neighbour
from supplynet.optimizer.twin.scenario import Scenario, draw_scenario
from supplynet.optimizer.twin.simulator import TwinRun, simulate
from supplynet.optimizer.twin.world import TwinWorld, build_world


def one_store_world() -> TwinWorld:
    network = Network.build(
        suppliers=[Supplier(id="P1", latitude=50.0, longitude=8.0)],
        warehouses=[Warehouse(id="W1", latitude=50.1, longitude=8.1)],
        stores=[Store(id="S1", latitude=50.15, longitude=8.15)],
        skus=[
            Sku(
                id="K1",
                category="C",
                unit_weight_kg=1.0,
                unit_volume_m3=0.001,
                unit_cost=1.0,
                price=2.0,
                shelf_life_days=3.0,
            )
        ],
        supply_lanes=[
            SupplyLane(
                supplier_id="P1",
                warehouse_id="W1",
                sku_id="K1",
                lead_time_mean_days=2.0,
                unit_cost=1.0,
                fixed_order_cost=10.0,
            )
        ],
        transport_lanes=[
            TransportLane(
                origin_id="W1", destination_id="S1", distance_km=10.0, transit_time_days=1
            )
        ],
        inventory_positions=[
            InventoryPosition(location_id="S1", sku_id="K1", on_hand=3, holding_cost_per_day=0.1),
            InventoryPosition(location_id="W1", sku_id="K1", on_hand=4, holding_cost_per_day=0.1),
        ],
    )
    history = pd.DataFrame(
        {
            "date": pd.date_range("2025-01-01", periods=7),
            "store_id": "S1",
            "sku_id": "K1",
            "quantity": 2.0,
            "price": 2.0,
            "promo": False,
        }
    )
    return build_world(network, history)


class Scripted:
    """Orders 10 units and ships 4 on day 0, then nothing."""

    name = "scripted"
    clairvoyant = False

    def decide(self, observation: Observation) -> Decision:
        if observation.day > 0:
            return Decision()
        return Decision(
            order_lane=np.array([0]),
            order_quantity=np.array([10.0]),
            transfer_position=np.array([0]),
            transfer_quantity=np.array([4.0]),
        )

    def route(self, problem: RoutingProblem) -> Routes:
        return nearest_neighbour(problem)

    def planning_seconds(self) -> Sequence[float]:
        return ()


class Peeking(Scripted):
    def decide(self, observation: Observation) -> Decision:
        observation.foresee()
        return Decision()


class Writing(Scripted):
    def decide(self, observation: Observation) -> Decision:
        observation.on_hand[0] = 100.0
        return Decision()


def hand_scenario() -> Scenario:
    demand = np.array([[2.0], [5.0], [1.0], [0.0], [4.0], [0.0]])
    return Scenario(0, demand, np.full_like(demand, 2.0), np.zeros((6, 1), dtype=np.int64))


def test_hand_computed_case() -> None:
    """Initial stock sells on days 0-1; the 4 shipped units arrive day 1 with one day left;
    the 10 ordered units arrive day 2 at the warehouse, are never shipped and expire on
    day 5 (shelf life 3); days 2 and 4 run out."""
    world = one_store_world()
    run = simulate(world, hand_scenario(), Scripted())
    store, warehouse = 0, 1
    np.testing.assert_array_equal(run.sold[:, store], [2, 5, 0, 0, 0, 0])
    np.testing.assert_array_equal(run.received[:, store], [0, 4, 0, 0, 0, 0])
    np.testing.assert_array_equal(run.received[:, warehouse], [0, 0, 10, 0, 0, 0])
    np.testing.assert_array_equal(run.shipped[:, warehouse], [4, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(run.wasted[:, warehouse], [0, 0, 0, 0, 0, 10])
    np.testing.assert_array_equal(run.on_hand[:, store], [1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(run.on_hand[:, warehouse], [0, 0, 10, 10, 10, 0])
    np.testing.assert_array_equal(run.unmet[:, 0], [0, 0, 1, 0, 4, 0])
    assert run.vehicles.tolist() == [1, 0, 0, 0, 0, 0]
    k = kpis(world, run)
    assert k["stockout_rate"] == pytest.approx(2 / 4)
    assert k["fill_rate"] == pytest.approx(1 - 5 / 12)
    assert k["waste_rate"] == pytest.approx(10 / (10 + 7))
    assert k["ordering_cost"] == pytest.approx(10.0)
    assert k["holding_cost"] == pytest.approx(0.1 * (1 + 10 + 10 + 10))
    assert k["gross_margin"] == pytest.approx(7 * 2.0 - 7 * 1.0 - 10 * 1.0)


def test_backorders_carry_unmet_demand() -> None:
    """In a backorder run the unit short on day 2 is still owed on day 4 (1 + 4 units)."""
    run = simulate(one_store_world(), hand_scenario(), Scripted(), mode="backorders")
    np.testing.assert_array_equal(run.backlog[:, 0], [0, 0, 1, 1, 5, 5])


def test_every_position_balances_every_day(tiny: SyntheticDataset) -> None:
    world = build_world(tiny.network, tiny.demand)
    run = simulate(world, draw_scenario(world, 21, 3, tiny.truth), BaselinePolicy(world))
    assert_conserved(run)
    assert run.sold.sum() > 0 and run.shipped.sum() > 0 and run.received.sum() > 0


def assert_conserved(run: TwinRun) -> None:
    before = np.vstack([run.initial_on_hand, run.on_hand[:-1]])
    balance = run.received - run.sold - run.wasted - run.shipped - (run.on_hand - before)
    np.testing.assert_allclose(balance, 0.0, atol=1e-6)


def test_a_policy_that_peeks_raises() -> None:
    with pytest.raises(PeekedAtFuture, match="day 0"):
        simulate(one_store_world(), hand_scenario(), Peeking())


def test_observations_are_read_only() -> None:
    with pytest.raises(ValueError, match="read-only"):
        simulate(one_store_world(), hand_scenario(), Writing())


def test_bad_decisions_and_modes_are_rejected() -> None:
    class Negative(Scripted):
        def decide(self, observation: Observation) -> Decision:
            return Decision(order_lane=np.array([5]), order_quantity=np.array([-1.0]))

    with pytest.raises(ValidationFailed) as caught:
        simulate(one_store_world(), hand_scenario(), Negative())
    assert {p.path for p in caught.value.problems} == {
        "decision.order_lane",
        "decision.order_quantity",
    }
    with pytest.raises(ValidationFailed, match="mode"):
        simulate(one_store_world(), hand_scenario(), Scripted(), mode="refunds")  # type: ignore[arg-type]


def test_world_needs_history() -> None:
    world = one_store_world()
    with pytest.raises(ValidationFailed, match="history"):
        build_world(world.network, pd.DataFrame(columns=["date", "store_id", "sku_id", "quantity"]))
    assert world.start == dt.date(2025, 1, 8)
