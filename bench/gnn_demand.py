"""Demand GNN vs Prophet vs the naive baselines: a rolling-origin backtest.

Datasets: ``demo`` (``generate('demo', seed=0)``: 290 daily series, 730 days; horizon
28, 3 origins 28 days apart, as the forecasting demo stage) and ``supplygraph`` (the
public SupplyGraph sales orders in units: 41 daily series, 176 days; horizon 7, 8
weekly origins, as ``bench/forecast_supplygraph.py``; Prophet with Bangladesh holidays).

Every model sees only the periods before each origin. The per-series models run in
``forecasting.backtest.backtest`` (refit at every origin). The GNN is trained once on
the periods before the first origin (no refit) and scored into the same
``Backtest`` tables, so WAPE (of the mean), pinball (mean over P10/P50/P90) and
coverage are computed by the same code for every row.

The GNN trains on every series (it is one model of the whole network); all rows are
scored on the same seeded sample of ``--sample`` series (Prophet's per-series refits
are what takes time). Prophet gets the generator's holiday calendar (``DE``).

Promotions: the generator's promotions are planned (chain-wide promo weeks), so a
forecaster may legitimately know them for the horizon. The forecasting backtest does
not pass them to Prophet. To compare fairly, rows come in pairs: ``gnn`` and
``prophet_planned`` get the plan (price and promo of the horizon); ``gnn_no_plan`` and
``prophet`` do not. ``gnn_no_edges`` is the ablation: the same model and plan, every
graph edge removed (no message passing). GNN rows are medians over ``--seeds``.

Usage: flock /tmp/supplynet-bench.lock .venv/bin/python bench/gnn_demand.py
       [--dataset demo|supplygraph] [--seeds 0 1 2] [--skip-prophet]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from supplynet.forecasting import metrics
from supplynet.forecasting.backtest import Backtest, backtest, cuts
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.forecaster import ForecasterFactory, season_length
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.registry import BASELINES, FORECASTERS
from supplynet.forecasting.series import SeriesHistory, split_series
from supplynet.gnn.backtest import GnnBacktest, gnn_backtest
from supplynet.gnn.demand_forecaster import forecast_demand
from supplynet.gnn.demand_model import DemandConfig, lag_window
from supplynet.gnn.graph_data import NODE, build_graph, snapshot
from supplynet.gnn.panel import build_panel
from supplynet.gnn.training import TrainConfig
from supplynet.graph.executor import parallel_map
from supplynet.graph.network import Network
from supplynet.graph.supplygraph import load_supplygraph
from supplynet.graph.synthetic import HOLIDAY_COUNTRY, generate

SUPPLYGRAPH = Path(__file__).resolve().parents[2] / "shared" / "data" / "supplygraph"


@dataclass(frozen=True)
class Setup:
    network: Network
    demand: pd.DataFrame
    horizon: int
    origins: int
    config: DemandConfig
    training: TrainConfig
    stride: int
    per_series: dict[str, ForecasterFactory]


def setup(dataset: str, with_prophet: bool) -> Setup:
    """The dataset and the backtest the forecasting benchmarks run on it."""
    if dataset == "demo":
        data = generate("demo", seed=0)
        models = {"seasonal_naive": BASELINES["seasonal_naive"]}
        if with_prophet:
            models["prophet"] = partial(ProphetForecaster, country=HOLIDAY_COUNTRY)
        return Setup(
            data.network,
            data.demand,
            28,
            3,
            DemandConfig(
                horizon=28,
                lags=lag_window("D", data.demand["date"].nunique()),
                holiday_country=HOLIDAY_COUNTRY,
            ),
            TrainConfig(epochs=30, patience=6),
            3,
            models,
        )
    # bench/forecast_supplygraph.py: 8 weekly origins x 7 days, Prophet with BD holidays.
    loaded = load_supplygraph(SUPPLYGRAPH)
    models = {**BASELINES, "naive": FORECASTERS["naive"]}
    if with_prophet:
        models["prophet"] = partial(ProphetForecaster, country=loaded.country)
    return Setup(
        loaded.network,
        loaded.demand,
        7,
        8,
        DemandConfig(lags=28, horizon=7, hidden=16, holiday_country=loaded.country),
        TrainConfig(epochs=60, patience=10, batch_size=8),
        1,
        models,
    )


def planned_points(horizon: int, origins: int, series: SeriesHistory) -> pd.DataFrame:
    """Prophet refit at every origin, given the horizon's price and promo plan."""
    history = series.history
    season = season_length(pd.DatetimeIndex(history.index))
    rows = []
    for cut in cuts(len(history), horizon, origins, horizon):
        train, plan = history.iloc[:cut], history.iloc[cut : cut + horizon]
        prophet = ProphetForecaster(country=HOLIDAY_COUNTRY)
        answer = prophet.fit(train).predict(horizon, future=plan).reset_index()
        answer["actual"] = plan["quantity"].to_numpy(dtype=float)
        answer["scale"] = metrics.mase_scale(train["quantity"].to_numpy(dtype=float), season)
        answer["origin"] = answer["period"].iloc[0]
        rows.append(answer)
    frame = pd.concat(rows, ignore_index=True)
    frame["model"] = frame["fitted_model"] = "prophet_planned"
    frame["location_id"], frame["sku_id"] = series.location_id, series.sku_id
    return frame


