"""CLI commands that create, inspect, import and export the network."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from supplynet.graph.open_store import describe, open_store
from supplynet.graph.synthetic import PRESETS
from supplynet.server.app import network as use
from supplynet.server.cli.arguments import Subparsers, add_scope_arguments, scope_from_args
from supplynet.server.cli.output import console, network_summary


def register(subparsers: Subparsers) -> None:
    gen = subparsers.add_parser(
        "generate",
        help="generate a synthetic network with histories into the store",
        description="Generate a seeded synthetic network and histories and upsert them "
        "into the configured store (NEO4J_URI set: Neo4j; else SUPPLYNET_DATA).",
    )
    gen.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    gen.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gen.set_defaults(handler=run_generate)

    info = subparsers.add_parser(
        "info",
        help="counts and a summary of the stored network",
        description="Print counts and history coverage of the store.",
    )
    add_scope_arguments(info)
    info.set_defaults(handler=run_info)

    imp = subparsers.add_parser(
        "import",
        help="import a directory into the store",
        description="Validate a directory in the CSV layout (docs/guide/network.md), or a "
        "SupplyGraph checkout with --format supplygraph, and upsert it. "
        "Any problem rejects the whole import: exit code 2, nothing stored.",
    )
    imp.add_argument("directory", type=Path)
    imp.add_argument("--format", choices=["csv", "supplygraph"], default="csv")
    imp.set_defaults(handler=run_import)

    exp = subparsers.add_parser(
        "export",
        help="export the store as CSV",
        description="Write the stored network and histories as CSV.",
    )
    exp.add_argument("directory", type=Path)
    add_scope_arguments(exp)
    exp.set_defaults(handler=run_export)


def run_generate(args: argparse.Namespace) -> int:
    out = console()
    store = open_store()
    try:
        with out.status(f"generating preset {args.preset!r} (seed {args.seed}) into {describe()}"):
            started = time.perf_counter()
            dataset = use.generate_into(store, args.preset, args.seed)
            elapsed = time.perf_counter() - started
    finally:
        store.close()
    out.print(f"generated {args.preset!r} and stored it in {describe()} in {elapsed:.1f} s")
    out.print(network_summary(dataset.network, dataset.demand, dataset.deliveries))
    return 0


def run_info(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        view = use.read_view(store, scope_from_args(args))
    finally:
        store.close()
    out = console()
    out.print(f"store: {describe()}")
    out.print(network_summary(view.network, view.demand, view.deliveries))
    out.print(f"saved plans: {len(view.plans)}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        counts = use.import_directory(store, args.directory, args.format)
    finally:
        store.close()
    console().print(
        f"imported into {describe()}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        written = use.export_directory(store, args.directory, scope_from_args(args))
    finally:
        store.close()
    console().print(f"wrote {len(written)} files to {args.directory}")
    return 0
