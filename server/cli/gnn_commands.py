"""``supplynet train demand|risk``, ``supplynet risk``, the GNN forecast runner and demo stage.

The GNN core is pure; this module reads the store, draws the training progress bar,
and keeps checkpoints as files (``<SUPPLYNET_DATA>/models/<kind>.pt`` by default).
torch and PyG load only when a GNN command runs (importing them takes seconds), so
the ``gnn`` imports sit inside the functions.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rich import progress as rich_progress
from rich.console import Console

from supplynet.graph.errors import NotFound, Problem, ValidationFailed
from supplynet.graph.open_store import StoreSettings, open_store
from supplynet.server.arguments import Subparsers, add_scope_arguments, scope_from_args
from supplynet.server.output import console, frame_table, key_value_table

if TYPE_CHECKING:
    from supplynet.forecasting.forecast import DemandForecast
    from supplynet.gnn.demand_forecaster import DemandModel
    from supplynet.gnn.risk_model import RiskModel
    from supplynet.gnn.risk_scores import RiskScores
    from supplynet.gnn.training import Checkpoint, EpochReport, Progress
    from supplynet.server.demo import DemoRun
    from supplynet.server.forecast_commands import ForecastJob

DEMO_EPOCHS = {"demand": 10, "risk": 25}
"""Demo training is short on purpose: the point is the pipeline, bench/ has the scores."""


def checkpoint_path(kind: str, given: Path | None = None) -> Path:
    """Where a model of ``kind`` is kept unless the user names a file."""
    return given if given is not None else StoreSettings().data_dir / "models" / f"{kind}.pt"


def save_checkpoint(checkpoint: Checkpoint, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_bytes(checkpoint.to_bytes())
    partial.replace(path)


def load_checkpoint(kind: str, path: Path | None = None) -> Checkpoint:
    """Raises ``NotFound`` when there is no checkpoint (train one first)."""
    where = checkpoint_path(kind, path)
    if not where.exists():
        raise NotFound(f"{kind} model checkpoint", f"{where} (run: supplynet train {kind})")
    from supplynet.gnn.training import Checkpoint

    return Checkpoint.from_bytes(where.read_bytes())


def register(subparsers: Subparsers) -> None:
    train = subparsers.add_parser(
        "train",
        help="train a GNN (demand or risk) on the stored histories",
        description="Train the demand GNN (quantile forecasts for every series) or the risk "
        "GNN (late-delivery probability per supplier and supply lane) on the store's "
        "network and histories, and save a checkpoint.",
    )
    train.add_argument("kind", choices=["demand", "risk"])
    train.add_argument("--epochs", type=int, default=40, help="most epochs (default 40)")
    train.add_argument("--horizon", type=int, default=28, help="demand: periods (default 28)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    train.add_argument("--no-graph", action="store_true", help="ablation: no message passing")
    train.add_argument("--checkpoint", type=Path, default=None, help="file to write")
    add_scope_arguments(train)
    train.set_defaults(handler=run_train)

    risk = subparsers.add_parser(
        "risk",
        help="score late-delivery risk per supplier and supply lane",
        description="Score every supplier and supply lane with the trained risk GNN: the "
        "probability that the next delivery is late and its expected delay.",
    )
    risk.add_argument("--checkpoint", type=Path, default=None, help="model file to use")
    risk.add_argument("--top", type=int, default=10, help="rows shown (default 10)")
    risk.add_argument("--out", type=Path, default=None, help="write all scores as CSV")
    add_scope_arguments(risk)
    risk.set_defaults(handler=run_risk)


@contextmanager
def training_bar(out: Console, label: str) -> Iterator[Progress]:
    """A rich bar over epochs showing the latest training and validation losses."""
    columns = (
        rich_progress.TextColumn("[bold]{task.description}"),
        rich_progress.BarColumn(),
        rich_progress.MofNCompleteColumn(),
        rich_progress.TextColumn("{task.fields[losses]}"),
        rich_progress.TimeElapsedColumn(),
    )
    with rich_progress.Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task(label, total=None, losses="")

        def update(report: EpochReport) -> None:
            losses = (
                f"train {report.train_loss:.4f} val {report.val_loss:.4f} best @{report.best_epoch}"
            )
            bar.update(task, completed=report.epoch, total=report.epochs, losses=losses)

        yield update


def run_train(args: argparse.Namespace) -> int:
    from supplynet.gnn.demand_forecaster import train_demand
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.risk_model import RiskConfig, train_risk
    from supplynet.gnn.training import TrainConfig

    if args.epochs < 1 or args.horizon < 1:
        raise ValidationFailed([Problem("epochs/horizon", "must be >= 1")], "train")
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        history = (
            store.read_demand(scope) if args.kind == "demand" else store.read_deliveries(scope)
        )
    finally:
        store.close()
    if history.empty:
        raise ValidationFailed([Problem(args.kind, "no history in scope")], "train")
    out = console()
    training = TrainConfig(
        epochs=args.epochs,
        seed=args.seed,
        device=args.device,
        patience=8 if args.kind == "demand" else 10,
    )
    started = time.perf_counter()
    with training_bar(out, f"training {args.kind}") as bar:
        if args.kind == "demand":
            freq = _freq(history)
            config = DemandConfig(
                horizon=args.horizon,
                freq=freq,
                message_passing=not args.no_graph,
                lags=lag_window(freq, history["date"].nunique()),
            )
            model: DemandModel | RiskModel = train_demand(
                network, history, config, training, progress=bar
            )
        else:
            model = train_risk(
                network,
                history,
                RiskConfig(message_passing=not args.no_graph),
                training,
                progress=bar,
            )
    path = checkpoint_path(args.kind, args.checkpoint)
    save_checkpoint(model.checkpoint(), path)
    report = model.report
    assert report is not None
    out.print(
        key_value_table(
            f"{args.kind} GNN",
            {
                "epochs run": len(report.train_loss),
                "best epoch": report.best_epoch + 1,
                "best validation loss": report.best_val_loss,
                "device": report.device,
                "seconds": round(time.perf_counter() - started, 1),
                "checkpoint": str(path),
            },
        )
    )
    return 0


def _freq(history: pd.DataFrame) -> str:
    dates = np.sort(history["date"].unique())
    return "W" if len(dates) > 1 and (dates[1] - dates[0]) >= np.timedelta64(7, "D") else "D"


def run_risk(args: argparse.Namespace) -> int:
    checkpoint = load_checkpoint("risk", args.checkpoint)
    from supplynet.gnn.risk_model import RiskModel, score_risk

    model = RiskModel.from_checkpoint(checkpoint)
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        deliveries = store.read_deliveries(scope)
    finally:
        store.close()
    scores = score_risk(model, network, deliveries)
    out = console()
    show_risk(out, scores, args.top)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        scores.frame.to_csv(args.out, index=False)
        out.print(f"wrote {len(scores.frame)} scores to {args.out}")
    return 0


def show_risk(out: Console, scores: RiskScores, top: int) -> None:
    frame = scores.frame.sort_values("late_probability", ascending=False)
    columns = ["supplier_id", "late_probability", "expected_delay_days"]
    suppliers = frame[frame["entity_type"] == "supplier"][columns]
    lanes = frame[frame["entity_type"] == "supply_lane"][
        ["supplier_id", "warehouse_id", "sku_id", "late_probability", "expected_delay_days"]
    ]
    out.print(frame_table("supplier risk (next delivery)", suppliers.head(top)))
    out.print(
        frame_table(
            f"riskiest {min(top, len(lanes))} of {len(lanes)} supply lanes", lanes.head(top)
        )
    )


def gnn_runner(job: ForecastJob) -> DemandForecast:
    """``supplynet forecast --model gnn``: the saved demand model if it covers the horizon,
    else one trained now on the job's history."""
    from supplynet.gnn.demand_forecaster import DemandModel, forecast_demand, train_demand
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.training import TrainConfig

    where = checkpoint_path("demand")
    if where.exists():
        model = DemandModel.from_checkpoint(load_checkpoint("demand"))
        if model.config.horizon >= job.horizon and model.config.freq == job.freq:
            return _truncate(forecast_demand(model, job.network, job.demand), job.horizon)
    lags = lag_window(job.freq, job.demand["date"].nunique())
    config = DemandConfig(horizon=job.horizon, freq=job.freq, lags=lags)
    model = train_demand(job.network, job.demand, config, TrainConfig(seed=job.seed, epochs=20))
    return forecast_demand(model, job.network, job.demand)


