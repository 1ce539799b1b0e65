"""Forecast accuracy on the public SupplyGraph data (sales-order units per product, daily).

Run: ``flock /tmp/supplynet-bench.lock .venv/bin/python bench/forecast_supplygraph.py``
(``--origins N --horizon H``). A rolling-origin backtest over the last N weeks of the
data (origins one week apart, forecasting H days from each): WAPE, MASE, bias,
pinball loss and P10-P90 coverage of Prophet (Bangladesh holidays: the data comes from
a Bangladeshi FMCG maker), seasonal naive, the 28-day moving average, the weekday
average of the last 4 weeks, the automatic fallback, and the per-series best model
chosen on the first half of the origins and scored on the second half.
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial
from pathlib import Path

from supplynet.forecasting.backtest import backtest
from supplynet.forecasting.baselines import MovingAverage, SeasonalAverage, SeasonalNaive
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.forecaster import ForecasterFactory
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.selection import AutoForecaster
from supplynet.graph.supplygraph import COUNTRY, load_supplygraph
from supplynet.server.cli.output import console, frame_table, key_value_table

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "supplygraph"

PROPHET = partial(ProphetForecaster, country=COUNTRY)
MODELS: dict[str, ForecasterFactory] = {
    "prophet": PROPHET,
    "seasonal_naive": SeasonalNaive,
    "moving_average_28d": MovingAverage,
    "weekday_avg_4wk": SeasonalAverage,
    "auto": partial(AutoForecaster, primary=PROPHET),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--horizon", type=int, default=7)
    args = parser.parse_args()
    out = console()
    data = load_supplygraph(ROOT)
    cleaned = clean_demand(data.demand)
    out.print(key_value_table("SupplyGraph sales orders: cleaning", cleaned.summary.as_dict()))
    frame = cleaned.frame
    out.print(
        f"{cleaned.summary.series} series, {frame['date'].min():%Y-%m-%d} .. "
        f"{frame['date'].max():%Y-%m-%d}; {args.origins} weekly origins x {args.horizon} days; "
        f"load average {os.getloadavg()[0]:.1f} (other work may be running)"
    )
    started = time.perf_counter()
    result = backtest(frame, MODELS, args.horizon, origins=args.origins, step=7)
    elapsed = time.perf_counter() - started
    out.print(
        frame_table(
            f"all {args.origins} origins (backtest took {elapsed:.0f} s)", result.aggregate()
        )
    )
    half = args.origins // 2
    out.print(
        frame_table(
            f"last {args.origins - half} origins; "
            f"best = per-series lowest MASE on the first {half}",
            result.with_best("mase", selection_origins=half).aggregate(),
        )
    )
    auto = result.points[result.points["model"] == "auto"]
    chosen = auto.drop_duplicates(["sku_id", "origin"])["fitted_model"].value_counts()
    out.print(key_value_table("auto: models chosen (series x origins)", chosen.to_dict()))


if __name__ == "__main__":
    main()
