"""``supplynet forecast``: parse, call ``server.app.forecast``, write and print the result."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.open_store import open_store
from supplynet.server.app.forecast import (
    MODEL_NAMES,
    forecast_inputs,
    forecast_request,
    run_forecast,
)
from supplynet.server.app.price_plans import price_plan
from supplynet.server.app.settings import AppSettings
from supplynet.server.app.validation import output_file_problems, require
from supplynet.server.cli.arguments import (
    Subparsers,
    add_country_argument,
    add_horizon_argument,
    add_scope_arguments,
    scope_from_args,
)
from supplynet.server.cli.output import (
    calendar_line,
    console,
    count_progress,
    key_value_table,
)

OUT_SUFFIXES = (".csv", ".parquet")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast demand for every (store, SKU) series in scope",
        description="Read demand from the store, clean it, forecast each series and write "
        "the forecast (mean, P10/P50/P90, model per series) as CSV or Parquet.",
    )
    add_scope_arguments(parser)
    add_horizon_argument(parser, "forecast_horizon_days")
    parser.add_argument("--model", choices=MODEL_NAMES, help="model (default: settings, auto)")
    parser.add_argument("--out", type=Path, required=True, help="output file: .csv or .parquet")
    add_country_argument(parser)
    parser.add_argument(
        "--checkpoint", type=Path, default=None, help="saved demand GNN to use (--model gnn)"
    )
    add_prices_plan_argument(parser)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--ray-address", default=None, help="run on this Ray cluster")
    parser.set_defaults(handler=run)


def add_prices_plan_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prices-plan",
        nargs="?",
        const="latest",
        default=None,
        metavar="PLAN_ID",
        help="forecast at the planned prices of this saved prices plan (no id: the newest; "
        "saved by 'supplynet price --apply'); global model only",
    )


def run(args: argparse.Namespace) -> int:
    settings: AppSettings = args.settings
    if args.ray_address:
        settings = settings.model_copy(update={"ray_address": args.ray_address})
    check_out(args.out)
    request = forecast_request(
        settings,
        horizon_days=args.horizon_days,
        model=args.model,
        scope=scope_from_args(args),
        country=args.country,
        checkpoint=args.checkpoint.read_bytes() if args.checkpoint else None,
        prices_plan=args.prices_plan,
    )
    store = open_store()
    try:
        network = store.snapshot()
        demand = store.read_demand()
        prices = price_plan(store, request.prices_plan)
    finally:
        store.close()
    index = SeriesIndex(demand)
    inputs = forecast_inputs(request, network, index, prices)
    out = console()
    out.print(key_value_table("cleaning", index.summary.as_dict()))
    out.print(calendar_line(inputs.country))
    if inputs.prices_plan:
        out.print(f"planned prices: {inputs.prices_plan}")
    started = time.perf_counter()
    with count_progress(out, f"forecasting ({request.model})") as progress:
        forecast = run_forecast(inputs, request, settings.parallel(args.workers), progress)
    elapsed = time.perf_counter() - started
    write_forecast(forecast, args.out)
    series = len(forecast.series_keys)
    out.print(
        f"forecast {series} series x {inputs.horizon.periods} periods ({inputs.horizon.freq}) "
        f"in {elapsed:.1f} s ({series / max(elapsed, 1e-9):.1f} series/s); wrote {args.out}"
    )
    out.print(key_value_table("models used", forecast.models_used().to_dict()))
    return 0


def check_out(path: Path) -> None:
    require(output_file_problems(path, OUT_SUFFIXES), "forecast")


def write_forecast(forecast: DemandForecast, path: Path) -> None:
    """Write the forecast frame as CSV or Parquet, chosen by the file suffix."""
    check_out(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        forecast.frame.to_parquet(path, index=False)
    else:
        forecast.frame.to_csv(path, index=False)
