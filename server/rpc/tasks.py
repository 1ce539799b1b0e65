"""The CPU-heavy use cases as jobs: each runs ``server/app`` work in a child process.

Arguments and results pickle; progress goes through ``report``. No proto. Most
servicers read a job's inputs from the server's cache and save what comes back; forecast
and plan jobs select their demand rows themselves (``ForecastJob``: the index's file),
and a plan job saves its plan, so the server neither pickles megabytes of rows nor
converts the plan (twenty plans' worth of that held the server's GIL for seconds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.deadline import Deadline
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.network import Network
from supplynet.graph.open_store import StoreSettings, open_store
from supplynet.graph.plans import StoredPlan
from supplynet.server.app import plan, route, simulate, train
from supplynet.server.app.forecast import (
    ForecastInputs,
    ForecastRequest,
    forecast_inputs,
    run_forecast,
)
from supplynet.server.app.progress import Progress, Report
from supplynet.server.rpc.index_file import IndexFile

IN_JOB = ParallelSettings(workers=1)
"""A job is one worker: its fan-outs run in it, so jobs never oversubscribe the cores."""


@dataclass(frozen=True)
class ForecastJob:
    """A forecast's inputs as the server sends them: small things and the index's file,
    from which the job selects the rows itself."""

    network: Network
    """The whole network (the forecast's features)."""
    index: IndexFile
    prices: StoredPlan | None = None
    """The request's prices plan, read by the server (``price_plans.price_plan``)."""

    def inputs(self, request: ForecastRequest) -> ForecastInputs:
        return forecast_inputs(request, self.network, self.index.read(), self.prices)


def forecast(job: ForecastJob, request: ForecastRequest, *, report: Report) -> DemandForecast:
    def counted(done: int, total: int) -> None:
        report(Progress(done / max(total, 1), "forecasting"))

    return run_forecast(job.inputs(request), request, IN_JOB, counted)


@dataclass(frozen=True)
class PlanJob:
    """What a plan job gets from the server: small things and where to read the rest."""

    forecast: ForecastJob
    scoped: Network
    """The request's scope of the network (the solve)."""
    store: StoreSettings
    """The store the server serves, where the job reads deliveries and saves the plan."""
    risk_checkpoint: bytes | None = None
    history_end: dt.date | None = None
    store_version: str | None = None


def make_plan(
    job: PlanJob, request: plan.PlanRequest, deadline: Deadline, *, report: Report
) -> str:
    """Select the rows, plan, save the plan; returns its id."""
    report(Progress(0.0, "reading history"))
    found = job.forecast.inputs(request.forecast())
    store = open_store(job.store)
    try:
        deliveries = None
        if job.risk_checkpoint is not None:
            deliveries = store.read_deliveries(request.scope)
        inputs = plan.PlanInputs(
            job.scoped,
            found,
            None,
            job.risk_checkpoint,
            deliveries,
            history_end=job.history_end,
            store_version=job.store_version,
        )
        made = plan.make_plan(inputs, request, deadline, IN_JOB, report)
        report(Progress(1.0, "saving"))
        saved = plan.stored(made, request, inputs)
        store.save_plan(saved)
    finally:
        store.close()
    return saved.id


def route_day(
    saved: StoredPlan,
    network: Network,
    request: route.RouteRequest,
    deadline: Deadline,
    schedule_id: str,
    *,
    report: Report,
) -> StoredPlan:
    one_core = request.model_copy(update={"workers": 1})  # a job may not start processes
    schedule = route.route_day(saved, network, one_core, deadline, report)
    return schedule.to_stored_plan(schedule_id or route.schedule_id(request, schedule.day))


def score_risk(
    checkpoint: bytes, network: Network, deliveries: pd.DataFrame, *, report: Report
) -> RiskScores:
    report(Progress(0.0, "scoring"))
    return train.score_risk(checkpoint, network, deliveries)


def simulate_twin(
    inputs: simulate.SimulationInputs | None,
    request: simulate.SimulateRequest,
    *,
    report: Report,
) -> StoredPlan:
    """The twin's replications, one after another in this job; ``None`` inputs: the preset."""
    if inputs is None:
        assert request.preset is not None
        report(Progress(0.0, "generating " + request.preset))
        inputs = simulate.preset_inputs(request.preset, request.seed)
    return simulate.stored(simulate.simulate(inputs, request, IN_JOB, report), request)
