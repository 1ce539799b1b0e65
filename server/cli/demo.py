"""``supplynet demo``: every use case, end to end, on a generated network.

Each stage calls ``server/app`` as the other doors do and keeps its result in a typed
field of ``DemoRun`` for the stages after it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.deadline import Deadline
from supplynet.graph.executor import Progress as CountProgress
from supplynet.graph.network import Network
from supplynet.graph.open_store import StoreSettings, describe, open_store
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import PRESETS
from supplynet.optimizer.exports import FORMATS, write
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.server.app import evaluate, forecast, network, train
from supplynet.server.app.horizon import Horizon
from supplynet.server.app.models import ModelStore
from supplynet.server.app.risk_ranking import model_version, rank_risk
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.cli.forecast_commands import write_forecast
from supplynet.server.cli.gnn_commands import show_risk
from supplynet.server.cli.output import (
    calendar_line,
    console,
    count_progress,
    frame_table,
    key_value_table,
    network_summary,
)
from supplynet.server.cli.plan_commands import print_plan, write_lines
from supplynet.server.cli.route_commands import print_schedule

if TYPE_CHECKING:  # the planner and routing solvers load in their stages
    from supplynet.gnn.risk_scores import RiskScores
    from supplynet.optimizer.replenishment import ReplenishmentPlan

DEMO_EPOCHS = {"demand": 10, "risk": 25}
"""Demo training is short on purpose: the point is the pipeline, bench/ has the scores."""
RISK_CUTOFFS = 120
"""The most training cut-off days of the demo's risk GNN (about every 6th day of two years)."""
ROUTE_SECONDS = 10.0
PLAN_SECONDS = 60.0


@dataclass
class DemoRun:
    """What the stages share: where to write, and each stage's result."""

    console: Console
    store: GraphStore
    models: ModelStore
    out: Path
    preset: str
    settings: AppSettings
    live: Progress | None = None
    """The stages' bar on a terminal; a stage's own counts become a task on it."""
    network: Network | None = None
    country: str | None = None
    index: SeriesIndex | None = None
    forecast: DemandForecast | None = None
    backtest: pd.DataFrame | None = None
    risk: RiskScores | None = None
    plan: ReplenishmentPlan | None = None
    routes: RouteSchedule | None = None

    def counts(self, label: str) -> AbstractContextManager[CountProgress]:
        """Progress of a stage's fan-out: on the stages' bar, or lines in a log."""
        return count_progress(self.console, label, self.live)


Stage = Callable[[DemoRun], None]


def stage_generate(run: DemoRun) -> None:
    network.generate_into(run.store, run.preset, run.settings.seed)


def stage_summarise(run: DemoRun) -> None:
    view = network.read_view(run.store)
    run.network = view.network
    run.index = SeriesIndex(view.demand)
    run.console.print(network_summary(view.network, view.demand, view.deliveries))


def stage_forecast(run: DemoRun) -> None:
    """Forecast every series 28 days ahead, then backtest a sample of series."""
    assert run.network is not None and run.index is not None
    request = forecast.forecast_request(run.settings)
    inputs = forecast.forecast_inputs(request, run.network, run.index)
    run.country = inputs.country
    run.console.print(calendar_line(inputs.country))
    run.console.print(
        f"forecasting {len(run.index):,} series {inputs.horizon.periods} periods "
        f"({inputs.horizon.freq}) ahead with {request.model}"
    )
    with run.counts(f"forecasting ({request.model}) series") as counted:
        run.forecast = forecast.run_forecast(inputs, request, run.settings.parallel(), counted)
    write_forecast(run.forecast, run.out / "forecast.csv")
    run.console.print(key_value_table("models used (auto)", run.forecast.models_used().to_dict()))
    sample = evaluate.SeriesSample(seed=run.settings.seed)
    run.backtest = evaluate.backtest_forecasters(run.index, sample, inputs.horizon, inputs.country)
    run.console.print(
        frame_table(
            f"backtest: {sample.series} series sampled (seed {sample.seed}), "
            f"{sample.origins - 1} scored origins x {inputs.horizon.periods} periods; "
            "best = per-series model chosen on the first origin",
            run.backtest,
        )
    )


