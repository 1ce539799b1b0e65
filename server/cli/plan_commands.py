"""``supplynet plan`` and the demo's planning stage: store in, replenishment plan out.

The planner is pure (``optimizer.replenishment``); this module reads the network and
a forecast (a file from ``supplynet forecast``, or one made here with a chosen model),
solves with a progress bar, saves the plan through the store and prints its KPIs and
explanations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from supplynet.forecasting.cleaning import clean_demand, infer_freq
from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.open_store import open_store
from supplynet.optimizer.replenishment import PlanSettings, ReplenishmentPlan, plan_replenishment
from supplynet.optimizer.replenishment import Progress as SolveProgress
from supplynet.optimizer.replenishment.solve import ProgressCallback
from supplynet.server.arguments import Subparsers, add_scope_arguments, scope_from_args
from supplynet.server.forecast_commands import MODELS, ForecastJob
from supplynet.server.output import console, frame_table, key_value_table

if TYPE_CHECKING:
    from supplynet.server.demo import DemoRun

SHOWN_EXPLANATIONS = 10


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan replenishment orders and store transfers",
        description="Read the network and demand from the store, forecast (or read a "
        "forecast file), solve the multi-echelon replenishment MIP and save the plan.",
    )
    add_scope_arguments(parser)
    parser.add_argument("--horizon", type=int, default=8, help="planning periods (default 8)")
    parser.add_argument("--period-days", type=int, default=7, help="days per period (default 7)")
    parser.add_argument("--service-level", type=float, default=0.95, help="cycle service level")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--gap", type=float, default=0.01, help="relative MIP gap (default 0.01)")
    parser.add_argument("--workers", type=int, default=2, help="parallel solves (default 2)")
    parser.add_argument("--solver", choices=["scip", "highs"], default="scip")
    parser.add_argument("--forecast", type=Path, help="forecast file (.csv/.parquet)")
    parser.add_argument(
        "--model",
        choices=sorted(MODELS),
        default="moving_average",
        help="forecast model when no --forecast is given (default moving_average)",
    )
    parser.add_argument("--id", default=None, help="plan id (default plan-<UTC time>)")
    parser.add_argument("--out", type=Path, help="also write the plan lines (.csv or .json)")
    parser.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    settings = PlanSettings(
        horizon=args.horizon,
        period_days=args.period_days,
        service_level=args.service_level,
        time_limit_s=args.time_limit,
        relative_gap=args.gap,
        workers=args.workers,
        solver=args.solver,
    )
    problems = settings.problems()
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".json"):
        problems.append(Problem("--out", "must end in .csv or .json"))
    if problems:
        raise ValidationFailed(problems, "plan arguments")
    out = console()
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        if args.forecast is not None:
            forecast = read_forecast(args.forecast)
        else:
            demand = store.read_demand(scope)
            if demand.empty:
                raise ValidationFailed([Problem("demand", "no demand history in scope")], "plan")
            freq = infer_freq(demand)
            step = 7 if freq == "W" else 1
            job = ForecastJob(
                network,
                clean_demand(demand, freq=freq).frame,
                -(-settings.horizon * settings.period_days // step),
                freq,
                ParallelSettings(workers=args.workers),
            )
            forecast = MODELS[args.model](job)
        with solve_progress(out) as progress:
            plan = plan_replenishment(network, forecast, settings, progress=progress)
        plan_id = args.id or f"plan-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
        store.save_plan(plan.to_stored_plan(plan_id))
    finally:
        store.close()
    print_plan(out, plan, f"plan {plan_id} (saved)")
    if args.out is not None:
        write_lines(plan, args.out)
        out.print(f"wrote {args.out}")
    return 0


def read_forecast(path: Path) -> DemandForecast:
    """A forecast written by ``supplynet forecast`` (CSV or Parquet)."""
    if not path.exists():
        raise ValidationFailed([Problem("--forecast", f"no such file {str(path)!r}")], "plan")
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype={"location_id": str, "sku_id": str, "model": str})
    frame["period"] = pd.to_datetime(frame["period"])
    step = frame["period"].drop_duplicates().sort_values().diff().dropna()
    weekly = not step.empty and step.min() >= pd.Timedelta(days=7)
    return DemandForecast(frame, "W" if weekly else "D")


def write_lines(plan: ReplenishmentPlan, path: Path) -> None:
    """The plan's order and transfer lines, as the store keeps them."""
    lines = list(plan.to_stored_plan("export").lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(lines, indent=1))
    else:
        pd.DataFrame(lines).to_csv(path, index=False)


@contextmanager
def solve_progress(out: Console) -> Iterator[ProgressCallback]:
    """A progress bar over the solver's batches, with the running objective."""
    columns = (
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[cost]}"),
    )
    with Progress("[bold]planning", *columns, console=out, transient=True) as bar:
        task = bar.add_task("planning", total=None, cost="")

        def update(progress: SolveProgress) -> None:
            bar.update(
                task,
                completed=progress.batches_done,
                total=progress.batches,
                cost=f"cost {progress.objective:,.0f}",
            )

        yield update


def print_plan(out: Console, plan: ReplenishmentPlan, title: str) -> None:
    """KPIs, then the largest explanations."""
    shown_kpis = {
        k: f"{v:.3%}" if k == "gap" else str(v) if isinstance(v, bool) else v
        for k, v in plan.kpis().items()
    }
    out.print(key_value_table(title, shown_kpis))
    if plan.explanations:
        shown = pd.DataFrame(
            [
                {
                    "kind": e.kind,
                    "what": e.constraint,
                    "where": e.location_id,
                    "sku": e.sku_id or "",
                    "periods": ",".join(map(str, e.periods)),
                    "missing": e.shortfall,
                }
                for e in plan.explanations[:SHOWN_EXPLANATIONS]
            ]
        )
        out.print(
            frame_table(
                f"explanations ({min(len(plan.explanations), SHOWN_EXPLANATIONS)} of "
                f"{len(plan.explanations)}, largest shortfall first)",
                shown,
                float_format="{:,.1f}",
            )
        )
        out.print(plan.explanations[0].message)


def stage_plan(run: DemoRun) -> None:
    """Demo stage: plan the network from the forecast stage's forecast (and risk scores).

    Plans whole weeks the forecast covers; leaves ``run.results["plan"]`` and saves it.
    """
    forecast = run.results.get("forecast")
    if forecast is None or run.network is None:
        run.console.print("no forecast in this run: planning skipped")
        return
    covered = len(forecast.periods) * (7 if forecast.freq == "W" else 1)
    settings = PlanSettings(horizon=max(1, covered // 7), time_limit_s=60.0)
    plan = plan_replenishment(run.network, forecast, settings, risk=run.results.get("risk"))
    run.results["plan"] = plan
    run.store.save_plan(plan.to_stored_plan("demo-plan"))
    write_lines(plan, run.out / "plan.csv")
    print_plan(run.console, plan, "replenishment plan demo-plan (saved)")