def _truncate(forecast: DemandForecast, horizon: int) -> DemandForecast:
    from supplynet.forecasting.forecast import DemandForecast

    keep = forecast.periods[:horizon]
    return DemandForecast(
        forecast.frame[forecast.frame["period"].isin(keep)].reset_index(drop=True), forecast.freq
    )


def stage_gnn(run: DemoRun) -> None:
    """Demo stage: train both GNNs small, score risk, and set the GNN beside the forecasts.

    The demand GNN is backtested on the same series sample and the same scored origins
    as the forecasting stage's backtest (trained before the first of them), so the
    table compares like with like. Leaves ``run.results["risk"]`` (``RiskScores``),
    ``run.results["gnn_backtest"]`` and ``run.results["gnn_training_seconds"]``.
    """
    from supplynet.forecasting.backtest import Backtest
    from supplynet.forecasting.cleaning import clean_demand
    from supplynet.gnn.backtest import gnn_backtest
    from supplynet.gnn.demand_model import DemandConfig, lag_window
    from supplynet.gnn.risk_model import RiskConfig, score_risk, train_risk
    from supplynet.gnn.training import TrainConfig
    from supplynet.server.forecast_commands import (
        DEMO_BACKTEST_ORIGINS,
        DEMO_BACKTEST_SERIES,
        DEMO_HORIZON,
    )

    network = run.network if run.network is not None else run.store.snapshot()
    raw = run.store.read_demand()
    freq = _freq(raw)
    demand = clean_demand(raw, freq="W" if freq == "W" else "D").frame
    deliveries = run.store.read_deliveries()
    lags = lag_window(freq, demand["date"].nunique())
    config = DemandConfig(horizon=DEMO_HORIZON, freq=freq, lags=lags)
    training = TrainConfig(epochs=DEMO_EPOCHS["demand"], patience=4, seed=run.seed)
    started = time.perf_counter()
    with training_bar(run.console, "training demand GNN") as bar:
        result = gnn_backtest(
            network,
            demand,
            config,
            training,
            origins=DEMO_BACKTEST_ORIGINS - 1,
            stride=7,
            progress=bar,
        )
    demand_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with training_bar(run.console, "training risk GNN") as bar:
        risk_model = train_risk(
            network,
            deliveries,
            RiskConfig(stride_days=3),
            TrainConfig(epochs=DEMO_EPOCHS["risk"], patience=6, batch_size=16, seed=run.seed),
            progress=bar,
        )
    risk_seconds = time.perf_counter() - started
    scores = score_risk(risk_model, network, deliveries)
    run.results["risk"] = scores
    run.results["gnn_training_seconds"] = demand_seconds + risk_seconds
    keys = demand[["store_id", "sku_id"]].drop_duplicates()
    sample = keys.sample(min(DEMO_BACKTEST_SERIES, len(keys)), random_state=run.seed)
    points = result.backtest.points.merge(
        sample.rename(columns={"store_id": "location_id"}), on=["location_id", "sku_id"]
    )
    table = Backtest(points, DEMO_HORIZON).aggregate()
    run.results["gnn_backtest"] = table
    earlier = run.results.get("backtest")
    both = pd.concat([earlier, table], ignore_index=True) if earlier is not None else table
    run.console.print(
        frame_table(
            "GNN vs the forecasting stage's backtest (same series sample and scored origins)",
            both.sort_values("wape", kind="stable"),
        )
    )
    run.console.print(
        key_value_table(
            "GNN training (seconds)",
            {
                "demand": round(demand_seconds, 1),
                "risk": round(risk_seconds, 1),
            },
        )
    )
    show_risk(run.console, scores, 5)
