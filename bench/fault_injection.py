"""Faults, bad input and load the way a careless user or a hostile client brings them.

Prints, and writes to ``bench/results/fault_injection.txt`` with the commit and load:

1. kills tried / inconsistent stores: ``import`` killed with SIGKILL at seeded random
   points of its write, half on the embedded store, half on Neo4j (split between one
   transaction and a staged import of ``KILL_STAGED_ROWS``-row parts); after each kill
   the store must show the state before that import or the state it makes (goal 0);
2. peak memory of a CSV import whose ``demand.csv`` is ``--import-mb`` MB (goal <= 1 GB),
   measured as the import process's maximum resident set size;
3. bad CLI inputs / tracebacks: each reproduction from issue 22 run as a real
   ``supplynet`` process on a store holding the ``tiny`` preset; each must exit 2
   without a traceback (goal 0 tracebacks, 0 other exit codes);
4. fuzz cases / INTERNAL or UNKNOWN answers: hypothesis-generated messages for every
   RPC plus raw bytes, against a real server (goal 0 of >= 10,000), health after;
5. the queued-operation limit: 20 concurrent StartPlans against ``max_operations=2``.

Usage::

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/fault_injection.py
    NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/python bench/fault_injection.py
    .venv/bin/python bench/fault_injection.py --only kills --only memory --append-results

Without ``NEO4J_URI`` a Neo4j server is started in ``var/neo4j/fault`` and stopped at the
end; the benchmark wipes the database it uses.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import grpc  # noqa: E402
from fuzz_support import FORBIDDEN, call, every_rpc, messages  # noqa: E402
from google.rpc import error_details_pb2  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from import_crash_support import kill_imports, two_bundles  # noqa: E402
from rpc_harness import running_server  # noqa: E402
from rpc_harness import settings as server_settings  # noqa: E402

from supplynet.graph.csv_layout import write_csv_dir  # noqa: E402
from supplynet.graph.embedded import EmbeddedStore  # noqa: E402
from supplynet.graph.history import DEMAND  # noqa: E402
from supplynet.graph.neo4j_launcher import VAR_DIR, ServerConfig, free_port, start, stop  # noqa: E402
from supplynet.graph.neo4j_store import Neo4jStore  # noqa: E402
from supplynet.graph.synthetic import SyntheticDataset, generate  # noqa: E402
from supplynet.server.rpc.status import unpack_status  # noqa: E402
from supplynet.v1 import replenishment_pb2, replenishment_pb2_grpc  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "fault_injection.txt"
SECTIONS = ["kills", "memory", "cli", "fuzz", "queue"]
SUPPLYNET = Path(sys.executable).parent / "supplynet"
KILL_DAYS = 120
"""History days in the killed imports (a write of a few hundred milliseconds to seconds)."""
KILL_STAGED_ROWS = 1_000
"""Neo4j staging threshold of the staged kills: the 120-day bundle's 5,760 demand rows go
in six parts, so kills land between the staging transactions and in the commit."""


class Report:
    """Lines printed as they come and written to the results file at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)


@contextmanager
def neo4j() -> Iterator[dict[str, str]]:
    """Environment pointing at ``NEO4J_URI`` if set, else at a server started for this run."""
    if os.environ.get("NEO4J_URI"):
        yield {"NEO4J_URI": os.environ["NEO4J_URI"]}
        return
    config = ServerConfig(home=VAR_DIR / "fault", port=free_port(), heap="1g", pagecache="128m")
    start(config, timeout_s=600)
    try:
        yield {"NEO4J_URI": config.uri} | (
            {"NEO4J_PASSWORD": config.password} if config.password else {}
        )
    finally:
        stop(config)


