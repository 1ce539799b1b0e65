"""``supplynet train demand|risk`` and ``supplynet risk``: thin doors onto ``server.app.train``.

torch and PyG load only when a GNN command runs (importing them takes seconds).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich import progress as rich_progress
from rich.console import Console

from supplynet.graph.open_store import open_store
from supplynet.server.app import train as use
from supplynet.server.app.models import ModelStore
from supplynet.server.app.risk_ranking import RiskRanking, model_version, rank_risk
from supplynet.server.app.settings import AppSettings, holiday_country
from supplynet.server.app.validation import checked, output_file_problems, require
from supplynet.server.cli.arguments import (
    Subparsers,
    add_country_argument,
    add_scope_arguments,
    scope_from_args,
)
from supplynet.server.cli.output import calendar_line, console, frame_table, key_value_table

if TYPE_CHECKING:
    from supplynet.gnn.training import EpochReport, Progress


def register(subparsers: Subparsers) -> None:
    train = subparsers.add_parser(
        "train",
        help="train a GNN (demand or risk) on the stored histories",
        description="Train the demand GNN (quantile forecasts for every series), the risk "
        "GNN (late-delivery probability per supplier and supply lane) or the recommender "
        "(a blend of LightGCN over sales, substitution, category and supplier edges, item "
        "co-occurrence and catalogue links, weighted on a validation split) on the store's "
        "network and histories, and save a checkpoint.",
    )
    train.add_argument("kind", choices=["demand", "risk", "recommend"])
    train.add_argument(
        "--epochs", type=int, default=None, help="most epochs (default 40; recommend: 150)"
    )
    train.add_argument(
        "--horizon-days", "--horizon", dest="horizon_days", type=int, default=28,
        help="demand: days ahead (default 28)",
    )  # fmt: skip
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--max-series", type=int, default=None,
        help="demand: train on at most this many series, whole stores in a seeded order "
        "(default: every series)",
    )  # fmt: skip
    train.add_argument(
        "--max-cutoffs", type=int, default=None,
        help="risk: at most this many training cut-off days, spread over the history "
        "(default: every day)",
    )  # fmt: skip
    train.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    train.add_argument("--no-graph", action="store_true", help="ablation: no message passing")
    train.add_argument("--checkpoint", type=Path, default=None, help="file to write")
    add_country_argument(train)
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
    if args.kind == "recommend":
        from supplynet.server.cli.recommend_commands import run_train_recommend

        return run_train_recommend(args)
    settings: AppSettings = args.settings
    request = checked(
        use.TrainRequest,
        "train",
        kind=args.kind,
        epochs=args.epochs,
        horizon_days=args.horizon_days,
        seed=args.seed,
        device=args.device,
        message_passing=not args.no_graph,
        country=args.country or settings.country,
        max_series=args.max_series,
        max_cutoffs=args.max_cutoffs,
    )
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        history = (
            store.read_demand(scope) if request.kind == "demand" else store.read_deliveries(scope)
        )
    finally:
        store.close()
    out = console()
    if request.kind == "demand":
        out.print(calendar_line(holiday_country(request.country, network)))
    started = time.perf_counter()
    with training_bar(out, f"training {request.kind}") as bar:
        trained = use.train_model(
            request,
            network,
            history,
            ModelStore.beside(),
            checkpoint=str(args.checkpoint) if args.checkpoint else None,
            progress=bar,
        )
    report = trained.model.report
    assert report is not None
    out.print(
        key_value_table(
            f"{request.kind} GNN",
            {
                "trained on": trained.trained_on,
                "epochs run": len(report.train_loss),
                "best epoch": report.best_epoch + 1,
                "best validation loss": report.best_val_loss,
                "device": report.device,
                "seconds": round(time.perf_counter() - started, 1),
                "checkpoint": trained.path,
            },
        )
    )
    return 0


def run_risk(args: argparse.Namespace) -> int:
    if args.out is not None:
        require(output_file_problems(args.out, (".csv",)), "risk")
    checkpoint = ModelStore.beside().load_bytes("risk", args.checkpoint)
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        deliveries = store.read_deliveries(scope)
    finally:
        store.close()
    scores = use.score_risk(checkpoint, network, deliveries)
    version = model_version(checkpoint)
    out = console()
    show_risk(out, rank_risk(scores, version), args.top)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        scores.frame.assign(model_version=version).to_csv(args.out, index=False)
        out.print(f"wrote {len(scores.frame)} scores to {args.out}")
    return 0


def show_risk(out: Console, ranking: RiskRanking, top: int) -> None:
    """The one ranking (``server.app.risk_ranking``), naming the model it came from."""
    lanes = ranking.lanes
    out.print(
        frame_table(
            f"supplier risk (next delivery), model {ranking.model_version}",
            ranking.suppliers.head(top),
        )
    )
    out.print(
        frame_table(
            f"riskiest {min(top, len(lanes))} of {len(lanes)} supply lanes", lanes.head(top)
        )
    )
