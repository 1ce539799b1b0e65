"""The twin's arms on the tiny preset: each honours the network's rules and the simulator's.

Properties: the baseline's supplier orders respect each lane's MOQ and lot size; the
``supplynet`` arm (real forecaster, planner and routing solver) plans at its reviews,
orders, ships and keeps every position balanced; the oracle may read the future and is
given exactly the scenario's next days.
"""

from __future__ import annotations

import numpy as np
import pytest

from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.twin.baseline import BaselinePolicy
from supplynet.optimizer.twin.policy import Decision, Observation
from supplynet.optimizer.twin.scenario import draw_scenario
from supplynet.optimizer.twin.simulator import simulate
from supplynet.optimizer.twin.supplynet_policy import PlanTracker, SupplynetPolicy
from supplynet.optimizer.twin.world import TwinWorld, build_world


@pytest.fixture(scope="module")
def world(tiny: SyntheticDataset) -> TwinWorld:
    return build_world(tiny.network, tiny.demand)


def test_baseline_orders_respect_moq_and_lots(world: TwinWorld, tiny: SyntheticDataset) -> None:
    policy = BaselinePolicy(world)
    scenario = draw_scenario(world, 10, 2, tiny.truth)
    decisions: list[Decision] = []
    original = policy.decide

    def recording(observation: Observation) -> Decision:
        decisions.append(original(observation))
        return decisions[-1]

    policy.decide = recording  # type: ignore[method-assign]
    simulate(world, scenario, policy)
    lanes = world.lanes
    orders = [
        (lane, q) for d in decisions for lane, q in zip(d.order_lane, d.order_quantity, strict=True)
    ]
    assert orders
    for lane, quantity in orders:
        assert quantity >= lanes["moq"].iat[lane]
        assert quantity / lanes["lot"].iat[lane] == pytest.approx(
            round(quantity / lanes["lot"].iat[lane])
        )


def test_supplynet_arm_plans_orders_and_ships(world: TwinWorld, tiny: SyntheticDataset) -> None:
    run = simulate(world, draw_scenario(world, 9, 2, tiny.truth), SupplynetPolicy(world))
    assert len(run.planning_seconds) == 2  # reviews on days 0 and 7
    assert run.order_lines.sum() > 0 and run.delivered_units.sum() > 0
    assert run.route_cost.sum() > 0
    before = np.vstack([run.initial_on_hand, run.on_hand[:-1]])
    balance = run.received - run.sold - run.wasted - run.shipped - (run.on_hand - before)
    np.testing.assert_allclose(balance, 0.0, atol=1e-6)


def test_oracle_sees_exactly_the_next_days(world: TwinWorld, tiny: SyntheticDataset) -> None:
    scenario = draw_scenario(world, 4, 2, tiny.truth)
    seen: list[np.ndarray] = []

    class Recorder(BaselinePolicy):
        clairvoyant = True

        def decide(self, observation: Observation) -> Decision:
            seen.append(observation.foresee().demand)
            return Decision()

    simulate(world, scenario, Recorder(world))
    for day, future in enumerate(seen):
        np.testing.assert_array_equal(future, scenario.demand[day + 1 :])


def test_between_reviews_stores_get_the_plan_corrected_by_their_gap() -> None:
    """A store that sold more than planned gets the difference on top of its planned
    transfer the next evening, one that sold less gets less (never below nothing); on
    the review evening the plan's own line goes out; within a weekly period, the plan's
    position less the demand it expected so far."""
    five, twenty = np.full((2, 3), 5.0), np.full((2, 3), 20.0)
    daily = PlanTracker(five, np.full((2, 3), 4.0), twenty, np.array([0.0, 99.0]))
    np.testing.assert_allclose(daily.transfer(0, np.array([0.0, 99.0])), [5.0, 5.0])
    np.testing.assert_allclose(daily.transfer(1, np.array([12.0, 30.0])), [13.0, 0.0])
    np.testing.assert_allclose(daily.transfer(3, np.array([0.0, 0.0])), [0.0, 0.0])
    weekly = PlanTracker(five, np.full((2, 3), 14.0), twenty, np.array([10.0, 10.0]), 7)
    np.testing.assert_allclose(weekly.transfer(0, np.array([10.0, 10.0])), [5.0, 5.0])
    np.testing.assert_allclose(weekly.transfer(2, np.array([5.0, 12.0])), [6.0, 0.0])
