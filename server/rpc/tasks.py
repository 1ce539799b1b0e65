"""The CPU-heavy work behind forecasts, risk and routes: plain functions the job runner runs.

Each runs in a child process: domain data in, a small picklable result out, progress
through ``report``. They call the same core functions as the CLI; no store, no proto.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.executor import ParallelSettings
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import FORECASTERS
from supplynet.gnn.risk_model import RiskModel
from supplynet.gnn.risk_model import score_risk as score_with
from supplynet.gnn.risk_scores import RiskScores
from supplynet.gnn.training import Checkpoint
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.optimizer.routing.deliveries import day_problem, plan_day
from supplynet.optimizer.routing.solver import solve as solve_routes
from supplynet.server.rpc.jobs import Progress, Report, TimeBudget

DEFAULT_FORECAST_MODEL = "auto"


def check_model(model: str, field: str) -> str:
    """The forecaster name to use; raises ``ValidationFailed`` naming ``field`` if unknown."""
    name = model or DEFAULT_FORECAST_MODEL
    if name not in FORECASTERS:
        known = ", ".join(sorted(FORECASTERS))
        raise ValidationFailed(
            [Problem(field, f"unknown model {name!r}; known: {known}")], "request"
        )
    return name


def forecast(cleaned: pd.DataFrame, model: str, horizon: int, *, report: Report) -> DemandForecast:
    """Forecast ``horizon`` days of each series of a cleaned (``clean_demand``) history."""

    def progress(done: int, total: int) -> None:
        report(Progress(done / max(total, 1), "forecasting"))

    return forecast_demand(
        cleaned, FORECASTERS[model], horizon, "D", ParallelSettings(workers=1), progress
    )


def route(
    plan: StoredPlan,
    network: Network,
    day: str,
    budget: TimeBudget,
    plan_id: str,
    *,
    report: Report,
) -> StoredPlan:
    """Route one day of a replenishment plan with the default fleet; the schedule as a plan."""
    report(Progress(0.0, "building"))
    date = plan_day(plan, day or 1)
    problem = day_problem(plan, network, date)
    report(Progress(0.1, "solving"))
    schedule = solve_routes(problem, time_limit_s=budget.seconds(), workers=1)
    return replace(schedule, day=date.isoformat()).to_stored_plan(plan_id)


def score_risk(
    checkpoint: bytes, network: Network, deliveries: pd.DataFrame, *, report: Report
) -> RiskScores:
    """Late-delivery risk of every supplier and supply lane with a saved risk GNN."""
    report(Progress(0.0, "scoring"))
    model = RiskModel.from_checkpoint(Checkpoint.from_bytes(checkpoint))
    return score_with(model, network, deliveries)