def stage_gnn(run: DemoRun) -> None:
    """Train both GNNs small, score risk, and set the demand GNN beside the forecasters."""
    assert run.network is not None and run.index is not None
    horizon = Horizon(run.settings.forecast_horizon_days, run.index.freq)
    sample = evaluate.SeriesSample(seed=run.settings.seed)
    started = time.perf_counter()
    gnn = evaluate.backtest_gnn(
        run.network, run.index, sample, horizon, DEMO_EPOCHS["demand"], run.country
    )
    both = pd.concat([run.backtest, gnn.table], ignore_index=True)
    run.console.print(
        frame_table(
            f"GNN trained on {gnn.trained_series:,} of {len(run.index):,} series "
            f"({gnn.trained_locations:,} whole locations, the scored series' first; at most "
            f"{sample.train_series:,}, seed {sample.seed}) vs the forecasting stage's backtest "
            "(same scored series and origins)",
            both.sort_values("wape", kind="stable"),
        )
    )
    request = train.TrainRequest(
        kind="risk", epochs=DEMO_EPOCHS["risk"], seed=sample.seed, max_cutoffs=RISK_CUTOFFS
    )
    deliveries = run.store.read_deliveries()
    trained = train.train_model(request, run.network, deliveries, run.models)
    run.risk = train.score_risk(run.models.load_bytes("risk"), run.network, deliveries)
    run.console.print(
        f"risk GNN trained on {trained.trained_on}; scored "
        f"{len(run.risk.frame):,} suppliers and lanes; GNNs trained in "
        f"{time.perf_counter() - started:.1f} s; risk model {trained.path}"
    )
    version = model_version(run.models.load_bytes("risk"))
    show_risk(run.console, rank_risk(run.risk, version), 5)


def stage_plan(run: DemoRun) -> None:
    """Plan the whole weeks the forecast covers, risk-aware; save the plan."""
    from supplynet.server.app import plan

    assert run.network is not None and run.forecast is not None
    covered = len(run.forecast.periods) * (7 if run.forecast.freq == "W" else 1)
    request = plan.plan_request(
        run.settings,
        horizon_days=covered // 7 * 7 or 7,
        time_limit_seconds=PLAN_SECONDS,
        workers=2,
        plan_id="demo-plan",
        use_risk=True,
        country=run.country,
    )
    inputs = plan.PlanInputs(
        run.network,
        forecast=run.forecast,
        risk_checkpoint=run.models.load_bytes("risk"),
        deliveries=run.store.read_deliveries(),
    )
    deadline = Deadline.after(request.time_limit_seconds)
    run.plan = plan.make_plan(inputs, request, deadline, run.settings.parallel())
    run.store.save_plan(plan.stored(run.plan, request))
    write_lines(run.plan, run.out / "plan.csv")
    print_plan(run.console, run.plan, "replenishment plan demo-plan (saved)")


def stage_routes(run: DemoRun) -> None:
    """Route the plan's first ship day to stores and write every export."""
    from supplynet.server.app import route

    assert run.network is not None and run.plan is not None
    saved = run.store.load_plan("demo-plan")
    if not route.ship_days(saved):
        run.console.print("the plan has no transfers to stores: routing skipped")
        return
    request = route.route_request(run.settings, plan_id=saved.id, time_limit_seconds=ROUTE_SECONDS)
    run.routes = route.route_day(saved, run.network, request, Deadline.after(ROUTE_SECONDS))
    run.store.save_plan(run.routes.to_stored_plan(route.schedule_id(request, run.routes.day)))
    folder = run.out / "routes"
    written = [write(run.routes, fmt, folder / f"routes.{fmt}") for fmt in FORMATS]
    print_schedule(run.routes)
    run.console.print(f"wrote {', '.join(p.name for p in written)} to {folder}")


STAGES: list[tuple[str, Stage]] = [
    ("generate the network and its histories", stage_generate),
    ("read it back from the store and summarise", stage_summarise),
    ("forecast demand and backtest the forecasters", stage_forecast),
    ("train the demand and risk GNNs and score supplier risk", stage_gnn),
    ("plan replenishment from the forecast", stage_plan),
    ("route the first ship day of the plan and export the schedules", stage_routes),
]


def register(subparsers: Subparsers) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on a generated network",
        description="Generate a network, store it, and run every pipeline stage on it. "
        "Uses an embedded store under OUT unless NEO4J_URI is set.",
    )
    demo.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo"),
        help="folder for the demo's store and outputs (default out/demo)",
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    out = console()
    store_settings = StoreSettings(data_dir=args.out / "store")
    store = open_store(store_settings)
    settings: AppSettings = args.settings.model_copy(update={"seed": args.seed})
    run = DemoRun(out, store, ModelStore.beside(store_settings), args.out, args.preset, settings)
    out.print(
        f"supplynet demo: preset {args.preset!r}, seed {args.seed}, "
        f"store {describe(store_settings)}"
    )
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as progress:
            run.live = progress
            bar = progress.add_task("demo", total=len(STAGES))
            for number, (title, stage) in enumerate(STAGES, start=1):
                progress.update(bar, description=title)
                out.print(f"[{number}/{len(STAGES)}] {title} ...")
                started = time.perf_counter()
                stage(run)
                progress.advance(bar)
                out.print(
                    f"[{number}/{len(STAGES)}] {title}: done in "
                    f"{time.perf_counter() - started:.1f} s"
                )
    finally:
        store.close()
    return 0
