"""``supplynet plan``: parse, call ``server.app.plan``, save the plan, print its KPIs."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.open_store import open_store
from supplynet.server.app.forecast import MODEL_NAMES, forecast_inputs
from supplynet.server.app.price_plans import price_plan
from supplynet.server.app.progress import Progress as StageProgress
from supplynet.server.app.progress import Report
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli.arguments import (
    Subparsers,
    add_country_argument,
    add_horizon_argument,
    add_scope_arguments,
    scope_from_args,
)
from supplynet.server.cli.forecast_commands import add_prices_plan_argument
from supplynet.server.cli.output import calendar_line, console, frame_table, key_value_table

if TYPE_CHECKING:  # the planner (OR-Tools, scipy) loads only when ``plan`` runs
    from supplynet.optimizer.replenishment import ReplenishmentPlan

SHOWN_EXPLANATIONS = 10
LINE_SUFFIXES = (".csv", ".json")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan replenishment orders and store transfers",
        description="Read the network and demand from the store, forecast (or read a "
        "forecast file), solve the multi-echelon replenishment MIP and save the plan.",
    )
    add_scope_arguments(parser)
    add_horizon_argument(parser, "plan_horizon_days")
    parser.add_argument("--period-days", type=int, help="days per period (default 7)")
    parser.add_argument("--service-level", type=float, help="cycle service level (default 0.95)")
    parser.add_argument("--time-limit", type=float, help="seconds for the whole plan (default 60)")
    parser.add_argument("--gap", type=float, help="relative MIP gap (default 0.01)")
    parser.add_argument(
        "--workers", type=int, help="parallel solves (default: SUPPLYNET_WORKERS, else every core)"
    )
    parser.add_argument("--solver", choices=["scip", "highs"])
    parser.add_argument(
        "--backorders",
        action="store_true",
        default=None,
        help="unmet demand waits for later stock (default: it is lost)",
    )
    parser.add_argument("--forecast", type=Path, help="forecast file (.csv/.parquet)")
    parser.add_argument(
        "--model", choices=MODEL_NAMES, help="forecast model when no --forecast is given"
    )
    parser.add_argument("--id", default=None, help="plan id (default plan-<UTC time>-<hex>)")
    parser.add_argument("--out", type=Path, help="also write the plan lines (.csv or .json)")
    add_country_argument(parser)
    add_prices_plan_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from supplynet.server.app import plan as use

    settings: AppSettings = args.settings
    given_prices = args.forecast is not None and args.prices_plan is not None
    request = use.plan_request(
        settings,
        [
            *out_problems(args.out),
            *(
                [Problem("prices_plan", "not with --forecast (a given forecast is final)")]
                if given_prices
                else []
            ),
        ],
        horizon_days=args.horizon_days,
        period_days=args.period_days,
        service_level=args.service_level,
        time_limit_seconds=args.time_limit,
        relative_gap=args.gap,
        solver=args.solver,
        workers=args.workers or settings.workers or os.cpu_count() or 1,
        forecast_model=args.model,
        plan_id=args.id,
        scope=scope_from_args(args),
        prices_plan=args.prices_plan,
        backorders=args.backorders,
        country=args.country,
    )
    deadline = Deadline.after(request.time_limit_seconds)
    given = read_forecast(args.forecast) if args.forecast is not None else None
    out = console()
    store = open_store()
    try:
        version = store.version()
        network = store.snapshot()
        scoped = store.snapshot(request.scope) if request.scope is not None else network
        demand = store.read_demand()
        history_end = demand["date"].max().date() if len(demand) else None
        if given is None:
            prices = price_plan(store, request.prices_plan)
            found = forecast_inputs(request.forecast(), network, SeriesIndex(demand), prices)
            out.print(calendar_line(found.country))
            inputs = use.PlanInputs(
                scoped, forecast_inputs=found, history_end=history_end, store_version=version
            )
        else:
            inputs = use.PlanInputs(
                scoped,
                forecast=given,
                history_end=history_end,
                store_version=version,
                forecast_source=args.forecast.name,
            )
        with solve_progress(out) as report:
            plan = use.make_plan(inputs, request, deadline, settings.parallel(), report)
        store.save_plan(use.stored(plan, request, inputs))
    finally:
        store.close()
    print_plan(out, plan, f"plan {request.plan_id} (saved)")
    if args.out is not None:
        write_lines(plan, args.out)
        out.print(f"wrote {args.out}")
    return 0


def out_problems(path: Path | None) -> list[Problem]:
    """Why ``--out`` cannot be written: found before any work is done."""
    if path is None:
        return []
    problems = []
    if path.suffix.lower() not in LINE_SUFFIXES:
        problems.append(Problem("out", "must end in .csv or .json"))
    folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), Path("."))
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        problems.append(Problem("out", f"cannot write to {str(path.parent)!r}"))
    return problems


def read_forecast(path: Path) -> DemandForecast:
    """A forecast written by ``supplynet forecast`` (CSV or Parquet), checked whole."""
    if not path.is_file():
        raise ValidationFailed([Problem("forecast", f"no such file {str(path)!r}")], "plan")
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype={"location_id": str, "sku_id": str, "model": str})
        frame["period"] = pd.to_datetime(frame["period"], format="%Y-%m-%d")
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as error:
        reason = f"{path.name} is not a forecast file: {str(error).splitlines()[0][:200]}"
        raise ValidationFailed([Problem("forecast", reason)], "plan") from None
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
def solve_progress(out: Console) -> Iterator[Report]:
    """A progress bar over forecasting and the solver's batches, with the objective."""
    columns = (
        TextColumn("{task.fields[stage]}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[cost]}"),
    )
    with Progress("[bold]planning", *columns, console=out, transient=True) as bar:
        task = bar.add_task("planning", total=1.0, stage="", cost="")

        def update(progress: StageProgress) -> None:
            cost = f"cost {progress.objective:,.0f}" if progress.objective is not None else ""
            bar.update(task, completed=progress.fraction, stage=progress.stage, cost=cost)

        yield update


def print_plan(out: Console, plan: ReplenishmentPlan, title: str) -> None:
    """KPIs, then the largest explanations."""
    shown_kpis = {
        k: f"{v:.3%}" if k == "gap" else str(v) if isinstance(v, bool) else v
        for k, v in plan.kpis().items()
    }
    out.print(key_value_table(title, shown_kpis))
    for warning in plan.warnings:
        out.print(f"warning: {warning}")
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
