"""Use case: plan replenishment for a scope, forecast included, within one deadline.

``plan_request`` checks and defaults what a planner asked for; ``make_plan`` is the
work itself (risk scores, the forecast, the solve), pure and picklable so the server
can run it in a worker process and the CLI in its own. The solver's time limit is what
the one ``Deadline`` has left after forecasting.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.model import CountryCode
from supplynet.graph.network import Network
from supplynet.graph.plans import PlanId, Scalar, StoredPlan
from supplynet.graph.scope import Scope
from supplynet.optimizer.replenishment import PlanSettings, ReplenishmentPlan, plan_replenishment
from supplynet.optimizer.replenishment import Progress as SolveProgress
from supplynet.server.app import plan_checks, plans
from supplynet.server.app.forecast import (
    ForecastInputs,
    ForecastRequest,
    ModelName,
    prices_plan_problems,
    run_forecast,
)
from supplynet.server.app.progress import Progress, Report, ignore, part
from supplynet.server.app.settings import AppSettings
from supplynet.server.app.train import score_risk
from supplynet.server.app.validation import checked, require

FORECAST_SHARE = 0.3
"""Share of the progress bar (not of the time) the forecast stage takes."""


class PlanRequest(BaseModel):
    """What a planner asked for, checked; ``plan_request`` fills the defaults."""

    model_config = ConfigDict(frozen=True)

    horizon_days: int = Field(ge=1, le=366)
    period_days: int = Field(ge=1, le=28)
    service_level: float = Field(ge=0.5, le=0.9999)
    time_limit_seconds: float = Field(gt=0)
    relative_gap: float = Field(ge=0, le=1)
    solver: str = Field(pattern="^(scip|highs)$")
    workers: int = Field(ge=1, le=64)
    forecast_model: ModelName
    plan_id: PlanId
    use_risk: bool = False
    scope: Scope | None = None
    seed: int = 0
    prices_plan: str | None = None
    """A saved prices plan (``latest``: the newest) the forecast takes as planned prices."""
    backorders: bool = False
    """Demand not met waits for later stock (the network backorders) instead of being lost."""
    country: CountryCode | None = None
    """The forecast's holiday calendar asked for or configured; ``None``: the network's."""

    @property
    def horizon_periods(self) -> int:
        return -(-self.horizon_days // self.period_days)

    def forecast(self) -> ForecastRequest:
        """The forecast this plan needs: every day of its whole periods."""
        days = self.horizon_periods * self.period_days
        # built from checked fields: whole periods may run past the 366 days a caller may ask
        return ForecastRequest.model_construct(
            horizon_days=days,
            model=self.forecast_model,
            scope=self.scope,
            seed=self.seed,
            country=self.country,
            prices_plan=self.prices_plan,
        )

    def settings(self, deadline: Deadline) -> PlanSettings:
        """Solver settings for a solve starting now: the time limit shrinks as time passes."""
        return PlanSettings(
            horizon=self.horizon_periods,
            period_days=self.period_days,
            service_level=self.service_level,
            time_limit_s=deadline.solver_limit(self.time_limit_seconds),
            relative_gap=self.relative_gap,
            workers=self.workers,
            solver=self.solver,
            backorders=self.backorders,
        )


def new_plan_id(prefix: str = "plan") -> str:
    """A fresh id: readable time first, so ids sort by creation, then a random tail."""
    return f"{prefix}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def plan_request(
    settings: AppSettings, found: Sequence[Problem] = (), /, **fields: object
) -> PlanRequest:
    """A checked request; fields left ``None`` take the settings' defaults.

    ``found``: problems the door saw already, reported with the request's own.
    ``time_limit_seconds`` is also bounded by the configured maximum.
    """
    given = {name: value for name, value in fields.items() if value is not None}
    model = str(given.get("forecast_model", settings.forecast_model))
    prices = given.get("prices_plan")
    request = checked(
        PlanRequest,
        "plan request",
        [*found, *prices_plan_problems(model, str(prices) if prices else None)],
        **{
            "horizon_days": settings.plan_horizon_days,
            "period_days": settings.period_days,
            "service_level": settings.service_level,
            "time_limit_seconds": settings.plan_time_limit_s,
            "relative_gap": settings.relative_gap,
            "solver": settings.solver,
            "workers": 1,
            "forecast_model": settings.forecast_model,
            "plan_id": new_plan_id(),
            "seed": settings.seed,
            "country": settings.country,
            **given,
        },
    )
    limit = settings.max_time_limit_s
    too_long = request.time_limit_seconds > limit
    require(
        [Problem("time_limit_seconds", f"must be at most {limit:g} seconds")] if too_long else [],
        "plan request",
    )
    return request


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan is made from, read by the door (store or server cache)."""

    network: Network
    forecast_inputs: ForecastInputs | None = None
    forecast: DemandForecast | None = None
    risk_checkpoint: bytes | None = None
    deliveries: pd.DataFrame | None = None
    history_end: dt.date | None = None
    """The last recorded demand day, kept with the plan: a given forecast starting before
    it is from another period (``plan_checks``)."""
    store_version: str | None = None
    """The store's version the network and history were read at, kept with the plan."""
    forecast_source: str | None = None
    """Where a given forecast came from (a file name), kept with the plan."""


