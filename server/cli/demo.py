"""``supplynet demo``: the whole pipeline that exists, end to end, on a generated network.

Each capability adds one stage to ``STAGES``; a stage reads what earlier stages left
in the ``DemoRun`` and adds its own results.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from supplynet.graph.network import Network
from supplynet.graph.open_store import StoreSettings, describe, open_store
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import PRESETS, SyntheticDataset, generate
from supplynet.server.arguments import Subparsers
from supplynet.server.forecast_commands import stage_forecast
from supplynet.server.gnn_commands import stage_gnn
from supplynet.server.network_commands import store_dataset
from supplynet.server.output import console, network_summary
from supplynet.server.plan_commands import stage_plan
from supplynet.server.route_commands import stage_routes


@dataclass
class DemoRun:
    """State passed from stage to stage."""

    console: Console
    store: GraphStore
    out: Path
    preset: str
    seed: int
    dataset: SyntheticDataset | None = None
    network: Network | None = None
    results: dict[str, Any] = field(default_factory=dict)


Stage = Callable[[DemoRun], None]


def stage_generate(run: DemoRun) -> None:
    run.dataset = generate(run.preset, seed=run.seed)
    store_dataset(run.store, run.dataset)


def stage_summarise(run: DemoRun) -> None:
    run.network = run.store.snapshot()
    run.console.print(
        network_summary(run.network, run.store.read_demand(), run.store.read_deliveries())
    )


STAGES: list[tuple[str, Stage]] = [
    ("generate the network and its histories", stage_generate),
    ("read it back from the store and summarise", stage_summarise),
    ("forecast demand and backtest the forecasters", stage_forecast),
    ("train the demand and risk GNNs and score supplier risk", stage_gnn),
    ("plan replenishment from the forecast", stage_plan),
    ("route day 1 of the plan and export the schedules", stage_routes),
]


def register(subparsers: Subparsers) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on a generated network",
        description="Generate a network, store it, and run every pipeline stage on it. "
        "Uses an embedded store under OUT unless NEO4J_URI is set.",
    )
    demo.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo"),
        help="folder for the demo's store and outputs (default out/demo)",
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    out = console()
    settings = StoreSettings(data_dir=args.out / "store")
    store = open_store(settings)
    run = DemoRun(console=out, store=store, out=args.out, preset=args.preset, seed=args.seed)
    out.print(
        f"supplynet demo: preset {args.preset!r}, seed {args.seed}, store {describe(settings)}"
    )
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as progress:
            bar = progress.add_task("demo", total=len(STAGES))
            for number, (title, stage) in enumerate(STAGES, start=1):
                progress.update(bar, description=title)
                started = time.perf_counter()
                stage(run)
                progress.advance(bar)
                out.print(
                    f"[{number}/{len(STAGES)}] {title}: done in "
                    f"{time.perf_counter() - started:.1f} s"
                )
    finally:
        store.close()
    return 0
