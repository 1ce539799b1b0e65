"""Forecast accuracy and cost of every demand model: rolling-origin backtests.

Run: ``flock /tmp/supplynet-bench.lock .venv/bin/python bench/forecast_accuracy.py``
(``--dataset supplygraph|demo|weekly``, ``--horizons 7 28 45``; ``--scale 100000``
instead times a 100,000-series refresh, see ``scale``).

Datasets: ``supplygraph`` (the public SupplyGraph sales orders, 41 daily series; 8
origins a week apart; Bangladesh holidays) and ``demo`` (``generate('demo', seed=0)``,
290 daily series over two years; 4 origins 28 days apart; German holidays, the
generator's calendar), and ``weekly`` (the ``large`` preset's shape, 104 weeks, at 24
of its 520 stores and 200 of its 1,050 SKUs: ~1,100 weekly series; 4 origins 4 weeks
apart; horizons count weeks; its extra row ``auto_rules`` is the per-series rule set,
Prophet first, that ``auto`` was on weekly data before the global model took weekly
data). Every model gets the same holiday calendar and, for the horizon,
the planned price and promotion (known-future values; SupplyGraph has none).

At each origin every model sees only the days before it: it is fitted on them (the
global model is refit every ``--refit-every`` origins and otherwise forecasts from the
new history with its last fit) and forecasts ``horizon`` days. Intervals of the
per-series models are conformally calibrated on a backtest inside that history
(``forecasting.conformal``); the global model calibrates on its own time-split
validation. Scores are pooled over every scored point: WAPE and bias of ``mean``,
pinball loss (mean over P10/P50/P90), P10-P90 coverage. CPU seconds per series count
fitting (calibration included) and forecasting, per origin, with the child processes
that Prophet's Stan fits run in.

Models: ``auto`` (the default: ``lightgbm_combined``, the global model with and
without graph features averaged per series with weights from its validation windows),
``lightgbm_global`` (with the network's relations), ``lightgbm_no_graph`` (its
ablation without them), ``gnn`` (the demand GNN, small and on the
CPU, refit like the global model; its own quantiles, not conformally calibrated),
``prophet``, ``weekday_avg_4wk`` (the weekday
mean of the last four weeks), ``seasonal_naive``, and ``weekday_avg_4wk_raw`` (its
intervals uncalibrated, to show what calibration changes). ``wape`` scores ``mean``
(what a planner sums), ``wape_p50`` the median (the point that minimises absolute
error). On ``demo`` and ``weekly`` the per-series models and every score use a seeded sample of
``--sample`` series (Prophet's fits are what takes time); the global model and the GNN
train on all series.

``oracle`` (``demo`` only) is the noise floor: the generator's true expected demand
(``SyntheticTruth``: base rate, seasonality, holidays, price, promotion and
cannibalisation on the actual days) as ``mean`` and P50, and the true gamma-Poisson
quantiles. No forecaster knows more, so its WAPE ratio to Prophet bounds what any model
can reach on these points.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from supplynet.forecasting import metrics
from supplynet.forecasting.backtest import cuts
from supplynet.forecasting.baselines import SeasonalAverage, SeasonalNaive
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.conformal import CalibratedPerSeries, PanelForecaster
from supplynet.forecasting.global_model import GlobalForecaster
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.registry import forecaster_factory, panel_forecaster
from supplynet.gnn.demand_forecaster import GnnForecaster
from supplynet.gnn.demand_model import DemandConfig
from supplynet.gnn.training import TrainConfig
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.supplygraph import load_supplygraph
from supplynet.graph.synthetic import (
    DEMAND_NOISE_SHAPE,
    HOLIDAY_COUNTRY,
    PRESETS,
    SyntheticDataset,
    daily_seasonality,
    demand_effect,
    generate,
)

ROOT = Path(__file__).resolve().parents[1]
SUPPLYGRAPH = ROOT.parent / "shared" / "data" / "supplygraph"
RESULTS = ROOT / "bench" / "results"
QUANTILES = (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))
WEEKLY = replace(
    PRESETS["large"], name="weekly", regions=2, suppliers=8, warehouses=3, stores=24, skus=200
)
"""The ``large`` preset's weekly shape (assortment, slow movers, 104 weeks), smaller."""


@dataclass(frozen=True)
class Dataset:
    name: str
    cleaned: pd.DataFrame
    network: Network
    country: str
    origins: int
    step: int
    scored: frozenset[tuple[str, str]]
    truth: pd.DataFrame | None = None
    """``oracle``'s answer per ``store_id``, ``sku_id``, ``date`` (daily synthetic data only)."""
    period_days: int = 1


