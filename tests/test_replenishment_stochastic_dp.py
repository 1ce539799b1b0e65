"""The stochastic dynamic program plans single chains with backorders exactly: without a
fixed cost its order-up-to level is the newsvendor quantile of lead-time demand, and
with one it keeps the state-dependent (s, S) structure; other parts are left alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
from replenishment_support import chain_network, fixed_forecast
from scipy.stats import poisson

from supplynet.optimizer.replenishment import PlanSettings, build_problem
from supplynet.optimizer.replenishment.solve import parts
from supplynet.optimizer.replenishment.stochastic_dp import plan_part, qualifies

START = dt.date(2025, 1, 6)
Z90 = 1.2815515655446004


def poisson_forecast(mean: float, periods: int) -> object:
    """Quantiles 2 * 1.2816 * sd apart encode sd = sqrt(mean): the DP fits a Poisson."""
    return fixed_forecast({"S1": [mean] * periods}, START, 1, spread=Z90 * np.sqrt(mean))


def test_without_fixed_cost_it_orders_up_to_the_newsvendor_quantile() -> None:
    """Poisson(4) a day, lead 2 days, h=1, p=9 (critical ratio 0.9): the order brings the
    position to the 90% quantile of Poisson(12), the demand of the 3 days it covers."""
    settings = PlanSettings(horizon=10, period_days=1, backorders=True, workers=1)
    network = chain_network(lead_time_days=2, holding=1.0, price=9.0 / 0.05)
    problem = build_problem(network, poisson_forecast(4.0, 10), settings)  # type: ignore[arg-type]
    (part,) = parts(problem)
    assert qualifies(problem, [part]).tolist() == [True]
    solution = plan_part(problem, part)
    assert solution.lots[0, 0] == poisson.ppf(0.9, 12.0)
    assert solution.optimal
    assert solution.objective == solution.bound


def test_lost_sales_and_shared_warehouses_are_not_its_parts() -> None:
    lost = build_problem(
        chain_network(), poisson_forecast(4.0, 4), PlanSettings(horizon=4, period_days=1)
    )  # type: ignore[arg-type]
    assert not qualifies(lost, parts(lost)).any()
    two = build_problem(
        chain_network(stores=2),
        fixed_forecast({"S1": [4.0] * 4, "S2": [4.0] * 4}, START, 1, spread=2.0),
        PlanSettings(horizon=4, period_days=1, backorders=True),
    )
    assert not qualifies(two, parts(two)).any()


def test_orders_come_in_whole_lots_above_the_minimum() -> None:
    """Lots of 6 and a minimum of 15: every order is 18, 24, ... units; the first brings
    the position to within one lot above the newsvendor quantile of lead-time demand."""
    settings = PlanSettings(horizon=10, period_days=1, backorders=True, workers=1)
    network = chain_network(lead_time_days=2, holding=1.0, price=9.0 / 0.05, lot_size=6, moq=15)
    problem = build_problem(network, poisson_forecast(4.0, 10), settings)  # type: ignore[arg-type]
    (part,) = parts(problem)
    assert qualifies(problem, [part]).tolist() == [True]
    quantities = plan_part(problem, part).lots[0] * 6
    ordered = quantities[quantities > 0]
    assert len(ordered) > 0
    assert all(q >= 18 and q % 6 == 0 for q in ordered)
    assert poisson.ppf(0.9, 12.0) <= quantities[0] < poisson.ppf(0.9, 12.0) + 6
