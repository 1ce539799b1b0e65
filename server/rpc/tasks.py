"""The CPU-heavy use cases as jobs: each runs ``server/app`` work in a child process.

Arguments and results pickle; progress goes through ``report``. No store, no proto:
the servicers read their inputs from the server's cache and save what comes back.
"""

from __future__ import annotations

import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.deadline import Deadline
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.server.app import plan, route, simulate, train
from supplynet.server.app.forecast import ForecastInputs, ForecastRequest, run_forecast
from supplynet.server.app.progress import Progress, Report

IN_JOB = ParallelSettings(workers=1)
"""A job is one worker: its fan-outs run in it, so jobs never oversubscribe the cores."""


def forecast(inputs: ForecastInputs, request: ForecastRequest, *, report: Report) -> DemandForecast:
    def counted(done: int, total: int) -> None:
        report(Progress(done / max(total, 1), "forecasting"))

    return run_forecast(inputs, request, IN_JOB, counted)


def make_plan(
    inputs: plan.PlanInputs, request: plan.PlanRequest, deadline: Deadline, *, report: Report
) -> StoredPlan:
    return plan.stored(plan.make_plan(inputs, request, deadline, IN_JOB, report), request, inputs)


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
