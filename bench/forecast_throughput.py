"""Prophet throughput on the demo network: series/s with 1 worker vs all cores, and
where the time of one fit + predict goes.

Run: ``flock /tmp/supplynet-bench.lock .venv/bin/python bench/forecast_throughput.py``
(``--series N --repeats R``). Prints the machine's load before and after (other work
may share the cores) and three tables:

1. throughput: ``forecast_demand`` with the project's ``ProphetForecaster`` on N demo
   series (730 days, weekly + yearly seasonality, US holidays, price/promo regressors,
   28-day horizon), 1 worker vs every core, runs interleaved (1, all, 1, all, ...)
   so a change in background load hits both; medians over R repeats of the wall time,
   series/s, CPU seconds per series (this process, its pool workers and their cmdstan
   children), and the ratio to 1 worker;
2. variants: median wall and CPU per series from Prophet's stock settings to the
   project's defaults, one change at a time;
3. breakdown: where the wall time of one fit + predict goes, for the stock settings
   and the project defaults, by timing Prophet's, cmdstanpy's, stanio's and our own
   functions from the outside.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pandas as pd
import stanio.json as stan_json
import ujson
from cmdstanpy import CmdStanModel

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.prophet_model import ProphetForecaster, _prophet_class
from supplynet.forecasting.series import SeriesHistory, split_series
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.synthetic import generate
from supplynet.server.cli.output import console, frame_table

HORIZON = 28


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile-series", type=int, default=12)
    args = parser.parse_args()
    out = console()
    cleaned = clean_demand(generate("demo", seed=0).demand).frame
    keys = cleaned[["store_id", "sku_id"]].drop_duplicates().head(args.series)
    subset = cleaned.merge(keys, on=["store_id", "sku_id"])
    series = split_series(subset)
    cores = os.cpu_count() or 1
    out.print(
        f"demo network, {len(series)} series x {len(series[0].history)} days, horizon "
        f"{HORIZON}, {cores} cores; {load()} before (other work may be running on this "
        "machine)"
    )
    out.print(
        frame_table(
            f"throughput (ProphetForecaster defaults), median of {args.repeats}",
            throughput(subset, cores, args.repeats),
        )
    )
    sample = series[: args.profile_series]
    out.print(frame_table("variants: median per series, one process", variants(sample)))
    out.print(frame_table("breakdown: median wall seconds per series", breakdown(sample)))
    out.print(f"{load()} after")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"


def throughput(subset: pd.DataFrame, cores: int, repeats: int) -> pd.DataFrame:
    n = subset.groupby(["store_id", "sku_id"]).ngroups
    counts = sorted({1, cores})
    # Untimed: imports, the Stan backend and the memoised calendars, as a long run has.
    forecast_demand(subset, ProphetForecaster, HORIZON, parallel=ParallelSettings(workers=1))
    walls: dict[int, list[float]] = defaultdict(list)
    cpus: dict[int, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for workers in counts:
            settings = ParallelSettings(workers=workers)
            wall, cpu = time.perf_counter(), cpu_seconds()
            forecast_demand(subset, ProphetForecaster, HORIZON, parallel=settings)
            walls[workers].append(time.perf_counter() - wall)
            cpus[workers].append(cpu_seconds() - cpu)
    rows = []
    for workers in counts:
        median = statistics.median(walls[workers])
        rows.append(
            {
                "workers": workers,
                "seconds (median)": median,
                "series/s": n / median,
                "cpu s/series": statistics.median(cpus[workers]) / n,
            }
        )
    table = pd.DataFrame(rows)
    table["vs 1 worker"] = table["series/s"] / table["series/s"].iloc[0]
    return table


STOCK = {"uncertainty_samples": 1000, "fast_backend": False}
VARIANTS: list[tuple[str, dict[str, Any], bool]] = [
    ("stock: 1000 draws, Prophet as is, stdlib json", STOCK, False),
    ("+ ujson for Stan's input file", STOCK, True),
    ("+ analytic P10/P90 (0 draws)", {"fast_backend": False}, True),
    ("+ array backend, memoised features, direct forecast = default", {}, True),
    ("  default without holidays (info)", {"country": None}, True),
    ("  default without yearly (info)", {"yearly": False}, True),
]


def variants(sample: list[SeriesHistory]) -> pd.DataFrame:
    rows = []
    for label, params, fast_json in VARIANTS:
        with json_writer(fast_json):
            walls, cpus = per_series(sample, partial(ProphetForecaster, **params))
        rows.append({"variant": label, "wall s": walls, "cpu s": cpus})
    table = pd.DataFrame(rows)
    table["vs stock"] = table["wall s"].iloc[0] / table["wall s"]
    return table


def per_series(
    sample: list[SeriesHistory], factory: Callable[[], ProphetForecaster]
) -> tuple[float, float]:
    factory().fit(sample[0].history).predict(HORIZON)
    walls, cpus = [], []
    for s in sample:
        wall, cpu = time.perf_counter(), cpu_seconds()
        factory().fit(s.history).predict(HORIZON)
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus)


PARTS = {
    "fit: Prophet preprocessing (features, scaling)": (None, "preprocess"),
    "fit: Stan input JSON": (stan_json, "write_stan_json"),
    "fit: cmdstan process (start, parse, L-BFGS, CSV)": (CmdStanModel, "_run_cmdstan"),
    "fit: cmdstanpy optimize (all)": (CmdStanModel, "optimize"),
    "fit (all)": (ProphetForecaster, "fit"),
    "predict (all)": (ProphetForecaster, "predict"),
}


def breakdown(sample: list[SeriesHistory]) -> pd.DataFrame:
    targets = {
        name: (owner if owner is not None else _prophet_class(), attribute)
        for name, (owner, attribute) in PARTS.items()
    }
    columns = {}
    for label, params, fast_json in (VARIANTS[0], VARIANTS[3]):
        factory = partial(ProphetForecaster, **params)
        factory().fit(sample[0].history).predict(HORIZON)
        spent: dict[str, list[float]] = defaultdict(list)
        with json_writer(fast_json), timed(targets) as totals:
            for s in sample:
                totals.clear()
                started = time.perf_counter()
                factory().fit(s.history).predict(HORIZON)
                spent["total fit + predict"].append(time.perf_counter() - started)
                for name in targets:
                    spent[name].append(totals.get(name, 0.0))
        medians = {k: statistics.median(v) for k, v in spent.items()}
        medians["fit: cmdstanpy other (args, temp files, read CSV)"] = (
            medians["fit: cmdstanpy optimize (all)"]
            - medians["fit: Stan input JSON"]
            - medians["fit: cmdstan process (start, parse, L-BFGS, CSV)"]
        )
        medians["fit: other (frames, regressors, Prophet's bookkeeping)"] = (
            medians["fit (all)"]
            - medians["fit: cmdstanpy optimize (all)"]
            - medians["fit: Prophet preprocessing (features, scaling)"]
        )
        medians["other (model construction, loop)"] = (
            medians["total fit + predict"] - medians["fit (all)"] - medians["predict (all)"]
        )
        columns["stock" if label.startswith("stock") else "default"] = medians
    table = pd.DataFrame(columns)
    order = [
        "fit: Prophet preprocessing (features, scaling)",
        "fit: Stan input JSON",
        "fit: cmdstan process (start, parse, L-BFGS, CSV)",
        "fit: cmdstanpy other (args, temp files, read CSV)",
        "fit: other (frames, regressors, Prophet's bookkeeping)",
        "fit (all)",
        "predict (all)",
        "other (model construction, loop)",
        "total fit + predict",
    ]
    return table.loc[order].reset_index(names="part")


@contextmanager
def timed(targets: dict[str, tuple[Any, str]]) -> Iterator[dict[str, float]]:
    """Wrap each target function to add its wall time (outermost calls only)."""
    totals: dict[str, float] = {}
    originals = {}
    for name, (owner, attribute) in targets.items():
        original = getattr(owner, attribute)
        originals[name] = (owner, attribute, original)
        setattr(owner, attribute, _wrap(original, name, totals))
    # cmdstanpy imported write_stan_json by name: patch its reference too
    import cmdstanpy.utils.filesystem as filesystem

    stock_writer = filesystem.write_stan_json
    filesystem.write_stan_json = stan_json.write_stan_json
    try:
        yield totals
    finally:
        filesystem.write_stan_json = stock_writer
        for owner, attribute, original in originals.values():
            setattr(owner, attribute, original)


def _wrap(function: Callable[..., Any], name: str, totals: dict[str, float]) -> Callable[..., Any]:
    depth = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                totals[name] = totals.get(name, 0.0) + time.perf_counter() - started

    return wrapper


@contextmanager
def json_writer(fast: bool) -> Iterator[None]:
    """stanio writes Stan's input with ujson when installed; switch to stdlib json to
    measure the stock path."""
    saved = (stan_json.json, stan_json.UJSON_AVAILABLE)
    stan_json.json, stan_json.UJSON_AVAILABLE = (ujson, True) if fast else (json, False)
    try:
        yield
    finally:
        stan_json.json, stan_json.UJSON_AVAILABLE = saved


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