def load(name: str, sample: int) -> Dataset:
    if name == "supplygraph":
        data = load_supplygraph(SUPPLYGRAPH)
        cleaned = clean_demand(data.demand).frame
        keys = _keys(cleaned)
        return Dataset(name, cleaned, data.network, data.country, 8, 7, frozenset(keys))
    synthetic = generate("demo" if name == "demo" else WEEKLY, seed=0)
    cleaned = clean_demand(synthetic.demand, synthetic.preset.freq).frame
    keys = _keys(cleaned)
    rng = np.random.default_rng(0)
    picked = rng.choice(len(keys), size=min(sample, len(keys)), replace=False)
    scored = frozenset(keys[i] for i in picked)
    if name == "weekly":
        return Dataset(name, cleaned, synthetic.network, HOLIDAY_COUNTRY, 4, 4, scored, None, 7)
    return Dataset(
        name, cleaned, synthetic.network, HOLIDAY_COUNTRY, 4, 28, scored, oracle(synthetic, scored)
    )


def oracle(synthetic: SyntheticDataset, keys: frozenset[tuple[str, str]]) -> pd.DataFrame:
    """The true expected demand of the ``keys`` series on every day, with the quantiles
    of the generator's gamma-Poisson noise (a negative binomial of shape
    ``DEMAND_NOISE_SHAPE``), rebuilt as ``graph.synthetic`` draws it."""
    truth, demand = synthetic.truth, synthetic.demand
    skus = truth.skus.reset_index(drop=True)
    sku_of = pd.Series(np.arange(len(skus)), index=skus["sku_id"])
    dates = pd.DatetimeIndex(np.sort(demand["date"].unique()))
    plan = demand.drop_duplicates(["date", "sku_id"])
    price = (
        plan.pivot(index="date", columns="sku_id", values="price")
        .reindex(index=dates, columns=skus["sku_id"])
        .fillna(pd.Series(skus["base_price"].to_numpy(), index=skus["sku_id"]))
    )
    promo = plan.pivot(index="date", columns="sku_id", values="promo")
    promo = promo.reindex(index=dates, columns=skus["sku_id"]).fillna(False).astype(bool)
    pairs = [
        (int(sku_of[row.sku_id]), int(sku_of[row.substitute_id]), float(row.loss))
        for row in truth.cannibalisation.itertuples()
    ]
    effect = demand_effect(skus, price.to_numpy(float), promo.to_numpy(), pairs)
    category_of = pd.Series(np.arange(len(truth.categories)), index=truth.categories["category"])
    seasonal = daily_seasonality(truth.categories, dates)
    series = truth.series[
        [
            (a, b) in keys
            for a, b in zip(truth.series["store_id"], truth.series["sku_id"], strict=True)
        ]
    ]
    sku = sku_of.reindex(series["sku_id"]).to_numpy()
    category = category_of.reindex(skus["category"].to_numpy()[sku]).to_numpy()
    rate = series["base_rate"].to_numpy()[None, :] * seasonal[:, category] * effect[:, sku]
    frame = pd.DataFrame(
        {
            "store_id": np.tile(series["store_id"].to_numpy(), len(dates)),
            "sku_id": np.tile(series["sku_id"].to_numpy(), len(dates)),
            "date": np.repeat(dates.to_numpy(), len(series)),
            "mean": rate.ravel(),
        }
    )
    shape = DEMAND_NOISE_SHAPE
    chance = shape / (shape + frame["mean"].to_numpy())
    for column, q in QUANTILES:
        frame[column] = stats.nbinom.ppf(q, shape, chance)
    return frame


def _keys(cleaned: pd.DataFrame) -> list[tuple[str, str]]:
    pairs = cleaned[["store_id", "sku_id"]].drop_duplicates().itertuples(index=False, name=None)
    return sorted((str(a), str(b)) for a, b in pairs)


