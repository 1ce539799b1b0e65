"""optimizer.plots turns a real replenishment plan into tables and plots that add up."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import FORECASTERS
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.plots import (
    cost_breakdown,
    explanations_frame,
    projected_stock,
    shortage_by_period,
    shortage_table,
)
from supplynet.optimizer.replenishment.plan import ReplenishmentPlan
from supplynet.optimizer.replenishment.problem import PlanSettings
from supplynet.optimizer.replenishment.solve import plan_replenishment


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def plan(tiny: SyntheticDataset) -> ReplenishmentPlan:
    """An 8-week plan for the tiny network from a seasonal-average forecast."""
    cleaned = clean_demand(tiny.demand).frame
    forecast = forecast_demand(cleaned, FORECASTERS["seasonal_average"], horizon=56)
    return plan_replenishment(tiny.network, forecast, PlanSettings(horizon=8, time_limit_s=10))


def test_shortage_table_adds_up_to_the_plan(plan: ReplenishmentPlan) -> None:
    """Its shortages sum to the plan's total and every short position has a reason."""
    table = shortage_table(plan)
    assert table["shortage"].sum() == pytest.approx(plan.total_shortage)
    assert (table["shortage"] > 0).all()
    assert list(table["shortage"]) == sorted(table["shortage"], reverse=True)
    if plan.explanations:
        assert (table["reasons"] != "").all()


def test_explanations_frame_has_one_row_per_explanation(plan: ReplenishmentPlan) -> None:
    """Nothing is dropped, and the biggest shortfall comes first."""
    frame = explanations_frame(plan)
    assert len(frame) == len(plan.explanations)
    assert list(frame["shortfall"]) == sorted(frame["shortfall"], reverse=True)


def test_cost_breakdown_has_a_bar_per_component(plan: ReplenishmentPlan) -> None:
    """Bar lengths are the plan's cost components."""
    ax = cost_breakdown(plan)
    widths = sorted(bar.get_width() for bar in ax.patches)
    np.testing.assert_allclose(widths, sorted(plan.costs.values()))


def test_shortage_by_period_totals(plan: ReplenishmentPlan) -> None:
    """The unmet-demand bars sum to the plan's total shortage, one per period."""
    ax = shortage_by_period(plan)
    bars = ax.containers[0]
    assert len(bars) == plan.horizon
    assert sum(bar.get_height() for bar in bars) == pytest.approx(plan.total_shortage)


def test_projected_stock_one_panel_per_position(plan: ReplenishmentPlan) -> None:
    """Three positions give three visible panels, each with stock and target lines."""
    keys = list(
        plan.inventory[["location_id", "sku_id"]]
        .drop_duplicates()
        .head(3)
        .itertuples(index=False, name=None)
    )
    figure = projected_stock(plan, keys)
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 3
    assert all(len(ax.get_lines()) == 2 for ax in visible)
