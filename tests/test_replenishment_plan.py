"""``ReplenishmentPlan``: the stored form the routing planner reads, determinism, round trips."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pandas as pd
import pytest
from replenishment_support import plan_start, recent_forecast

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.replenishment import PlanSettings, ReplenishmentPlan, plan_replenishment

SETTINGS = PlanSettings(horizon=3, time_limit_s=20.0)
KEYS = {
    "line_type",
    "origin_id",
    "destination_id",
    "sku_id",
    "quantity",
    "ship_date",
    "arrival_date",
    "order_period",
    "arrival_period",
}


@pytest.fixture(scope="module")
def plan(tiny: SyntheticDataset) -> ReplenishmentPlan:
    return plan_replenishment(tiny.network, recent_forecast(tiny.demand, 3), SETTINGS)


def test_stored_plan_has_one_line_per_order_and_transfer(plan: ReplenishmentPlan) -> None:
    stored = plan.to_stored_plan("p", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert stored.kind == "replenishment"
    assert len(stored.lines) == len(plan.orders) + len(plan.transfers)
    for line in stored.lines:
        assert set(line) == KEYS
        assert isinstance(line["quantity"], float)
        assert line["quantity"] > 0
        assert dt.date.fromisoformat(str(line["arrival_date"])) >= dt.date.fromisoformat(
            str(line["ship_date"])
        )
    assert stored.attributes["status"] in ("optimal", "feasible")
    assert stored.attributes["gap"] == pytest.approx(plan.gap, abs=1e-6)


def test_first_period_transfers_ship_the_day_after_history(
    tiny: SyntheticDataset, plan: ReplenishmentPlan
) -> None:
    """Routing plans a day's transfers: period 0 ships on the plan's first day."""
    first = plan_start(tiny.demand)
    assert plan.start == first
    today = plan.transfers_on(first)
    assert len(today) > 0
    assert (today["order_period"] == 0).all()
    assert (today["ship_date"] == first).all()
    assert len(plan.transfers_on(first + dt.timedelta(days=1))) == 0
    week2 = plan.transfers_on(first + dt.timedelta(days=7))
    assert (week2["order_period"] == 1).all()


def test_same_inputs_same_plan(tiny: SyntheticDataset, plan: ReplenishmentPlan) -> None:
    again = plan_replenishment(tiny.network, recent_forecast(tiny.demand, 3), SETTINGS)
    pd.testing.assert_frame_equal(again.orders, plan.orders)
    pd.testing.assert_frame_equal(again.transfers, plan.transfers)
    assert again.objective == plan.objective


def test_plan_round_trips_through_the_store_and_pickle(
    tmp_path: Path, plan: ReplenishmentPlan
) -> None:
    stored = plan.to_stored_plan("round-trip")
    store = EmbeddedStore(tmp_path / "store")
    store.save_plan(stored)
    loaded = store.load_plan("round-trip")
    store.close()
    assert loaded.lines == stored.lines
    assert loaded.attributes == stored.attributes
    copy = pickle.loads(pickle.dumps(plan))
    pd.testing.assert_frame_equal(copy.inventory, plan.inventory)
    assert copy.kpis() == plan.kpis()
