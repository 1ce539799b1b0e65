"""``supplynet forecast`` and the demo's forecast stage: store in, forecast file out.

The forecasting core is pure; this module reads demand from the store, cleans it, runs
the chosen model with a progress bar, and writes or prints the result. ``MODELS`` maps
each ``--model`` name to a runner; a new model (e.g. the GNN) is one more entry.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from supplynet.forecasting.backtest import backtest
from supplynet.forecasting.cleaning import clean_demand, infer_freq
from supplynet.forecasting.forecast import DemandForecast, Freq
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.executor import Progress as ProgressCallback
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import BASELINES, FORECASTERS
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.open_store import open_store
from supplynet.server.arguments import Subparsers, add_scope_arguments, scope_from_args
from supplynet.server.output import console, frame_table, key_value_table

if TYPE_CHECKING:
    from supplynet.server.demo import DemoRun


@dataclass(frozen=True)
class ForecastJob:
    """Everything a model runner may use: the network, cleaned demand and settings."""

    network: Network
    demand: pd.DataFrame
    horizon: int
    freq: Freq
    parallel: ParallelSettings
    progress: ProgressCallback | None = None
    seed: int = 0


ModelRunner = Callable[[ForecastJob], DemandForecast]


def per_series(name: str) -> ModelRunner:
    """A runner fitting ``forecasting.registry.FORECASTERS[name]`` to every series."""

    def run(job: ForecastJob) -> DemandForecast:
        return forecast_demand(
            job.demand, FORECASTERS[name], job.horizon, job.freq, job.parallel, job.progress
        )

    return run


MODELS: dict[str, ModelRunner] = {name: per_series(name) for name in FORECASTERS}
"""``--model`` choices. Add a network-wide model with one line: ``MODELS["gnn"] = ...``."""


def _gnn(job: ForecastJob) -> DemandForecast:
    from supplynet.server.gnn_commands import gnn_runner  # torch loads only when the GNN is chosen

    return gnn_runner(job)


MODELS["gnn"] = _gnn

DEMO_HORIZON = 28
DEMO_BACKTEST_SERIES = 16
DEMO_BACKTEST_ORIGINS = 3


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast demand for every (store, SKU) series in scope",
        description="Read demand from the store, clean it, forecast each series and write "
        "the forecast (mean, P10/P50/P90, model per series) as CSV or Parquet.",
    )
    add_scope_arguments(parser)
    parser.add_argument("--horizon", type=int, default=DEMO_HORIZON, help="periods (default 28)")
    parser.add_argument(
        "--model", choices=sorted(MODELS), default="auto", help="model (default auto)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output file: .csv or .parquet")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--engine", choices=["process", "ray"], default="process")
    parser.add_argument("--ray-address", default=None, help="Ray cluster (engine ray)")
    parser.set_defaults(handler=run_forecast)


def run_forecast(args: argparse.Namespace) -> int:
    _check_out(args.out)
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        raw = store.read_demand(scope)
    finally:
        store.close()
    if raw.empty:
        raise ValidationFailed([Problem("demand", "no demand history in scope")], "forecast")
    out = console()
    cleaned = clean_demand(raw, freq=infer_freq(raw))
    out.print(key_value_table("cleaning", cleaned.summary.as_dict()))
    parallel = ParallelSettings(args.workers, args.engine, ray_address=args.ray_address)
    started = time.perf_counter()
    with rich_progress(out, f"forecasting ({args.model})") as progress:
        job = ForecastJob(network, cleaned.frame, args.horizon, infer_freq(raw), parallel, progress)
        forecast = MODELS[args.model](job)
    elapsed = time.perf_counter() - started
    write_forecast(forecast, args.out)
    series = len(forecast.series_keys)
    out.print(
        f"forecast {series} series x {args.horizon} periods in {elapsed:.1f} s "
        f"({series / max(elapsed, 1e-9):.1f} series/s); wrote {args.out}"
    )
    out.print(key_value_table("models used", forecast.models_used().to_dict()))
    return 0


def write_forecast(forecast: DemandForecast, path: Path) -> None:
    """Write the forecast frame as CSV or Parquet, chosen by the file suffix."""
    _check_out(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        forecast.frame.to_parquet(path, index=False)
    else:
        forecast.frame.to_csv(path, index=False)


@contextmanager
def rich_progress(out: Console, label: str) -> Iterator[ProgressCallback]:
    """A rich progress bar, handed to the core as a ``progress(done, total)`` callback."""
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(f"[bold]{label}", *columns, console=out, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def stage_forecast(run: DemoRun) -> None:
    """Demo stage: forecast every series 28 days ahead and backtest a sample of series.

    Leaves ``run.results["forecast"]`` (the ``DemandForecast`` for planning) and
    ``run.results["backtest"]`` (the aggregate backtest table).
    """
    raw = run.store.read_demand()
    freq = infer_freq(raw)
    cleaned = clean_demand(raw, freq=freq)
    run.console.print(key_value_table("demand cleaning", cleaned.summary.as_dict()))
    network = run.network if run.network is not None else run.store.snapshot()
    job = ForecastJob(network, cleaned.frame, DEMO_HORIZON, freq, ParallelSettings(), seed=run.seed)
    forecast = MODELS["auto"](job)
    run.results["forecast"] = forecast
    write_forecast(forecast, run.out / "forecast.csv")
    run.console.print(key_value_table("models used (auto)", forecast.models_used().to_dict()))

    keys = cleaned.frame[["store_id", "sku_id"]].drop_duplicates()
    sample = keys.sample(min(DEMO_BACKTEST_SERIES, len(keys)), random_state=run.seed)
    result = backtest(
        cleaned.frame.merge(sample, on=["store_id", "sku_id"]),
        {"auto": FORECASTERS["auto"], **BASELINES},
        DEMO_HORIZON,
        origins=DEMO_BACKTEST_ORIGINS,
    ).with_best(selection_origins=1)
    table = result.aggregate()
    run.results["backtest"] = table
    run.console.print(
        frame_table(
            f"backtest: {len(sample)} of {len(keys)} series sampled (seed {run.seed}), "
            f"{DEMO_BACKTEST_ORIGINS - 1} scored origins x {DEMO_HORIZON} days; "
            "best = per-series model chosen on the first origin",
            table,
        )
    )


def _check_out(path: Path) -> None:
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise ValidationFailed(
            [Problem("out", f"{path}: use a .csv or .parquet file name")], "forecast"
        )
