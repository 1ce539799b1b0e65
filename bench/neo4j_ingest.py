"""Neo4j ingest and snapshot speed on the ``large`` preset (seed 1).

Measures, in one run against one server:
1. batched ingest: ``Neo4jStore.upsert_network`` of the whole network into an empty
   database (one transaction, pipelined ``UNWIND $rows`` batches: nodes MERGEd, new
   edges CREATEd from plain-tuple rows after one read of the stored edge keys, each
   batch's endpoints looked up once; the input checked in a worker thread meanwhile),
   relationships/s;
2. the baseline: one ``MERGE`` statement per inventory position (same transaction
   style, a sample of rows), relationships/s, and the ratio;
3. re-ingest of the same network (idempotent: counts must not change);
4. full snapshot read into a ``Network``.
Medians over ``--repeats``, after an untimed warm-up that ingests the network once:
the JVM spends ~25 s of CPU compiling the commit path of the first big transaction,
which a long-running server has done long before (the script prints that first
time too). Targets: >= 20,000 relationships/s, full snapshot <= 10 s.

Usage::

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/neo4j_ingest.py
    NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/python bench/neo4j_ingest.py   # existing server

Without ``NEO4J_URI`` it starts a server in ``var/neo4j/bench`` (2 GiB heap, 512 MiB
page cache) and stops it at the end. The heap holds the one upsert transaction's state
(~160k new relationships); with 1 GiB the young collections ran twice as often. The
benchmark wipes the database it uses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from neo4j import ManagedTransaction
from rich.console import Console
from rich.table import Table

from supplynet.graph import neo4j_cypher as cypher
from supplynet.graph.neo4j_launcher import VAR_DIR, ServerConfig, free_port, start, stop
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.network import NODE_TABLES, Network
from supplynet.graph.synthetic import generate

EDGE_TABLES = (
    "supply_lanes",
    "transport_lanes",
    "inventory_positions",
    "open_orders",
    "substitutions",
)


@contextmanager
def server() -> Iterator[str]:
    """``NEO4J_URI`` if set, else a bench server started for this run."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    config = ServerConfig(home=VAR_DIR / "bench", port=free_port(), heap="2g", pagecache="512m")
    result = start(config, timeout_s=600)
    print(f"started Neo4j on {result.uri} in {result.start_s:.1f} s")
    try:
        yield config.uri
    finally:
        stop(config)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def graph_counts(store: Neo4jStore) -> tuple[int, int]:
    def work(tx: ManagedTransaction) -> tuple[int, int]:
        nodes = tx.run("MATCH (n) RETURN count(n) AS c").single(strict=True)["c"]
        rels = tx.run("MATCH ()-[r]->() RETURN count(r) AS c").single(strict=True)["c"]
        return int(nodes), int(rels)

    return store._read(work)


def row_at_a_time(store: Neo4jStore, network: Network, sample: int, offset: int) -> int:
    """One MERGE statement per inventory position, all in one transaction."""
    positions = network.inventory_positions[offset : offset + sample]

    def work(tx: ManagedTransaction) -> None:
        for p in positions:
            props = p.model_dump(exclude={"location_id", "sku_id"})
            tx.run(cypher.UPSERT_ONE_POSITION, a=p.location_id, b=p.sku_id, p=props).consume()

    store._write(work)
    return len(positions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="large", help="synthetic preset (large)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="baseline rows per repeat")
    args = parser.parse_args()
    out = Console(highlight=False)

    started = time.perf_counter()
    network = generate(args.preset, seed=1).network
    out.print(f"generated {args.preset!r} (seed 1) in {time.perf_counter() - started:.1f} s")
    counts = network.counts()
    relationships = sum(counts[t] for t in EDGE_TABLES)
    nodes_only = Network.build(**{t: network.table(t) for t in NODE_TABLES})
    out.print(", ".join(f"{t} {n:,}" for t, n in counts.items()))
    out.print(
        "load average (1, 5, 15 min) at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )

    with server() as uri:
        store = Neo4jStore.connect(uri, password=os.environ.get("NEO4J_PASSWORD", ""))
        try:
            store.clear()  # warm-up, untimed: compile every statement once,
            store.upsert_network(generate("tiny", seed=1).network)
            store.snapshot()
            store.clear()  # then let the JIT compile the big-commit path (~25 s of CPU)
            cold = timed(lambda: store.upsert_network(network))
            out.print(f"first (cold JVM) batched upsert, untimed warm-up: {cold:.2f} s")
            batched, reingest, snapshot = [], [], []
            for _ in range(args.repeats):
                store.clear()
                batched.append(timed(lambda: store.upsert_network(network)))
            before = graph_counts(store)
            for _ in range(args.repeats):
                reingest.append(timed(lambda: store.upsert_network(network)))
            after = graph_counts(store)
            for _ in range(args.repeats):
                snapshot.append(timed(lambda: store.snapshot()))
            assert store.snapshot() == network, "snapshot differs from the ingested network"

            store.clear()
            store.upsert_network(nodes_only)
            baseline = [
                timed(lambda r=r: row_at_a_time(store, network, args.sample, r * args.sample))
                for r in range(args.repeats)
            ]
        finally:
            store.close()

    batched_s, baseline_s = statistics.median(batched), statistics.median(baseline)
    batched_rate = relationships / batched_s
    baseline_rate = args.sample / baseline_s
    table = Table(title=f"Neo4j ingest, {args.preset} preset (median of {args.repeats})")
    for column in ("what", "rows", "seconds", "relationships/s"):
        table.add_column(column, justify="left" if column == "what" else "right")
    table.add_row(
        "batched upsert (empty db)",
        f"{relationships:,}",
        f"{batched_s:.2f}",
        f"{batched_rate:,.0f}",
    )
    table.add_row(
        "row-at-a-time MERGE (sample)",
        f"{args.sample:,}",
        f"{baseline_s:.2f}",
        f"{baseline_rate:,.0f}",
    )
    table.add_row(
        "re-ingest same network",
        f"{relationships:,}",
        f"{statistics.median(reingest):.2f}",
        f"{relationships / statistics.median(reingest):,.0f}",
    )
    table.add_row(
        "full snapshot read", f"{relationships:,}", f"{statistics.median(snapshot):.2f}", ""
    )
    out.print(table)
    out.print("each batched upsert (s): " + ", ".join(f"{t:.2f}" for t in batched))
    out.print(f"batched / row-at-a-time: {batched_rate / baseline_rate:.1f}x")
    out.print(
        f"graph (nodes, relationships) after first ingest {before}, after re-ingest {after}"
        f" -> {'unchanged' if before == after else 'CHANGED'}"
    )
    out.print(
        "load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )
    out.print(
        f"targets: >= 20,000 rel/s {'met' if batched_rate >= 20_000 else 'MISSED'}; "
        f"snapshot <= 10 s {'met' if statistics.median(snapshot) <= 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