def models(data: Dataset, horizon: int) -> dict[str, tuple[Callable[[], PanelForecaster], bool]]:
    """Name -> (factory, trained on every series rather than the scored sample)."""
    per_series = partial(CalibratedPerSeries, horizon=horizon)
    lightgbm = partial(GlobalForecaster, horizon, data.country, data.network)
    gnn = partial(
        GnnForecaster,
        data.network,
        DemandConfig(lags=28, horizon=horizon, hidden=16, holiday_country=data.country),
        TrainConfig(epochs=30, patience=6),
        stride=3,
    )
    rules = forecaster_factory("auto", data.country, horizon)
    weekly = {"auto_rules": (partial(per_series, rules, "auto_rules"), False)}
    return {
        **(weekly if data.period_days > 1 else {}),
        "auto": (partial(panel_forecaster, "auto", horizon, data.country, data.network), True),
        "lightgbm_global": (lightgbm, True),
        "lightgbm_no_graph": (partial(lightgbm, graph=False), True),
        "gnn": (gnn, True),
        "prophet": (
            partial(per_series, partial(ProphetForecaster, country=data.country), "prophet"),
            False,
        ),
        "weekday_avg_4wk": (partial(per_series, SeasonalAverage, "weekday_avg_4wk"), False),
        "seasonal_naive": (partial(per_series, SeasonalNaive, "seasonal_naive"), False),
        "weekday_avg_4wk_raw": (
            partial(per_series, SeasonalAverage, "weekday_avg_4wk_raw", origins=0),
            False,
        ),
    }