def inference_seconds(s: Setup, result: GnnBacktest, repeats: int = 5) -> tuple[float, float]:
    """(forward pass only, whole forecast from the long frame), medians over repeats."""
    model = result.model
    panel = build_panel(s.demand).padded(len(np.unique(s.demand["date"])) + s.horizon)
    graph = build_graph(s.network, panel.keys)
    origin = len(panel.periods)
    data = snapshot(panel, graph, origin, model.config.lags, model.config.horizon)
    forward, total = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        with torch.no_grad():
            model.net(data)
        forward.append(time.perf_counter() - started)
        started = time.perf_counter()
        forecast_demand(model, s.network, s.demand)
        total.append(time.perf_counter() - started)
    assert data[NODE].num_nodes == panel.n_series
    return float(np.median(forward)), float(np.median(total))


def per_series_tables(s: Setup, scored: pd.DataFrame, *, planned: bool) -> list[pd.DataFrame]:
    """Aggregated backtests of the per-series models (refit at every origin); ``planned``
    adds Prophet given the promotion plan."""
    started = time.perf_counter()
    tables = [backtest(scored, s.per_series, s.horizon, origins=s.origins).aggregate()]
    if planned:
        work = partial(planned_points, s.horizon, s.origins)
        points = pd.concat(parallel_map(work, split_series(scored)), ignore_index=True)
        tables.append(Backtest(points, s.horizon).aggregate())
    print(f"per-series models: {time.perf_counter() - started:.0f} s")
    return tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["demo", "supplygraph"], default="demo")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--skip-prophet", action="store_true")
    parser.add_argument(
        "--sample", type=int, default=80, help="series scored (seeded sample; 0: all)"
    )
    parser.add_argument(
        "--per-series-cache",
        type=Path,
        help="CSV of the per-series rows: read if present (same dataset and sample), else written",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    s = setup(args.dataset, not args.skip_prophet)
    cleaned = clean_demand(s.demand, freq="D").frame
    keys = cleaned[["store_id", "sku_id"]].drop_duplicates()
    if 0 < args.sample < len(keys):
        keys = keys.sample(args.sample, random_state=0)
    scored = cleaned.merge(keys, on=["store_id", "sku_id"])
    cache = args.per_series_cache
    if cache is not None and cache.exists():
        tables = [pd.read_csv(cache)]
        print(f"per-series models: read from {cache}")
    else:
        planned = not args.skip_prophet and args.dataset == "demo"
        tables = per_series_tables(s, scored, planned=planned)
        if cache is not None:
            pd.concat(tables, ignore_index=True).to_csv(cache, index=False)
    variants = {
        "gnn": (s.config, True),
        "gnn_no_edges": (dataclasses.replace(s.config, message_passing=False), True),
    }
    gnn_rows, train_seconds, last = [], [], None
    for seed in args.seeds:
        training = dataclasses.replace(s.training, seed=seed)
        for name, (config, plan) in variants.items():
            started = time.perf_counter()
            result = gnn_backtest(
                s.network,
                cleaned,
                config,
                training,
                origins=s.origins,
                known_future=plan,
                name=name,
                stride=s.stride,
            )
            if name == "gnn":
                train_seconds.append(time.perf_counter() - started)
                last = result
                no_plan = gnn_backtest(
                    s.network,
                    cleaned,
                    config,
                    training,
                    origins=s.origins,
                    known_future=False,
                    name="gnn_no_plan",
                    model=result.model,
                )
                gnn_rows.append(_on(no_plan.backtest, keys).aggregate().assign(seed=seed))
            gnn_rows.append(_on(result.backtest, keys).aggregate().assign(seed=seed))
    gnn_table = pd.concat(gnn_rows).groupby("model", sort=False).median(numeric_only=True)
    gnn_table = gnn_table.drop(columns="seed").reset_index()
    table = pd.concat([*tables, gnn_table], ignore_index=True).sort_values("wape")
    for reference in ("prophet", "seasonal_naive"):
        if reference in set(table["model"]):
            base = table.loc[table["model"] == reference, "wape"].iloc[0]
            table[f"wape_vs_{reference}"] = table["wape"] / base
    n_series = cleaned.groupby(["store_id", "sku_id"]).ngroups
    print(
        f"\n{args.dataset}: horizon {s.horizon}, {s.origins} origins, {len(keys)} of "
        f"{n_series} series scored (the GNN trains on all); GNN medians over seeds {args.seeds}"
    )
    print(table.to_string(index=False, float_format="{:.4f}".format))
    assert last is not None
    forward, total = inference_seconds(s, last)
    print(
        f"\nGNN training (incl. backtest forecasts), median over seeds: "
        f"{np.median(train_seconds):.1f} s; "
        f"inference for all series: forward {forward * 1000:.1f} ms, "
        f"whole forecast from the long frame {total:.2f} s"
    )


def _on(result: Backtest, keys: pd.DataFrame) -> Backtest:
    """The backtest restricted to the scored series."""
    wanted = keys.rename(columns={"store_id": "location_id"})
    return Backtest(result.points.merge(wanted, on=["location_id", "sku_id"]), result.horizon)


if __name__ == "__main__":
    main()
