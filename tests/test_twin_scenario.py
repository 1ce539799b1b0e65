"""Twin scenarios: common random numbers and a continuation of the generator's process.

Properties: the same seed gives identical demand, prices and delays, and every arm of a
replication faces exactly that demand; another seed gives other draws; the drawn demand
continues the history's level (same season a year earlier); a network without a truth
replays history days of the same weekday.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.twin.baseline import BaselinePolicy
from supplynet.optimizer.twin.scenario import draw_scenario
from supplynet.optimizer.twin.simulator import simulate
from supplynet.optimizer.twin.world import build_world


def test_same_seed_same_draws_for_every_arm(tiny: SyntheticDataset) -> None:
    world = build_world(tiny.network, tiny.demand)
    first = draw_scenario(world, 14, 11, tiny.truth)
    again = draw_scenario(world, 14, 11, tiny.truth)
    other = draw_scenario(world, 14, 12, tiny.truth)
    for name in ("demand", "price", "delays"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.demand, other.demand)
    cautious = simulate(world, first, BaselinePolicy(world, z=2.5))
    daring = simulate(world, again, BaselinePolicy(world, z=0.0))
    np.testing.assert_array_equal(cautious.demand, daring.demand)
    assert cautious.unmet.sum() != daring.unmet.sum()


def test_demand_continues_the_history(tiny: SyntheticDataset) -> None:
    """Mean drawn demand over 8 weeks is within 15% of the same weeks a year earlier."""
    world = build_world(tiny.network, tiny.demand)
    drawn = np.mean([draw_scenario(world, 56, s, tiny.truth).demand.mean() for s in range(3)])
    year_ago = world.history[-365 : -365 + 56].mean()
    assert abs(drawn / year_ago - 1) < 0.15
    assert draw_scenario(world, 56, 0, tiny.truth).delays.max() > 0


def test_bootstrap_without_truth_replays_same_weekday(tiny: SyntheticDataset) -> None:
    world = build_world(tiny.network, tiny.demand)
    scenario = draw_scenario(world, 21, 4)
    past = pd.date_range(
        end=pd.Timestamp(world.start) - pd.Timedelta(days=1), periods=len(world.history)
    )
    future = pd.date_range(world.start, periods=21)
    for day in range(21):
        rows = np.flatnonzero((world.history == scenario.demand[day]).all(axis=1))
        assert any(past[r].day_of_week == future[day].day_of_week for r in rows)
