"""Kill an import at random points and check that the store shows the old or the new state.

Shared by ``tests/test_hardening_import_crash.py`` (a handful of kills) and
``bench/fault_injection.py`` (the full count). The importing process is a real child
process killed with SIGKILL while it writes; the store is then read from this process.

Run as a script, it is that child: ``python import_crash_support.py DIRECTORY`` imports a
CSV directory into the configured store (``open_store``), printing ``writing`` when the
validated bundle goes to the store and ``done`` when the store has it.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from supplynet.graph.csv_layout import read_csv_dir, write_csv_dir
from supplynet.graph.history import DELIVERIES, DEMAND
from supplynet.graph.model import Warehouse
from supplynet.graph.network import TABLES, Network
from supplynet.graph.open_store import open_store
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import SyntheticDataset


def state_digest(store: GraphStore) -> str:
    """A digest of everything the store shows: network records and both histories."""
    digest = hashlib.sha256()
    network = store.snapshot()
    for name in TABLES:
        for record in sorted(network.table(name), key=lambda r: r.key()):
            digest.update(record.model_dump_json().encode())
    for frame, schema in ((store.read_demand(), DEMAND), (store.read_deliveries(), DELIVERIES)):
        ordered = frame[schema.columns].sort_values(list(schema.key)).reset_index(drop=True)
        digest.update(ordered.to_csv(index=False).encode())
    return digest.hexdigest()


def two_bundles(dataset: SyntheticDataset, root: Path, days: int) -> tuple[Path, Path]:
    """CSV directories A and B with the same keys and different values everywhere.

    Importing either one over the other gives exactly that one's state, so a run of
    imports alternating between them needs no reset between kills. Histories keep their
    first ``days`` days (a shorter write, so more kills per second land inside it).
    """
    demand = _first_days(dataset.demand, "date", days)
    deliveries = _first_days(dataset.deliveries, "order_date", days)
    first = root / "bundle-a"
    write_csv_dir(first, dataset.network, demand, deliveries)
    renamed: list[Warehouse] = [
        w.model_copy(update={"name": f"{w.name} (renamed)"}) for w in dataset.network.warehouses
    ]
    tables = {name: list(dataset.network.table(name)) for name in TABLES}
    network = Network.build(**(tables | {"warehouses": renamed}))  # type: ignore[arg-type]
    second = root / "bundle-b"
    write_csv_dir(
        second,
        network,
        demand.assign(quantity=demand["quantity"] + 1),
        deliveries.assign(quantity=deliveries["quantity"] + 1),
    )
    return first, second


def _first_days(frame: pd.DataFrame, column: str, days: int) -> pd.DataFrame:
    return frame[frame[column] < frame[column].min() + pd.Timedelta(days=days)]


@dataclass(frozen=True)
class KillReport:
    """What a series of kills found."""

    kills: int
    inconsistent: int
    resumed_ok: bool


def import_here(store: GraphStore, directory: Path) -> float:
    """Import ``directory`` in this process; returns the seconds its write took."""
    bundle = read_csv_dir(directory, context=store.snapshot())
    started = time.monotonic()
    store.import_bundle(bundle.network, bundle.demand, bundle.deliveries)
    return time.monotonic() - started


def kill_imports(
    store: GraphStore, bundles: tuple[Path, Path], env: Mapping[str, str], kills: int, seed: int
) -> KillReport:
    """Alternate imports of the two bundles, SIGKILL each at a random point of its write.

    After each kill the store must show the state from before that import or the
    state the import makes. At the end the last import is run again to completion
    (a retry resumes nothing half-done: it gives the new state).
    """
    expected: dict[Path, str] = {}
    for bundle in bundles:
        write_s = import_here(store, bundle)
        expected[bundle] = state_digest(store)
    window = max(write_s, 0.05) * 1.2
    rng = random.Random(seed)
    before = state_digest(store)
    inconsistent = 0
    target = bundles[0]
    for trial in range(kills):
        target = bundles[trial % 2]
        child = _start(target, env)
        _await_line(child, "writing")
        time.sleep(rng.uniform(0.0, window))
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = state_digest(store)
        if after not in (before, expected[target]):
            inconsistent += 1
        before = after
    import_here(store, target)
    return KillReport(kills, inconsistent, state_digest(store) == expected[target])


def _start(directory: Path, env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, str(directory)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _await_line(child: subprocess.Popen[str], wanted: str) -> float:
    """Block until the child prints ``wanted``; returns when (monotonic seconds)."""
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == wanted:
            return time.monotonic()
    error = child.stderr.read() if child.stderr else ""
    raise RuntimeError(f"import child ended before {wanted!r}: {error}")


def _child_import(directory: Path) -> None:
    store = open_store()
    try:
        bundle = read_csv_dir(directory, context=store.snapshot())
        print("writing", flush=True)
        store.import_bundle(bundle.network, bundle.demand, bundle.deliveries)
        print("done", flush=True)
    finally:
        store.close()


if __name__ == "__main__":
    _child_import(Path(sys.argv[1]))
