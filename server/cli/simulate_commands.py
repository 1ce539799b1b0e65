"""``supplynet simulate``: a thin door onto ``server.app.simulate`` (the digital twin).

Runs the policies on a synthetic preset (``--preset``, with the truth behind it) or on
the store's network and history, with a progress bar over replications; prints the KPI
table per policy and the paired differences against the baseline; ``--out DIR`` writes
``kpis.csv`` (per replication and policy), ``kpi_table.csv`` (means), ``paired.csv``,
``daily.parquet`` (per-day series) and ``outcomes.png`` / ``effects.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from supplynet.graph.open_store import open_store
from supplynet.server.app.progress import Progress as StageProgress
from supplynet.server.app.progress import Report
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.cli.output import console, frame_table

if TYPE_CHECKING:  # the twin (planner, matplotlib) loads only when ``simulate`` runs
    from supplynet.optimizer.twin.replications import TwinResult


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="digital twin: roll policies forward day by day and compare outcomes",
        description="Simulate forecast -> plan -> routes -> deliveries -> sales day by day "
        "for each policy on the same random draws (common random numbers), over several "
        "replications, and report KPIs with paired 95% intervals against the baseline.",
    )
    parser.add_argument("--preset", default=None, help="tiny, demo or large (default: store)")
    parser.add_argument("--days", type=int, default=None, help="days to simulate (182)")
    parser.add_argument(
        "--policies", default=None, help="comma-separated arms (baseline,supplynet; oracle)"
    )
    parser.add_argument("--replications", type=int, default=None, help="replications (5)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--mode", default=None, help="lost_sales (default) or backorders")
    parser.add_argument("--workers", type=int, default=None, help="processes (1)")
    parser.add_argument("--out", type=Path, default=None, help="directory for tables and plots")
    parser.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from supplynet.server.app import simulate as use

    request = use.simulate_request(
        args.settings,
        policies=tuple(args.policies.split(",")) if args.policies else None,
        days=args.days,
        replications=args.replications,
        seed=args.seed,
        mode=args.mode,
        preset=args.preset,
        workers=args.workers,
    )
    if request.preset is not None:
        inputs = use.preset_inputs(request.preset, request.seed)
    else:
        store = open_store()
        try:
            inputs = use.SimulationInputs(store.snapshot(), store.read_demand())
        finally:
            store.close()
    # the progress bar runs a thread: workers start from a fork server, not a fork
    parallel = dataclasses.replace(
        args.settings.parallel(request.workers),
        chunk_size=1,
        pilot=False,
        start_method="forkserver",
    )
    out = console()
    with replication_progress(out) as report:
        result = use.simulate(inputs, request, parallel, report)
    print_result(out, result)
    if args.out is not None:
        write(args.out, result)
        out.print(f"written to {args.out}")
    return 1 if not result.failures.empty else 0


@contextmanager
def replication_progress(out: Console) -> Iterator[Report]:
    """A progress bar over the replications."""
    columns = (TextColumn("{task.fields[stage]}"), BarColumn(), TimeElapsedColumn())
    with Progress("[bold]simulating", *columns, console=out, transient=True) as bar:
        task = bar.add_task("simulating", total=1.0, stage="")

        def update(progress: StageProgress) -> None:
            bar.update(task, completed=progress.fraction, stage=progress.stage)

        yield update


def print_result(out: Console, result: TwinResult) -> None:
    from supplynet.optimizer.twin.kpis import HEADLINE_KPIS

    table = result.table()[list(HEADLINE_KPIS)].T.reset_index(names="kpi")
    out.print(frame_table("KPIs (mean over replications)", table, "{:,.4g}"))
    paired = result.paired()
    if not paired.empty:
        shown = paired[paired["kpi"].isin(HEADLINE_KPIS)].drop(columns="replications")
        out.print(frame_table("paired differences against baseline (95% CI)", shown, "{:,.4g}"))
    for row in result.failures.itertuples():
        out.print(f"[red]failed:[/red] {row.policy} replication {row.replication}: {row.error}")


def write(directory: Path, result: TwinResult) -> None:
    from supplynet.optimizer.twin.plots import effects_figure, outcome_figure

    directory.mkdir(parents=True, exist_ok=True)
    result.kpis.to_csv(directory / "kpis.csv", index=False)
    result.table().to_csv(directory / "kpi_table.csv")
    result.paired().to_csv(directory / "paired.csv", index=False)
    result.failures.to_csv(directory / "failures.csv", index=False)
    result.daily.to_parquet(directory / "daily.parquet", index=False)
    outcome_figure(result).savefig(directory / "outcomes.png", dpi=100)
    effects_figure(result).savefig(directory / "effects.png", dpi=100)