def kills(report: Report, total: int, seed: int, scratch: Path) -> None:
    tiny = generate("tiny", seed=7)
    bundles = two_bundles(tiny, scratch, KILL_DAYS)
    embedded = EmbeddedStore(scratch / "embedded")
    found = {"embedded": kill_imports(embedded, bundles, {"SUPPLYNET_DATA": str(embedded.root)},
                                      total // 2, seed)}  # fmt: skip
    neo4j_kills = total - total // 2
    with neo4j() as env:
        for name, staged_rows, count in (
            ("neo4j", None, neo4j_kills // 2),
            ("neo4j staged", KILL_STAGED_ROWS, neo4j_kills - neo4j_kills // 2),
        ):
            store = Neo4jStore.connect(
                env["NEO4J_URI"], password=env.get("NEO4J_PASSWORD", ""), staged_rows=staged_rows
            )
            staging = {} if staged_rows is None else {"NEO4J_STAGED_IMPORT_ROWS": str(staged_rows)}
            try:
                store.clear()
                found[name] = kill_imports(store, bundles, env | staging, count, seed + 1)
            finally:
                store.close()
    for name, result in found.items():
        report(
            f"kills {name}: {result.kills} tried / {result.inconsistent} inconsistent stores; "
            f"rerun after the last kill gives the new state: {result.resumed_ok}"
        )
    tried = sum(r.kills for r in found.values())
    bad = sum(r.inconsistent for r in found.values())
    report(f"kills tried / inconsistent stores: {tried} / {bad} (goal 0)")


def big_demand_csv(folder: Path, megabytes: int, seed: int) -> int:
    """The ``demo`` network as CSV plus a ``demand.csv`` of about ``megabytes`` MB; rows."""
    demo = generate("demo", seed=0)
    write_csv_dir(folder, demo.network, demo.demand.iloc[:0], demo.deliveries.iloc[:0])
    (folder / "deliveries.csv").unlink()
    stores = [s.id for s in demo.network.stores]
    skus = [s.id for s in demo.network.skus]
    rng = np.random.default_rng(seed)
    path = folder / "demand.csv"
    pd.DataFrame(columns=DEMAND.columns).to_csv(path, index=False)
    day = pd.Timestamp("1970-01-01")
    rows = 0
    while path.stat().st_size < megabytes * 1_000_000:
        days = pd.date_range(day, periods=30)
        grid = pd.MultiIndex.from_product([days, stores, skus]).to_frame(index=False)
        grid.columns = ["date", "store_id", "sku_id"]
        grid["quantity"] = rng.poisson(4.0, len(grid)).astype(float)
        grid["price"] = rng.uniform(1, 20, len(grid)).round(2)
        grid["promo"] = rng.random(len(grid)) < 0.05
        grid.to_csv(path, mode="a", header=False, index=False, date_format="%Y-%m-%d")
        rows += len(grid)
        day += pd.Timedelta(days=30)
    return rows


def peak_memory(report: Report, megabytes: int, scratch: Path) -> None:
    folder = scratch / "big"
    rows = big_demand_csv(folder, megabytes, seed=3)
    size = (folder / "demand.csv").stat().st_size / 1e6
    measure = (
        "import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:]); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = os.environ | {"SUPPLYNET_DATA": str(scratch / "big-store")}
    env.pop("NEO4J_URI", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", measure, str(SUPPLYNET), "import", str(folder)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    code, kib = done.stdout.split()[-2:]
    peak = int(kib) / 1024**2
    report(
        f"import of a {size:.0f} MB demand.csv ({rows:,} rows, embedded store): exit {code}, "
        f"{seconds:.0f} s, peak memory {peak:.2f} GiB (goal <= 1 GB)"
    )
    stored = EmbeddedStore(scratch / "big-store").read_demand()
    report(f"  rows stored: {len(stored):,}")


@dataclass(frozen=True)
class BadInput:
    """One reproduction: CLI arguments and what it is."""

    what: str
    args: tuple[str, ...]


def bad_inputs(scratch: Path) -> list[BadInput]:
    (scratch / "a-file").write_text("")
    unwritable = str(scratch / "a-file" / "out.csv")
    out = str(scratch / "forecast.csv")
    empty = scratch / "empty"
    empty.mkdir(exist_ok=True)
    us_date = scratch / "us-date"
    tiny = generate("tiny", seed=3)
    write_csv_dir(us_date, tiny.network, tiny.demand.iloc[:5], tiny.deliveries.iloc[:0])
    frame = pd.read_csv(us_date / "demand.csv", dtype=str)
    frame.loc[0, "date"] = "03/04/2024"
    frame.to_csv(us_date / "demand.csv", index=False)
    malformed = scratch / "malformed.csv"
    malformed.write_text("this,is\nnot,a forecast\n")
    foreign = scratch / "foreign.csv"
    pd.DataFrame(
        {"date": ["2024-01-01"], "store_id": ["NOPE"], "sku_id": ["X"], "mean": [1.0]}
    ).to_csv(foreign, index=False)
    supplygraph = ROOT.parent / "shared" / "data" / "supplygraph"
    return [
        BadInput("plan --horizon 100000", ("plan", "--horizon", "100000", "--time-limit", "5")),
        BadInput("forecast --horizon 100000", ("forecast", "--horizon", "100000", "--out", out)),
        BadInput(
            "plan --service-level 0.3", ("plan", "--service-level", "0.3", "--time-limit", "5")
        ),
        BadInput(
            "plan --service-level 1-1e-13",
            ("plan", "--service-level", "0.9999999999999", "--time-limit", "5"),
        ),
        BadInput("plan --forecast malformed file", ("plan", "--forecast", str(malformed))),
        BadInput("plan --forecast foreign file", ("plan", "--forecast", str(foreign))),
        BadInput("forecast --out unwritable", ("forecast", "--out", unwritable)),
        BadInput("risk --out unwritable", ("risk", "--out", unwritable)),
        BadInput("routes --plan unknown id", ("routes", "--plan", "NOPE")),
        BadInput(
            "routes export --routes unknown id",
            (
                "routes",
                "export",
                "--format",
                "csv",
                "--out",
                str(scratch / "r.csv"),
                "--routes",
                "NOPE",
            ),
        ),
        BadInput("plan --id of 300 characters", ("plan", "--id", "p" * 300, "--time-limit", "5")),
        *(
            BadInput(f"{command} --warehouse NOPE", (command, "--warehouse", "NOPE", *extra))
            for command, extra in (
                ("info", ()),
                ("export", (str(scratch / "export"),)),
                ("plan", ("--time-limit", "5")),
                ("forecast", ("--out", out)),
                ("risk", ()),
            )
        ),
        BadInput("import empty folder", ("import", str(empty))),
        BadInput("import SupplyGraph without --format", ("import", str(supplygraph))),
        BadInput("import 03/04/2024", ("import", str(us_date))),
    ]


def cli(report: Report, scratch: Path) -> None:
    env = os.environ | {"SUPPLYNET_DATA": str(scratch / "cli-store")}
    env.pop("NEO4J_URI", None)
    subprocess.run([str(SUPPLYNET), "generate", "--preset", "tiny", "--seed", "3"],
                   env=env, capture_output=True, check=True)  # fmt: skip
    tracebacks = other = 0
    cases = bad_inputs(scratch)
    for case in cases:
        done = subprocess.run([str(SUPPLYNET), *case.args], env=env, capture_output=True,
                              text=True, check=False)  # fmt: skip
        traceback = "Traceback" in done.stderr + done.stdout
        tracebacks += traceback
        other += done.returncode != 2
        first = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [""]
        verdict = "traceback" if traceback else "ok" if done.returncode == 2 else "not exit 2"
        report(f"  {case.what}: exit {done.returncode}, {verdict}: {first[0][:110]}")
    report(
        f"bad CLI inputs / tracebacks: {len(cases)} / {tracebacks} "
        f"(and {other} exits other than 2; goal 0 and 0)"
    )


def small_store(root: Path) -> SyntheticDataset:
    """The tiny preset with a quarter of its demand and a few deliveries, stored in ``root``."""
    tiny = generate("tiny", seed=7)
    start = tiny.demand["date"].min()
    recent = tiny.demand[tiny.demand["date"] < start + (tiny.demand["date"].max() - start) / 4]
    EmbeddedStore(root).import_bundle(tiny.network, recent, tiny.deliveries.iloc[:50])
    return tiny


def fuzz(report: Report, cases: int, seed_value: int, scratch: Path) -> None:
    tiny = small_store(scratch / "fuzz-store")
    ids = tuple(
        [w.id for w in tiny.network.warehouses] + [s.id for s in tiny.network.stores[:2]]
        + [k.id for k in tiny.network.skus[:2]] + [s.id for s in tiny.network.suppliers[:1]]
    )  # fmt: skip
    rpcs = every_rpc()
    codes: dict[str, int] = {}
    bad: list[str] = []
    configured = server_settings(scratch / "fuzz-store", max_operations=2, workers=1)
    with running_server(configured) as server:
        channel = grpc.insecure_channel(server.target)

        def record(name: str, code: grpc.StatusCode, request: object) -> None:
            codes[code.name] = codes.get(code.name, 0) + 1
            if code in FORBIDDEN:
                bad.append(f"{name} -> {code.name}: {str(request)[:160]!r}")

        for rpc in rpcs:

            @seed(seed_value)
            @settings(
                max_examples=cases // len(rpcs),
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(data=st.data())
            def one(data: st.DataObject) -> None:
                request = data.draw(messages(rpc.input, ids))  # noqa: B023
                record(rpc.descriptor.name, call(channel, rpc, request), request)  # noqa: B023

            one()
            rng = np.random.default_rng(seed_value)
            for _ in range(10):
                raw = rng.bytes(int(rng.integers(1, 200)))
                record(rpc.descriptor.name, call(channel, rpc, raw), raw)
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        channel.close()
    total = sum(codes.values())
    report(f"fuzz answers by code: {dict(sorted(codes.items()))}")
    for line in bad[:20]:
        report(f"  {line}")
    serving = health_pb2.HealthCheckResponse.ServingStatus.Name(health.status)
    report(
        f"fuzz cases / INTERNAL or UNKNOWN answers: {total} / {len(bad)} (goal 0 of >= 10,000); "
        f"health after: {serving}"
    )


def queue(report: Report, scratch: Path) -> None:
    small_store(scratch / "queue-store")
    configured = server_settings(scratch / "queue-store", max_operations=2, workers=1)
    request = replenishment_pb2.StartPlanRequest(
        horizon_days=180, forecast_model="seasonal_naive", time_limit_seconds=600
    )
    with running_server(configured) as server:
        channel = grpc.insecure_channel(server.target)
        stub = replenishment_pb2_grpc.ReplenishmentServiceStub(channel)
        futures = [stub.StartPlan.future(request, timeout=30) for _ in range(20)]
        accepted, refused, delays = [], 0, []
        for future in futures:
            try:
                accepted.append(future.result().name)
            except grpc.RpcError as error:
                refused += error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                delays.append(round(_retry_delay(error)))
        for name in accepted:
            stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=name))
        after = stub.StartPlan(request, timeout=30)
        stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=after.name))
        channel.close()
    report(
        f"queued-operation limit 2: 20 concurrent StartPlan -> {len(accepted)} accepted, "
        f"{refused} RESOURCE_EXHAUSTED with RetryInfo {sorted(set(delays))} s; "
        "after cancelling, StartPlan accepted again"
    )


def _retry_delay(error: grpc.RpcError) -> float:

    status = unpack_status(error.trailing_metadata())  # type: ignore[attr-defined]
    for packed in status.details if status else ():
        info = error_details_pb2.RetryInfo()
        if packed.Unpack(info):
            return info.retry_delay.seconds + info.retry_delay.nanos / 1e9
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="over both stores (50)")
    parser.add_argument("--import-mb", type=int, default=200, help="demand.csv size (200)")
    parser.add_argument("--fuzz", type=int, default=10_000, help="generated cases (10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=SECTIONS, action="append")
    parser.add_argument(
        "--append-results",
        action="store_true",
        help="with --only: append this partial run to the results file (a full run rewrites it)",
    )
    args = parser.parse_args()
    report = Report()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report(f"# bench/fault_injection.py at {commit}, {when}")
    report(f"# load average at start {os.getloadavg()[0]:.1f} (2 cores shared with other work)")
    sections = args.only or SECTIONS
    with tempfile.TemporaryDirectory(prefix="supplynet-fault-") as scratch:
        if "kills" in sections:
            kills(report, args.kills, args.seed, Path(scratch))
        if "memory" in sections:
            peak_memory(report, args.import_mb, Path(scratch))
        if "cli" in sections:
            cli(report, Path(scratch))
        if "fuzz" in sections:
            fuzz(report, args.fuzz, args.seed, Path(scratch))
        if "queue" in sections:
            queue(report, Path(scratch))
    report(f"# load average at end {os.getloadavg()[0]:.1f}")
    if not args.only:
        RESULTS.write_text("\n".join(report.lines) + "\n")
    elif args.append_results:
        rerun = f"\n# partial rerun: --only {' --only '.join(args.only)}\n"
        with RESULTS.open("a") as results:
            results.write(rerun + "\n".join(report.lines) + "\n")


if __name__ == "__main__":
    main()