def make_plan(
    inputs: PlanInputs,
    request: PlanRequest,
    deadline: Deadline,
    parallel: ParallelSettings,
    report: Report = ignore,
) -> ReplenishmentPlan:
    """Score risk, forecast (unless a forecast was given), then solve within ``deadline``."""
    scores = None
    if inputs.risk_checkpoint is not None and inputs.deliveries is not None:
        report(Progress(0.0, "scoring risk"))
        scores = score_risk(inputs.risk_checkpoint, inputs.network, inputs.deliveries)
    forecast = inputs.forecast
    if forecast is None:
        assert inputs.forecast_inputs is not None
        bar = part(report, 0.0, FORECAST_SHARE)

        def counted(done: int, total: int) -> None:
            bar(Progress(done / max(total, 1), "forecasting"))

        forecast = run_forecast(inputs.forecast_inputs, request.forecast(), parallel, counted)
    found = plan_checks.review(
        inputs.network,
        forecast,
        request.horizon_periods * request.period_days,
        scoped=request.scope is not None and not request.scope.is_everything(),
        history_end=inputs.history_end if inputs.forecast is not None else None,
    )

    def solving(progress: SolveProgress) -> None:
        share = progress.batches_done / max(progress.batches, 1)
        fraction = FORECAST_SHARE + (1 - FORECAST_SHARE) * share
        report(Progress(fraction, "solving", progress.objective))

    report(Progress(FORECAST_SHARE, "solving"))
    result = plan_replenishment(
        inputs.network,
        forecast,
        request.settings(deadline),
        scores,
        solving,
        deadline=deadline,
    )
    return plan_checks.settle(result, found)


def stored(
    plan: ReplenishmentPlan, request: PlanRequest, inputs: PlanInputs | None = None
) -> StoredPlan:
    """The plan as the store keeps it, with the settings and inputs that produced it."""
    settings: dict[str, Scalar] = {
        "horizon_days": request.horizon_days,
        "period_days": request.period_days,
        "service_level": request.service_level,
        "time_limit_seconds": float(request.time_limit_seconds),
        "relative_gap": request.relative_gap,
        "solver": request.solver,
        "forecast_model": request.forecast_model,
        "use_risk": request.use_risk,
        "backorders": request.backorders,
        "scope": plans.scope_text(request.scope),
        "seed": request.seed,
        "holiday_country": inputs.forecast_inputs.country
        if inputs is not None and inputs.forecast_inputs is not None
        else request.country,
    }
    versions: dict[str, Scalar] = {}
    if inputs is not None:
        versions = {
            "store_version": inputs.store_version,
            "forecast": inputs.forecast_source
            or ("given" if inputs.forecast is not None else request.forecast_model),
            "history_end": inputs.history_end.isoformat() if inputs.history_end else None,
            "network_records": sum(inputs.network.counts().values()),
            "prices_plan": inputs.forecast_inputs.prices_plan if inputs.forecast_inputs else None,
        }
    result = plans.record(plan, request.plan_id, settings, versions)
    legacy = {
        "forecast_model": request.forecast_model,
        "risk_model": "gnn" if request.use_risk else None,
        "service_level": request.service_level,
        "horizon_days": request.horizon_days,
        "period_days": request.period_days,
    }
    return result.model_copy(update={"attributes": {**result.attributes, **legacy}})
