"""CLI commands that create, inspect, import and export the network."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from supplynet.graph.csv_layout import import_csv_dir, write_csv_dir
from supplynet.graph.open_store import describe, open_store
from supplynet.graph.store import GraphStore
from supplynet.graph.supplygraph import load_supplygraph
from supplynet.graph.synthetic import PRESETS, SyntheticDataset, generate
from supplynet.server.arguments import Subparsers, add_scope_arguments, scope_from_args
from supplynet.server.output import console, network_summary


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
        description="Validate a directory in the CSV layout (see README), or a SupplyGraph "
        "checkout with --format supplygraph, and upsert it. "
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


def store_dataset(store: GraphStore, dataset: SyntheticDataset) -> None:
    """Upsert a generated network and append its histories."""
    store.upsert_network(dataset.network)
    store.append_demand(dataset.demand)
    store.append_deliveries(dataset.deliveries)


def run_generate(args: argparse.Namespace) -> int:
    out = console()
    with out.status(f"generating preset {args.preset!r} (seed {args.seed})"):
        started = time.perf_counter()
        dataset = generate(args.preset, seed=args.seed)
        generated = time.perf_counter() - started
    store = open_store()
    try:
        with out.status(f"writing to {describe()}"):
            store_dataset(store, dataset)
    finally:
        store.close()
    out.print(f"generated {args.preset!r} in {generated:.1f} s and stored it in {describe()}")
    out.print(network_summary(dataset.network, dataset.demand, dataset.deliveries))
    return 0


def run_info(args: argparse.Namespace) -> int:
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        demand = store.read_demand(scope)
        deliveries = store.read_deliveries(scope)
        plans = store.list_plans()
    finally:
        store.close()
    out = console()
    out.print(f"store: {describe()}")
    out.print(network_summary(network, demand, deliveries))
    out.print(f"saved plans: {len(plans)}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if args.format == "supplygraph":
        return run_import_supplygraph(args)
    store = open_store()
    try:
        bundle = import_csv_dir(store, args.directory)
    finally:
        store.close()
    counts = {k: v for k, v in bundle.network.counts().items() if v}
    counts |= {"demand": len(bundle.demand), "deliveries": len(bundle.deliveries)}
    console().print(
        f"imported into {describe()}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    return 0


def run_import_supplygraph(args: argparse.Namespace) -> int:
    data = load_supplygraph(args.directory)
    store = open_store()
    try:
        store.upsert_network(data.network)
        store.append_demand(data.demand)
    finally:
        store.close()
    counts = {k: v for k, v in data.network.counts().items() if v} | {"demand": len(data.demand)}
    console().print(
        f"imported SupplyGraph into {describe()}: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot(scope)
        demand = store.read_demand(scope)
        deliveries = store.read_deliveries(scope)
    finally:
        store.close()
    written = write_csv_dir(args.directory, network, demand, deliveries)
    console().print(f"wrote {len(written)} files to {args.directory}")
    return 0