def run(
    data: Dataset, horizon: int, refit_every: int, without: frozenset[str] = frozenset()
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(scores per model, CPU cost per model, why a model was not scored) of one
    horizon's backtest, leaving out the models named in ``without``. A model that
    refuses the history at any origin (``ValidationFailed``, e.g. the GNN's history too
    short for a long horizon) is not scored at all, so every row covers the same points."""
    dates = pd.DatetimeIndex(np.sort(data.cleaned["date"].unique()))
    positions = cuts(len(dates), horizon, data.origins, data.step)
    keys = pd.MultiIndex.from_arrays([data.cleaned["store_id"], data.cleaned["sku_id"]])
    in_sample = keys.isin(list(data.scored))
    points, costs, refused = [], [], []
    span = pd.Timedelta(days=horizon * data.period_days)
    for name, (factory, everything) in models(data, horizon).items():
        if name in without:
            continue
        frame = data.cleaned if everything else data.cleaned[in_sample]
        cpu, fitted, mine = 0.0, None, []
        for k, cut in enumerate(positions):
            origin = dates[cut]
            history = frame[frame["date"] < origin]
            window = frame[(frame["date"] >= origin) & (frame["date"] < origin + span)]
            started = _cpu()
            try:
                if fitted is None or k % refit_every == 0 or not everything:
                    fitted = factory().fit(history)
            except ValidationFailed as error:
                refused.append(f"{name} not scored: at origin {origin.date()}: {error}")
                break
            forecast = fitted.forecast(history, future=window).frame
            cpu += _cpu() - started
            actual = window.rename(columns={"store_id": "location_id", "date": "period"})
            scored = forecast.merge(
                actual[["location_id", "sku_id", "period", "quantity"]],
                on=["location_id", "sku_id", "period"],
            )
            keep = [
                (a, b) in data.scored
                for a, b in zip(scored["location_id"], scored["sku_id"], strict=True)
            ]
            mine.append(scored[keep].assign(model=name, origin=origin))
        if len(mine) < len(positions):
            continue
        points += mine
        series = frame.groupby(["store_id", "sku_id"]).ngroups
        costs.append(
            {
                "model": name,
                "series": series,
                "origins": len(positions),
                "cpu_s": round(cpu, 1),
                "cpu_s_per_series": cpu / (series * len(positions)),
                "series_per_s": series * len(positions) / max(cpu, 1e-9),
            }
        )
    if data.truth is not None:
        points += [_oracle_points(data, dates[cut], horizon) for cut in positions]
    return _scores(pd.concat(points, ignore_index=True)), pd.DataFrame(costs), refused


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Prophet's Stan fits run in
    a child process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _oracle_points(data: Dataset, origin: pd.Timestamp, horizon: int) -> pd.DataFrame:
    """The oracle's answers on the scored series' days of one window, with the actuals."""
    assert data.truth is not None
    days = (data.truth["date"] >= origin) & (
        data.truth["date"] < origin + pd.Timedelta(days=horizon)
    )
    scored = data.truth[days].merge(
        data.cleaned[["store_id", "sku_id", "date", "quantity"]], on=["store_id", "sku_id", "date"]
    )
    return scored.assign(model="oracle", origin=origin)


def _scores(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, part in points.groupby("model", sort=False):
        actual = part["quantity"].to_numpy(dtype=float)
        rows.append(
            {
                "model": name,
                "points": len(part),
                "wape": metrics.wape(actual, part["mean"]),
                "wape_p50": metrics.wape(actual, part["p50"]),
                "bias": metrics.bias(actual, part["mean"]),
                "pinball": float(
                    np.mean([metrics.pinball(actual, part[c], q) for c, q in QUANTILES])
                ),
                "coverage": metrics.coverage(actual, part["p10"], part["p90"]),
            }
        )
    table = pd.DataFrame(rows)
    for reference in ("prophet", "weekday_avg_4wk"):
        if reference not in set(table["model"]):
            continue
        ref = table.loc[table["model"] == reference].iloc[0]
        table[f"wape_vs_{reference}"] = table["wape"] / ref["wape"]
        table[f"pinball_vs_{reference}"] = table["pinball"] / ref["pinball"]
    return table.sort_values("wape").reset_index(drop=True)


def scale(series: int, horizon: int = 28) -> list[str]:
    """Train the default model (``auto``: both global variants) once on ``demo`` (all 290
    series, two years), then time a forecast refresh of ``series`` series from trained:
    the demo's series replicated (each replica a full forecast with its graph features,
    from the last 400 days).
    Prints training and refresh CPU and wall time, series/s and the peak RSS."""
    synthetic = generate("demo", seed=0)
    cleaned = clean_demand(synthetic.demand).frame
    started, cpu = time.perf_counter(), time.process_time()
    model = panel_forecaster("auto", horizon, HOLIDAY_COUNTRY, synthetic.network).fit(cleaned)
    train_wall, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    recent = cleaned[cleaned["date"] > cleaned["date"].max() - pd.Timedelta(days=400)]
    per_copy = recent.groupby(["store_id", "sku_id"]).ngroups
    copies = math.ceil(series / per_copy)
    started, cpu, rows = time.perf_counter(), time.process_time(), 0
    for _ in range(copies):
        rows += len(model.forecast(recent).frame)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    done = copies * per_copy
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return [
        f"training {model.model_name} on demo (290 series x 730 days, horizon {horizon}): "
        f"{train_wall:.0f} s wall, {train_cpu:.0f} CPU-s",
        f"refresh from trained: {done} series ({copies} x {per_copy}), {rows} rows, "
        f"{wall:.0f} s wall, {used:.0f} CPU-s: {done / wall:.0f} series/s, "
        f"{used / done * 1e3:.2f} CPU-ms per series",
        f"peak RSS {peak:.2f} GiB (one process)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--dataset", choices=["supplygraph", "demo", "weekly"], default="supplygraph"
    )
    parser.add_argument("--horizons", type=int, nargs="+", default=[7, 28, 45])
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--refit-every", type=int, default=4)
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument(
        "--without",
        nargs="*",
        default=[],
        help="models to leave out (a model that refuses the history, e.g. the GNN at 45 days "
        "on SupplyGraph, is reported as not scored)",
    )
    parser.add_argument(
        "--output", default="", help="result file name (default forecast_accuracy_DATASET.txt)"
    )
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if args.scale:
        load_before = os.getloadavg()[0]
        lines = scale(args.scale)
        header = (
            f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} commit {commit}; load "
            f"average before {load_before:.1f}, after {os.getloadavg()[0]:.1f} (2 shared cores)"
        )
        print("\n".join(lines))
        (RESULTS / "forecast_scale.txt").write_text("\n".join([header, *lines]) + "\n")
        return
    data = load(args.dataset, args.sample)
    lines = [
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} commit {commit}; "
        f"load average before {os.getloadavg()[0]:.1f} (2 cores shared with other work)",
        f"# .venv/bin/python bench/forecast_accuracy.py --dataset {args.dataset} "
        f"--horizons {' '.join(map(str, args.horizons))} --sample {args.sample} "
        f"--refit-every {args.refit_every}"
        + (f" --without {' '.join(args.without)}" if args.without else "")
        + (f" --output {args.output}" if args.output else ""),
        f"{args.dataset}: {len(data.scored)} series scored, {data.origins} origins "
        f"{data.step * data.period_days} days apart, holidays {data.country}",
    ]
    unit = "days" if data.period_days == 1 else "weeks"
    pd.set_option("display.width", 200)
    for horizon in args.horizons:
        scores, costs, refused = run(data, horizon, args.refit_every, frozenset(args.without))
        table = [
            "",
            f"horizon {horizon} {unit}: pooled scores",
            scores.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
            *refused,
            f"horizon {horizon} {unit}: CPU cost (fit incl. calibration + forecast, per origin)",
            costs.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
        ]
        lines += table
        print("\n".join(table), flush=True)
        # Written after every horizon, so a long run keeps what it finished.
        after = f"# load average after {os.getloadavg()[0]:.1f}"
        path = RESULTS / (args.output or f"forecast_accuracy_{args.dataset}.txt")
        path.write_text("\n".join([*lines, after]) + "\n")


if __name__ == "__main__":
    main()
