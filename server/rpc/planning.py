"""The planning job: forecast a scope's demand, then solve the replenishment plan.

Runs in a worker process (see ``jobs``); the forecast takes the first part of the
progress bar, the solver's batches the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.optimizer.replenishment import PlanSettings, plan_replenishment
from supplynet.optimizer.replenishment import Progress as SolveProgress
from supplynet.server.rpc.jobs import Progress, Report, TimeBudget
from supplynet.server.rpc.tasks import forecast, score_risk

FORECAST_SHARE = 0.3
"""Share of a planning job's progress bar that forecasting takes."""


@dataclass(frozen=True)
class PlanJob:
    """What a planner asked for, already checked and defaulted."""

    plan_id: str
    horizon_days: int
    forecast_model: str
    service_level: float
    budget: TimeBudget
    period_days: int = 7

    def settings(self) -> PlanSettings:
        """Solver settings for a solve starting now (the time limit shrinks as time passes)."""
        return PlanSettings(
            horizon=math.ceil(self.horizon_days / self.period_days),
            period_days=self.period_days,
            service_level=self.service_level,
            time_limit_s=self.budget.seconds(),
            workers=1,
        )


@dataclass(frozen=True)
class RiskInput:
    """What risk-aware planning needs: the saved risk model and the delivery history."""

    checkpoint: bytes
    deliveries: pd.DataFrame


def plan(
    network: Network,
    demand: pd.DataFrame,
    job: PlanJob,
    risk: RiskInput | None = None,
    *,
    report: Report,
) -> StoredPlan:
    """Forecast the scoped demand (and score risk), then plan within the time limit."""
    settings = job.settings()
    scores = None
    if risk is not None:
        scores = score_risk(risk.checkpoint, network, risk.deliveries, report=report)
    days = settings.horizon * settings.period_days

    def forecasting(progress: Progress) -> None:
        report(Progress(progress.fraction * FORECAST_SHARE, progress.stage))

    demand_forecast = forecast(demand, job.forecast_model, days, report=forecasting)

    def solving(progress: SolveProgress) -> None:
        share = progress.batches_done / max(progress.batches, 1)
        fraction = FORECAST_SHARE + (1 - FORECAST_SHARE) * share
        report(Progress(fraction, "solving", progress.objective))

    report(Progress(FORECAST_SHARE, "solving"))
    result = plan_replenishment(network, demand_forecast, job.settings(), scores, solving)
    stored = result.to_stored_plan(job.plan_id)
    inputs = {"forecast_model": job.forecast_model, "risk_model": "gnn" if risk else None}
    return stored.model_copy(update={"attributes": {**stored.attributes, **inputs}})
